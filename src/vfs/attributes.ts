/** stat, access, chmod, chown, utimens and truncate, by path or on an inode already resolved. */
import { fsError } from '../errors.js';
import {
  F_OK,
  PERMISSION_BITS,
  R_OK,
  S_IFMT,
  S_ISGID,
  S_ISUID,
  W_OK,
  X_OK,
  isDirectory,
  isRegular,
  isSymlink,
} from './constants.js';
import { now, type Timestamp } from './clock.js';
import { withTime, type Caller, type VfsContext } from './context.js';
import { truncateTo } from './content.js';
import { inGroup, isOwnerOrRoot, mayAccess, requireAccess, type Credentials } from './permissions.js';
import type { LastComponent } from './path-walk.js';
import type { InodeRecord } from '../store/fs-store.js';

export function lookupInode(
  ctx: VfsContext,
  path: string,
  caller: Caller,
  syscall: string,
  last: LastComponent = 'follow',
): Readonly<InodeRecord> {
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last, base: caller.base });
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  return r.inode;
}

/** access(2)'s mode must be F_OK or a mask of R_OK, W_OK, X_OK; the kernel checks it before the lookup. */
export function checkAccessMode(mode: number, path: string): void {
  if (!Number.isInteger(mode) || mode & ~(R_OK | W_OK | X_OK)) throw fsError('EINVAL', 'access', path);
}

/** access(2): `mode` is F_OK or a mask of R_OK, W_OK, X_OK. */
export function checkAccess(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  mode: number,
  cred: Credentials,
  path: string,
): void {
  const syscall = 'access';
  checkAccessMode(mode, path);
  if (mode === F_OK) return;
  if (!mayAccess(inode, mode, cred)) throw fsError('EACCES', syscall, path);
}

export function chmodInode(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  mode: number,
  cred: Credentials,
  path: string,
): Readonly<InodeRecord> {
  const syscall = 'chmod';
  if (isSymlink(inode.mode)) throw fsError('ENOTSUP', syscall, path);
  if (!isOwnerOrRoot(inode, cred)) throw fsError('EPERM', syscall, path);
  let bits = mode & PERMISSION_BITS;
  // An unprivileged owner outside the file's group cannot set the setgid bit.
  if (cred.uid !== 0 && !inGroup(cred, inode.gid)) bits &= ~S_ISGID;
  const changed = { ...inode, mode: (inode.mode & S_IFMT) | bits };
  return ctx.inodes.save(withTime(changed, now(), { c: true }));
}

/** chown(2); -1 leaves the owner or group unchanged. */
export function chownInode(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  uid: number,
  gid: number,
  cred: Credentials,
  path: string,
): Readonly<InodeRecord> {
  const syscall = 'chown';
  const newUid = uid === -1 ? inode.uid : uid;
  const newGid = gid === -1 ? inode.gid : gid;
  if (cred.uid !== 0) {
    // The kernel's chown_ok/chgrp_ok: only the owner, and only to its own uid and to its groups.
    const owner = cred.uid === inode.uid;
    if (uid !== -1 && !(owner && uid === inode.uid)) throw fsError('EPERM', syscall, path);
    if (gid !== -1 && !(owner && (gid === inode.gid || inGroup(cred, gid))))
      throw fsError('EPERM', syscall, path);
  }
  let mode = inode.mode;
  if (!isDirectory(mode)) {
    mode &= ~S_ISUID;
    if (mode & 0o010) mode &= ~S_ISGID;
  }
  return ctx.inodes.save(withTime({ ...inode, uid: newUid, gid: newGid, mode }, now(), { c: true }));
}

export type TimeSpec = Timestamp | 'now' | 'omit';

/** utimensat(2): each time is a value, 'now' (UTIME_NOW) or 'omit' (UTIME_OMIT). */
export function utimensInode(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  atime: TimeSpec,
  mtime: TimeSpec,
  cred: Credentials,
  path: string,
): Readonly<InodeRecord> {
  const syscall = 'utime';
  if (atime === 'omit' && mtime === 'omit') return inode;
  // Only "now" for both is a plain touch (utimensat turns it into times = NULL); anything else,
  // even "now" with "omit", is an explicit change that only the owner may make.
  const explicit = !(atime === 'now' && mtime === 'now');
  if (explicit) {
    if (!isOwnerOrRoot(inode, cred)) throw fsError('EPERM', syscall, path);
  } else if (!isOwnerOrRoot(inode, cred) && !mayAccess(inode, W_OK, cred)) {
    throw fsError('EACCES', syscall, path);
  }
  const t = now();
  const next = withTime(inode, t, { c: true });
  const a = atime === 'now' ? t : atime;
  const m = mtime === 'now' ? t : mtime;
  if (a !== 'omit') {
    next.atime = a.sec;
    next.atimeNsec = a.nsec;
  }
  if (m !== 'omit') {
    next.mtime = m.sec;
    next.mtimeNsec = m.nsec;
  }
  return ctx.inodes.save(next);
}

/** truncate(2) on a resolved inode; `checkWrite` is false for ftruncate on a writable descriptor. */
export function truncateInode(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  size: number,
  cred: Credentials,
  path: string,
  checkWrite = true,
): Readonly<InodeRecord> {
  const syscall = 'truncate';
  if (!Number.isSafeInteger(size) || size < 0) throw fsError('EINVAL', syscall, path);
  if (isDirectory(inode.mode)) throw fsError('EISDIR', syscall, path);
  if (!isRegular(inode.mode)) throw fsError('EINVAL', syscall, path);
  if (checkWrite) requireAccess(inode, W_OK, cred, syscall, path);
  return truncateTo(ctx, inode, size);
}
