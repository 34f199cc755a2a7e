/**
 * The VFS: POSIX filesystem semantics over the agent database, shared by the SDK and the
 * sandbox. Each method is one operation in one transaction (or inside the caller's, when the
 * sandbox batches), taking the caller's credentials and, for relative paths, a base directory.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsError } from '../errors.js';
import type { StoreConnection } from '../store/connection.js';
import { FsStore, type InodeRecord } from '../store/fs-store.js';
import { InodeTable } from './inode-table.js';
import { PathWalker, ROOT_INO, type LastComponent, type MountConfig } from './path-walk.js';
import { OpenCounts, linkEntry, type Caller, type VfsContext } from './context.js';
import { ROOT, requireDirectoryWrite } from './permissions.js';
import { readRange, writeRange } from './content.js';
import { mkdir, rmdir, listDirectory, type DirectoryEntry } from './directories.js';
import { link, readlink, readlinkInode, symlink, unlink } from './links.js';
import { rename, type RenameOptions } from './rename.js';
import {
  checkAccess,
  checkAccessMode,
  chmodInode,
  chownInode,
  lookupInode,
  truncateInode,
  utimensInode,
  type TimeSpec,
} from './attributes.js';
import { openPath, type OpenResult } from './open.js';
import { removeDeadOrphans } from './orphans.js';
import { recoverPendingContent } from './pending-content.js';
import { PendingContentStore } from '../store/pending-content-store.js';
import { applyContent, type ContentUpdate } from './content-sync.js';
import { mknod } from './special-files.js';
import { openInode } from './reopen.js';
import { getXattr, listXattrs, removeXattr, setXattr } from './xattr.js';
import { XattrStore } from '../store/xattr-store.js';
import { MAX_FILE_SIZE, O_CREAT, O_TMPFILE, O_TRUNC, isDirectory } from './constants.js';
import { requireSpace } from './space.js';
import { Quota, type QuotaUsage } from './quota.js';

/** Writes larger than this are split into several transactions: one huge transaction costs ~2.5x its size in RSS. */
export const MAX_TRANSACTION_BYTES = 8 * 1024 * 1024;

export interface StatfsResult {
  blockSize: number;
  blocks: number;
  blocksFree: number;
  blocksAvailable: number;
  files: number;
  filesFree: number;
  nameMax: number;
}

export const DEFAULT_MOUNT: MountConfig = { mountPoint: '/agent', escapes: false };

export class Vfs {
  readonly conn: StoreConnection;
  readonly chunkSize: number;
  readonly #ctx: VfsContext;
  readonly #xattrs: XattrStore;
  /** Content the sandbox holds in its cache, not written back yet (see pending-content.ts). */
  readonly pendingContent: PendingContentStore;

  constructor(conn: StoreConnection, chunkSize: number, mount: MountConfig = DEFAULT_MOUNT) {
    const store = new FsStore(conn);
    const inodes = new InodeTable(store);
    this.conn = conn;
    this.chunkSize = chunkSize;
    this.#xattrs = new XattrStore(conn);
    this.#ctx = {
      conn,
      store,
      inodes,
      walker: new PathWalker(inodes, mount),
      chunkSize,
      open: new OpenCounts(),
      quota: new Quota(store, inodes),
      linkable: new Set(),
    };
    this.pendingContent = new PendingContentStore(conn);
    if (!conn.readonly && conn.read(() => store.listOrphans().length > 0))
      conn.write(() => removeDeadOrphans(store));
    if (!conn.readonly) recoverPendingContent(this, this.pendingContent);
    conn.onClose(() => this.#deleteOpenOrphans());
  }

  get mount(): MountConfig {
    return this.#ctx.walker.mount;
  }

  /** The store's statements, for layers (sandbox write-back, check) that work on chunks directly. */
  get store(): FsStore {
    return this.#ctx.store;
  }

  stat(path: string, caller: Caller, last: LastComponent = 'follow'): Readonly<InodeRecord> {
    return this.conn.read(() =>
      lookupInode(this.#ctx, path, caller, last === 'follow' ? 'stat' : 'lstat', last),
    );
  }

  /** The inode itself (for fstat on an open handle); undefined once it is gone. */
  inode(ino: number): Readonly<InodeRecord> | undefined {
    return this.conn.read(() => this.#ctx.inodes.get(ino));
  }

  /** Resolves a path, reporting a missing final component instead of throwing. */
  resolve(path: string, caller: Caller, last: LastComponent = 'follow', syscall = 'stat') {
    return this.conn.read(() =>
      this.#ctx.walker.walk(path, { syscall, cred: caller.cred, last, base: caller.base }),
    );
  }

  access(path: string, mode: number, caller: Caller, last: LastComponent = 'follow'): void {
    checkAccessMode(mode, path);
    this.conn.read(() =>
      checkAccess(this.#ctx, lookupInode(this.#ctx, path, caller, 'access', last), mode, caller.cred, path),
    );
  }

  /** access(2) on an inode already resolved (faccessat2 with AT_EMPTY_PATH). */
  accessInode(ino: number, mode: number, caller: Caller, path = ''): void {
    this.conn.read(() => checkAccess(this.#ctx, this.#require(ino, 'access', path), mode, caller.cred, path));
  }

  /** The parent directory of a directory inode (the root is its own parent). */
  parentOf(ino: number): number | undefined {
    return this.conn.read(() => this.#ctx.inodes.parentOf(ino));
  }

  mkdir(path: string, mode: number, caller: Caller): Readonly<InodeRecord> {
    return this.conn.write(() => mkdir(this.#ctx, path, mode, caller));
  }

  /** mknod(2): FIFOs, sockets, regular files and (as root) device nodes. */
  mknod(path: string, mode: number, rdev: number, caller: Caller): Readonly<InodeRecord> {
    return this.conn.write(() => mknod(this.#ctx, path, mode, rdev, caller));
  }

  rmdir(path: string, caller: Caller): void {
    this.conn.write(() => rmdir(this.#ctx, path, caller));
  }

  unlink(path: string, caller: Caller): void {
    this.conn.write(() => unlink(this.#ctx, path, caller));
  }

  link(
    existingPath: string,
    newPath: string,
    caller: Caller,
    options?: { newBase?: number; followExisting?: boolean },
  ) {
    return this.conn.write(() => link(this.#ctx, existingPath, newPath, caller, options));
  }

  /**
   * linkat(fd, "", AT_EMPTY_PATH): another name for an open inode. An inode with no links may
   * get one only if it is an O_TMPFILE file opened without O_EXCL, and only once (the kernel's
   * I_LINKABLE); a file unlinked while open cannot come back (ENOENT). Checks in link's order.
   */
  linkInode(ino: number, newPath: string, caller: Caller): Readonly<InodeRecord> {
    return this.conn.write(() => {
      const inode = this.#require(ino, 'link', newPath);
      const dst = this.#ctx.walker.walk(newPath, {
        syscall: 'link',
        cred: caller.cred,
        last: 'raw',
        base: caller.base,
      });
      if (dst.inode || dst.lastKind !== 'normal') throw fsError('EEXIST', 'link', newPath);
      if (dst.trailingSlash) throw fsError('ENOENT', 'link', newPath);
      requireDirectoryWrite(dst.parent, caller.cred, 'link', newPath);
      if (isDirectory(inode.mode)) throw fsError('EPERM', 'link', newPath);
      const first = inode.nlink === 0;
      if (first && !this.#ctx.linkable.has(ino)) throw fsError('ENOENT', 'link', newPath);
      if (first) this.#ctx.store.removeOrphan(ino);
      const linked = linkEntry(this.#ctx, dst.parent, dst.name, inode);
      this.#ctx.linkable.delete(ino);
      return linked;
    });
  }

  symlink(target: string, path: string, caller: Caller): Readonly<InodeRecord> {
    return this.conn.write(() => symlink(this.#ctx, target, path, caller));
  }

  readlink(path: string, caller: Caller): string {
    return this.conn.read(() => readlink(this.#ctx, path, caller));
  }

  readlinkInode(ino: number, path: string): string {
    return this.conn.read(() =>
      readlinkInode(this.#ctx, this.#require(ino, 'readlink', path), 'readlink', path),
    );
  }

  rename(oldPath: string, newPath: string, caller: Caller, options?: RenameOptions): void {
    this.conn.write(() => rename(this.#ctx, oldPath, newPath, caller, options));
  }

  chmod(path: string, mode: number, caller: Caller, last: LastComponent = 'follow'): Readonly<InodeRecord> {
    return this.conn.write(() =>
      chmodInode(this.#ctx, lookupInode(this.#ctx, path, caller, 'chmod', last), mode, caller.cred, path),
    );
  }

  chmodInode(ino: number, mode: number, caller: Caller, path = ''): Readonly<InodeRecord> {
    return this.conn.write(() =>
      chmodInode(this.#ctx, this.#require(ino, 'chmod', path), mode, caller.cred, path),
    );
  }

  chown(
    path: string,
    uid: number,
    gid: number,
    caller: Caller,
    last: LastComponent = 'follow',
  ): Readonly<InodeRecord> {
    return this.conn.write(() =>
      chownInode(this.#ctx, lookupInode(this.#ctx, path, caller, 'chown', last), uid, gid, caller.cred, path),
    );
  }

  chownInode(ino: number, uid: number, gid: number, caller: Caller, path = ''): Readonly<InodeRecord> {
    return this.conn.write(() =>
      chownInode(this.#ctx, this.#require(ino, 'chown', path), uid, gid, caller.cred, path),
    );
  }

  utimens(path: string, atime: TimeSpec, mtime: TimeSpec, caller: Caller, last: LastComponent = 'follow') {
    return this.conn.write(() =>
      utimensInode(
        this.#ctx,
        lookupInode(this.#ctx, path, caller, 'utime', last),
        atime,
        mtime,
        caller.cred,
        path,
      ),
    );
  }

  utimensInode(
    ino: number,
    atime: TimeSpec,
    mtime: TimeSpec,
    caller: Caller,
    path = '',
  ): Readonly<InodeRecord> {
    return this.conn.write(() =>
      utimensInode(this.#ctx, this.#require(ino, 'utime', path), atime, mtime, caller.cred, path),
    );
  }

  truncate(path: string, size: number, caller: Caller): Readonly<InodeRecord> {
    checkSize(size, 'truncate', path); // before the lookup, as the kernel does
    const inode = this.stat(path, caller);
    return this.#truncateBounded(inode.ino, size, caller, path, true);
  }

  /** ftruncate on a descriptor open for writing: no permission check beyond the descriptor's. */
  truncateInode(ino: number, size: number, caller: Caller, path = ''): Readonly<InodeRecord> {
    return this.#truncateBounded(ino, size, caller, path, false);
  }

  readdir(path: string, caller: Caller): DirectoryEntry[] {
    return this.conn.read(() => {
      const dir = lookupInode(this.#ctx, path, caller, 'scandir');
      return listDirectory(this.#ctx, dir, caller, 'scandir', path);
    });
  }

  readdirInode(ino: number, caller: Caller, path = ''): DirectoryEntry[] {
    return this.conn.read(() =>
      listDirectory(this.#ctx, this.#require(ino, 'getdents64', path), caller, 'getdents64', path),
    );
  }

  open(path: string, flags: number, mode: number, caller: Caller): OpenResult {
    const run = () => openPath(this.#ctx, path, flags, mode, caller);
    const mutates = (flags & (O_CREAT | O_TRUNC)) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
    return mutates ? this.conn.write(run) : this.conn.read(run);
  }

  /** setxattr(2) on an inode (user.* namespace); `flags` is XATTR_CREATE or XATTR_REPLACE. */
  setXattr(ino: number, name: string, value: Buffer, flags: number, caller: Caller, path = ''): void {
    this.conn.write(() =>
      setXattr(
        this.#ctx,
        this.#xattrs,
        this.#require(ino, 'setxattr', path),
        name,
        value,
        flags,
        caller,
        path,
      ),
    );
  }

  getXattr(ino: number, name: string, caller: Caller, path = ''): Buffer {
    return this.conn.read(() =>
      getXattr(this.#xattrs, this.#require(ino, 'getxattr', path), name, caller, path),
    );
  }

  listXattrs(ino: number, path = ''): string[] {
    return this.conn.read(() => listXattrs(this.#xattrs, this.#require(ino, 'listxattr', path)));
  }

  removeXattr(ino: number, name: string, caller: Caller, path = ''): void {
    this.conn.write(() =>
      removeXattr(this.#ctx, this.#xattrs, this.#require(ino, 'removexattr', path), name, caller, path),
    );
  }

  /** Stores content written outside the VFS (the sandbox's backing files); see content-sync.ts. */
  applyContent(ino: number, update: ContentUpdate): Readonly<InodeRecord> | undefined {
    return this.conn.write(() => applyContent(this.#ctx, ino, update));
  }

  /** Opens an inode already resolved (a /proc/<pid>/fd/N magic link) with open(2)'s checks. */
  openInode(ino: number, flags: number, caller: Caller): OpenResult {
    return this.conn.write(() => openInode(this.#ctx, ino, flags, caller));
  }

  read(ino: number, offset: number, length: number): Buffer {
    return this.conn.read(() => readRange(this.#ctx, this.#require(ino, 'read'), offset, length));
  }

  /**
   * Writes at `offset`. Outside a caller's transaction, large writes and the zeros before a
   * write far past the end are committed in bounded transactions (MAX_TRANSACTION_BYTES).
   */
  write(ino: number, offset: number, data: Buffer): Readonly<InodeRecord> {
    checkOffset(offset, data.length);
    if (this.conn.inTransaction)
      return this.conn.write(() => writeRange(this.#ctx, this.#require(ino, 'write'), offset, data));
    let inode = this.conn.read(() => {
      const current = this.#require(ino, 'write');
      // The whole write, before its first piece commits (each piece checks again).
      if (data.length > 0) this.#ctx.quota.require(offset + data.length - current.size, 'write');
      return current;
    });
    if (data.length === 0) return inode;
    requireSpace(this.conn.filePath, offset + data.length - inode.size, 'write');
    if (offset > inode.size + MAX_TRANSACTION_BYTES)
      inode = this.#truncateBounded(ino, offset, undefined, '', false);
    for (let done = 0; done < data.length; done += MAX_TRANSACTION_BYTES) {
      const piece = data.subarray(done, done + MAX_TRANSACTION_BYTES);
      inode = this.conn.write(() => writeRange(this.#ctx, this.#require(ino, 'write'), offset + done, piece));
    }
    return inode;
  }

  /** Counts an open handle, so unlinking the file keeps its content until release(). */
  retain(ino: number): void {
    this.#ctx.open.retain(ino);
  }

  /** Releases a handle; the last release of an unlinked file deletes it. */
  release(ino: number): void {
    if (!this.#ctx.open.release(ino) || this.conn.closed) return;
    // Only an unlinked file needs a write; read-only databases close handles like any other.
    if ((this.conn.read(() => this.#ctx.inodes.get(ino))?.nlink ?? 1) > 0) {
      this.#ctx.linkable.delete(ino);
      return;
    }
    this.conn.write(() => {
      const inode = this.#ctx.inodes.get(ino);
      if (inode && inode.nlink === 0) this.#ctx.inodes.destroy(ino);
    });
    this.#ctx.linkable.delete(ino);
  }

  /**
   * When the database closes, handles still open become unusable: the files among them that
   * were unlinked are deleted now, instead of waiting for this process to die and another to
   * open the database.
   */
  #deleteOpenOrphans(): void {
    const open = this.#ctx.open.openInodes();
    if (open.length === 0) return;
    this.conn.write(() => {
      for (const ino of open) {
        const inode = this.#ctx.inodes.get(ino);
        if (inode && inode.nlink === 0) this.#ctx.inodes.destroy(ino);
      }
    });
  }

  /** An absolute VFS path naming `ino` (one of them, for a hard-linked file), if it is linked. */
  pathOf(ino: number): string | undefined {
    return this.conn.read(() => {
      const names: string[] = [];
      let cur = ino;
      for (let depth = 0; cur !== ROOT_INO; depth++) {
        const entry = this.#ctx.inodes.nameOf(cur);
        if (!entry || depth > 4096) return undefined;
        names.push(entry.name);
        cur = entry.parentIno;
      }
      return '/' + names.reverse().join('/');
    });
  }

  /**
   * The quota and the content stored now, cheaply (counted once, then kept up to date), for
   * callers that check before they write (the sandbox's write-back).
   */
  quota(): QuotaUsage {
    return this.conn.read(() => this.#ctx.quota.usage());
  }

  /** Sets the quota in bytes (null: none). Content already over it stays; it can only shrink. */
  setQuota(limit: number | null): void {
    this.conn.write(() => this.#ctx.quota.set(limit));
  }

  /**
   * statfs(2) in blocks of the chunk size: the host filesystem holding the database, or with a
   * quota, the quota as the total size (free space is then the smaller of the two).
   */
  statfs(): StatfsResult {
    const { usage, quota } = this.conn.read(() => ({
      usage: this.#ctx.store.usage(),
      // Without a quota, skip counting the bytes: programs may call statfs often.
      quota: this.#ctx.quota.limit() === null ? null : this.#ctx.quota.usage(),
    }));
    const host = statfsSync(dirname(this.conn.filePath));
    const scale = host.bsize / this.chunkSize;
    let blocks = Math.floor(host.blocks * scale);
    let blocksFree = Math.floor(host.bfree * scale);
    let blocksAvailable = Math.floor(host.bavail * scale);
    if (quota !== null && quota.limit !== null) {
      const left = Math.floor(Math.max(0, quota.limit - quota.used) / this.chunkSize);
      blocks = Math.ceil(quota.limit / this.chunkSize);
      blocksFree = Math.min(blocksFree, left);
      blocksAvailable = Math.min(blocksAvailable, left);
    }
    return {
      blockSize: this.chunkSize,
      blocks,
      blocksFree,
      blocksAvailable,
      files: usage.inodes + Math.max(0, host.ffree),
      filesFree: Math.max(0, host.ffree),
      nameMax: 255,
    };
  }

  #require(ino: number, syscall: string, path = ''): Readonly<InodeRecord> {
    const inode = this.#ctx.inodes.get(ino);
    if (!inode) throw fsError('ENOENT', syscall, path);
    return inode;
  }

  /** Truncates; outside a caller's transaction, growth is committed in bounded steps. */
  #truncateBounded(ino: number, size: number, caller: Caller | undefined, path: string, checkWrite: boolean) {
    checkSize(size, 'truncate', path);
    const cred = caller?.cred ?? ROOT;
    const bounded = !this.conn.inTransaction;
    if (bounded) {
      // Refuse hopeless growth before the first step commits anything.
      const current = this.conn.read(() => {
        const found = this.#require(ino, 'truncate', path);
        this.#ctx.quota.require(size - found.size, 'truncate', path);
        return found;
      });
      requireSpace(this.conn.filePath, size - current.size, 'truncate', path);
    }
    let inode: Readonly<InodeRecord>;
    do {
      inode = this.conn.write(() => {
        const current = this.#require(ino, 'truncate', path);
        const target =
          bounded && size > current.size ? Math.min(size, current.size + MAX_TRANSACTION_BYTES) : size;
        return truncateInode(this.#ctx, current, target, cred, path, checkWrite);
      });
    } while (inode.size < size);
    return inode;
  }
}

/** truncate(2)'s size checks: negative or non-integer is EINVAL, beyond the largest file EFBIG. */
function checkSize(size: number, syscall: string, path: string): void {
  if (!Number.isInteger(size) || size < 0) throw fsError('EINVAL', syscall, path);
  if (size > MAX_FILE_SIZE) throw fsError('EFBIG', syscall, path);
}

/** pwrite(2)'s offset checks: negative is EINVAL, an end beyond the largest file EFBIG. */
function checkOffset(offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw fsError('EINVAL', 'write');
  if (offset + length > MAX_FILE_SIZE) throw fsError('EFBIG', 'write');
}
