/**
 * open(2) on the VFS: which inode a path and flags name, creating or truncating it as the
 * flags say. Reading and writing the content is separate (content.ts, and in the sandbox the
 * materialized host file), so this is shared by the SDK's file handles and the sandbox.
 */
import { fsError } from '../errors.js';
import {
  O_ACCMODE,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TMPFILE,
  O_TRUNC,
  O_WRONLY,
  PERMISSION_BITS,
  R_OK,
  S_IFREG,
  W_OK,
  isDirectory,
  isRegular,
  isSymlink,
} from './constants.js';
import { createInode, linkEntry, type Caller, type VfsContext } from './context.js';
import { truncateTo } from './content.js';
import { requireAccess, requireDirectoryWrite } from './permissions.js';
import { ownProcessIdentity } from './orphans.js';
import type { LastComponent } from './path-walk.js';
import type { InodeRecord } from '../store/fs-store.js';

export interface OpenResult {
  inode: Readonly<InodeRecord>;
  /** The file did not exist and was created by this open. */
  created: boolean;
}

/** The permission an open needs on the file itself (O_TRUNC implies write, as in the kernel). */
export function accessForFlags(flags: number): number {
  const acc = flags & O_ACCMODE;
  let want = 0;
  if (acc === O_RDONLY || acc === O_RDWR) want |= R_OK;
  if (acc === O_WRONLY || acc === O_RDWR || flags & O_TRUNC) want |= W_OK;
  return want;
}

export function isWritable(flags: number): boolean {
  const acc = flags & O_ACCMODE;
  return acc === O_WRONLY || acc === O_RDWR;
}

/** `mode` is the permission for a created file, with the caller's umask already applied. */
export function openPath(ctx: VfsContext, path: string, flags: number, mode: number, caller: Caller): OpenResult {
  const syscall = 'open';
  if ((flags & O_TMPFILE) === O_TMPFILE) return { inode: openTmpfile(ctx, path, flags, mode, caller), created: true };
  if ((flags & O_ACCMODE) === O_ACCMODE && !(flags & O_PATH)) throw fsError('EINVAL', syscall, path);
  if (flags & O_CREAT && flags & O_DIRECTORY) throw fsError('EINVAL', syscall, path);
  const pathOnly = (flags & O_PATH) !== 0;
  const creating = !pathOnly && (flags & O_CREAT) !== 0;
  const exclusive = creating && (flags & O_EXCL) !== 0;
  const last: LastComponent = exclusive ? 'raw' : flags & O_NOFOLLOW ? 'nofollow' : 'follow';
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last, base: caller.base });

  if (r.inode) {
    const inode = r.inode;
    if (exclusive) throw fsError('EEXIST', syscall, path);
    if (isSymlink(inode.mode) && !pathOnly) throw fsError('ELOOP', syscall, path);
    if (flags & O_DIRECTORY && !isDirectory(inode.mode)) throw fsError('ENOTDIR', syscall, path);
    if (pathOnly) return { inode, created: false };
    const want = accessForFlags(flags);
    if (isDirectory(inode.mode) && (creating || want & W_OK)) throw fsError('EISDIR', syscall, path);
    requireAccess(inode, want, caller.cred, syscall, path);
    if (flags & O_TRUNC && isRegular(inode.mode)) return { inode: truncateTo(ctx, inode, 0), created: false };
    return { inode, created: false };
  }

  if (!creating) throw fsError('ENOENT', syscall, path);
  if (r.trailingSlash) throw fsError('EISDIR', syscall, path);
  requireDirectoryWrite(r.parent, caller.cred, syscall, path);
  const inode = createInode(ctx, r.parent, S_IFREG | (mode & PERMISSION_BITS), caller.cred);
  return { inode: linkEntry(ctx, r.parent, r.name, inode), created: true };
}

/** O_TMPFILE: an unnamed regular file in the directory `path`, which linkat can name later. */
function openTmpfile(ctx: VfsContext, path: string, flags: number, mode: number, caller: Caller): Readonly<InodeRecord> {
  const syscall = 'open';
  if (!isWritable(flags)) throw fsError('EINVAL', syscall, path);
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'follow', base: caller.base });
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  if (!isDirectory(r.inode.mode)) throw fsError('ENOTDIR', syscall, path);
  requireDirectoryWrite(r.inode, caller.cred, syscall, path);
  const inode = createInode(ctx, r.inode, S_IFREG | (mode & PERMISSION_BITS), caller.cred);
  const me = ownProcessIdentity();
  ctx.store.addOrphan(inode.ino, me.pid, me.start);
  return inode;
}
