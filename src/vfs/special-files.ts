/** mknod: FIFOs, sockets and (for root) device nodes, stored as inodes with their rdev. */
import { fsError } from '../errors.js';
import {
  PERMISSION_BITS,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  S_IFDIR,
} from './constants.js';
import { createInode, linkEntry, type Caller, type VfsContext } from './context.js';
import { requireDirectoryWrite } from './permissions.js';
import type { InodeRecord } from '../store/fs-store.js';

/** `mode` includes the file type (S_IFREG or 0 for a regular file) and the permissions after umask. */
export function mknod(
  ctx: VfsContext,
  path: string,
  mode: number,
  rdev: number,
  caller: Caller,
): Readonly<InodeRecord> {
  const syscall = 'mknod';
  let type = mode & S_IFMT;
  if (type === 0) type = S_IFREG;
  if (type === S_IFDIR || ![S_IFREG, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK].includes(type))
    throw fsError('EINVAL', syscall, path);
  // Creating device nodes takes CAP_MKNOD.
  if ((type === S_IFCHR || type === S_IFBLK) && caller.cred.uid !== 0) throw fsError('EPERM', syscall, path);
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'raw', base: caller.base });
  if (r.inode || r.lastKind !== 'normal') throw fsError('EEXIST', syscall, path);
  if (r.trailingSlash) throw fsError('ENOENT', syscall, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  const keepRdev = type === S_IFCHR || type === S_IFBLK ? rdev : 0;
  const inode = createInode(ctx, r.parent, type | (mode & PERMISSION_BITS), caller.cred, keepRdev);
  return linkEntry(ctx, r.parent, r.name, inode);
}
