import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile, readText, names, storeNlink } from '../helpers/vfs-files.js';
import {
  O_RDONLY,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  isDirectory,
  isSymlink,
} from '../../src/vfs/constants.js';
import type { Vfs } from '../../src/vfs/vfs.js';

/** The tree most cases start from (the one the Linux errnos below were measured on). */
function tree(vfs: Vfs): void {
  vfs.mkdir('/dir', 0o755, root);
  vfs.mkdir('/dir/sub', 0o755, root);
  vfs.mkdir('/empty', 0o755, root);
  vfs.mkdir('/full', 0o755, root);
  writeFile(vfs, '/full/f', 'f');
  writeFile(vfs, '/file', 'x');
  writeFile(vfs, '/file2', 'y');
  vfs.symlink('dir', '/ldir', root);
}

describe('rename', () => {
  const t = useTestVfs();

  test('moves a file to a new name and a new directory, keeping its inode', () => {
    const { vfs } = t();
    tree(vfs);
    const ino = vfs.stat('/file', root).ino;
    vfs.rename('/file', '/dir/moved', root);
    expectErrno(() => vfs.stat('/file', root), 'ENOENT');
    expect(vfs.stat('/dir/moved', root).ino).toBe(ino);
    expect(readText(vfs, '/dir/moved')).toBe('x');
  });

  test('replaces an existing file atomically: the old target inode is gone', () => {
    const { vfs, conn } = t();
    tree(vfs);
    const source = vfs.stat('/file', root).ino;
    const victim = vfs.stat('/file2', root).ino;
    vfs.rename('/file', '/file2', root);
    expect(vfs.stat('/file2', root).ino).toBe(source);
    expect(readText(vfs, '/file2')).toBe('x');
    expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(victim)).toBeUndefined();
    expect(conn.prepare('SELECT ino FROM fs_data WHERE ino = ?').get(victim)).toBeUndefined();
  });

  test('replaces an empty directory with a directory; ENOTEMPTY when it has entries', () => {
    const { vfs } = t();
    tree(vfs);
    const dir = vfs.stat('/dir', root).ino;
    vfs.rename('/dir', '/empty', root);
    expect(vfs.stat('/empty', root).ino).toBe(dir);
    expect(names(vfs, '/empty')).toEqual(['sub']);
    expectErrno(() => vfs.rename('/empty', '/full', root), 'ENOTEMPTY');
  });

  test('a replaced directory goes even when another implementation stored it with nlink = 2', () => {
    const { vfs, conn, reopen } = t();
    tree(vfs);
    const victim = vfs.stat('/empty', root).ino;
    storeNlink(reopen().conn, { [victim]: 2 });
    vfs.rename('/dir', '/empty', root);
    expect(conn.prepare('SELECT ino FROM fs_inode WHERE ino = ?').get(victim)).toBeUndefined();
  });

  test('moving a directory updates where ".." leads', () => {
    const { vfs } = t();
    tree(vfs);
    vfs.rename('/dir/sub', '/full/sub', root);
    expect(vfs.stat('/full/sub/..', root).ino).toBe(vfs.stat('/full', root).ino);
    expect(names(vfs, '/dir')).toEqual([]);
  });

  test('type mismatches: file onto directory EISDIR, directory onto file ENOTDIR', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/file', '/dir', root), 'EISDIR');
    expectErrno(() => vfs.rename('/file', '/empty', root), 'EISDIR');
    expectErrno(() => vfs.rename('/dir', '/file', root), 'ENOTDIR');
    // A symlink is not a directory, whatever it points to.
    expectErrno(() => vfs.rename('/empty', '/ldir', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/ldir', '/empty', root), 'EISDIR');
  });

  test('a directory cannot move into itself or below itself: EINVAL', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/dir', '/dir/sub/x', root), 'EINVAL');
    expectErrno(() => vfs.rename('/dir', '/dir/sub', root), 'EINVAL');
    expectErrno(() => vfs.rename('/dir', '/dir/new', root), 'EINVAL');
  });

  test('replacing an ancestor of the source is ENOTEMPTY', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/dir/sub', '/dir', root), 'ENOTEMPTY');
  });

  test('".", ".." and "/" as either name give EBUSY (EEXIST for a ".." target with RENAME_NOREPLACE)', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('.', '/x', root), 'EBUSY');
    expectErrno(() => vfs.rename('/dir/.', '/x', root), 'EBUSY');
    expectErrno(() => vfs.rename('/dir/..', '/x', root), 'EBUSY');
    expectErrno(() => vfs.rename('/', '/x', root), 'EBUSY');
    expectErrno(() => vfs.rename('/file', '.', root), 'EBUSY');
    expectErrno(() => vfs.rename('/file', '/dir/.', root), 'EBUSY');
    expectErrno(() => vfs.rename('/file', '/dir/..', root, { flags: RENAME_NOREPLACE }), 'EEXIST');
  });

  test('missing source ENOENT; missing or non-directory parents ENOENT and ENOTDIR', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/missing', '/x', root), 'ENOENT');
    expectErrno(() => vfs.rename('/dir', '/missing/x', root), 'ENOENT');
    expectErrno(() => vfs.rename('/dir', '/file/x', root), 'ENOTDIR');
  });

  test('trailing slashes require directories', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/file/', '/x', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/file', '/x/', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/file', '/file2/', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/ldir', '/x/', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/ldir/', '/x', root), 'ENOTDIR');
    expectErrno(() => vfs.rename('/file', '/ldir/', root), 'ENOTDIR');
    vfs.rename('/empty/', '/newdir/', root);
    expect(isDirectory(vfs.stat('/newdir', root).mode)).toBe(true);
  });

  test('renaming onto itself, or between two links of one inode, is a no-op that keeps both names', () => {
    const { vfs } = t();
    tree(vfs);
    vfs.rename('/file', '/file', root);
    vfs.rename('/dir', '/dir', root);
    vfs.link('/file', '/hard', root);
    vfs.rename('/file', '/hard', root);
    expect(vfs.stat('/file', root).nlink).toBe(2);
    expect(vfs.stat('/hard', root).ino).toBe(vfs.stat('/file', root).ino);
  });

  test('a symlink is moved itself, not its target', () => {
    const { vfs } = t();
    tree(vfs);
    vfs.rename('/ldir', '/l2', root);
    expect(isSymlink(vfs.stat('/l2', root, 'nofollow').mode)).toBe(true);
    expect(vfs.readlink('/l2', root)).toBe('dir');
    expect(isDirectory(vfs.stat('/dir', root).mode)).toBe(true);
  });

  test('RENAME_NOREPLACE fails with EEXIST when the target exists, even the source itself', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/file', '/file2', root, { flags: RENAME_NOREPLACE }), 'EEXIST');
    expectErrno(() => vfs.rename('/file', '/file', root, { flags: RENAME_NOREPLACE }), 'EEXIST');
    vfs.rename('/file', '/fresh', root, { flags: RENAME_NOREPLACE });
    expect(readText(vfs, '/fresh')).toBe('x');
    expect(readText(vfs, '/file2')).toBe('y');
  });

  test('RENAME_EXCHANGE swaps two names atomically, files and directories alike', () => {
    const { vfs } = t();
    tree(vfs);
    const file = vfs.stat('/file', root).ino;
    const dir = vfs.stat('/dir', root).ino;
    vfs.rename('/file', '/dir', root, { flags: RENAME_EXCHANGE });
    expect(vfs.stat('/dir', root).ino).toBe(file);
    expect(vfs.stat('/file', root).ino).toBe(dir);
    expect(names(vfs, '/file')).toEqual(['sub']);
    expect(vfs.stat('/file/sub/..', root).ino).toBe(dir);
    // A directory exchanged into another parent gets that parent as "..".
    vfs.rename('/file', '/full/f', root, { flags: RENAME_EXCHANGE });
    expect(vfs.stat('/full/f/..', root).ino).toBe(vfs.stat('/full', root).ino);
    expect(readText(vfs, '/file')).toBe('f');
  });

  test('RENAME_EXCHANGE errors: ENOENT for a missing side, EINVAL into itself, ENOTDIR for a trailing slash on a file', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(() => vfs.rename('/file', '/missing', root, { flags: RENAME_EXCHANGE }), 'ENOENT');
    expectErrno(() => vfs.rename('/missing', '/file', root, { flags: RENAME_EXCHANGE }), 'ENOENT');
    expectErrno(() => vfs.rename('/dir', '/dir/sub', root, { flags: RENAME_EXCHANGE }), 'EINVAL');
    expectErrno(() => vfs.rename('/dir/sub', '/dir', root, { flags: RENAME_EXCHANGE }), 'EINVAL');
    expectErrno(() => vfs.rename('/file', '/file2/', root, { flags: RENAME_EXCHANGE }), 'ENOTDIR');
    expectErrno(() => vfs.rename('/file/', '/dir', root, { flags: RENAME_EXCHANGE }), 'ENOTDIR');
    vfs.rename('/file', '/dir/', root, { flags: RENAME_EXCHANGE });
  });

  test('invalid flags or NOREPLACE with EXCHANGE give EINVAL', () => {
    const { vfs } = t();
    tree(vfs);
    expectErrno(
      () => vfs.rename('/file', '/new', root, { flags: RENAME_NOREPLACE | RENAME_EXCHANGE }),
      'EINVAL',
    );
    expectErrno(() => vfs.rename('/file', '/file2', root, { flags: 8 }), 'EINVAL');
  });

  test('a replaced file that is still open stays readable until released', () => {
    const { vfs } = t();
    tree(vfs);
    const victim = vfs.open('/file2', O_RDONLY, 0, root).inode;
    vfs.retain(victim.ino);
    vfs.rename('/file', '/file2', root);
    expect(vfs.inode(victim.ino)!.nlink).toBe(0);
    expect(vfs.read(victim.ino, 0, 10).toString()).toBe('y');
    vfs.release(victim.ino);
    expect(vfs.inode(victim.ino)).toBeUndefined();
  });

  test('updates ctime of the moved inode and mtime of both directories', () => {
    const { vfs } = t();
    tree(vfs);
    for (const p of ['/file', '/dir', '/full'])
      vfs.utimens(p, { sec: 9, nsec: 0 }, { sec: 9, nsec: 0 }, root);
    vfs.rename('/file', '/full/g', root);
    expect(vfs.stat('/full/g', root).ctime).toBeGreaterThan(9);
    expect(vfs.stat('/full/g', root).mtime).toBe(9);
    expect(vfs.stat('/', root).mtime).toBeGreaterThan(9);
    expect(vfs.stat('/full', root).mtime).toBeGreaterThan(9);
    expect(vfs.stat('/dir', root).mtime).toBe(9);
  });

  test('a relative new path starts at newBase (renameat)', () => {
    const { vfs } = t();
    tree(vfs);
    const dir = vfs.stat('/dir', root).ino;
    vfs.rename('/file', 'renamed', root, { newBase: dir });
    expect(readText(vfs, '/dir/renamed')).toBe('x');
  });
});

describe('rename permissions', () => {
  const t = useTestVfs();
  const alice = user(1000);

  test('needs write permission on both parents, checked before type mismatches', () => {
    const { vfs } = t();
    vfs.mkdir('/ro', 0o755, root);
    writeFile(vfs, '/ro/f', 'x', root, 0o666);
    vfs.mkdir('/ro/sub', 0o777, root);
    vfs.mkdir('/mine', 0o777, root);
    expectErrno(() => vfs.rename('/ro/f', '/ro/g', alice), 'EACCES');
    expectErrno(() => vfs.rename('/ro/f', '/mine/f', alice), 'EACCES');
    expectErrno(() => vfs.rename('/ro/f', '/ro/sub', alice), 'EACCES');
    writeFile(vfs, '/mine/own', 'x', alice);
    expectErrno(() => vfs.rename('/mine/own', '/ro/own', alice), 'EACCES');
  });

  test('moving a directory to another parent needs write permission on the directory itself', () => {
    const { vfs } = t();
    vfs.mkdir('/p1', 0o777, root);
    vfs.mkdir('/p2', 0o777, root);
    vfs.mkdir('/p1/d', 0o755, user(1001));
    expectErrno(() => vfs.rename('/p1/d', '/p2/d', alice), 'EACCES');
    vfs.rename('/p1/d', '/p1/e', alice);
  });

  test('sticky directories: only the owner of the entry or of the directory may move it away or replace it', () => {
    const { vfs } = t();
    vfs.mkdir('/tmp', 0o777, root);
    vfs.chmod('/tmp', 0o1777, root);
    writeFile(vfs, '/tmp/other', 'o', user(1001), 0o666);
    writeFile(vfs, '/tmp/mine', 'm', alice);
    expectErrno(() => vfs.rename('/tmp/other', '/tmp/x', alice), 'EPERM');
    expectErrno(() => vfs.rename('/tmp/mine', '/tmp/other', alice), 'EPERM');
    vfs.rename('/tmp/mine', '/tmp/mine2', alice);
    vfs.rename('/tmp/other', '/tmp/x', root);
  });
});
