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

/**
 * The permission an open needs on the file itself (O_TRUNC implies write, as in the kernel).
 * Access mode 3 is Linux's "check read and write, allow neither" mode.
 */
export function accessForFlags(flags: number): number {
  const acc = flags & O_ACCMODE;
  let want = 0;
  if (acc !== O_WRONLY) want |= R_OK;
  if (acc !== O_RDONLY || flags & O_TRUNC) want |= W_OK;
  return want;
}

export function isWritable(flags: number): boolean {
  const acc = flags & O_ACCMODE;
  return acc === O_WRONLY || acc === O_RDWR;
}

export function isReadable(flags: number): boolean {
  const acc = flags & O_ACCMODE;
  return acc === O_RDONLY || acc === O_RDWR;
}

/** The O_TMPFILE bit without O_DIRECTORY (the kernel's __O_TMPFILE). */
const TMPFILE_BIT = O_TMPFILE & ~O_DIRECTORY;

/** The flag combinations the kernel's build_open_flags rejects with EINVAL. */
function checkFlags(flags: number, path: string): void {
  if (flags & TMPFILE_BIT && (flags & O_TMPFILE) !== O_TMPFILE) throw fsError('EINVAL', 'open', path);
  if (flags & O_PATH) return;
  if (flags & O_CREAT && flags & O_DIRECTORY) throw fsError('EINVAL', 'open', path);
}

/**
 * `mode` is the permission for a created file, with the caller's umask already applied. Checks
 * come in the kernel's order (open_last_lookups, do_open, may_open), so each mistake gets the
 * errno Linux gives.
 */
export function openPath(
  ctx: VfsContext,
  path: string,
  flags: number,
  mode: number,
  caller: Caller,
): OpenResult {
  const syscall = 'open';
  checkFlags(flags, path);
  if ((flags & O_TMPFILE) === O_TMPFILE)
    return { inode: openTmpfile(ctx, path, flags, mode, caller), created: true };
  const pathOnly = (flags & O_PATH) !== 0;
  const creating = !pathOnly && (flags & O_CREAT) !== 0;
  const exclusive = creating && (flags & O_EXCL) !== 0;
  const last = lastComponentMode(flags, creating, exclusive);
  const r = ctx.walker.walk(path, {
    syscall,
    cred: caller.cred,
    last,
    base: caller.base,
    deferLastName: creating,
  });
  // O_CREAT with a trailing slash is EISDIR whatever the path names (open_last_lookups), even
  // a name too long to look up.
  if (creating && r.lastKind === 'normal' && r.trailingSlash) throw fsError('EISDIR', syscall, path);
  if (r.nameTooLong) throw fsError('ENAMETOOLONG', syscall, path);

  if (!r.inode) {
    if (!creating) throw fsError('ENOENT', syscall, path);
    requireDirectoryWrite(r.parent, caller.cred, syscall, path);
    const inode = createInode(ctx, r.parent, S_IFREG | (mode & PERMISSION_BITS), caller.cred);
    return { inode: linkEntry(ctx, r.parent, r.name, inode), created: true };
  }

  const inode = r.inode;
  if (exclusive) throw fsError('EEXIST', syscall, path);
  if (creating && isDirectory(inode.mode)) throw fsError('EISDIR', syscall, path);
  if (flags & O_DIRECTORY && !isDirectory(inode.mode)) throw fsError('ENOTDIR', syscall, path);
  if (pathOnly) return { inode, created: false };
  if (isSymlink(inode.mode)) throw fsError('ELOOP', syscall, path);
  const want = accessForFlags(flags);
  if (isDirectory(inode.mode) && want & W_OK) throw fsError('EISDIR', syscall, path);
  requireAccess(inode, want, caller.cred, syscall, path);
  if (flags & O_TRUNC && isRegular(inode.mode)) return { inode: truncateTo(ctx, inode, 0), created: false };
  return { inode, created: false };
}

/** O_CREAT|O_EXCL and O_NOFOLLOW never follow a final symlink; O_CREAT checks a trailing slash itself. */
function lastComponentMode(flags: number, creating: boolean, exclusive: boolean): LastComponent {
  if (exclusive) return 'raw';
  if (flags & O_NOFOLLOW) return creating ? 'raw' : 'nofollow';
  return creating ? 'create' : 'follow';
}

/** O_TMPFILE: an unnamed regular file in the directory `path`, which linkat can name later. */
function openTmpfile(
  ctx: VfsContext,
  path: string,
  flags: number,
  mode: number,
  caller: Caller,
): Readonly<InodeRecord> {
  const syscall = 'open';
  if ((flags & O_ACCMODE) === O_RDONLY) throw fsError('EINVAL', syscall, path);
  const r = ctx.walker.walk(path, { syscall, cred: caller.cred, last: 'follow', base: caller.base });
  if (!r.inode) throw fsError('ENOENT', syscall, path);
  if (!isDirectory(r.inode.mode)) throw fsError('ENOTDIR', syscall, path);
  requireDirectoryWrite(r.inode, caller.cred, syscall, path);
  const inode = createInode(ctx, r.inode, S_IFREG | (mode & PERMISSION_BITS), caller.cred);
  const me = ownProcessIdentity();
  ctx.store.addOrphan(inode.ino, me.pid, me.start);
  // O_EXCL with O_TMPFILE: the file must never get a name.
  if (!(flags & O_EXCL)) ctx.linkable.add(inode.ino);
  return inode;
}
