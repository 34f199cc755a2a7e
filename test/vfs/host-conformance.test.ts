/**
 * The same operations on a real directory of this machine and on the VFS must succeed or fail
 * alike, with the same errno: the kernel is the reference. Only permission-free cases are
 * compared, so the answers are the same whether the suite runs as root or not.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, openTestVfs, root, type TempDir, type TestVfs } from '../helpers/temp-db.js';
import { writeFile } from '../helpers/vfs-files.js';
import { isAgentOSError } from '../../src/errors.js';
import type { Vfs } from '../../src/vfs/vfs.js';
import {
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from '../../src/vfs/constants.js';

type Op =
  | ['stat' | 'lstat' | 'mkdir' | 'rmdir' | 'unlink' | 'readlink' | 'readdir', string]
  | ['rename' | 'link' | 'symlink', string, string]
  | ['open', string, number]
  | ['truncate', string, number];

/**
 * Paths are relative to the case's own fixture directory. (Negative truncate lengths are tested
 * elsewhere: Node's truncateSync clamps them to 0 before the kernel sees them.)
 */
const CASES: Op[] = [
  ['stat', 'file/'],
  ['stat', 'file/.'],
  ['stat', 'dir/'],
  ['stat', 'dir//sub/'],
  ['stat', 'lfile/'],
  ['stat', 'ldir/'],
  ['stat', 'dangling'],
  ['stat', 'loop'],
  ['stat', 'loop/x'],
  ['stat', 'file/x'],
  ['stat', 'missing/x'],
  ['stat', 'a'.repeat(256)],
  ['lstat', 'lfile/'],
  ['lstat', 'ldir/'],
  ['lstat', 'dangling'],
  ['lstat', 'loop'],
  ['mkdir', 'dir'],
  ['mkdir', 'file'],
  ['mkdir', 'dangling'],
  ['mkdir', 'dir/.'],
  ['mkdir', 'dir/..'],
  ['mkdir', 'new/'],
  ['mkdir', 'file/x'],
  ['mkdir', 'missing/x'],
  ['mkdir', 'ldir'],
  ['rmdir', 'full'],
  ['rmdir', 'empty'],
  ['rmdir', 'empty/'],
  ['rmdir', 'dir/.'],
  ['rmdir', 'dir/..'],
  ['rmdir', 'file'],
  ['rmdir', 'file/'],
  ['rmdir', 'ldir'],
  ['rmdir', 'ldir/'],
  ['rmdir', 'missing'],
  ['unlink', 'dir'],
  ['unlink', 'dir/'],
  ['unlink', 'file/'],
  ['unlink', 'lfile/'],
  ['unlink', 'ldir/'],
  ['unlink', 'missing/'],
  ['unlink', 'dangling'],
  ['unlink', 'lfile'],
  ['readlink', 'file'],
  ['readlink', 'dir'],
  ['readlink', 'ldir/'],
  ['readlink', 'missing'],
  ['readlink', 'dangling'],
  ['readdir', 'file'],
  ['readdir', 'ldir'],
  ['readdir', 'missing'],
  ['rename', 'file', 'dir'],
  ['rename', 'file', 'empty'],
  ['rename', 'dir', 'file'],
  ['rename', 'empty', 'full'],
  ['rename', 'empty', 'dir'],
  ['rename', 'dir', 'dir/sub/x'],
  ['rename', 'dir', 'dir/sub'],
  ['rename', 'dir/sub', 'dir'],
  ['rename', 'dir', 'dir'],
  ['rename', 'file', 'file'],
  ['rename', 'dir/.', 'x'],
  ['rename', 'dir/..', 'x'],
  ['rename', 'file', 'dir/.'],
  ['rename', 'missing', 'x'],
  ['rename', 'file/', 'x'],
  ['rename', 'file', 'x/'],
  ['rename', 'file', 'file2/'],
  ['rename', 'empty/', 'newdir/'],
  ['rename', 'ldir', 'x/'],
  ['rename', 'ldir/', 'x'],
  ['rename', 'file', 'ldir/'],
  ['rename', 'empty', 'ldir'],
  ['rename', 'ldir', 'empty'],
  ['rename', 'dir', 'missing/x'],
  ['rename', 'dir', 'file/x'],
  ['rename', 'file', 'hard'],
  ['link', 'dir', 'file'],
  ['link', 'dir', 'newlink'],
  ['link', 'file', 'newlink/'],
  ['link', 'file', 'dir/'],
  ['link', 'missing', 'newlink'],
  ['link', 'file', 'dir'],
  ['link', 'file', 'dir/.'],
  ['link', 'file/', 'newlink'],
  ['link', 'dangling', 'newlink'],
  ['symlink', '', 'sl'],
  ['symlink', 'x', 'file'],
  ['symlink', 'x', 'newsl/'],
  ['symlink', 'x', 'dangling'],
  ['symlink', 'x', 'dir/.'],
  ['open', 'dir', O_RDONLY | O_CREAT],
  ['open', 'file/', O_WRONLY | O_CREAT],
  ['open', 'dir/', O_RDONLY | O_CREAT],
  ['open', 'new/', O_WRONLY | O_CREAT],
  ['open', 'new/', O_WRONLY | O_CREAT | O_EXCL],
  ['open', 'dangling/', O_WRONLY | O_CREAT],
  ['open', 'dangling', O_WRONLY | O_CREAT | O_EXCL],
  ['open', 'dangling', O_WRONLY | O_CREAT],
  ['open', 'dangling', O_WRONLY | O_CREAT | O_NOFOLLOW],
  ['open', 'lfile', O_RDONLY | O_CREAT | O_EXCL],
  ['open', 'lfile', O_RDONLY | O_NOFOLLOW],
  ['open', 'lfile', O_WRONLY | O_CREAT | O_NOFOLLOW],
  ['open', 'lfile', O_RDONLY | O_DIRECTORY | O_NOFOLLOW],
  ['open', 'ldir', O_RDONLY | O_DIRECTORY | O_NOFOLLOW],
  ['open', 'ldir/', O_RDONLY | O_NOFOLLOW],
  ['open', 'ldir', O_RDONLY | O_DIRECTORY],
  ['open', 'file', O_RDONLY | O_DIRECTORY],
  ['open', 'file', O_RDONLY | O_CREAT | O_DIRECTORY],
  ['open', 'new', O_RDONLY | O_CREAT | O_DIRECTORY],
  ['open', 'dir', O_WRONLY],
  ['open', 'dir', O_RDWR],
  ['open', 'dir', O_RDONLY | O_TRUNC],
  ['open', 'dir', 3],
  ['open', 'file', 3],
  ['open', 'file/x', O_WRONLY | O_CREAT],
  ['open', 'missing', O_RDONLY],
  ['open', 'missing', O_WRONLY | O_TRUNC],
  ['open', 'loop', O_WRONLY | O_CREAT],
  ['open', '.', O_RDONLY | O_CREAT | O_EXCL],
  ['truncate', 'dir', 0],
  ['truncate', 'lfile', 0],
];

/** The same small tree on the host and in the VFS. */
function buildHost(dir: string): void {
  fs.mkdirSync(join(dir, 'dir/sub'), { recursive: true });
  fs.mkdirSync(join(dir, 'empty'));
  fs.mkdirSync(join(dir, 'full'));
  fs.writeFileSync(join(dir, 'full/f'), 'f');
  fs.writeFileSync(join(dir, 'file'), 'x');
  fs.writeFileSync(join(dir, 'file2'), 'y');
  fs.linkSync(join(dir, 'file'), join(dir, 'hard'));
  fs.symlinkSync('dir', join(dir, 'ldir'));
  fs.symlinkSync('file', join(dir, 'lfile'));
  fs.symlinkSync('missing', join(dir, 'dangling'));
  fs.symlinkSync('loop', join(dir, 'loop'));
}

function buildVfs(vfs: Vfs, dir: string): void {
  vfs.mkdir(dir, 0o755, root);
  vfs.mkdir(`${dir}/dir`, 0o755, root);
  vfs.mkdir(`${dir}/dir/sub`, 0o755, root);
  vfs.mkdir(`${dir}/empty`, 0o755, root);
  vfs.mkdir(`${dir}/full`, 0o755, root);
  writeFile(vfs, `${dir}/full/f`, 'f');
  writeFile(vfs, `${dir}/file`, 'x');
  writeFile(vfs, `${dir}/file2`, 'y');
  vfs.link(`${dir}/file`, `${dir}/hard`, root);
  vfs.symlink('dir', `${dir}/ldir`, root);
  vfs.symlink('file', `${dir}/lfile`, root);
  vfs.symlink('missing', `${dir}/dangling`, root);
  vfs.symlink('loop', `${dir}/loop`, root);
}

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (isAgentOSError(e)) return e.code;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    throw e;
  }
}

/** Joins without normalising, so trailing slashes and dots reach the kernel as written. */
const at = (dir: string, p: string) => (p === '' ? p : `${dir}/${p}`);

function onHost(op: Op, dir: string): string {
  return outcome(() => {
    switch (op[0]) {
      case 'stat':
        return fs.statSync(at(dir, op[1]));
      case 'lstat':
        return fs.lstatSync(at(dir, op[1]));
      case 'mkdir':
        return fs.mkdirSync(at(dir, op[1]));
      case 'rmdir':
        return fs.rmdirSync(at(dir, op[1]));
      case 'unlink':
        return fs.unlinkSync(at(dir, op[1]));
      case 'readlink':
        return fs.readlinkSync(at(dir, op[1]));
      case 'readdir':
        return fs.readdirSync(at(dir, op[1]));
      case 'rename':
        return fs.renameSync(at(dir, op[1]), at(dir, op[2]));
      case 'link':
        return fs.linkSync(at(dir, op[1]), at(dir, op[2]));
      case 'symlink':
        return fs.symlinkSync(op[1], at(dir, op[2]));
      case 'open':
        return fs.closeSync(fs.openSync(at(dir, op[1]), op[2], 0o644));
      case 'truncate':
        return fs.truncateSync(at(dir, op[1]), op[2]);
    }
  });
}

function onVfs(vfs: Vfs, op: Op, dir: string): string {
  return outcome(() => {
    switch (op[0]) {
      case 'stat':
        return vfs.stat(at(dir, op[1]), root);
      case 'lstat':
        return vfs.stat(at(dir, op[1]), root, 'nofollow');
      case 'mkdir':
        return vfs.mkdir(at(dir, op[1]), 0o755, root);
      case 'rmdir':
        return vfs.rmdir(at(dir, op[1]), root);
      case 'unlink':
        return vfs.unlink(at(dir, op[1]), root);
      case 'readlink':
        return vfs.readlink(at(dir, op[1]), root);
      case 'readdir':
        return vfs.readdir(at(dir, op[1]), root);
      case 'rename':
        return vfs.rename(at(dir, op[1]), at(dir, op[2]), root);
      case 'link':
        return vfs.link(at(dir, op[1]), at(dir, op[2]), root);
      case 'symlink':
        return vfs.symlink(op[1], at(dir, op[2]), root);
      case 'open':
        return vfs.open(at(dir, op[1]), op[2], 0o644, root);
      case 'truncate':
        return vfs.truncate(at(dir, op[1]), op[2], root);
    }
  });
}

describe('the VFS answers like the Linux kernel on this machine', () => {
  // One database and one host directory for all cases; each case gets fresh copies of the tree.
  let tmp: TempDir;
  let db: TestVfs;
  beforeAll(() => {
    tmp = makeTempDir('agentos-host-');
    db = openTestVfs(tmp);
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  test.each(CASES.map((op, i) => [op.join(' '), op, i] as const))('%s', (_label, op, i) => {
    const hostDir = join(tmp.dir, `case${i}`);
    buildHost(hostDir);
    db.conn.write(() => buildVfs(db.vfs, `/case${i}`));
    const expected = onHost(op, hostDir);
    expect(onVfs(db.vfs, op, `/case${i}`)).toBe(expected);
  });
});
