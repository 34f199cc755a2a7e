import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile, readText, names } from '../helpers/vfs-files.js';
import {
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  S_IFMT,
  S_IFREG,
  isSymlink,
} from '../../src/vfs/constants.js';
import { accessForFlags, isWritable } from '../../src/vfs/open.js';

describe('open', () => {
  const t = useTestVfs();

  test('O_CREAT creates a regular file with the given permission bits', () => {
    const { vfs } = t();
    const { inode, created } = vfs.open('/new', O_WRONLY | O_CREAT, 0o640, root);
    expect(created).toBe(true);
    expect(inode.mode).toBe(S_IFREG | 0o640);
    expect(inode.size).toBe(0);
    expect(inode.nlink).toBe(1);
    expect(names(vfs, '/')).toEqual(['new']);
  });

  test('O_CREAT on an existing file opens it unchanged', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'keep', root, 0o600);
    const { inode, created } = vfs.open('/f', O_RDWR | O_CREAT, 0o777, root);
    expect(created).toBe(false);
    expect(inode.mode & 0o7777).toBe(0o600);
    expect(readText(vfs, '/f')).toBe('keep');
  });

  test('without O_CREAT a missing file gives ENOENT', () => {
    const { vfs } = t();
    expectErrno(() => vfs.open('/missing', O_RDONLY, 0, root), 'ENOENT');
    expectErrno(() => vfs.open('/missing', O_WRONLY | O_TRUNC, 0, root), 'ENOENT');
    expectErrno(() => vfs.open('/missing/x', O_WRONLY | O_CREAT, 0o644, root), 'ENOENT');
  });

  test('O_CREAT | O_EXCL fails with EEXIST on anything that exists, even a dangling symlink', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('/nowhere', '/dangling', root);
    vfs.symlink('f', '/lf', root);
    for (const path of ['/f', '/d', '/dangling', '/lf']) {
      expectErrno(() => vfs.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644, root), 'EEXIST');
    }
    // And the dangling link's target was not created.
    expectErrno(() => vfs.stat('/nowhere', root), 'ENOENT');
    expect(vfs.open('/g', O_WRONLY | O_CREAT | O_EXCL, 0o644, root).created).toBe(true);
  });

  test('O_TRUNC empties a regular file and frees its chunks', () => {
    const { vfs, conn } = t();
    const f = writeFile(vfs, '/f', Buffer.alloc(10000, 1));
    const { inode } = vfs.open('/f', O_WRONLY | O_TRUNC, 0, root);
    expect(inode.size).toBe(0);
    expect(conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_data WHERE ino = ?').get(f.ino)!.n).toBe(
      0,
    );
    // O_RDONLY | O_TRUNC truncates too (Linux does; it needs write permission).
    writeFile(vfs, '/g', 'abc');
    expect(vfs.open('/g', O_RDONLY | O_TRUNC, 0, root).inode.size).toBe(0);
  });

  test('O_TRUNC needs write permission even with O_RDONLY', () => {
    const { vfs } = t();
    vfs.chmod('/', 0o777, root);
    writeFile(vfs, '/f', 'abc', user(1000), 0o444);
    expectErrno(() => vfs.open('/f', O_RDONLY | O_TRUNC, 0, user(1000)), 'EACCES');
    expect(readText(vfs, '/f')).toBe('abc');
  });

  test("O_APPEND opens normally (appending is the writer's job)", () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'abc');
    const { inode } = vfs.open('/f', O_WRONLY | O_APPEND, 0, root);
    expect(inode.size).toBe(3);
  });

  test('directories: O_RDONLY opens them, writing or creating gives EISDIR', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    expect(vfs.open('/d', O_RDONLY, 0, root).inode.ino).toBe(vfs.stat('/d', root).ino);
    expect(vfs.open('/d', O_RDONLY | O_DIRECTORY, 0, root).created).toBe(false);
    expectErrno(() => vfs.open('/d', O_WRONLY, 0, root), 'EISDIR');
    expectErrno(() => vfs.open('/d', O_RDWR, 0, root), 'EISDIR');
    expectErrno(() => vfs.open('/d', O_RDONLY | O_CREAT, 0o644, root), 'EISDIR');
    expectErrno(() => vfs.open('/d', O_RDONLY | O_TRUNC, 0, root), 'EISDIR');
    expectErrno(() => vfs.open('/', O_WRONLY | O_CREAT | O_TRUNC, 0o644, root), 'EISDIR');
  });

  test('O_DIRECTORY on a non-directory gives ENOTDIR; with O_CREAT it is EINVAL', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/d', 0o755, root);
    expectErrno(() => vfs.open('/f', O_RDONLY | O_DIRECTORY, 0, root), 'ENOTDIR');
    expectErrno(() => vfs.open('/f', O_RDONLY | O_DIRECTORY | O_CREAT, 0o644, root), 'EINVAL');
    expectErrno(() => vfs.open('/new', O_RDONLY | O_DIRECTORY | O_CREAT, 0o644, root), 'EINVAL');
    vfs.symlink('d', '/ld', root);
    expect(vfs.open('/ld', O_RDONLY | O_DIRECTORY, 0, root).inode.ino).toBe(vfs.stat('/d', root).ino);
  });

  test('a trailing slash: O_CREAT gives EISDIR, plain open of a file ENOTDIR', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('/nowhere', '/dangling', root);
    expectErrno(() => vfs.open('/new/', O_WRONLY | O_CREAT, 0o644, root), 'EISDIR');
    expectErrno(() => vfs.open('/f/', O_WRONLY | O_CREAT, 0o644, root), 'EISDIR');
    expectErrno(() => vfs.open('/d/', O_RDONLY | O_CREAT, 0o644, root), 'EISDIR');
    expectErrno(() => vfs.open('/dangling/', O_WRONLY | O_CREAT, 0o644, root), 'EISDIR');
    expectErrno(() => vfs.open('/f/', O_RDONLY, 0, root), 'ENOTDIR');
    expect(vfs.open('/d/', O_RDONLY, 0, root).created).toBe(false);
    expectErrno(() => vfs.stat('/new', root), 'ENOENT');
    expectErrno(() => vfs.stat('/nowhere', root), 'ENOENT');
  });

  test('a file in the middle of the path gives ENOTDIR, even with O_CREAT', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    expectErrno(() => vfs.open('/f/x', O_RDONLY, 0, root), 'ENOTDIR');
    expectErrno(() => vfs.open('/f/x', O_WRONLY | O_CREAT, 0o644, root), 'ENOTDIR');
  });

  test('symlinks are followed; O_NOFOLLOW on a symlink gives ELOOP', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'data');
    vfs.symlink('f', '/lf', root);
    expect(vfs.open('/lf', O_RDONLY, 0, root).inode.ino).toBe(vfs.stat('/f', root).ino);
    expectErrno(() => vfs.open('/lf', O_RDONLY | O_NOFOLLOW, 0, root), 'ELOOP');
    expectErrno(() => vfs.open('/lf', O_WRONLY | O_CREAT | O_NOFOLLOW, 0o644, root), 'ELOOP');
    // O_NOFOLLOW only concerns the last component.
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/g', 'g');
    vfs.symlink('d', '/ld', root);
    expect(vfs.open('/ld/g', O_RDONLY | O_NOFOLLOW, 0, root).inode.size).toBe(1);
  });

  test('O_DIRECTORY | O_NOFOLLOW on a symlink gives ENOTDIR, as Linux checks the type first', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/f', 'x');
    vfs.symlink('d', '/ld', root);
    vfs.symlink('f', '/lf', root);
    expectErrno(() => vfs.open('/ld', O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, root), 'ENOTDIR');
    expectErrno(() => vfs.open('/lf', O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, root), 'ENOTDIR');
  });

  test('O_CREAT through a dangling symlink creates its target', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('/d/target', '/dangling', root);
    const { inode, created } = vfs.open('/dangling', O_WRONLY | O_CREAT, 0o644, root);
    expect(created).toBe(true);
    expect(vfs.stat('/d/target', root).ino).toBe(inode.ino);
    expect(isSymlink(vfs.stat('/dangling', root, 'nofollow').mode)).toBe(true);
    // A symlink loop still fails.
    vfs.symlink('loop', '/loop', root);
    expectErrno(() => vfs.open('/loop', O_WRONLY | O_CREAT, 0o644, root), 'ELOOP');
  });

  test('O_PATH opens the object itself without permission checks and never creates', () => {
    const { vfs } = t();
    writeFile(vfs, '/secret', 'x', root, 0o000);
    vfs.symlink('secret', '/l', root);
    expect(vfs.open('/secret', O_PATH, 0, user(1000)).inode.ino).toBe(vfs.stat('/secret', root).ino);
    const link = vfs.open('/l', O_PATH | O_NOFOLLOW, 0, root).inode;
    expect(isSymlink(link.mode)).toBe(true);
    expectErrno(() => vfs.open('/missing', O_PATH | O_CREAT, 0o644, root), 'ENOENT');
    expectErrno(() => vfs.open('/secret', O_PATH | O_DIRECTORY, 0, root), 'ENOTDIR');
  });

  test('access mode 3 checks read and write permission and opens (a Linux extension)', () => {
    const { vfs } = t();
    vfs.chmod('/', 0o777, root);
    writeFile(vfs, '/f', 'x');
    expect(vfs.open('/f', O_ACCMODE_3, 0, root).inode.size).toBe(1);
    writeFile(vfs, '/ro', 'x', user(1000), 0o444);
    expectErrno(() => vfs.open('/ro', O_ACCMODE_3, 0, user(1000)), 'EACCES');
    vfs.mkdir('/d', 0o755, root);
    expectErrno(() => vfs.open('/d', O_ACCMODE_3, 0, root), 'EISDIR');
  });

  test('permission checks follow the access mode', () => {
    const { vfs } = t();
    vfs.chmod('/', 0o777, root);
    const alice = user(1000);
    writeFile(vfs, '/ro', 'x', alice, 0o444);
    writeFile(vfs, '/wo', 'x', alice, 0o200);
    expect(vfs.open('/ro', O_RDONLY, 0, alice).created).toBe(false);
    expectErrno(() => vfs.open('/ro', O_WRONLY, 0, alice), 'EACCES');
    expectErrno(() => vfs.open('/ro', O_RDWR, 0, alice), 'EACCES');
    expectErrno(() => vfs.open('/wo', O_RDONLY, 0, alice), 'EACCES');
    expect(vfs.open('/wo', O_WRONLY, 0, alice).created).toBe(false);
    // Root reads and writes anything.
    expect(vfs.open('/ro', O_RDWR, 0, root).created).toBe(false);
  });

  test('creating needs write and search permission on the directory; opening an existing file does not', () => {
    const { vfs } = t();
    vfs.mkdir('/locked', 0o755, root);
    writeFile(vfs, '/locked/f', 'x', root, 0o666);
    expectErrno(() => vfs.open('/locked/new', O_WRONLY | O_CREAT, 0o644, user(1000)), 'EACCES');
    expect(vfs.open('/locked/f', O_WRONLY | O_CREAT, 0o644, user(1000)).created).toBe(false);
    expectErrno(() => vfs.open('/locked/f', O_WRONLY | O_CREAT | O_EXCL, 0o644, user(1000)), 'EEXIST');
  });

  test('created files belong to the caller', () => {
    const { vfs } = t();
    vfs.mkdir('/shared', 0o777, root);
    const { inode } = vfs.open('/shared/f', O_WRONLY | O_CREAT, 0o644, user(1000, 2000));
    expect(inode.uid).toBe(1000);
    expect(inode.gid).toBe(2000);
  });

  test('O_TMPFILE makes an unnamed file in a directory that linkInode can name later', () => {
    const { vfs, conn } = t();
    vfs.mkdir('/d', 0o755, root);
    const { inode } = vfs.open('/d', O_TMPFILE | O_RDWR, 0o600, root);
    expect(inode.nlink).toBe(0);
    expect(inode.mode & S_IFMT).toBe(S_IFREG);
    expect(names(vfs, '/d')).toEqual([]);
    vfs.retain(inode.ino);
    vfs.write(inode.ino, 0, Buffer.from('tmp data'));
    const orphanCount = () =>
      conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM agentos_orphans').get()!.n;
    expect(orphanCount()).toBe(1);
    const linked = vfs.linkInode(inode.ino, '/d/named', root);
    expect(linked.nlink).toBe(1);
    expect(orphanCount()).toBe(0);
    vfs.release(inode.ino);
    expect(readText(vfs, '/d/named')).toBe('tmp data');
    expectErrno(() => vfs.linkInode(inode.ino, '/d/named', root), 'EEXIST');
  });

  test('an O_TMPFILE file that is never linked disappears at its last release', () => {
    const { vfs, conn } = t();
    const { inode } = vfs.open('/', O_TMPFILE | O_WRONLY, 0o600, root);
    vfs.retain(inode.ino);
    vfs.write(inode.ino, 0, Buffer.alloc(5000, 7));
    vfs.release(inode.ino);
    expect(vfs.inode(inode.ino)).toBeUndefined();
    expect(
      conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_data WHERE ino = ?').get(inode.ino)!.n,
    ).toBe(0);
    expect(conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM agentos_orphans').get()!.n).toBe(0);
  });

  test('O_TMPFILE errors: read-only EINVAL, a file ENOTDIR, a missing directory ENOENT, no permission EACCES', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.mkdir('/locked', 0o755, root);
    expectErrno(() => vfs.open('/', O_TMPFILE | O_RDONLY, 0o600, root), 'EINVAL');
    expectErrno(() => vfs.open('/f', O_TMPFILE | O_RDWR, 0o600, root), 'ENOTDIR');
    expectErrno(() => vfs.open('/missing', O_TMPFILE | O_RDWR, 0o600, root), 'ENOENT');
    expectErrno(() => vfs.open('/locked', O_TMPFILE | O_RDWR, 0o600, user(1000)), 'EACCES');
    // The O_TMPFILE bit without O_DIRECTORY is invalid.
    expectErrno(() => vfs.open('/', (O_TMPFILE & ~O_DIRECTORY) | O_RDWR, 0o600, root), 'EINVAL');
  });

  test('linkInode refuses directories and needs write permission on the new parent', () => {
    const { vfs } = t();
    vfs.chmod('/', 0o777, root);
    const d = vfs.mkdir('/d', 0o755, root);
    expectErrno(() => vfs.linkInode(d.ino, '/d2', root), 'EPERM');
    const { inode } = vfs.open('/', O_TMPFILE | O_RDWR, 0o600, user(1000));
    expectErrno(() => vfs.linkInode(inode.ino, '/d/x', user(1000)), 'EACCES');
  });

  test('accessForFlags and isWritable', () => {
    expect(accessForFlags(O_RDONLY)).toBe(4);
    expect(accessForFlags(O_WRONLY)).toBe(2);
    expect(accessForFlags(O_RDWR)).toBe(6);
    expect(accessForFlags(O_RDONLY | O_TRUNC)).toBe(6);
    expect(isWritable(O_RDONLY)).toBe(false);
    expect(isWritable(O_WRONLY | O_APPEND)).toBe(true);
    expect(isWritable(O_RDWR)).toBe(true);
  });
});

/** open(2) with access mode 3: "check for read and write permission, return a descriptor for neither". */
const O_ACCMODE_3 = 3;

describe('linkInode (linkat with AT_EMPTY_PATH)', () => {
  const t = useTestVfs();

  test('an O_TMPFILE file gets a first name once; after losing it, it cannot come back', () => {
    const { vfs } = t();
    const { inode } = vfs.open('/', O_TMPFILE | O_RDWR, 0o600, root);
    vfs.retain(inode.ino);
    vfs.linkInode(inode.ino, '/a', root);
    // A linked file may get more names this way.
    expect(vfs.linkInode(inode.ino, '/b', root).nlink).toBe(2);
    vfs.unlink('/a', root);
    vfs.unlink('/b', root);
    expectErrno(() => vfs.linkInode(inode.ino, '/c', root), 'ENOENT');
    vfs.release(inode.ino);
  });

  test('an O_TMPFILE file opened with O_EXCL can never be linked', () => {
    const { vfs } = t();
    const { inode } = vfs.open('/', O_TMPFILE | O_RDWR | O_EXCL, 0o600, root);
    vfs.retain(inode.ino);
    expectErrno(() => vfs.linkInode(inode.ino, '/x', root), 'ENOENT');
    vfs.release(inode.ino);
  });

  test('a regular file unlinked while open cannot be linked back', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'x');
    vfs.retain(f.ino);
    vfs.unlink('/f', root);
    expectErrno(() => vfs.linkInode(f.ino, '/back', root), 'ENOENT');
    vfs.release(f.ino);
  });

  test("errors in link's order: EEXIST, then ENOENT for a trailing slash, then EPERM for a directory", () => {
    const { vfs } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/f', 'x');
    expectErrno(() => vfs.linkInode(d.ino, '/f', root), 'EEXIST');
    expectErrno(() => vfs.linkInode(d.ino, '/new/', root), 'ENOENT');
    expectErrno(() => vfs.linkInode(d.ino, '/new', root), 'EPERM');
    expectErrno(() => vfs.linkInode(987654, '/new', root), 'ENOENT');
  });
});
