/**
 * Calls whose path leaves the agent filesystem half-way (`..` above /agent, or a symlink in
 * it pointing at a host path). The kernel never sees such a path (it would resolve the
 * /agent prefix itself), so the supervisor performs the host operation on the resolved host
 * path and answers with its result. It does so on the host-operations thread, which Landlock
 * holds to the same host policy as the program: a symlink in /agent is no way around it.
 * Attribute changes, which Landlock does not cover, go through the supervisor's attribute
 * guard instead. Results the kernel fills in (stat, statx, statfs) are copied to the program as
 * they are.
 */
import { closeSync } from 'node:fs';
import { fsError } from '../errors.js';
import { O_CLOEXEC, O_CREAT, O_TMPFILE, PERMISSION_BITS } from '../vfs/constants.js';
import type { Call } from './call.js';
import { AT_SYMLINK_NOFOLLOW } from './at-flags.js';
import type { HostCallArg, NativeHostOps } from './native.js';

const AT_FDCWD = -100;
const AT_REMOVEDIR = 0x200;
const STAT_SIZE = 144;
const STATX_SIZE = 256;
const STATFS_SIZE = 120;
const READLINK_MAX = 65536;

/** x86-64 numbers of the calls performed here. */
const NR = {
  truncate: 76,
  statfs: 137,
  openat: 257,
  mkdirat: 258,
  mknodat: 259,
  newfstatat: 262,
  unlinkat: 263,
  symlinkat: 266,
  readlinkat: 267,
  statx: 332,
  faccessat2: 439,
} as const;

/** Calls that change a file's attributes: Landlock has no say over them (see attr-guard.h). */
const ATTRIBUTE_CALLS = new Set([
  'chmod',
  'fchmodat',
  'fchmodat2',
  'chown',
  'lchown',
  'fchownat',
  'utime',
  'utimes',
  'futimesat',
  'utimensat',
  'setxattr',
  'lsetxattr',
  'setxattrat',
  'removexattr',
  'lremovexattr',
  'removexattrat',
]);

function cString(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf8');
}

/** Runs one host call for `call`; a negative result fails the call with that errno. */
function perform(ops: NativeHostOps, call: Call, nr: number, args: HostCallArg[]): number | undefined {
  const rc = ops.call(nr, args);
  if (rc < 0) {
    call.failErrno(-rc);
    return undefined;
  }
  return rc;
}

/** Performs `call` on `hostPath` (the escaped form of its first path argument). */
export function performOnHost(call: Call, hostPath: string): void {
  const ops = call.ctx.hostOps;
  const path = cString(hostPath);
  const umask = call.info().umask;
  const done = (rc: number | undefined) => {
    if (rc !== undefined) call.reply();
  };
  if (ATTRIBUTE_CALLS.has(call.name)) {
    const rc = call.ctx.supervisor.attributeOnHost(hostPath);
    return rc < 0 ? call.failErrno(-rc) : call.reply();
  }
  switch (call.name) {
    case 'open':
    case 'openat':
    case 'creat': {
      const flagsArg = call.name === 'openat' ? 2 : 1;
      const modeArg = call.name === 'openat' ? 3 : call.name === 'creat' ? 1 : 2;
      const flags = call.name === 'creat' ? 0o1101 : call.int(flagsArg);
      const creating = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
      const mode = creating ? call.int(modeArg) & PERMISSION_BITS & ~umask : 0;
      const fd = perform(ops, call, NR.openat, [AT_FDCWD, path, flags | O_CLOEXEC, mode]);
      if (fd === undefined) return;
      try {
        call.replyFd(fd, (flags & O_CLOEXEC) !== 0);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case 'stat':
    case 'lstat':
    case 'newfstatat': {
      const flags =
        call.name === 'newfstatat'
          ? call.int(3) & AT_SYMLINK_NOFOLLOW
          : call.name === 'lstat'
            ? AT_SYMLINK_NOFOLLOW
            : 0;
      const out = Buffer.alloc(STAT_SIZE);
      if (perform(ops, call, NR.newfstatat, [AT_FDCWD, path, out, flags]) === undefined) return;
      call.write(call.ptr(call.name === 'newfstatat' ? 2 : 1), out);
      return call.reply();
    }
    case 'statx': {
      const out = Buffer.alloc(STATX_SIZE);
      if (perform(ops, call, NR.statx, [AT_FDCWD, path, call.int(2), call.int(3), out]) === undefined) return;
      call.write(call.ptr(4), out);
      return call.reply();
    }
    case 'statfs': {
      const out = Buffer.alloc(STATFS_SIZE);
      if (perform(ops, call, NR.statfs, [path, out]) === undefined) return;
      call.write(call.ptr(1), out);
      return call.reply();
    }
    case 'access':
    case 'faccessat':
    case 'faccessat2': {
      const mode = call.int(call.name === 'access' ? 1 : 2);
      const flags = call.name === 'faccessat2' ? call.int(3) : 0;
      return done(perform(ops, call, NR.faccessat2, [AT_FDCWD, path, mode, flags]));
    }
    case 'readlink':
    case 'readlinkat': {
      const size = call.long(call.name === 'readlink' ? 2 : 3);
      if (size <= 0) return call.fail('EINVAL');
      const out = Buffer.alloc(Math.min(size, READLINK_MAX));
      const n = perform(ops, call, NR.readlinkat, [AT_FDCWD, path, out, out.length]);
      if (n === undefined) return;
      call.write(call.ptr(call.name === 'readlink' ? 1 : 2), out.subarray(0, n));
      return call.reply(n);
    }
    case 'mkdir':
    case 'mkdirat': {
      const mode = call.int(call.name === 'mkdir' ? 1 : 2) & 0o1777 & ~umask;
      return done(perform(ops, call, NR.mkdirat, [AT_FDCWD, path, mode]));
    }
    case 'mknod':
    case 'mknodat': {
      const modeArg = call.name === 'mknod' ? 1 : 2;
      const mode = call.int(modeArg);
      const masked = (mode & ~PERMISSION_BITS) | (mode & PERMISSION_BITS & ~umask);
      return done(perform(ops, call, NR.mknodat, [AT_FDCWD, path, masked, call.ptr(modeArg + 1)]));
    }
    case 'unlink':
    case 'unlinkat':
    case 'rmdir': {
      const flags =
        call.name === 'rmdir' ? AT_REMOVEDIR : call.name === 'unlinkat' ? call.int(2) & AT_REMOVEDIR : 0;
      return done(perform(ops, call, NR.unlinkat, [AT_FDCWD, path, flags]));
    }
    case 'symlink':
    case 'symlinkat':
      return done(perform(ops, call, NR.symlinkat, [cString(call.readString(0)), AT_FDCWD, path]));
    case 'truncate':
      return done(perform(ops, call, NR.truncate, [path, call.long(1)]));
    default:
      // Renames and links that leave the agent filesystem cross filesystems.
      throw fsError(
        call.name.startsWith('rename') || call.name.startsWith('link') ? 'EXDEV' : 'ENOTSUP',
        call.name,
        hostPath,
      );
  }
}
