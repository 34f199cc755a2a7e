import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile, readText } from '../helpers/vfs-files.js';
import { F_OK, R_OK, S_IFDIR, S_IFREG, W_OK, X_OK } from '../../src/vfs/constants.js';
import type { Vfs } from '../../src/vfs/vfs.js';

const alice = user(1000, 1000);
const aliceInStaff = user(1000, 1000, [500]);
const bob = user(1001, 1001);

/** A world-writable root, so unprivileged callers can create files in tests. */
function openRoot(vfs: Vfs): void {
  vfs.chmod('/', 0o777, root);
}

describe('chmod', () => {
  const t = useTestVfs();

  test('sets the permission bits, keeps the type, and bumps ctime only', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.utimens('/f', { sec: 5, nsec: 0 }, { sec: 5, nsec: 0 }, root);
    const after = vfs.chmod('/f', 0o4751, root);
    expect(after.mode).toBe(S_IFREG | 0o4751);
    expect(after.mtime).toBe(5);
    expect(after.ctime).toBeGreaterThan(5);
    expect(vfs.chmod('/f', 0o170644, root).mode).toBe(S_IFREG | 0o644);
  });

  test('follows symlinks; on the link itself it is ENOTSUP (fchmodat AT_SYMLINK_NOFOLLOW)', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.symlink('f', '/l', root);
    vfs.chmod('/l', 0o600, root);
    expect(vfs.stat('/f', root).mode & 0o7777).toBe(0o600);
    expectErrno(() => vfs.chmod('/l', 0o600, root, 'nofollow'), 'ENOTSUP');
  });

  test('only the owner or root may chmod: EPERM otherwise', () => {
    const { vfs } = t();
    openRoot(vfs);
    writeFile(vfs, '/f', 'x', alice, 0o666);
    expectErrno(() => vfs.chmod('/f', 0o600, bob), 'EPERM');
    expect(vfs.chmod('/f', 0o600, alice).mode & 0o7777).toBe(0o600);
    expect(vfs.chmod('/f', 0o644, root).mode & 0o7777).toBe(0o644);
  });

  test("an owner outside the file's group cannot set setgid: the bit is silently dropped", () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.chown('/f', 1000, 500, root);
    expect(vfs.chmod('/f', 0o2755, alice).mode & 0o7777).toBe(0o755);
    expect(vfs.chmod('/f', 0o2755, aliceInStaff).mode & 0o7777).toBe(0o2755);
    // Sticky on a file is kept, as on Linux.
    expect(vfs.chmod('/f', 0o1644, alice).mode & 0o7777).toBe(0o1644);
  });

  test('by inode (fchmod)', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'x');
    expect(vfs.chmodInode(f.ino, 0o640, root).mode).toBe(S_IFREG | 0o640);
    expectErrno(() => vfs.chmodInode(f.ino, 0o600, alice), 'EPERM');
    expectErrno(() => vfs.chmodInode(999999, 0o600, root), 'ENOENT');
  });
});

describe('chown', () => {
  const t = useTestVfs();

  test('root changes owner and group; -1 leaves either as it is', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    let f = vfs.chown('/f', 1000, -1, root);
    expect([f.uid, f.gid]).toEqual([1000, 0]);
    f = vfs.chown('/f', -1, 2000, root);
    expect([f.uid, f.gid]).toEqual([1000, 2000]);
  });

  test('an unprivileged owner may only change the group, to one of its own groups', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.chown('/f', 1000, 1000, root);
    expectErrno(() => vfs.chown('/f', 1001, -1, aliceInStaff), 'EPERM');
    expect(vfs.chown('/f', 1000, -1, aliceInStaff).uid).toBe(1000);
    expect(vfs.chown('/f', -1, 500, aliceInStaff).gid).toBe(500);
    expectErrno(() => vfs.chown('/f', -1, 600, aliceInStaff), 'EPERM');
    expectErrno(() => vfs.chown('/f', -1, 1000, bob), 'EPERM');
    // A no-op chown(-1, -1) by anyone succeeds, as on Linux.
    vfs.chown('/f', -1, -1, bob);
  });

  test('changing owner or group clears setuid, and setgid when group-executable; directories keep theirs', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.chmod('/f', 0o6755, root);
    expect(vfs.chown('/f', 1000, 1000, root).mode & 0o7777).toBe(0o755);
    vfs.chmod('/f', 0o6745, root);
    expect(vfs.chown('/f', -1, 1000, root).mode & 0o7777).toBe(0o2745);
    vfs.mkdir('/d', 0o755, root);
    vfs.chmod('/d', 0o2755, root);
    expect(vfs.chown('/d', 5, 5, root).mode).toBe(S_IFDIR | 0o2755);
  });

  test('on a symlink itself with nofollow (lchown)', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.symlink('f', '/l', root);
    vfs.chown('/l', 7, 7, root, 'nofollow');
    expect(vfs.stat('/l', root, 'nofollow').uid).toBe(7);
    expect(vfs.stat('/f', root).uid).toBe(0);
  });
});

describe('utimens', () => {
  const t = useTestVfs();

  test('sets times with nanoseconds and bumps ctime', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    const f = vfs.utimens('/f', { sec: 100, nsec: 123456789 }, { sec: 200, nsec: 987654321 }, root);
    expect([f.atime, f.atimeNsec, f.mtime, f.mtimeNsec]).toEqual([100, 123456789, 200, 987654321]);
    expect(f.ctime).toBeGreaterThan(200);
    expect(vfs.stat('/f', root)).toEqual(f);
  });

  test('"now" and "omit" (UTIME_NOW, UTIME_OMIT)', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.utimens('/f', { sec: 1, nsec: 1 }, { sec: 2, nsec: 2 }, root);
    let f = vfs.utimens('/f', 'omit', { sec: 3, nsec: 3 }, root);
    expect([f.atime, f.atimeNsec, f.mtime]).toEqual([1, 1, 3]);
    f = vfs.utimens('/f', 'now', 'omit', root);
    expect(f.atime).toBeGreaterThan(1000);
    expect(f.mtime).toBe(3);
    const before = vfs.stat('/f', root);
    expect(vfs.utimens('/f', 'omit', 'omit', root)).toEqual(before);
  });

  test('explicit times need ownership (EPERM); "now" for both needs ownership or write permission (EACCES)', () => {
    const { vfs } = t();
    openRoot(vfs);
    writeFile(vfs, '/rw', 'x', alice, 0o666);
    writeFile(vfs, '/ro', 'x', alice, 0o644);
    expectErrno(() => vfs.utimens('/rw', { sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }, bob), 'EPERM');
    vfs.utimens('/rw', 'now', 'now', bob);
    expectErrno(() => vfs.utimens('/ro', 'now', 'now', bob), 'EACCES');
    vfs.utimens('/ro', 'now', 'now', alice);
    vfs.utimens('/ro', { sec: 1, nsec: 0 }, 'omit', alice);
    // Anything but both-now counts as explicit, even "now" with "omit" (Linux: EPERM).
    expectErrno(() => vfs.utimens('/rw', 'now', 'omit', bob), 'EPERM');
    // Both omitted changes nothing and checks nothing.
    vfs.utimens('/ro', 'omit', 'omit', bob);
  });

  test("nofollow sets a symlink's own times", () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    vfs.symlink('f', '/l', root);
    vfs.utimens('/l', { sec: 42, nsec: 0 }, { sec: 42, nsec: 0 }, root, 'nofollow');
    expect(vfs.stat('/l', root, 'nofollow').mtime).toBe(42);
    expect(vfs.stat('/f', root).mtime).not.toBe(42);
  });
});

describe('truncate', () => {
  const t = useTestVfs();

  test('cuts and extends by path', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'hello world');
    expect(vfs.truncate('/f', 5, root).size).toBe(5);
    expect(readText(vfs, '/f')).toBe('hello');
    expect(vfs.truncate('/f', 8, root).size).toBe(8);
    expect(readText(vfs, '/f')).toBe('hello\0\0\0');
  });

  test('EISDIR for a directory, EINVAL for a negative length (checked before the lookup)', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    expectErrno(() => vfs.truncate('/d', 0, root), 'EISDIR');
    expectErrno(() => vfs.truncate('/missing', -1, root), 'EINVAL');
    expectErrno(() => vfs.truncate('/missing', 0, root), 'ENOENT');
  });

  test('EINVAL for a symlink target that is not a regular file, follows symlinks to files', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'abc');
    vfs.symlink('f', '/l', root);
    vfs.truncate('/l', 1, root);
    expect(vfs.stat('/f', root).size).toBe(1);
  });

  test('needs write permission by path; ftruncate on an inode does not check it again', () => {
    const { vfs } = t();
    openRoot(vfs);
    const f = writeFile(vfs, '/f', 'abc', alice, 0o444);
    expectErrno(() => vfs.truncate('/f', 0, alice), 'EACCES');
    expect(vfs.truncateInode(f.ino, 1, alice).size).toBe(1);
  });
});

describe('access', () => {
  const t = useTestVfs();

  test('checks the owner, group or other bits, never a combination', () => {
    const { vfs } = t();
    openRoot(vfs);
    writeFile(vfs, '/f', 'x', alice, 0o640);
    vfs.chown('/f', -1, 500, root);
    vfs.access('/f', R_OK | W_OK, alice);
    expectErrno(() => vfs.access('/f', X_OK, alice), 'EACCES');
    vfs.access('/f', R_OK, user(1001, 1001, [500]));
    expectErrno(() => vfs.access('/f', W_OK, user(1001, 1001, [500])), 'EACCES');
    expectErrno(() => vfs.access('/f', R_OK, bob), 'EACCES');
    vfs.access('/f', F_OK, bob);
    // The owner gets the owner bits even when the group bits would allow more.
    vfs.chmod('/f', 0o070, root);
    expectErrno(() => vfs.access('/f', R_OK, user(1000, 500)), 'EACCES');
    vfs.access('/f', R_OK, user(1002, 500));
  });

  test('root passes read and write checks, and execute only if some execute bit is set', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x', root, 0o000);
    vfs.access('/f', R_OK | W_OK, root);
    expectErrno(() => vfs.access('/f', X_OK, root), 'EACCES');
    vfs.chmod('/f', 0o001, root);
    vfs.access('/f', X_OK, root);
    vfs.mkdir('/d', 0o000, root);
    vfs.access('/d', X_OK, root);
  });

  test('EINVAL for a bad mode, ENOENT for a missing path, symlinks followed', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x', root, 0o644);
    vfs.symlink('f', '/l', root);
    vfs.symlink('nowhere', '/dangling', root);
    expectErrno(() => vfs.access('/f', 8, root), 'EINVAL');
    expectErrno(() => vfs.access('/missing', 8, root), 'EINVAL');
    expectErrno(() => vfs.access('/missing', F_OK, root), 'ENOENT');
    expectErrno(() => vfs.access('/dangling', F_OK, root), 'ENOENT');
    expectErrno(() => vfs.access('/l', X_OK, root), 'EACCES');
    vfs.access('/dangling', F_OK, root, 'nofollow');
  });
});
