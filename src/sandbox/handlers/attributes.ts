/**
 * chmod/fchmod/fchmodat/fchmodat2, chown/lchown/fchown/fchownat, utime/utimes/utimensat/
 * futimesat, truncate/ftruncate and access/faccessat/faccessat2.
 */
import { fsError } from '../../errors.js';
import type { TimeSpec } from '../../vfs/attributes.js';
import type { Call } from '../call.js';
import { AT_EACCESS, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW } from '../at-flags.js';
import { resolveTarget, type Target } from '../target.js';

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

export function handleAttributes(call: Call): void {
  switch (call.name) {
    case 'chmod':
      return chmod(call, resolveTarget(call, 0, 'follow', false), call.int(1));
    case 'fchmod':
      return chmod(call, resolveTarget(call, 0, 'follow', true), call.int(1));
    case 'fchmodat':
      return chmod(call, resolveTarget(call, 0, 'follow', false), call.int(2));
    case 'fchmodat2': {
      const flags = call.int(3);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw fsError('EINVAL', call.name);
      const last = flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow';
      return chmod(call, resolveTarget(call, 0, last, (flags & AT_EMPTY_PATH) !== 0), call.int(2));
    }
    case 'chown':
    case 'lchown':
      return chown(call, resolveTarget(call, 0, call.name === 'chown' ? 'follow' : 'nofollow', false), 1);
    case 'fchown':
      return chown(call, resolveTarget(call, 0, 'follow', true), 1);
    case 'fchownat': {
      const flags = call.int(4);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw fsError('EINVAL', call.name);
      const last = flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow';
      return chown(call, resolveTarget(call, 0, last, (flags & AT_EMPTY_PATH) !== 0), 2);
    }
    case 'utime':
    case 'utimes':
    case 'utimensat':
    case 'futimesat':
      return utimes(call);
    case 'truncate':
      return truncate(call);
    case 'ftruncate': {
      // The descriptor is a host descriptor on the materialized file: the kernel truncates it
      // (checking it is writable) and the new size goes back with the content.
      const id = call.fdTarget();
      if (id?.kind === 'file' && call.long(1) >= 0) call.ctx.backing.requireQuota(id.ino, call.long(1));
      return call.continue();
    }
    case 'access':
      return access(call, resolveTarget(call, 0, 'follow', false), call.int(1));
    case 'faccessat':
      return access(call, resolveTarget(call, 0, 'follow', false), call.int(2));
    case 'faccessat2': {
      const flags = call.int(3);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS)) throw fsError('EINVAL', call.name);
      const last = flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow';
      return access(call, resolveTarget(call, 0, last, (flags & AT_EMPTY_PATH) !== 0), call.int(2));
    }
  }
}

function chmod(call: Call, t: Target, mode: number): void {
  if (t.kind === 'host') return call.continue();
  call.ctx.vfs.chmodInode(t.inode.ino, mode, call.caller(), t.path);
  call.reply();
}

function chown(call: Call, t: Target, firstIdArg: number): void {
  if (t.kind === 'host') return call.continue();
  const uid = call.int(firstIdArg);
  const gid = call.int(firstIdArg + 1);
  call.ctx.vfs.chownInode(t.inode.ino, uid, gid, call.caller(), t.path);
  call.reply();
}

function access(call: Call, t: Target, mode: number): void {
  if (t.kind === 'host') return call.continue();
  call.ctx.vfs.accessInode(t.inode.ino, mode, call.caller(), t.path);
  call.reply();
}

function truncate(call: Call): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  const length = call.long(1);
  if (length < 0) throw fsError('EINVAL', call.name);
  const inode = call.ctx.vfs.stat(loc.path, call.caller(loc.base));
  call.ctx.backing.mirror(inode.ino, () => call.ctx.vfs.truncate(loc.path, length, call.caller(loc.base)));
  call.reply();
}

function utimes(call: Call): void {
  const name = call.name;
  const flags = name === 'utimensat' ? call.int(3) : 0;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw fsError('EINVAL', name);
  const timesArg = name === 'utimensat' || name === 'futimesat' ? 2 : 1;
  const [atime, mtime] = readTimes(call, timesArg);
  const t = resolveTarget(
    call,
    0,
    flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow',
    (flags & AT_EMPTY_PATH) !== 0,
  );
  if (t.kind === 'host') return call.continue();
  call.ctx.backing.mirror(t.inode.ino, () =>
    call.ctx.vfs.utimensInode(t.inode.ino, atime, mtime, call.caller(), t.path),
  );
  call.reply();
}

/** The two times of utime/utimes/utimensat/futimesat; NULL means now for both. */
function readTimes(call: Call, arg: number): [TimeSpec, TimeSpec] {
  const address = call.ptr(arg);
  if (address === 0n) return ['now', 'now'];
  switch (call.name) {
    case 'utime': {
      const b = call.readMemory(address, 16);
      return [seconds(b.readBigInt64LE(0), 0), seconds(b.readBigInt64LE(8), 0)];
    }
    case 'utimes':
    case 'futimesat': {
      const b = call.readMemory(address, 32);
      return [timeval(b, 0), timeval(b, 16)];
    }
    default: {
      const b = call.readMemory(address, 32);
      return [timespec(b, 0), timespec(b, 16)];
    }
  }
}

function seconds(sec: bigint, nsec: number): TimeSpec {
  return { sec: Number(sec), nsec };
}

function timeval(b: Buffer, offset: number): TimeSpec {
  const usec = Number(b.readBigInt64LE(offset + 8));
  if (usec < 0 || usec >= 1_000_000) throw fsError('EINVAL', 'utimes');
  return seconds(b.readBigInt64LE(offset), usec * 1000);
}

function timespec(b: Buffer, offset: number): TimeSpec {
  const nsec = Number(b.readBigInt64LE(offset + 8));
  if (nsec === UTIME_NOW) return 'now';
  if (nsec === UTIME_OMIT) return 'omit';
  if (nsec < 0 || nsec >= 1_000_000_000) throw fsError('EINVAL', 'utimensat');
  return seconds(b.readBigInt64LE(offset), nsec);
}
