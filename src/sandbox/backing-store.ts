/**
 * Host files and directories that stand in for VFS inodes while a run uses them.
 *
 * A regular file is materialized once into `f/<ino>` and every open of it gets its own host
 * descriptor on that file, so reads, writes, mmap and locks run natively and processes see
 * each other's writes. When a program closes a descriptor of a file it may have written, the
 * file becomes pending: recorded in agentos_pending_content (committed before the close
 * returns, so a dead run's next opener recovers it from the cache file) and written back soon
 * after, when the program leaves the supervisor time. fsync, truncate and utimens write back at
 * once, and so does the end of the run. Chunks are compared by hash so only changed ones are
 * rewritten.
 *
 * A directory gets a fresh empty placeholder `d/<ino>.<n>` per open. The supervisor keeps its
 * own descriptor on it, which shares the program's file position, so getdents can keep its
 * cursor there (and see the program's lseek/rewinddir). Working directories use `d/<ino>`.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  constants as fsc,
  type BigIntStats,
} from 'node:fs';
import { join, relative } from 'node:path';
import type { Vfs } from '../vfs/vfs.js';
import { storeHostContent } from '../vfs/host-content.js';
import { ownProcessIdentity } from '../vfs/orphans.js';
import type { InodeRecord } from '../store/fs-store.js';
import { AgentOSError, describeErrno } from '../errors.js';
import type { CacheDir } from './cache-dir.js';
import { entriesInUse } from './descriptor-scan.js';
import type { NativeAddon } from './native.js';
import type { DirectoryRecord } from './structs.js';
import {
  O_ACCMODE,
  O_APPEND,
  O_DIRECT,
  O_DSYNC,
  O_LARGEFILE,
  O_NOATIME,
  O_NONBLOCK,
  O_PATH,
  O_SYNC,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
} from '../vfs/constants.js';

/** Flags of the program's open that carry over to the host descriptor. */
const CARRIED_FLAGS = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_LARGEFILE | O_NOATIME;
const COPY_BLOCK = 1 << 20;
/** Closes of files up to this size check whether the copy changed before making it pending (hashing costs ~0.1 ms a MiB). */
const CLOSE_CHECK_MAX_BYTES = 1 << 20;
/** Directory handles kept before looking for ones no program holds (see #releaseUnusedDirectories). */
const DIRECTORY_SWEEP_START = 256;
/** Files up to this size are written back by their close itself; larger ones in the background. */
const WRITE_AT_CLOSE_MAX_BYTES = 64n * 1024n;

interface BackingFile {
  ino: number;
  path: string;
  /**
   * Chunk hashes of the content as last synced with the database; undefined until a program
   * first opens the file for writing (until then the copy is exactly the database's content).
   */
  hashes?: BigUint64Array;
  /** size/mtime of the VFS inode as last synced: anything else means another process changed it. */
  stamp: string;
  /** Opened for writing at least once: has to be checked at the end of the run. */
  writable: boolean;
  /** When an exec was last redirected to this copy (Date.now()): the kernel opens it after. */
  execAt?: number;
}

export interface DirectoryHandle {
  id: number;
  ino: number;
  /** The supervisor's own descriptor; it shares the file position with the program's. */
  fd: number;
  /** Snapshot of the entries, taken when a listing starts at position 0. */
  entries?: DirectoryRecord[];
}

export interface BackingStoreOptions {
  /** Told after content went back to the database: bytes of the chunks that changed, new size. */
  onWriteBack?: (ino: number, info: { bytes: number; size: number }) => void;
  /**
   * Bytes copied out of the database after which copies no process uses any more are removed
   * (default DEFAULT_COPY_BUDGET): the cache is usually tmpfs, i.e. memory.
   */
  copyBudget?: number;
}

/** Copies an exec was redirected to this recently are never removed. */
const RECENT_EXEC_MS = 1000;
/** 256 MiB: a run reading a large tree keeps about that much of it in the cache. */
export const DEFAULT_COPY_BUDGET = 256 * 1024 * 1024;

export type CacheIdentity =
  | { kind: 'file'; ino: number }
  | { kind: 'symlink'; ino: number }
  | { kind: 'dir'; ino: number; handle?: DirectoryHandle };

function stampOf(inode: Pick<InodeRecord, 'size' | 'mtime' | 'mtimeNsec'>): string {
  return `${inode.size}/${inode.mtime}/${inode.mtimeNsec}`;
}

export class BackingStore {
  readonly #vfs: Vfs;
  readonly #cache: CacheDir;
  readonly #addon: NativeAddon;
  #files = new Map<number, BackingFile>();
  #directories = new Map<number, DirectoryHandle>();
  #directorySweepAt = DIRECTORY_SWEEP_START;
  #nextDirectory = 1;
  readonly #onWriteBack: BackingStoreOptions['onWriteBack'];
  readonly #copyBudget: number;
  /** Bytes materialized since copies were last looked at for removal. */
  #copiedSinceSweep = 0;
  /** Files whose newest content may be only here: recorded in agentos_pending_content. */
  readonly #pending = new Set<number>();
  /** Files whose unsaved content the run's stderr already mentioned. */
  readonly #reported = new Set<number>();
  /**
   * Files whose written-back content a rolled-back batch took away: their copy here is the
   * only one, written back in full at the next chance.
   */
  readonly #unsynced = new Set<number>();

  constructor(vfs: Vfs, cache: CacheDir, addon: NativeAddon, options: BackingStoreOptions = {}) {
    this.#vfs = vfs;
    this.#cache = cache;
    this.#addon = addon;
    this.#onWriteBack = options.onWriteBack;
    this.#copyBudget = options.copyBudget ?? DEFAULT_COPY_BUDGET;
    vfs.conn.onAbort(() => this.#forgetSynced());
  }

  /** A batch was rolled back (a commit failed): what went back with it, and its pending rows, are gone. */
  #forgetSynced(): void {
    for (const file of this.#files.values()) {
      if (!file.writable) continue;
      file.hashes = new BigUint64Array(0);
      this.#unsynced.add(file.ino);
    }
    this.#pending.clear();
  }

  /** A new host descriptor on the materialized content of a regular file (the caller closes it). */
  openFile(inode: Readonly<InodeRecord>, flags: number, created = false): number {
    if (created && inode.size === 0 && !this.#files.has(inode.ino) && !(flags & O_PATH))
      return this.#createEmpty(inode, flags);
    const file = this.#materialize(inode);
    // SECCOMP_IOCTL_NOTIF_ADDFD refuses O_PATH files (fget), so an O_PATH open gets a read-only one.
    if (flags & O_PATH) return openSync(file.path, O_RDONLY);
    if (flags & (O_WRONLY | O_RDWR) || (flags & O_ACCMODE) === O_ACCMODE) {
      file.hashes ??= this.#hashesOf(file.path);
      file.writable = true;
    }
    // O_DIRECT's alignment rules belong to the program's filesystem, not the cache's.
    return openSync(file.path, flags & CARRIED_FLAGS & ~O_DIRECT);
  }

  /** The host path of a file's materialized content (materializing it), for exec. */
  materializedPath(inode: Readonly<InodeRecord>): string {
    const file = this.#materialize(inode);
    file.execAt = Date.now();
    return file.path;
  }

  isMaterialized(ino: number): boolean {
    return this.#files.has(ino);
  }

  /** The inode as a program sees it: size and times of content not yet written back come from the host file. */
  live(inode: Readonly<InodeRecord>): Readonly<InodeRecord> {
    const file = this.#files.get(inode.ino);
    if (!file?.writable) return inode;
    const st = fstatOf(file.path);
    if (!st) return inode;
    const mtimeNs = st.mtimeNs;
    return {
      ...inode,
      size: Number(st.size),
      mtime: Number(mtimeNs / 1_000_000_000n),
      mtimeNsec: Number(mtimeNs % 1_000_000_000n),
    };
  }

  /**
   * Applies a VFS change to a file's content or times (truncate, utimens) without losing what
   * programs wrote: pending host content goes to the database first, then the change is made
   * in the VFS and mirrored onto the host copy, which then equals the database again.
   */
  mirror(ino: number, apply: () => Readonly<InodeRecord>): Readonly<InodeRecord> {
    const file = this.#files.get(ino);
    if (!file) return apply();
    this.writeBack(ino);
    const inode = apply();
    const fd = openSync(file.path, fsc.O_RDWR);
    try {
      if (fstatSync(fd).size !== inode.size) ftruncateSync(fd, inode.size);
      this.#addon.futimens(fd, inode.atime, inode.atimeNsec, inode.mtime, inode.mtimeNsec);
      file.hashes = this.#addon.chunkHashes(fd, inode.size, this.#vfs.chunkSize);
      file.stamp = stampOf(inode);
    } finally {
      closeSync(fd);
    }
    return inode;
  }

  /** Writes back the content of a materialized file if it changed; returns whether it did. */
  writeBack(ino: number): boolean {
    const file = this.#files.get(ino);
    if (!file) return false;
    return this.#readCopy(file, false, (fd) => {
      const wrote = this.#writeBackFrom(file, fd);
      this.#unsynced.delete(ino);
      if (this.#pending.delete(ino)) this.#vfs.conn.write(() => this.#vfs.pendingContent.clear(ino));
      return wrote;
    });
  }

  /** Runs `fn` on a read-only descriptor of a file's copy; `missing` when it cannot be opened. */
  #readCopy<T>(file: BackingFile, missing: T, fn: (fd: number) => T): T {
    let fd: number;
    try {
      fd = openSync(file.path, fsc.O_RDONLY);
    } catch {
      return missing;
    }
    try {
      return fn(fd);
    } finally {
      closeSync(fd);
    }
  }

  get hasPending(): boolean {
    return this.#pending.size > 0 || this.#unsynced.size > 0;
  }

  /**
   * Writes back pending files until `deadline` (a Date.now() value); returns whether some are
   * left for later.
   */
  writeBackPending(deadline: number): boolean {
    for (const ino of [...this.#pending, ...this.#unsynced]) {
      if (Date.now() >= deadline) return true;
      this.#writeBackOrReport(ino);
    }
    return false;
  }

  /**
   * Writes back where nobody can be told of a failure (background, sync, end of run): content
   * the database refuses (quota, full disk) stays unsaved, and the run's stderr says so.
   */
  #writeBackOrReport(ino: number): void {
    try {
      this.writeBack(ino);
    } catch (e) {
      if (!(e instanceof AgentOSError) || (e.code !== 'EDQUOT' && e.code !== 'ENOSPC')) throw e;
      this.#unsynced.delete(ino);
      if (this.#pending.delete(ino)) this.#vfs.conn.write(() => this.#vfs.pendingContent.clear(ino));
      if (this.#reported.has(ino)) return;
      this.#reported.add(ino);
      const path = this.#vfs.pathOf(ino);
      process.stderr.write(
        `agentos: ${path === undefined ? `inode ${ino}` : this.#vfs.mount.mountPoint + path}: content not saved: ${describeErrno(e.code)}\n`,
      );
    }
  }

  /** The first bytes of a file as programs see them (the cache's copy may be newer than the database's). */
  readHead(inode: Readonly<InodeRecord>, length: number): Buffer {
    const file = this.#files.get(inode.ino);
    if (!file) return this.#vfs.read(inode.ino, 0, length);
    const fd = openSync(file.path, fsc.O_RDONLY);
    try {
      const head = Buffer.alloc(length);
      return head.subarray(0, readSync(fd, head, 0, length, 0));
    } finally {
      closeSync(fd);
    }
  }

  /** Writes back every file that was opened for writing (end of run, sync). */
  writeBackAll(): void {
    for (const file of this.#files.values()) if (file.writable) this.#writeBackOrReport(file.ino);
  }

  /**
   * A program is closing a descriptor of this file, which it may have written: the file becomes
   * pending. With `checkQuota`, content past the quota fails with EDQUOT instead. Returns
   * whether anything is uncommitted, so the caller must commit before the close returns.
   */
  syncForClose(ino: number, checkQuota: boolean): boolean {
    const file = this.#files.get(ino);
    if (!file?.writable) return false;
    if (checkQuota) this.requireQuota(ino);
    // Nothing to save (a file closed as the database holds it, e.g. created empty or only read):
    // its creation commits with the batch, as a native close does not make a new name durable
    // either (fsync of the directory does).
    const st = fstatOf(file.path);
    if (!this.#pending.has(ino) && this.#matchesDatabase(file, st)) return false;
    if (st && st.size <= WRITE_AT_CLOSE_MAX_BYTES) {
      // Small: the content joins the batch the close commits. One commit instead of two, no
      // pending row to add and delete, and other processes see the content at once.
      if (checkQuota) this.writeBack(ino);
      else this.#writeBackOrReport(ino);
    } else {
      this.#markPending(file);
    }
    return this.#vfs.conn.hasPendingWrites;
  }

  /**
   * Fails with EDQUOT when the content of file `ino` (at `size`, or as the cache holds it) and
   * of every pending file would pass the quota: a close reports it, as a network filesystem
   * reports a failed flush, and so does an ftruncate that would grow past it.
   */
  requireQuota(ino: number, size?: number): void {
    const { limit, used } = this.#vfs.quota();
    if (limit === null) return;
    let growth = 0;
    for (const pendingIno of new Set([...this.#pending, ino])) {
      const file = this.#files.get(pendingIno);
      const cached =
        size !== undefined && pendingIno === ino ? size : file ? fstatOf(file.path)?.size : undefined;
      if (cached !== undefined) growth += Number(cached) - (this.#vfs.inode(pendingIno)?.size ?? 0);
    }
    if (growth > 0 && used + growth > limit) {
      throw new AgentOSError('EDQUOT', {
        message: `disk quota exceeded (the agent filesystem holds at most ${limit} bytes)`,
      });
    }
  }

  /** Handles inotify names ("<ino>" of f/): files closed after writing without a close call (exit). */
  closedAfterWrite(names: string): void {
    for (const name of new Set(names.split('\n'))) {
      // Materializing closes a file after writing it too: only programs' writes count.
      const file = this.#files.get(Number(name));
      if (file?.writable && !this.#pending.has(file.ino) && !this.#matchesDatabase(file, fstatOf(file.path)))
        this.#markPending(file);
    }
  }

  #markPending(file: BackingFile): void {
    if (this.#pending.has(file.ino)) return;
    const { pid, start } = ownProcessIdentity();
    this.#vfs.conn.write(() =>
      this.#vfs.pendingContent.mark({ ino: file.ino, path: file.path, pid, pidStart: start }),
    );
    this.#pending.add(file.ino);
  }

  /**
   * Whether the copy (`st`: its stat) still equals what the database holds: same size and mtime
   * as the inode, and (up to CLOSE_CHECK_MAX_BYTES) the same chunk hashes as last synced. Then a close has
   * nothing to save, and needs no pending row and no commit: the common case of a file a
   * program wrote once and then only reads (open/close pairs cost 4x more otherwise). Hashes,
   * not timestamps: a write through a page already writable in a shared mapping updates no time.
   */
  #matchesDatabase(file: BackingFile, st: BigIntStats | undefined): boolean {
    if (!st || this.#unsynced.has(file.ino) || !file.hashes) return false;
    const inode = this.#vfs.inode(file.ino);
    if (
      !inode ||
      inode.size > CLOSE_CHECK_MAX_BYTES ||
      st.size !== BigInt(inode.size) ||
      st.mtimeNs !== BigInt(inode.mtime) * 1_000_000_000n + BigInt(inode.mtimeNsec)
    )
      return false;
    const synced = file.hashes;
    return this.#readCopy(file, false, (fd) => {
      const hashes = this.#addon.chunkHashes(fd, inode.size, this.#vfs.chunkSize);
      return hashes.length === synced.length && hashes.every((h, i) => h === synced[i]);
    });
  }

  /** A placeholder directory for one open of a virtual directory. */
  openDirectory(ino: number): DirectoryHandle {
    if (this.#directories.size >= this.#directorySweepAt) this.#releaseUnusedDirectories();
    const id = this.#nextDirectory++;
    const path = join(this.#cache.dirs, `${ino}.${id}`);
    mkdirSync(path, { mode: 0o700 });
    const fd = openSync(path, fsc.O_RDONLY | fsc.O_DIRECTORY);
    const handle = { id, ino, fd };
    this.#directories.set(id, handle);
    return handle;
  }

  /**
   * Releases the directory handles no program holds any more (their descriptor, placeholder and
   * listing), once the handles have doubled since the last look: a run that lists directories
   * all day keeps a bounded number of descriptors. A handle whose descriptor was in flight in a
   * unix socket message goes too; getdents on it then fails with EINVAL.
   */
  #releaseUnusedDirectories(): void {
    const inUse = entriesInUse(this.#cache.dirs);
    for (const [id, handle] of this.#directories) {
      if (inUse.has(`${handle.ino}.${id}`)) continue;
      this.#directories.delete(id);
      closeSync(handle.fd);
      rmSync(join(this.#cache.dirs, `${handle.ino}.${id}`), { recursive: true, force: true });
    }
    this.#directorySweepAt = Math.max(DIRECTORY_SWEEP_START, this.#directories.size * 2);
  }

  /**
   * Removes the copies that are exactly the database's content (never opened for writing) and
   * that no process holds open, maps or executes: a later open copies the file again. Copies of
   * written files stay, as they may hold what the database does not have yet, and so do copies
   * an exec was redirected to in the last second (the kernel has not opened them yet). An open
   * needs no such care: its descriptor is in the program before the next call is handled.
   */
  #removeUnusedCopies(): void {
    this.#copiedSinceSweep = 0;
    const inUse = entriesInUse(this.#cache.files, { mappings: true });
    const recent = Date.now() - RECENT_EXEC_MS;
    for (const [ino, file] of this.#files) {
      if (file.writable || (file.execAt ?? 0) > recent || inUse.has(String(ino))) continue;
      this.#files.delete(ino);
      rmSync(file.path, { force: true });
      this.#vfs.release(ino);
    }
  }

  /** The placeholder a process's working directory points at while it is in a virtual directory. */
  workingDirectory(ino: number): string {
    const path = join(this.#cache.dirs, String(ino));
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  }

  /**
   * A descriptor standing for a VFS symlink opened with O_PATH|O_NOFOLLOW: an empty placeholder
   * file `s/<ino>.<n>`, which fstat and readlinkat(fd, "") resolve back to the symlink. Its name
   * is only needed in the descriptor's link, so it is unlinked at once and nothing piles up.
   */
  openSymlink(ino: number): number {
    const dir = join(this.#cache.root, 's');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${ino}.${this.#nextDirectory++}`);
    const fd = openSync(path, fsc.O_RDONLY | fsc.O_CREAT, 0o600);
    unlinkSync(path);
    return fd;
  }

  /** What a host path inside the cache stands for (readlink of a cwd or an fd). */
  identify(link: string): CacheIdentity | undefined {
    const rel = relative(this.#cache.root, link.replace(/ \(deleted\)$/, ''));
    const m = /^(f|d|s)\/(\d+)(?:\.(\d+))?$/.exec(rel);
    if (!m) return undefined;
    const ino = Number(m[2]);
    if (m[1] === 'f') return { kind: 'file', ino };
    if (m[1] === 's') return { kind: 'symlink', ino };
    return { kind: 'dir', ino, handle: m[3] ? this.#directories.get(Number(m[3])) : undefined };
  }

  /** Current position of a directory handle (shared with the program's descriptor). */
  position(handle: DirectoryHandle): number {
    return this.#addon.seek(handle.fd, 0, 1);
  }

  setPosition(handle: DirectoryHandle, position: number): void {
    this.#addon.seek(handle.fd, position, 0);
  }

  /** Writes everything back and releases every host resource. */
  close(): void {
    this.writeBackAll();
    for (const handle of this.#directories.values()) closeSync(handle.fd);
    this.#directories.clear();
    for (const file of this.#files.values()) this.#vfs.release(file.ino);
    this.#files.clear();
  }

  /** A file the open just created: nothing to copy, so one open with the program's flags. */
  #createEmpty(inode: Readonly<InodeRecord>, flags: number): number {
    const path = join(this.#cache.files, String(inode.ino));
    const fd = openSync(path, (flags & CARRIED_FLAGS & ~O_DIRECT) | fsc.O_CREAT | fsc.O_TRUNC, 0o700);
    this.#addon.futimens(fd, inode.atime, inode.atimeNsec, inode.mtime, inode.mtimeNsec);
    this.#vfs.retain(inode.ino);
    const writable = (flags & O_ACCMODE) !== 0;
    this.#files.set(inode.ino, {
      ino: inode.ino,
      path,
      hashes: new BigUint64Array(0),
      stamp: stampOf(inode),
      writable,
    });
    return fd;
  }

  #materialize(inode: Readonly<InodeRecord>): BackingFile {
    let file = this.#files.get(inode.ino);
    // Unsynced content is newer than anything in the database: keep it.
    if (file && (file.stamp === stampOf(inode) || this.#unsynced.has(file.ino))) return file;
    if (this.#copiedSinceSweep > this.#copyBudget) this.#removeUnusedCopies();
    this.#copiedSinceSweep += inode.size;
    const path = join(this.#cache.files, String(inode.ino));
    // Executable, because agents run programs they built: the directory itself is private (0700).
    const fd = openSync(path, fsc.O_RDWR | fsc.O_CREAT, 0o700);
    try {
      if (file) ftruncateSync(fd, 0);
      for (let offset = 0; offset < inode.size; offset += COPY_BLOCK) {
        const data = this.#vfs.read(inode.ino, offset, COPY_BLOCK);
        writeSync(fd, data, 0, data.length, offset);
      }
      ftruncateSync(fd, inode.size);
      this.#addon.futimens(fd, inode.atime, inode.atimeNsec, inode.mtime, inode.mtimeNsec);
      // Hashed again only when a program opens it for writing (most copies are only read).
      const hashes = file?.writable
        ? this.#addon.chunkHashes(fd, inode.size, this.#vfs.chunkSize)
        : undefined;
      if (!file) {
        // Counted as open while materialized, so unlinking it in the VFS keeps its inode until the run ends.
        this.#vfs.retain(inode.ino);
        file = { ino: inode.ino, path, hashes, stamp: stampOf(inode), writable: false };
        this.#files.set(inode.ino, file);
      } else {
        file.hashes = hashes;
        file.stamp = stampOf(inode);
      }
      return file;
    } finally {
      closeSync(fd);
    }
  }

  #hashesOf(path: string): BigUint64Array {
    const fd = openSync(path, fsc.O_RDONLY);
    try {
      return this.#addon.chunkHashes(fd, fstatSync(fd).size, this.#vfs.chunkSize);
    } finally {
      closeSync(fd);
    }
  }

  #writeBackFrom(file: BackingFile, fd: number): boolean {
    // Never opened for writing by a program: the copy is the database's content.
    if (!file.writable || !file.hashes) return false;
    const st = fstatSync(fd, { bigint: true });
    const size = Number(st.size);
    const cs = this.#vfs.chunkSize;
    const hashes = this.#addon.chunkHashes(fd, size, cs);
    const count = hashes.length;
    const mtime = { sec: Number(st.mtimeNs / 1_000_000_000n), nsec: Number(st.mtimeNs % 1_000_000_000n) };
    const current = this.#vfs.inode(file.ino);
    if (!current) return false;
    const changed: number[] = [];
    const synced = file.hashes;
    for (let i = 0; i < count; i++) if (i >= synced.length || hashes[i] !== synced[i]) changed.push(i);
    const same = changed.length === 0 && count === synced.length && size === current.size;
    if (same && current.mtime === mtime.sec && current.mtimeNsec === mtime.nsec) return false;
    const inode = storeHostContent(this.#vfs, file.ino, fd, changed, { size, mtime });
    if (!inode) return false;
    file.hashes = hashes;
    file.stamp = stampOf(inode);
    this.#onWriteBack?.(file.ino, {
      bytes: changed.reduce((n, i) => n + Math.min(cs, size - i * cs), 0),
      size,
    });
    return true;
  }
}

function fstatOf(path: string) {
  return statSync(path, { bigint: true, throwIfNoEntry: false });
}
