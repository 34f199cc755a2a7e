/**
 * open, openat, openat2 and creat on the agent filesystem: the VFS decides what the flags
 * mean, then the program gets a host descriptor injected with SECCOMP_IOCTL_NOTIF_ADDFD: on
 * the materialized content for a file, on a fresh placeholder for a directory.
 */
import { closeSync } from 'node:fs';
import { fsError } from '../../errors.js';
import {
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_NOFOLLOW,
  O_PATH,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  PERMISSION_BITS,
  isDirectory,
  isRegular,
  isSymlink,
} from '../../vfs/constants.js';
import type { InodeRecord } from '../../store/fs-store.js';
import type { Call } from '../call.js';

/** Valid open(2) flag bits on x86-64; others are EINVAL for openat2. */
const KNOWN_FLAGS = 0o37777777;
const RESOLVE_CACHED = 0x20;
const OPEN_HOW_SIZE = 24;

export function handleOpen(call: Call): void {
  switch (call.name) {
    case 'open':
      return openAt(call, call.int(1), call.int(2));
    case 'openat':
      return openAt(call, call.int(2), call.int(3));
    case 'creat':
      return openAt(call, O_CREAT | O_WRONLY | O_TRUNC, call.int(1));
    case 'openat2':
      return openat2(call);
  }
}

function openat2(call: Call): void {
  const size = call.long(3);
  if (size < OPEN_HOW_SIZE || size > 4096) throw fsError('EINVAL', 'openat2');
  const how = call.readMemory(call.ptr(2), size);
  if (how.subarray(OPEN_HOW_SIZE).some((b) => b !== 0)) throw fsError('E2BIG', 'openat2');
  const flags = how.readBigUInt64LE(0);
  const mode = how.readBigUInt64LE(8);
  const resolve = how.readBigUInt64LE(16);
  if (flags > BigInt(KNOWN_FLAGS) || mode > 0o7777n) throw fsError('EINVAL', 'openat2');
  const f = Number(flags);
  if (mode !== 0n && !(f & O_CREAT) && (f & O_TMPFILE) !== O_TMPFILE) throw fsError('EINVAL', 'openat2');
  // RESOLVE_CACHED asks for an answer without blocking I/O; the kernel then says EAGAIN.
  if (resolve & BigInt(RESOLVE_CACHED)) throw fsError('EAGAIN', 'openat2');
  openAt(call, f, Number(mode));
}

function openAt(call: Call, flags: number, mode: number): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  const creating = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
  const perm = creating ? mode & PERMISSION_BITS & ~call.info().umask : 0;
  const { vfs } = call.ctx;
  const { inode, created } =
    loc.ino !== undefined
      ? vfs.openInode(loc.ino, flags, call.caller())
      : vfs.open(loc.path, flags, perm, call.caller(loc.base));
  const fd = hostDescriptor(call, inode, flags, created);
  call.ctx.audit?.opened(call, loc, inode, flags, created);
  try {
    call.ctx.supervisor.markVirtualBases();
    call.replyFd(fd, (flags & O_CLOEXEC) !== 0);
  } finally {
    if (!isDirectory(inode.mode)) closeSync(fd);
  }
}

/** A host descriptor standing for `inode` opened with `flags`. */
function hostDescriptor(call: Call, inode: Readonly<InodeRecord>, flags: number, created: boolean): number {
  const { backing } = call.ctx;
  if (isDirectory(inode.mode)) return backing.openDirectory(inode.ino).fd;
  if (isRegular(inode.mode)) return backing.openFile(inode, flags, created);
  if (isSymlink(inode.mode) && flags & O_PATH && flags & O_NOFOLLOW) return backing.openSymlink(inode.ino);
  if (flags & O_DIRECTORY) throw fsError('ENOTDIR', 'open');
  // A FIFO, socket or device node in the database has no live counterpart to share.
  throw fsError('ENXIO', 'open');
}
