/**
 * What every VFS operation works with, and the inode lifecycle they share: creating inodes,
 * adding and removing directory entries with nlink kept equal to the entry count, timestamps,
 * and deferring the deletion of inodes that are still open.
 */
import type { StoreConnection } from '../store/connection.js';
import type { FsStore, InodeRecord } from '../store/fs-store.js';
import type { InodeTable } from './inode-table.js';
import type { Quota } from './quota.js';
import type { PathWalker, WalkResult } from './path-walk.js';
import { inGroup, type Credentials } from './permissions.js';
import { now, type Timestamp } from './clock.js';
import { ownProcessIdentity } from './orphans.js';
import { S_ISGID, isDirectory } from './constants.js';

/** Counts open handles per inode, so that unlinking an open file defers its deletion. */
export class OpenCounts {
  #counts = new Map<number, number>();

  retain(ino: number): void {
    this.#counts.set(ino, (this.#counts.get(ino) ?? 0) + 1);
  }

  /** Returns true when this was the last handle. */
  release(ino: number): boolean {
    const n = (this.#counts.get(ino) ?? 0) - 1;
    if (n > 0) {
      this.#counts.set(ino, n);
      return false;
    }
    this.#counts.delete(ino);
    return true;
  }

  isOpen(ino: number): boolean {
    return this.#counts.has(ino);
  }

  /** Every inode with an open handle. */
  openInodes(): number[] {
    return [...this.#counts.keys()];
  }
}

export interface VfsContext {
  conn: StoreConnection;
  store: FsStore;
  inodes: InodeTable;
  walker: PathWalker;
  chunkSize: number;
  open: OpenCounts;
  /** The limit on stored content (EDQUOT), if the database has one. */
  quota: Quota;
  /** O_TMPFILE inodes (opened without O_EXCL) that may still get their first name. */
  linkable: Set<number>;
}

/** Options every path operation takes: who is asking and where relative paths start. */
export interface Caller {
  cred: Credentials;
  /** Directory inode that relative paths are resolved from (a dirfd or the cwd); default root. */
  base?: number;
}

export function withTime(
  inode: Readonly<InodeRecord>,
  t: Timestamp,
  fields: { m?: boolean; c?: boolean; a?: boolean },
): InodeRecord {
  const next = { ...inode };
  if (fields.a) {
    next.atime = t.sec;
    next.atimeNsec = t.nsec;
  }
  if (fields.m) {
    next.mtime = t.sec;
    next.mtimeNsec = t.nsec;
  }
  if (fields.c) {
    next.ctime = t.sec;
    next.ctimeNsec = t.nsec;
  }
  return next;
}

/** Creates an inode (not yet linked anywhere) owned by the caller, as the kernel's inode_init_owner does. */
export function createInode(
  ctx: VfsContext,
  parent: Readonly<InodeRecord>,
  mode: number,
  cred: Credentials,
  rdev = 0,
): Readonly<InodeRecord> {
  const t = now();
  let gid = cred.gid;
  if (parent.mode & S_ISGID) {
    gid = parent.gid;
    if (isDirectory(mode)) mode |= S_ISGID;
    // mode_strip_sgid: a group-executable setgid file for a group the creator is not in would
    // let it run programs with that group's rights.
    else if ((mode & (S_ISGID | 0o010)) === (S_ISGID | 0o010) && cred.uid !== 0 && !inGroup(cred, gid))
      mode &= ~S_ISGID;
  }
  return ctx.inodes.create({
    mode,
    nlink: 0,
    uid: cred.uid,
    gid,
    size: 0,
    atime: t.sec,
    mtime: t.sec,
    ctime: t.sec,
    rdev,
    atimeNsec: t.nsec,
    mtimeNsec: t.nsec,
    ctimeNsec: t.nsec,
  });
}

/** Adds `name` → `inode` to `dir`; bumps nlink and the times the kernel bumps. */
export function linkEntry(
  ctx: VfsContext,
  dir: Readonly<InodeRecord>,
  name: string,
  inode: Readonly<InodeRecord>,
): Readonly<InodeRecord> {
  const t = now();
  ctx.inodes.addEntry(dir.ino, name, inode);
  const linked = ctx.inodes.save({ ...withTime(inode, t, { c: inode.nlink > 0 }), nlink: inode.nlink + 1 });
  if (dir.ino !== inode.ino) touchDirectory(ctx, dir.ino, t);
  return linked;
}

/** Removes `name` from `dir`; the inode goes when its last link and last open handle are gone. */
export function unlinkEntry(
  ctx: VfsContext,
  dir: Readonly<InodeRecord>,
  name: string,
  inode: Readonly<InodeRecord>,
): void {
  const t = now();
  ctx.inodes.removeEntry(dir.ino, name);
  dropLink(ctx, inode, t);
  touchDirectory(ctx, dir.ino, t);
}

/**
 * One link fewer: deletes the inode, or keeps it as an orphan while it is open. A directory has
 * exactly one entry, so removing it leaves no link whatever its stored nlink says (other
 * implementations store the Unix 2 + subdirectories; counting down from that would keep an
 * inode no entry names).
 */
export function dropLink(ctx: VfsContext, inode: Readonly<InodeRecord>, t: Timestamp = now()): void {
  const nlink = isDirectory(inode.mode) ? 0 : Math.max(0, inode.nlink - 1);
  if (nlink > 0) {
    ctx.inodes.save({ ...withTime(inode, t, { c: true }), nlink });
    return;
  }
  if (ctx.open.isOpen(inode.ino)) {
    ctx.inodes.save({ ...withTime(inode, t, { c: true }), nlink: 0 });
    const me = ownProcessIdentity();
    ctx.store.addOrphan(inode.ino, me.pid, me.start);
    return;
  }
  ctx.inodes.destroy(inode.ino);
}

/** A directory's entries changed: its mtime and ctime become now. */
export function touchDirectory(ctx: VfsContext, dirIno: number, t: Timestamp = now()): void {
  const dir = ctx.inodes.get(dirIno);
  if (dir) ctx.inodes.save(withTime(dir, t, { m: true, c: true }));
}

export type { WalkResult };
