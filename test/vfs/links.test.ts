import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile, readText, names } from '../helpers/vfs-files.js';
import { S_IFLNK, isSymlink } from '../../src/vfs/constants.js';

describe('unlink', () => {
  const t = useTestVfs();

  test('removes a file and, with its last link, the inode and its chunks', () => {
    const { vfs, conn } = t();
    const f = writeFile(vfs, '/f', Buffer.alloc(9000, 1));
    vfs.unlink('/f', root);
    expectErrno(() => vfs.stat('/f', root), 'ENOENT');
    expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(f.ino)).toBeUndefined();
    expect(conn.prepare('SELECT ino FROM fs_data WHERE ino = ?').get(f.ino)).toBeUndefined();
  });

  test('removes a symlink, not its target', () => {
    const { vfs, conn } = t();
    writeFile(vfs, '/f', 'x');
    const l = vfs.symlink('f', '/l', root);
    vfs.unlink('/l', root);
    expect(readText(vfs, '/f')).toBe('x');
    expect(conn.prepare('SELECT ino FROM fs_symlink WHERE ino = ?').get(l.ino)).toBeUndefined();
  });

  test('EISDIR for directories (and ".", "/"), ENOTDIR for a trailing slash on a file or symlink, ENOENT when missing', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/f', 'x');
    vfs.symlink('f', '/lf', root);
    vfs.symlink('d', '/ld', root);
    expectErrno(() => vfs.unlink('/d', root), 'EISDIR');
    expectErrno(() => vfs.unlink('/d/', root), 'EISDIR');
    expectErrno(() => vfs.unlink('/d/.', root), 'EISDIR');
    expectErrno(() => vfs.unlink('/', root), 'EISDIR');
    expectErrno(() => vfs.unlink('/f/', root), 'ENOTDIR');
    expectErrno(() => vfs.unlink('/lf/', root), 'ENOTDIR');
    expectErrno(() => vfs.unlink('/ld/', root), 'ENOTDIR');
    expectErrno(() => vfs.unlink('/missing', root), 'ENOENT');
    expectErrno(() => vfs.unlink('/missing/', root), 'ENOENT');
    expectErrno(() => vfs.unlink('/f/x', root), 'ENOTDIR');
  });

  test('needs write permission on the directory, not on the file', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    writeFile(vfs, '/ro/f', 'x', root, 0o666);
    expectErrno(() => vfs.unlink('/ro/f', user(1000)), 'EACCES');
    expectErrno(() => vfs.unlink('/ro/missing', user(1000)), 'ENOENT');
    vfs.mkdir('/open', 0o777, root);
    writeFile(vfs, '/open/f', 'x', root, 0o400);
    vfs.unlink('/open/f', user(1000));
  });

  test("sticky directories: only the file's owner, the directory's owner or root may unlink", () => {
    const { vfs } = t();
    vfs.mkdir('/tmp', 0o1777, root);
    writeFile(vfs, '/tmp/bobs', 'b', user(1001), 0o666);
    writeFile(vfs, '/tmp/alices', 'a', user(1000));
    expectErrno(() => vfs.unlink('/tmp/bobs', user(1000)), 'EPERM');
    vfs.unlink('/tmp/alices', user(1000));
    vfs.mkdir('/tmp/owned', 0o1777, user(1000));
    writeFile(vfs, '/tmp/owned/bobs', 'b', user(1001));
    vfs.unlink('/tmp/owned/bobs', user(1000));
    vfs.mkdir('/tmp/bobdir', 0o755, user(1001));
    expectErrno(() => vfs.rmdir('/tmp/bobdir', user(1000)), 'EPERM');
    vfs.unlink('/tmp/bobs', root);
  });
});

describe('hard links', () => {
  const t = useTestVfs();

  test('nlink equals the number of entries naming the inode', () => {
    const { vfs, conn } = t();
    vfs.mkdir('/d', 0o755, root);
    const f = writeFile(vfs, '/f', 'shared');
    expect(f.nlink).toBe(1);
    expect(vfs.link('/f', '/d/g', root).nlink).toBe(2);
    vfs.link('/d/g', '/h', root);
    const dentries = () =>
      conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_dentry WHERE ino = ?').get(f.ino)!.n;
    expect(vfs.stat('/f', root).nlink).toBe(3);
    expect(dentries()).toBe(3);
    expect(readText(vfs, '/h')).toBe('shared');
    vfs.unlink('/f', root);
    expect(vfs.stat('/h', root).nlink).toBe(2);
    expect(dentries()).toBe(2);
    // Writing through one name shows through the others.
    writeFile(vfs, '/d/g', 'changed');
    expect(readText(vfs, '/h')).toBe('changed');
    vfs.unlink('/h', root);
    vfs.unlink('/d/g', root);
    expect(vfs.inode(f.ino)).toBeUndefined();
  });

  test('directories get one link each (spec: nlink = number of entries), subdirectories add none', () => {
    const { vfs } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    vfs.mkdir('/d/a', 0o755, root);
    vfs.mkdir('/d/b', 0o755, root);
    expect(vfs.stat('/d', root).nlink).toBe(d.nlink);
    expect(d.nlink).toBe(1);
  });

  test("link bumps the inode's ctime", () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.utimens('/f', { sec: 3, nsec: 0 }, { sec: 3, nsec: 0 }, root);
    const linked = vfs.link('/f', '/g', root);
    expect(linked.ctime).toBeGreaterThan(3);
    expect(linked.mtime).toBe(3);
  });

  test('EPERM for a directory; EEXIST for an existing name, checked first', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/f', 'x');
    expectErrno(() => vfs.link('/d', '/new', root), 'EPERM');
    expectErrno(() => vfs.link('/d', '/f', root), 'EEXIST');
    expectErrno(() => vfs.link('/f', '/d', root), 'EEXIST');
    expectErrno(() => vfs.link('/f', '/d/', root), 'EEXIST');
    expectErrno(() => vfs.link('/f', '/', root), 'EEXIST');
    expectErrno(() => vfs.link('/f', '/d/.', root), 'EEXIST');
  });

  test('ENOENT for a missing source or a trailing slash on the new name; ENOTDIR for a trailing slash on a file source', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    expectErrno(() => vfs.link('/missing', '/new', root), 'ENOENT');
    expectErrno(() => vfs.link('/f', '/new/', root), 'ENOENT');
    expectErrno(() => vfs.link('/f/', '/new', root), 'ENOTDIR');
    expectErrno(() => vfs.link('/f', '/missing/new', root), 'ENOENT');
  });

  test('links a symlink itself by default, its target with followExisting (AT_SYMLINK_FOLLOW)', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'x');
    const l = vfs.symlink('f', '/l', root);
    expect(vfs.link('/l', '/l2', root).ino).toBe(l.ino);
    expect(isSymlink(vfs.stat('/l2', root, 'nofollow').mode)).toBe(true);
    expect(vfs.link('/l', '/f2', root, { followExisting: true }).ino).toBe(f.ino);
  });

  test('needs write permission on the new directory', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    vfs.mkdir('/rw', 0o777, root);
    writeFile(vfs, '/rw/f', 'x', user(1000));
    expectErrno(() => vfs.link('/rw/f', '/ro/g', user(1000)), 'EACCES');
    vfs.link('/rw/f', '/rw/g', user(1000));
  });
});

describe('symlinks', () => {
  const t = useTestVfs();

  test('symlink stores the target verbatim; readlink returns it; size is its byte length', () => {
    const { vfs, conn } = t();
    const l = vfs.symlink('../some/where/é', '/l', root);
    expect(l.mode).toBe(S_IFLNK | 0o777);
    expect(l.size).toBe(Buffer.byteLength('../some/where/é'));
    expect(vfs.readlink('/l', root)).toBe('../some/where/é');
    expect(
      conn.prepare<{ target: string }>('SELECT target FROM fs_symlink WHERE ino = ?').get(l.ino)!.target,
    ).toBe('../some/where/é');
    expect(vfs.readlinkInode(l.ino, '/l')).toBe('../some/where/é');
  });

  test('lstat describes the link, stat its target; a dangling link lstats fine and stats ENOENT', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'abc');
    const l = vfs.symlink('/f', '/l', root);
    expect(vfs.stat('/l', root).ino).toBe(f.ino);
    expect(vfs.stat('/l', root, 'nofollow').ino).toBe(l.ino);
    vfs.unlink('/f', root);
    expectErrno(() => vfs.stat('/l', root), 'ENOENT');
    expect(vfs.stat('/l', root, 'nofollow').ino).toBe(l.ino);
    expect(vfs.readlink('/l', root)).toBe('/f');
    // Recreating the target revives the link.
    writeFile(vfs, '/f', 'new');
    expect(readText(vfs, '/l')).toBe('new');
  });

  test('readlink on anything but a symlink is EINVAL; a trailing slash follows the link first', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('d', '/ld', root);
    expectErrno(() => vfs.readlink('/f', root), 'EINVAL');
    expectErrno(() => vfs.readlink('/d', root), 'EINVAL');
    expectErrno(() => vfs.readlink('/ld/', root), 'EINVAL');
    expectErrno(() => vfs.readlink('/missing', root), 'ENOENT');
    expect(vfs.readlink('/ld', root)).toBe('d');
  });

  test('symlink errors: EEXIST for an existing name (even a dangling link), ENOENT for an empty target or a trailing slash', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.symlink('nowhere', '/dangling', root);
    expectErrno(() => vfs.symlink('x', '/f', root), 'EEXIST');
    expectErrno(() => vfs.symlink('x', '/dangling', root), 'EEXIST');
    expectErrno(() => vfs.symlink('x', '/', root), 'EEXIST');
    expectErrno(() => vfs.symlink('', '/empty', root), 'ENOENT');
    expectErrno(() => vfs.symlink('x', '/new/', root), 'ENOENT');
    expectErrno(() => vfs.symlink('x'.repeat(4096), '/long', root), 'ENAMETOOLONG');
    // A target may be any text, including names too long to resolve.
    vfs.symlink('a'.repeat(300), '/odd', root);
    expectErrno(() => vfs.stat('/odd', root), 'ENAMETOOLONG');
  });

  test('symlinks are owned by their creator and need write permission on the directory', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    vfs.mkdir('/rw', 0o777, root);
    expectErrno(() => vfs.symlink('x', '/ro/l', user(1000)), 'EACCES');
    expect(vfs.symlink('x', '/rw/l', user(1000, 7)).uid).toBe(1000);
    expect(names(vfs, '/rw')).toEqual(['l']);
  });
});
