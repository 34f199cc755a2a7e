/**
 * Opening an inode that is already resolved (a /proc/self/fd/N magic link): the checks open(2)
 * makes on an existing file, without a path walk.
 */
import { fsError } from '../errors.js';
import { O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_TRUNC, W_OK, isDirectory, isRegular } from './constants.js';
import { truncateTo } from './content.js';
import type { Caller, VfsContext } from './context.js';
import { accessForFlags, type OpenResult } from './open.js';
import { requireAccess } from './permissions.js';

export function openInode(ctx: VfsContext, ino: number, flags: number, caller: Caller): OpenResult {
  const syscall = 'open';
  const inode = ctx.inodes.get(ino);
  if (!inode) throw fsError('ENOENT', syscall);
  if (flags & O_CREAT && flags & O_EXCL) throw fsError('EEXIST', syscall);
  if (flags & O_DIRECTORY && !isDirectory(inode.mode)) throw fsError('ENOTDIR', syscall);
  if (flags & O_PATH) return { inode, created: false };
  const want = accessForFlags(flags);
  if (isDirectory(inode.mode) && (flags & O_CREAT || want & W_OK)) throw fsError('EISDIR', syscall);
  requireAccess(inode, want, caller.cred, syscall, '');
  if (flags & O_TRUNC && isRegular(inode.mode)) return { inode: truncateTo(ctx, inode, 0), created: false };
  return { inode, created: false };
}
