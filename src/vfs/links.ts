/** unlink, hard links, symlinks and readlink. */
import { fsError } from '../errors.js';
import { S_IFLNK, isDirectory, isSymlink } from './constants.js';
import { checkPath, wellFormed } from './path.js';
import { createInode, linkEntry, unlinkEntry, type Caller, type VfsContext } from './context.js';
import { requireDirectoryWrite, requireStickyPermission } from './permissions.js';
import type { InodeRecord } from '../store/fs-store.js';

export function unlink(ctx: VfsContext, path: string, caller: Caller): void {
  const syscall = 'unlink';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'raw', base: caller.base });
  if (r.lastKind !== 'normal') throw fsError('EISDIR', syscall, path);
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  if (isDirectory(r.inode.mode)) throw fsError('EISDIR', syscall, path);
  if (r.trailingSlash) throw fsError('ENOTDIR', syscall, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  requireStickyPermission(r.parent, r.inode, caller.cred, syscall, path);
  unlinkEntry(ctx, r.parent, r.name, r.inode);
}

/**
 * A new name for an existing inode. `followExisting` is linkat's AT_SYMLINK_FOLLOW: by default
 * a symlink is linked itself, as Linux does.
 */
export function link(
  ctx: VfsContext,
  existingPath: string,
  newPath: string,
  caller: Caller,
  options: { newBase?: number; followExisting?: boolean } = {},
): Readonly<InodeRecord> {
  const syscall = 'link';
  const src = ctx.walker.walk(existingPath, {
    syscall,
    cred: caller.cred,
    last: options.followExisting ? 'follow' : 'nofollow',
    base: caller.base,
  });
  if (!src.inode) throw fsError('ENOENT', syscall, existingPath, newPath);
  const dst = ctx.walker.walk(newPath, {
    syscall,
    cred: caller.cred,
    last: 'raw',
    base: options.newBase ?? caller.base,
  });
  // The kernel's order: filename_create (EEXIST, trailing slash), may_create, then vfs_link's
  // checks on the source (EPERM for a directory, ENOENT for an inode with no links left).
  if (dst.inode || dst.lastKind !== 'normal') throw fsError('EEXIST', syscall, existingPath, newPath);
  if (dst.trailingSlash) throw fsError('ENOENT', syscall, existingPath, newPath);
  requireDirectoryWrite(dst.parent, caller.cred, syscall, newPath);
  if (isDirectory(src.inode.mode)) throw fsError('EPERM', syscall, existingPath, newPath);
  if (src.inode.nlink === 0) throw fsError('ENOENT', syscall, existingPath, newPath);
  return linkEntry(ctx, dst.parent, dst.name, src.inode);
}

export function symlink(
  ctx: VfsContext,
  target: string,
  path: string,
  caller: Caller,
): Readonly<InodeRecord> {
  const syscall = 'symlink';
  checkPath(target, syscall);
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'raw', base: caller.base });
  if (r.inode || r.lastKind !== 'normal') throw fsError('EEXIST', syscall, target, path);
  if (r.trailingSlash) throw fsError('ENOENT', syscall, target, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  const inode = createInode(ctx, r.parent, S_IFLNK | 0o777, caller.cred);
  const stored = wellFormed(target);
  ctx.inodes.setSymlinkTarget(inode.ino, stored);
  const sized = ctx.inodes.save({ ...inode, size: Buffer.byteLength(stored) });
  return linkEntry(ctx, r.parent, r.name, sized);
}

export function readlink(ctx: VfsContext, path: string, caller: Caller): string {
  const syscall = 'readlink';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'nofollow', base: caller.base });
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  return readlinkInode(ctx, r.inode, syscall, path);
}

export function readlinkInode(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  syscall: string,
  path: string,
): string {
  if (!isSymlink(inode.mode)) throw fsError('EINVAL', syscall, path);
  const target = ctx.inodes.symlinkTarget(inode.ino);
  if (target === undefined) throw fsError('EIO', syscall, path);
  return target;
}
