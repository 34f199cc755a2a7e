/**
 * rename/renameat2 with the POSIX rules, checked in the order the kernel checks them, so each
 * mistake gets the errno Linux gives: replacing a file atomically, replacing an empty directory,
 * EINVAL for moving a directory into itself, ENOTDIR/EISDIR for type mismatches, and the
 * RENAME_NOREPLACE and RENAME_EXCHANGE flags.
 */
import { fsError } from '../errors.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, W_OK, isDirectory } from './constants.js';
import { dropLink, touchDirectory, withTime, type Caller, type VfsContext } from './context.js';
import { now } from './clock.js';
import { requireAccess, requireDirectoryWrite, requireStickyPermission } from './permissions.js';
import type { WalkResult } from './path-walk.js';
import type { InodeRecord } from '../store/fs-store.js';

export interface RenameOptions {
  flags?: number;
  /** Directory that a relative `newPath` starts from (renameat's newdirfd). */
  newBase?: number;
}

export function rename(
  ctx: VfsContext,
  oldPath: string,
  newPath: string,
  caller: Caller,
  options: RenameOptions = {},
): void {
  const syscall = 'rename';
  const flags = options.flags ?? 0;
  const fail = (code: Parameters<typeof fsError>[0]) => fsError(code, syscall, oldPath, newPath);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) throw fail('EINVAL');
  if (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE) throw fail('EINVAL');
  const exchange = (flags & RENAME_EXCHANGE) !== 0;

  // Both parents are walked before either last name is looked up (do_renameat2), so a name too
  // long for the old path does not hide an error in the new path's directories.
  const from = ctx.walker.walk(oldPath, {
    syscall,
    cred: caller.cred,
    last: 'raw',
    base: caller.base,
    deferLastName: true,
  });
  const to = ctx.walker.walk(newPath, {
    syscall,
    cred: caller.cred,
    last: 'raw',
    base: options.newBase ?? caller.base,
    deferLastName: true,
  });
  if (from.lastKind !== 'normal') throw fail('EBUSY');
  if (to.lastKind !== 'normal') throw fail(flags & RENAME_NOREPLACE ? 'EEXIST' : 'EBUSY');
  if (from.nameTooLong) throw fail('ENAMETOOLONG');
  const source = from.inode;
  if (!source) throw fail('ENOENT');
  if (to.nameTooLong) throw fail('ENAMETOOLONG');
  const sourceIsDir = isDirectory(source.mode);
  if (from.trailingSlash && !sourceIsDir) throw fail('ENOTDIR');
  if (!exchange && to.trailingSlash && !sourceIsDir) throw fail('ENOTDIR');
  const target = to.inode;
  if (flags & RENAME_NOREPLACE && target) throw fail('EEXIST');
  if (exchange && !target) throw fail('ENOENT');
  if (exchange && to.trailingSlash && !isDirectory(target!.mode)) throw fail('ENOTDIR');

  if (isAncestor(ctx, source.ino, to.parent.ino)) throw fail('EINVAL');
  if (target && isAncestor(ctx, target.ino, from.parent.ino)) throw fail(exchange ? 'EINVAL' : 'ENOTEMPTY');
  if (target && target.ino === source.ino) return;

  // vfs_rename's order: may_delete/may_create (permission, sticky, then type), then write
  // permission on a directory changing parent, and last the filesystem's emptiness check.
  checkPermissions(from, to, caller, syscall, oldPath, newPath);
  if (target && !exchange) {
    if (sourceIsDir && !isDirectory(target.mode)) throw fail('ENOTDIR');
    if (!sourceIsDir && isDirectory(target.mode)) throw fail('EISDIR');
  }
  checkParentChange(from, to, caller, syscall, oldPath, newPath, exchange);
  if (target && !exchange && isDirectory(target.mode) && ctx.inodes.hasChildren(target.ino))
    throw fail('ENOTEMPTY');

  if (exchange) swapEntries(ctx, from, to, source, target!);
  else moveEntry(ctx, from, to, source, target);
}

/** Write and search permission on both parents, and the sticky-directory rule for both entries. */
function checkPermissions(
  from: WalkResult,
  to: WalkResult,
  caller: Caller,
  syscall: string,
  oldPath: string,
  newPath: string,
): void {
  requireDirectoryWrite(from.parent, caller.cred, syscall, oldPath);
  requireStickyPermission(from.parent, from.inode!, caller.cred, syscall, oldPath);
  requireDirectoryWrite(to.parent, caller.cred, syscall, newPath);
  if (to.inode) requireStickyPermission(to.parent, to.inode, caller.cred, syscall, newPath);
}

/** A directory that changes parent has its ".." rewritten, which needs write permission on it. */
function checkParentChange(
  from: WalkResult,
  to: WalkResult,
  caller: Caller,
  syscall: string,
  oldPath: string,
  newPath: string,
  exchange: boolean,
): void {
  if (from.parent.ino === to.parent.ino) return;
  const source = from.inode!;
  if (isDirectory(source.mode)) requireAccess(source, W_OK, caller.cred, syscall, oldPath);
  if (exchange && to.inode && isDirectory(to.inode.mode))
    requireAccess(to.inode, W_OK, caller.cred, syscall, newPath);
}

function moveEntry(
  ctx: VfsContext,
  from: WalkResult,
  to: WalkResult,
  source: Readonly<InodeRecord>,
  target: Readonly<InodeRecord> | undefined,
): void {
  const t = now();
  if (target) {
    ctx.inodes.removeEntry(to.parent.ino, to.name);
    dropLink(ctx, target, t);
  }
  ctx.inodes.moveEntry(from.parent.ino, from.name, to.parent.ino, to.name, source);
  ctx.inodes.save(withTime(ctx.inodes.get(source.ino) ?? source, t, { c: true }));
  touchDirectory(ctx, from.parent.ino, t);
  if (to.parent.ino !== from.parent.ino) touchDirectory(ctx, to.parent.ino, t);
}

function swapEntries(
  ctx: VfsContext,
  from: WalkResult,
  to: WalkResult,
  source: Readonly<InodeRecord>,
  target: Readonly<InodeRecord>,
): void {
  const t = now();
  ctx.inodes.retargetEntry(from.parent.ino, from.name, target);
  ctx.inodes.retargetEntry(to.parent.ino, to.name, source);
  ctx.inodes.save(withTime(source, t, { c: true }));
  ctx.inodes.save(withTime(target, t, { c: true }));
  touchDirectory(ctx, from.parent.ino, t);
  if (to.parent.ino !== from.parent.ino) touchDirectory(ctx, to.parent.ino, t);
}

/** Whether directory `ancestor` is `dirIno` or one of its ancestors. */
function isAncestor(ctx: VfsContext, ancestor: number, dirIno: number): boolean {
  let cur = dirIno;
  for (let depth = 0; depth < 4096; depth++) {
    if (cur === ancestor) return true;
    if (cur === 1) return false;
    const parent = ctx.inodes.parentOf(cur);
    if (parent === undefined || parent === cur) return false;
    cur = parent;
  }
  return false;
}
