import { useTestVfs, root, user, expectErrno } from '../helpers/temp-db.js';
import { writeFile } from '../helpers/vfs-files.js';
import { O_CREAT, O_WRONLY, R_OK, S_IFDIR, S_IFREG, W_OK, X_OK } from '../../src/vfs/constants.js';
import { mayAccess, processCredentials, requireStickyPermission, ROOT } from '../../src/vfs/permissions.js';
import type { InodeRecord } from '../../src/store/fs-store.js';

const alice = user(1000, 1000);

describe('search permission on path components', () => {
  const t = useTestVfs();

  test('a directory without search permission hides its entries (EACCES) but can itself be stat-ed', () => {
    const { vfs } = t();
    vfs.mkdir('/private', 0o700, root);
    writeFile(vfs, '/private/f', 'x', root, 0o666);
    expect(vfs.stat('/private', alice).mode).toBe(S_IFDIR | 0o700);
    expectErrno(() => vfs.stat('/private/f', alice), 'EACCES');
    expectErrno(() => vfs.stat('/private/missing', alice), 'EACCES');
    expectErrno(() => vfs.open('/private/f', O_WRONLY, 0, alice), 'EACCES');
    expectErrno(() => vfs.readdir('/private', alice), 'EACCES');
  });

  test('read without search lists names but reaches nothing; search without read reaches but does not list', () => {
    const { vfs } = t();
    vfs.mkdir('/listonly', 0o755, root);
    vfs.chown('/listonly', 1000, 1000, root);
    writeFile(vfs, '/listonly/f', 'x');
    vfs.chmod('/listonly', 0o644, root);
    expect(vfs.readdir('/listonly', alice).map((e) => e.name)).toEqual(['f']);
    expectErrno(() => vfs.stat('/listonly/f', alice), 'EACCES');
    vfs.mkdir('/passonly', 0o711, root);
    writeFile(vfs, '/passonly/f', 'xy');
    expect(vfs.stat('/passonly/f', alice).size).toBe(2);
    expectErrno(() => vfs.readdir('/passonly', alice), 'EACCES');
  });

  test('every directory on the way is checked, including those reached through symlinks', () => {
    const { vfs } = t();
    vfs.mkdir('/a', 0o755, root);
    vfs.mkdir('/a/locked', 0o700, root);
    vfs.mkdir('/a/locked/inner', 0o777, root);
    writeFile(vfs, '/a/locked/inner/f', 'x', root, 0o666);
    vfs.symlink('/a/locked/inner', '/shortcut', root);
    expectErrno(() => vfs.stat('/a/locked/inner/f', alice), 'EACCES');
    expectErrno(() => vfs.stat('/shortcut/f', alice), 'EACCES');
    expect(vfs.stat('/shortcut/f', root).size).toBe(1);
  });

  test('root passes every directory', () => {
    const { vfs } = t();
    vfs.mkdir('/sealed', 0o000, root);
    writeFile(vfs, '/sealed/f', 'x');
    expect(vfs.stat('/sealed/f', root).size).toBe(1);
  });
});

describe('setgid directories', () => {
  const t = useTestVfs();

  test("new entries take the directory's group; new subdirectories inherit setgid", () => {
    const { vfs } = t();
    vfs.mkdir('/shared', 0o777, root);
    vfs.chown('/shared', 0, 500, root);
    vfs.chmod('/shared', 0o2777, root);
    const f = vfs.open('/shared/f', O_WRONLY | O_CREAT, 0o644, alice).inode;
    expect([f.uid, f.gid, f.mode]).toEqual([1000, 500, S_IFREG | 0o644]);
    const d = vfs.mkdir('/shared/d', 0o755, alice);
    expect([d.gid, d.mode]).toEqual([500, S_IFDIR | 0o2755]);
    const deeper = vfs.mkdir('/shared/d/e', 0o700, alice);
    expect([deeper.gid, deeper.mode]).toEqual([500, S_IFDIR | 0o2700]);
    expect(vfs.symlink('x', '/shared/l', alice).gid).toBe(500);
  });

  test('a non-member cannot create a group-executable setgid file there (the bit is dropped)', () => {
    const { vfs } = t();
    vfs.mkdir('/shared', 0o2777, root);
    vfs.chown('/shared', 0, 500, root);
    vfs.chmod('/shared', 0o2777, root);
    expect(vfs.open('/shared/f', O_WRONLY | O_CREAT, 0o2755, alice).inode.mode).toBe(S_IFREG | 0o755);
    expect(vfs.open('/shared/g', O_WRONLY | O_CREAT, 0o2755, user(1000, 1000, [500])).inode.mode).toBe(
      S_IFREG | 0o2755,
    );
    expect(vfs.open('/shared/h', O_WRONLY | O_CREAT, 0o2755, root).inode.mode).toBe(S_IFREG | 0o2755);
    // Setuid is not affected, as on Linux.
    expect(vfs.open('/shared/u', O_WRONLY | O_CREAT, 0o4755, alice).inode.mode).toBe(S_IFREG | 0o4755);
  });

  test("outside a setgid directory, new entries take the caller's group", () => {
    const { vfs } = t();
    vfs.mkdir('/plain', 0o777, root);
    vfs.chown('/plain', 0, 500, root);
    expect(vfs.open('/plain/f', O_WRONLY | O_CREAT, 0o644, user(1000, 42)).inode.gid).toBe(42);
  });
});

describe('permission helpers', () => {
  const inode = (mode: number, uid = 1000, gid = 1000): Pick<InodeRecord, 'mode' | 'uid' | 'gid'> => ({
    mode,
    uid,
    gid,
  });

  test('mayAccess picks exactly one class: owner, group or other', () => {
    const cred = { uid: 1000, gid: 1000, groups: [] };
    expect(mayAccess(inode(S_IFREG | 0o400), R_OK, cred)).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o047), R_OK, cred)).toBe(false);
    expect(mayAccess(inode(S_IFREG | 0o040, 1), R_OK, cred)).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o004, 1, 1), R_OK, cred)).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o604, 1, 1000), R_OK, cred)).toBe(false);
    expect(mayAccess(inode(S_IFREG | 0o040, 1, 7), R_OK, { uid: 1000, gid: 1000, groups: [7] })).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o600), R_OK | W_OK, cred)).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o400), R_OK | W_OK, cred)).toBe(false);
    expect(mayAccess(inode(S_IFREG | 0o000), 0, cred)).toBe(true);
  });

  test('root: read and write always, execute only with an execute bit or on a directory', () => {
    expect(mayAccess(inode(S_IFREG | 0o000), R_OK | W_OK, ROOT)).toBe(true);
    expect(mayAccess(inode(S_IFREG | 0o000), X_OK, ROOT)).toBe(false);
    expect(mayAccess(inode(S_IFREG | 0o010), X_OK, ROOT)).toBe(true);
    expect(mayAccess(inode(S_IFDIR | 0o000), X_OK, ROOT)).toBe(true);
  });

  test("the sticky rule lets the entry's owner, the directory's owner and root through", () => {
    const dir = { mode: S_IFDIR | 0o1777, uid: 5 } as InodeRecord;
    const victim = { mode: S_IFREG | 0o644, uid: 6 } as InodeRecord;
    expect(() =>
      requireStickyPermission(dir, victim, { uid: 7, gid: 7, groups: [] }, 'unlink', '/x'),
    ).toThrow(/EPERM/);
    requireStickyPermission(dir, victim, { uid: 6, gid: 7, groups: [] }, 'unlink', '/x');
    requireStickyPermission(dir, victim, { uid: 5, gid: 7, groups: [] }, 'unlink', '/x');
    requireStickyPermission(dir, victim, ROOT, 'unlink', '/x');
    requireStickyPermission(
      { ...dir, mode: S_IFDIR | 0o777 },
      victim,
      { uid: 7, gid: 7, groups: [] },
      'unlink',
      '/x',
    );
  });

  test('processCredentials describes this process', () => {
    const cred = processCredentials();
    expect(cred.uid).toBe(process.getuid!());
    expect(cred.gid).toBe(process.getgid!());
  });
});
