import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile, names, storeNlink } from '../helpers/vfs-files.js';
import { DT_DIR, DT_LNK, DT_REG, S_IFDIR, direntType, isDirectory } from '../../src/vfs/constants.js';

describe('mkdir', () => {
  const t = useTestVfs();

  test('creates a directory owned by the caller, with one link (its entry)', () => {
    const { vfs } = t();
    vfs.chmod('/', 0o777, root);
    const d = vfs.mkdir('/d', 0o750, user(1000, 1001));
    expect(d.mode).toBe(S_IFDIR | 0o750);
    expect(d.uid).toBe(1000);
    expect(d.gid).toBe(1001);
    expect(d.nlink).toBe(1);
    expect(d.size).toBe(0);
    expect(vfs.stat('/d', root)).toEqual(d);
  });

  test('keeps the sticky bit but not setuid/setgid from the mode, as Linux does', () => {
    const { vfs } = t();
    expect(vfs.mkdir('/a', 0o7777, root).mode).toBe(S_IFDIR | 0o1777);
  });

  test("updates the parent directory's mtime and ctime", () => {
    const { vfs } = t();
    vfs.mkdir('/p', 0o755, root);
    vfs.utimens('/p', { sec: 10, nsec: 0 }, { sec: 10, nsec: 0 }, root);
    vfs.mkdir('/p/c', 0o755, root);
    const p = vfs.stat('/p', root);
    expect(p.mtime).toBeGreaterThan(10);
    expect(p.ctime).toBeGreaterThan(10);
    expect(p.atime).toBe(10);
  });

  test('EEXIST for anything that exists: file, directory, dangling symlink, ".", "..", "/"', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/f', 'x');
    vfs.symlink('/nowhere', '/dangling', root);
    for (const path of ['/d', '/f', '/dangling', '/', '/d/.', '/d/..', '.', '/d/']) {
      expectErrno(() => vfs.mkdir(path, 0o755, root), 'EEXIST');
    }
    expectErrno(() => vfs.stat('/nowhere', root), 'ENOENT');
  });

  test('a trailing slash is allowed; a missing parent is ENOENT, a file parent ENOTDIR', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    expect(isDirectory(vfs.mkdir('/new/', 0o755, root).mode)).toBe(true);
    expectErrno(() => vfs.mkdir('/missing/d', 0o755, root), 'ENOENT');
    expectErrno(() => vfs.mkdir('/f/d', 0o755, root), 'ENOTDIR');
  });

  test('needs write and search permission on the parent, but EEXIST wins', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    vfs.mkdir('/ro/sub', 0o755, root);
    expectErrno(() => vfs.mkdir('/ro/new', 0o755, user(1000)), 'EACCES');
    expectErrno(() => vfs.mkdir('/ro/sub', 0o755, user(1000)), 'EEXIST');
    vfs.mkdir('/wonly', 0o733, root);
    expect(vfs.mkdir('/wonly/new', 0o755, user(1000)).uid).toBe(1000);
  });
});

describe('rmdir', () => {
  const t = useTestVfs();

  test('removes an empty directory and its inode', () => {
    const { vfs, conn } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    vfs.rmdir('/d', root);
    expectErrno(() => vfs.stat('/d', root), 'ENOENT');
    expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(d.ino)).toBeUndefined();
    expect(names(vfs, '/')).toEqual([]);
  });

  test('ENOTEMPTY for a directory with entries', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'x');
    expectErrno(() => vfs.rmdir('/d', root), 'ENOTEMPTY');
    vfs.unlink('/d/f', root);
    vfs.rmdir('/d', root);
  });

  test('EINVAL for ".", ENOTEMPTY for "..", EBUSY for the root', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    expectErrno(() => vfs.rmdir('/d/.', root), 'EINVAL');
    expectErrno(() => vfs.rmdir('.', root), 'EINVAL');
    expectErrno(() => vfs.rmdir('/d/..', root), 'ENOTEMPTY');
    expectErrno(() => vfs.rmdir('/', root), 'EBUSY');
  });

  test('ENOTDIR for a file or a symlink (even to a directory, even with a trailing slash), ENOENT when missing', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('d', '/ld', root);
    expectErrno(() => vfs.rmdir('/f', root), 'ENOTDIR');
    expectErrno(() => vfs.rmdir('/f/', root), 'ENOTDIR');
    expectErrno(() => vfs.rmdir('/ld', root), 'ENOTDIR');
    expectErrno(() => vfs.rmdir('/ld/', root), 'ENOTDIR');
    expectErrno(() => vfs.rmdir('/missing', root), 'ENOENT');
    vfs.rmdir('/d/', root);
  });

  test('needs write permission on the parent', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    vfs.mkdir('/ro/sub', 0o777, root);
    expectErrno(() => vfs.rmdir('/ro/sub', user(1000)), 'EACCES');
    expectErrno(() => vfs.rmdir('/ro/missing', user(1000)), 'ENOENT');
  });

  test('deletes a directory another implementation stored with nlink = 2 (its only entry is gone)', () => {
    const { vfs, conn, reopen } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    vfs.mkdir('/d/sub', 0o755, root);
    const sub = vfs.stat('/d/sub', root).ino;
    // The Unix convention (2 + subdirectories), as another writer would have stored it.
    storeNlink(reopen().conn, { [sub]: 2, [d.ino]: 3 });
    vfs.rmdir('/d/sub', root);
    vfs.rmdir('/d', root);
    for (const ino of [sub, d.ino])
      expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(ino)).toBeUndefined();
    expect(names(vfs, '/')).toEqual([]);
  });

  test('a directory removed while open keeps its inode (nlink 0, an orphan) until released', () => {
    const { vfs, conn, reopen } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    storeNlink(reopen().conn, { [d.ino]: 2 });
    vfs.retain(d.ino);
    vfs.rmdir('/d', root);
    expect(vfs.inode(d.ino)?.nlink).toBe(0);
    expect(conn.prepare('SELECT ino FROM agentos_orphans WHERE ino = ?').get(d.ino)).toEqual({ ino: d.ino });
    vfs.release(d.ino);
    expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(d.ino)).toBeUndefined();
  });
});

describe('readdir', () => {
  const t = useTestVfs();

  test('lists entries with their types, without "." and "..", sorted by name bytes', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/z', 'x');
    writeFile(vfs, '/d/B', 'x');
    vfs.mkdir('/d/a', 0o755, root);
    vfs.symlink('z', '/d/é', root);
    const entries = vfs.readdir('/d', root);
    expect(entries.map((e) => e.name)).toEqual(['B', 'a', 'z', 'é']);
    expect(entries.map((e) => direntType(e.inode.mode))).toEqual([DT_REG, DT_DIR, DT_REG, DT_LNK]);
  });

  test('an empty directory lists nothing; the listing follows changes', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    expect(names(vfs, '/d')).toEqual([]);
    writeFile(vfs, '/d/one', '1');
    expect(names(vfs, '/d')).toEqual(['one']);
    vfs.rename('/d/one', '/d/two', root);
    expect(names(vfs, '/d')).toEqual(['two']);
    vfs.unlink('/d/two', root);
    expect(names(vfs, '/d')).toEqual([]);
  });

  test('follows a symlink to a directory; ENOTDIR for a file, ENOENT when missing', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'x');
    vfs.symlink('/d', '/ld', root);
    expect(names(vfs, '/ld')).toEqual(['f']);
    expectErrno(() => vfs.readdir('/d/f', root), 'ENOTDIR');
    expectErrno(() => vfs.readdir('/missing', root), 'ENOENT');
  });

  test('needs read permission on the directory', () => {
    const { vfs } = t();
    vfs.mkdir('/private', 0o711, root);
    writeFile(vfs, '/private/f', 'x');
    expectErrno(() => vfs.readdir('/private', user(1000)), 'EACCES');
    // Search permission alone still reaches the entries.
    expect(vfs.stat('/private/f', user(1000)).size).toBe(1);
    const d = vfs.stat('/private', root);
    expectErrno(() => vfs.readdirInode(d.ino, user(1000), '/private'), 'EACCES');
    expect(vfs.readdirInode(d.ino, root).map((e) => e.name)).toEqual(['f']);
  });
});

describe('listings of a directory already listed', () => {
  const t = useTestVfs();

  test('come from the cache after creates, unlinks, renames and links, as the database has them', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    // Code point order, which is SQLite's byte order of UTF-8: U+FF5E sorts before U+1F600,
    // though its UTF-16 code unit is the larger.
    for (const name of ['b', 'a', 'Z', 'é', '\u{1F600}', '\uFF5E']) writeFile(vfs, `/d/${name}`, name);
    const first = vfs.readdir('/d', root).map((e) => e.name);
    expect(first).toEqual(['Z', 'a', 'b', 'é', '\uFF5E', '\u{1F600}']);
    writeFile(vfs, '/d/c', 'c');
    vfs.unlink('/d/a', root);
    vfs.rename('/d/b', '/d/0', root);
    vfs.link('/d/c', '/d/c2', root);
    vfs.mkdir('/d/sub', 0o755, root);
    const cached = vfs
      .readdir('/d', root)
      .map((e) => ({ name: e.name, ino: e.inode.ino, nlink: e.inode.nlink }));
    const fresh = t()
      .reopen()
      .vfs.readdir('/d', root)
      .map((e) => ({ name: e.name, ino: e.inode.ino, nlink: e.inode.nlink }));
    expect(cached).toEqual(fresh);
    expect(cached.map((e) => e.name)).toEqual(['0', 'Z', 'c', 'c2', 'sub', 'é', '\uFF5E', '\u{1F600}']);
  });
});
