/** mkdir, rmdir and directory listing. */
import { fsError } from '../errors.js';
import { S_IFDIR, S_ISVTX, isDirectory } from './constants.js';
import { createInode, linkEntry, unlinkEntry, type Caller, type VfsContext } from './context.js';
import { requireAccess, requireDirectoryWrite, requireStickyPermission, R_OK } from './permissions.js';
import type { InodeRecord } from '../store/fs-store.js';

export function mkdir(ctx: VfsContext, path: string, mode: number, caller: Caller): Readonly<InodeRecord> {
  const syscall = 'mkdir';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'raw', base: caller.base });
  if (r.inode || r.lastKind !== 'normal') throw fsError('EEXIST', syscall, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  // vfs_mkdir keeps the permission and sticky bits only; setgid comes from the parent alone.
  const dir = createInode(ctx, r.parent, S_IFDIR | (mode & (0o777 | S_ISVTX)), caller.cred);
  return linkEntry(ctx, r.parent, r.name, dir);
}

export function rmdir(ctx: VfsContext, path: string, caller: Caller): void {
  const syscall = 'rmdir';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'raw', base: caller.base });
  if (r.lastKind === 'dot') throw fsError('EINVAL', syscall, path);
  if (r.lastKind === 'dotdot') throw fsError('ENOTEMPTY', syscall, path);
  if (r.lastKind === 'root') throw fsError('EBUSY', syscall, path);
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  if (!isDirectory(r.inode.mode)) throw fsError('ENOTDIR', syscall, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  requireStickyPermission(r.parent, r.inode, caller.cred, syscall, path);
  if (ctx.inodes.hasChildren(r.inode.ino)) throw fsError('ENOTEMPTY', syscall, path);
  unlinkEntry(ctx, r.parent, r.name, r.inode);
}

export interface DirectoryEntry {
  name: string;
  inode: Readonly<InodeRecord>;
}

/** The entries of the directory at `path` (not including "." and ".."), sorted by name. */
export function readdir(ctx: VfsContext, path: string, caller: Caller): DirectoryEntry[] {
  const syscall = 'scandir';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'follow', base: caller.base });
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  return listDirectory(ctx, r.inode, caller, syscall, path);
}

export function listDirectory(
  ctx: VfsContext,
  dir: Readonly<InodeRecord>,
  caller: Caller,
  syscall: string,
  path: string,
): DirectoryEntry[] {
  if (!isDirectory(dir.mode)) throw fsError('ENOTDIR', syscall, path);
  requireAccess(dir, R_OK, caller.cred, syscall, path);
  return ctx.inodes.list(dir.ino);
}
