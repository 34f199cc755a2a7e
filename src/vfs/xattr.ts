/**
 * Extended attributes with the kernel's rules for the user namespace: only on regular files
 * and directories, written by whoever may write the file and read by whoever may read it,
 * names up to 255 bytes and values up to 64 KiB. Other namespaces (trusted, security, system)
 * are not stored: EOPNOTSUPP, as on a filesystem without them.
 */
import { fsError } from '../errors.js';
import { R_OK, W_OK, isDirectory, isRegular } from './constants.js';
import { now } from './clock.js';
import { withTime, type Caller, type VfsContext } from './context.js';
import { requireAccess } from './permissions.js';
import { byteLength } from './path.js';
import type { XattrStore } from '../store/xattr-store.js';
import type { InodeRecord } from '../store/fs-store.js';

export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;
export const XATTR_NAME_MAX = 255;
export const XATTR_SIZE_MAX = 65536;
/** Largest list listxattr returns (XATTR_LIST_MAX). */
export const XATTR_LIST_MAX = 65536;

const NAMESPACES = ['user.', 'trusted.', 'security.', 'system.'];

function checkName(name: string, syscall: string, path: string): void {
  const length = byteLength(name);
  if (length === 0 || length > XATTR_NAME_MAX) throw fsError('ERANGE', syscall, path);
  if (!NAMESPACES.some((ns) => name.startsWith(ns))) throw fsError('ENOTSUP', syscall, path);
  if (!name.startsWith('user.')) throw fsError('ENOTSUP', syscall, path);
  if (name === 'user.') throw fsError('EINVAL', syscall, path);
}

/** user.* attributes exist only on regular files and directories. */
function userAttributesAllowed(inode: Readonly<InodeRecord>): boolean {
  return isRegular(inode.mode) || isDirectory(inode.mode);
}

export function setXattr(
  ctx: VfsContext,
  store: XattrStore,
  inode: Readonly<InodeRecord>,
  name: string,
  value: Buffer,
  flags: number,
  caller: Caller,
  path: string,
): void {
  const syscall = 'setxattr';
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) throw fsError('EINVAL', syscall, path);
  checkName(name, syscall, path);
  if (value.length > XATTR_SIZE_MAX) throw fsError('E2BIG', syscall, path);
  if (!userAttributesAllowed(inode)) throw fsError('EPERM', syscall, path);
  requireAccess(inode, W_OK, caller.cred, syscall, path);
  const exists = store.get(inode.ino, name) !== undefined;
  if (flags & XATTR_CREATE && exists) throw fsError('EEXIST', syscall, path);
  if (flags & XATTR_REPLACE && !exists) throw fsError('ENODATA', syscall, path);
  store.set(inode.ino, name, value);
  ctx.inodes.save(withTime(inode, now(), { c: true }));
}

export function getXattr(
  store: XattrStore,
  inode: Readonly<InodeRecord>,
  name: string,
  caller: Caller,
  path: string,
): Buffer {
  const syscall = 'getxattr';
  checkName(name, syscall, path);
  if (!userAttributesAllowed(inode)) throw fsError('ENODATA', syscall, path);
  requireAccess(inode, R_OK, caller.cred, syscall, path);
  const value = store.get(inode.ino, name);
  if (value === undefined) throw fsError('ENODATA', syscall, path);
  return value;
}

export function listXattrs(store: XattrStore, inode: Readonly<InodeRecord>): string[] {
  return userAttributesAllowed(inode) ? store.list(inode.ino) : [];
}

export function removeXattr(
  ctx: VfsContext,
  store: XattrStore,
  inode: Readonly<InodeRecord>,
  name: string,
  caller: Caller,
  path: string,
): void {
  const syscall = 'removexattr';
  checkName(name, syscall, path);
  if (!userAttributesAllowed(inode)) throw fsError('EPERM', syscall, path);
  requireAccess(inode, W_OK, caller.cred, syscall, path);
  if (!store.remove(inode.ino, name)) throw fsError('ENODATA', syscall, path);
  ctx.inodes.save(withTime(inode, now(), { c: true }));
}
