/**
 * `agent.fs`: the agent filesystem through an API shaped like Node's `fs/promises`. Paths are
 * absolute within the agent filesystem (relative ones start at its root). Unlike Node,
 * writeFile and appendFile create missing parent directories, as the agent filesystem spec
 * asks of writers.
 */
import { AgentOSError, fsError, isAgentOSError, type ErrnoCode } from '../errors.js';
import {
  F_OK,
  O_APPEND,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  S_IFMT,
  isDirectory,
  isSymlink,
} from '../vfs/constants.js';
import { fromMilliseconds } from '../vfs/clock.js';
import { checkPath, joinPath, parsePath } from '../vfs/path.js';
import { MAX_TRANSACTION_BYTES, type Vfs } from '../vfs/vfs.js';
import type { Caller } from '../vfs/context.js';
import type { Credentials } from '../vfs/permissions.js';
import type { TimeSpec } from '../vfs/attributes.js';
import type { QuotaUsage } from '../vfs/quota.js';
import type { InodeRecord } from '../store/fs-store.js';
import { FileHandle, checkWholeRead } from './file-handle.js';
import { Dirent, Stats } from './stats.js';
import { parseFlags, type OpenFlags } from './flags.js';
import {
  argRangeError,
  argTypeError,
  assertBoolean,
  assertInteger,
  assertOptions,
  assertString,
  toBuffer,
} from './validate.js';

export type Encoding = BufferEncoding;
/** A time for utimes: a Date, epoch seconds (number or numeric string), or bigint epoch nanoseconds. */
export type TimeInput = Date | number | string | bigint;
export type WriteData = string | ArrayBufferView;

export interface WriteFileOptions {
  encoding?: Encoding;
  /** Permission bits of a created file (default 0o666 & ~umask). */
  mode?: number;
  flag?: OpenFlags;
}

export interface MkdirOptions {
  recursive?: boolean;
  mode?: number;
}

export interface RmOptions {
  recursive?: boolean;
  force?: boolean;
}

export interface StatfsResult {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** The errors that say a path names nothing reachable (what exists() answers false to). */
const PATH_ERRORS: ReadonlySet<ErrnoCode> = new Set<ErrnoCode>([
  'ENOENT',
  'ENOTDIR',
  'ELOOP',
  'EACCES',
  'ENAMETOOLONG',
  'EINVAL',
]);

/** copyFile mode: fail if the destination exists. */
export const COPYFILE_EXCL = 1;
const COPY_PIECE = 4 * 1024 * 1024;

export class AgentFs {
  readonly #vfs: Vfs;
  readonly #cred: Credentials;
  readonly #umask: number;

  /** @internal Use `new AgentOS(path).fs`. */
  constructor(vfs: Vfs, cred: Credentials, umask: number) {
    this.#vfs = vfs;
    this.#cred = cred;
    this.#umask = umask;
  }

  get #caller(): Caller {
    return { cred: this.#cred };
  }

  /**
   * Writes a whole file, replacing it; creates missing parent directories.
   * @example await agent.fs.writeFile('/notes/todo.txt', 'buy milk\n');
   */
  async writeFile(path: string, data: WriteData, options?: WriteFileOptions | Encoding): Promise<void> {
    assertString(path, 'path');
    const opts = fileOptions(options);
    const bytes = toBuffer(data, opts.encoding);
    const flags = opts.flag === undefined ? O_WRONLY | O_CREAT | O_TRUNC : parseFlags(opts.flag);
    this.#writeWhole(path, bytes, flags, opts.mode ?? 0o666);
  }

  /**
   * Appends to a file, creating it (and its parent directories) when missing.
   * @example await agent.fs.appendFile('/log.txt', 'one more line\n');
   */
  async appendFile(path: string, data: WriteData, options?: WriteFileOptions | Encoding): Promise<void> {
    assertString(path, 'path');
    const opts = fileOptions(options);
    const flags = opts.flag === undefined ? O_WRONLY | O_CREAT | O_APPEND : parseFlags(opts.flag) | O_APPEND;
    this.#writeWhole(path, toBuffer(data, opts.encoding), flags, opts.mode ?? 0o666);
  }

  /**
   * Reads a whole file: a Buffer, or a string when an encoding is given.
   * @example const text = await agent.fs.readFile('/notes/todo.txt', 'utf8');
   */
  async readFile(path: string): Promise<Buffer>;
  async readFile(path: string, options: Encoding | { encoding: Encoding }): Promise<string>;
  async readFile(path: string, options?: { encoding?: undefined }): Promise<Buffer>;
  async readFile(path: string, options?: Encoding | { encoding?: Encoding }): Promise<Buffer | string> {
    assertString(path, 'path');
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const data = this.#vfs.conn.read(() => {
      const { inode } = this.#vfs.open(path, O_RDONLY, 0, this.#caller);
      if (isDirectory(inode.mode)) throw fsError('EISDIR', 'read', path);
      checkWholeRead(inode.size, path);
      return this.#vfs.read(inode.ino, 0, inode.size);
    });
    return encoding ? data.toString(encoding) : data;
  }

  /**
   * Names in a directory (sorted), or Dirent objects with `withFileTypes`; `recursive` lists
   * the whole subtree with paths relative to `path`.
   * @example const names = await agent.fs.readdir('/output');
   */
  async readdir(path: string, options?: { withFileTypes?: false; recursive?: boolean }): Promise<string[]>;
  async readdir(path: string, options: { withFileTypes: true; recursive?: boolean }): Promise<Dirent[]>;
  async readdir(
    path: string,
    options: { withFileTypes?: boolean; recursive?: boolean } = {},
  ): Promise<string[] | Dirent[]> {
    assertString(path, 'path');
    assertOptions(options, 'options', ['string']);
    options = typeof options === 'object' && options !== null ? options : {};
    assertBoolean(options.recursive, 'options.recursive');
    assertBoolean(options.withFileTypes, 'options.withFileTypes');
    const out: Dirent[] = [];
    this.#vfs.conn.read(() => this.#list(path, '', options.recursive ?? false, out));
    return options.withFileTypes
      ? out
      : out.map((d) => (d.parentPath === path ? d.name : joinRelative(path, d)));
  }

  /** @example const st = await agent.fs.stat('/output/report.pdf'); st.size */
  async stat(path: string): Promise<Stats> {
    assertString(path, 'path');
    return new Stats(this.#vfs.stat(path, this.#caller, 'follow'), this.#vfs.chunkSize);
  }

  /** Like stat, but a symlink is described itself. @example (await agent.fs.lstat('/link')).isSymbolicLink() */
  async lstat(path: string): Promise<Stats> {
    assertString(path, 'path');
    return new Stats(this.#vfs.stat(path, this.#caller, 'nofollow'), this.#vfs.chunkSize);
  }

  /**
   * Creates a directory; with `recursive`, also its parents, returning the first one created.
   * @example await agent.fs.mkdir('/a/b/c', { recursive: true });
   */
  async mkdir(path: string, options?: MkdirOptions | number): Promise<string | undefined> {
    assertString(path, 'path');
    assertOptions(options, 'options', ['number']);
    const opts = typeof options === 'number' ? { mode: options } : (options ?? {});
    if (opts.mode !== undefined) assertInteger(opts.mode, 'mode', 0, 0o7777);
    assertBoolean(opts.recursive, 'options.recursive');
    const mode = (opts.mode ?? 0o777) & ~this.#umask;
    if (!opts.recursive) {
      this.#vfs.mkdir(path, mode, this.#caller);
      return undefined;
    }
    return this.#vfs.conn.write(() => this.#mkdirp(path, mode));
  }

  /** Removes an empty directory. @example await agent.fs.rmdir('/empty'); */
  async rmdir(path: string): Promise<void> {
    assertString(path, 'path');
    this.#vfs.rmdir(path, this.#caller);
  }

  /**
   * Removes a file, or a directory tree with `recursive`; `force` ignores a missing path.
   * @example await agent.fs.rm('/build', { recursive: true, force: true });
   */
  async rm(path: string, options: RmOptions = {}): Promise<void> {
    assertString(path, 'path');
    assertOptions(options);
    options ??= {};
    assertBoolean(options.recursive, 'options.recursive');
    assertBoolean(options.force, 'options.force');
    this.#vfs.conn.write(() => {
      let st;
      try {
        st = this.#vfs.stat(path, this.#caller, 'nofollow');
      } catch (e) {
        if (options.force && isAgentOSError(e, 'ENOENT')) return;
        throw e;
      }
      if (!isDirectory(st.mode)) return this.#vfs.unlink(path, this.#caller);
      if (!options.recursive)
        throw new AgentOSError('EISDIR', { syscall: 'rm', path, message: 'is a directory (use recursive)' });
      this.#removeTree(path);
    });
  }

  /** @example await agent.fs.unlink('/tmp/scratch.txt'); */
  async unlink(path: string): Promise<void> {
    assertString(path, 'path');
    this.#vfs.unlink(path, this.#caller);
  }

  /** Moves or renames, atomically replacing a file (or an empty directory) at `newPath`. @example await agent.fs.rename('/a.txt', '/b.txt'); */
  async rename(oldPath: string, newPath: string, flags = 0): Promise<void> {
    assertString(oldPath, 'oldPath');
    assertString(newPath, 'newPath');
    assertInteger(flags, 'flags');
    this.#vfs.rename(oldPath, newPath, this.#caller, { flags });
  }

  /**
   * Copies a file's content and permissions; `mode` COPYFILE_EXCL fails if `dest` exists.
   * @example await agent.fs.copyFile('/a.txt', '/backup/a.txt');
   */
  async copyFile(src: string, dest: string, mode = 0): Promise<void> {
    assertString(src, 'src');
    assertString(dest, 'dest');
    assertInteger(mode, 'mode', 0, 7);
    const source = this.#vfs.stat(src, this.#caller);
    if (isDirectory(source.mode)) throw fsError('EISDIR', 'copyfile', src, dest);
    this.#vfs.access(src, 4, this.#caller);
    // No O_TRUNC at open: copying a file onto itself (or onto a hard link of itself) must leave
    // it intact, so the destination is emptied only once it is known to be another file (as
    // libuv's uv_fs_copyfile does).
    const flags = O_WRONLY | O_CREAT | (mode & COPYFILE_EXCL ? O_EXCL : 0);
    const copy = () => {
      const { inode } = this.#vfs.open(dest, flags, source.mode & 0o7777, this.#caller);
      if (inode.ino === source.ino) return;
      this.#vfs.truncateInode(inode.ino, 0, this.#caller, dest);
      for (let offset = 0; offset < source.size; offset += COPY_PIECE) {
        this.#vfs.write(inode.ino, offset, this.#vfs.read(source.ino, offset, COPY_PIECE));
      }
    };
    // A small copy is one transaction: no reader ever sees it half done.
    if (source.size <= MAX_TRANSACTION_BYTES) this.#vfs.conn.write(copy);
    else copy();
  }

  /** Creates a symlink at `path` pointing to `target`. @example await agent.fs.symlink('/data/latest.csv', '/latest'); */
  async symlink(target: string, path: string): Promise<void> {
    assertString(target, 'target');
    assertString(path, 'path');
    this.#vfs.symlink(target, path, this.#caller);
  }

  /** @example const target = await agent.fs.readlink('/latest'); */
  async readlink(path: string): Promise<string> {
    assertString(path, 'path');
    return this.#vfs.readlink(path, this.#caller);
  }

  /** A hard link: another name for the same file. @example await agent.fs.link('/a.txt', '/also-a.txt'); */
  async link(existingPath: string, newPath: string): Promise<void> {
    assertString(existingPath, 'existingPath');
    assertString(newPath, 'newPath');
    this.#vfs.link(existingPath, newPath, this.#caller);
  }

  /** @example await agent.fs.chmod('/run.sh', 0o755); */
  async chmod(path: string, mode: number): Promise<void> {
    assertString(path, 'path');
    assertInteger(mode, 'mode', 0, 0o7777);
    this.#vfs.chmod(path, mode, this.#caller);
  }

  /** -1 leaves the owner or group as it is. @example await agent.fs.chown('/a.txt', 1000, 1000); */
  async chown(path: string, uid: number, gid: number): Promise<void> {
    assertString(path, 'path');
    assertInteger(uid, 'uid', -1, 0xffffffff);
    assertInteger(gid, 'gid', -1, 0xffffffff);
    this.#vfs.chown(path, uid, gid, this.#caller);
  }

  /**
   * Sets access and modification times: Dates, epoch seconds, numeric strings, or bigint
   * nanoseconds since the epoch (exact, as in `Stats.mtimeNs`).
   * @example await agent.fs.utimes('/a.txt', new Date(), new Date('2020-01-01'));
   */
  async utimes(path: string, atime: TimeInput, mtime: TimeInput): Promise<void> {
    assertString(path, 'path');
    this.#vfs.utimens(path, toTime(atime, 'atime'), toTime(mtime, 'mtime'), this.#caller);
  }

  /**
   * Like utimes, but a symlink gets the times itself instead of its target.
   * @example await agent.fs.lutimes('/latest', st.atimeNs, st.mtimeNs);
   */
  async lutimes(path: string, atime: TimeInput, mtime: TimeInput): Promise<void> {
    assertString(path, 'path');
    this.#vfs.utimens(path, toTime(atime, 'atime'), toTime(mtime, 'mtime'), this.#caller, 'nofollow');
  }

  /** Sets a file's size, cutting or zero-extending it. @example await agent.fs.truncate('/a.txt', 0); */
  async truncate(path: string, length = 0): Promise<void> {
    assertString(path, 'path');
    assertInteger(length, 'len');
    this.#vfs.truncate(path, length, this.#caller);
  }

  /** Rejects with EACCES (or ENOENT) unless every bit of `mode` is allowed. @example await agent.fs.access('/a.txt', 4); */
  async access(path: string, mode: number = F_OK): Promise<void> {
    assertString(path, 'path');
    assertInteger(mode, 'mode', 0, 7);
    this.#vfs.access(path, mode, this.#caller);
  }

  /**
   * Whether the path names something (following symlinks). Only answers about the path: a
   * closed, busy or broken database still rejects, rather than pass for "no such file".
   * @example if (await agent.fs.exists('/a.txt')) …
   */
  async exists(path: string): Promise<boolean> {
    assertString(path, 'path');
    try {
      this.#vfs.stat(path, this.#caller);
      return true;
    } catch (e) {
      if (e instanceof AgentOSError && PATH_ERRORS.has(e.code)) return false;
      throw e;
    }
  }

  /** The canonical absolute path, with every symlink resolved. @example await agent.fs.realpath('/latest') */
  async realpath(path: string): Promise<string> {
    assertString(path, 'path');
    return this.#vfs.conn.read(() => {
      const r = this.#vfs.resolve(path, this.#caller, 'follow', 'realpath');
      if (!r.inode) throw fsError('ENOENT', 'realpath', path);
      const target = r.lastKind === 'normal' ? this.#vfs.pathOf(r.parent.ino) : this.#vfs.pathOf(r.inode.ino);
      if (target === undefined) throw fsError('ENOENT', 'realpath', path);
      return r.lastKind === 'normal' ? joinPath(target, r.name) : target;
    });
  }

  /**
   * Opens a file; flags as in Node ('r', 'r+', 'w', 'a', 'wx', …) or O_* numbers.
   * @example const h = await agent.fs.open('/a.txt', 'r+'); await h.write('x', 0); await h.close();
   */
  async open(path: string, flags: OpenFlags = 'r', mode = 0o666): Promise<FileHandle> {
    assertString(path, 'path');
    const f = parseFlags(flags);
    assertInteger(mode, 'mode', 0, 0o7777);
    const { inode } = this.#vfs.open(path, f, mode & ~this.#umask, this.#caller);
    return new FileHandle(this.#vfs, inode.ino, f, path, this.#caller);
  }

  /**
   * The quota (`limit`, in bytes; null when there is none) and the bytes of file content stored
   * now (`used`: the sum of the sizes of regular files).
   * @example const { limit, used } = await agent.fs.quota();
   */
  async quota(): Promise<QuotaUsage> {
    return this.#vfs.quota();
  }

  /**
   * Limits the bytes regular files may hold together; a change that would pass it rejects with
   * EDQUOT and changes nothing. null removes the limit. Content already over a new limit stays.
   * @example await agent.fs.setQuota(1024 ** 3); // 1 GiB
   */
  async setQuota(limit: number | null): Promise<void> {
    if (limit !== null) assertInteger(limit, 'limit', 1);
    this.#vfs.setQuota(limit);
  }

  /**
   * Filesystem usage in blocks of the chunk size: the host filesystem's, or the quota as the
   * total size when there is one.
   * @example const { bavail, bsize } = await agent.fs.statfs();
   */
  async statfs(): Promise<StatfsResult> {
    const s = this.#vfs.statfs();
    return {
      bsize: s.blockSize,
      blocks: s.blocks,
      bfree: s.blocksFree,
      bavail: s.blocksAvailable,
      files: s.files,
      ffree: s.filesFree,
    };
  }

  #writeWhole(path: string, bytes: Buffer, flags: number, mode: number): void {
    const write = () => {
      this.#ensureParents(path);
      const { inode } = this.#vfs.open(path, flags, mode & ~this.#umask, this.#caller);
      if (isDirectory(inode.mode)) throw fsError('EISDIR', 'open', path);
      const offset = flags & O_APPEND ? inode.size : 0;
      return { ino: inode.ino, offset };
    };
    if (bytes.length <= MAX_TRANSACTION_BYTES) {
      // One transaction, one commit: the common case of a small file.
      this.#vfs.conn.write(() => {
        const { ino, offset } = write();
        this.#vfs.write(ino, offset, bytes);
      });
      return;
    }
    const { ino, offset } = this.#vfs.conn.write(write);
    this.#vfs.write(ino, offset, bytes);
  }

  /**
   * Creates the directories a write to `path` needs. The path is not normalised first: "a/b/.."
   * needs "a/b" to exist, as the walk will go through it. A file where a directory is needed is
   * ENOTDIR, as the open itself would report.
   */
  #ensureParents(path: string): void {
    const parsed = parsePath(path);
    if (parsed.components.length <= 1) return;
    const parent = '/' + parsed.components.slice(0, -1).join('/');
    this.#mkdirp(parent, 0o777 & ~this.#umask, 'open', path);
  }

  /** mkdir -p: returns the first directory created, if any. */
  #mkdirp(path: string, mode: number, syscall = 'mkdir', reportPath = path): string | undefined {
    // The whole path first, as Node's mkdir does: a path too long (or with a NUL) fails before
    // a single directory is made, not after thousands.
    checkPath(path, syscall);
    const components = parsePath(path).components;
    let first: string | undefined;
    let current = '';
    for (let i = 0; i < components.length; i++) {
      current += '/' + components[i];
      let found: Readonly<InodeRecord> | undefined;
      try {
        found = this.#vfs.resolve(current, this.#caller, 'follow', syscall).inode;
        if (!found) this.#vfs.mkdir(current, mode, this.#caller);
      } catch (e) {
        // The caller asked about the path it gave, not about the prefix being made.
        throw reportedAs(e, current, syscall, reportPath);
      }
      if (!found) {
        first ??= current;
        continue;
      }
      if (isDirectory(found.mode)) continue;
      // Only mkdir's own target may be "in the way" (EEXIST); anywhere else it is ENOTDIR.
      const lastOfMkdir = syscall === 'mkdir' && i === components.length - 1;
      throw fsError(lastOfMkdir ? 'EEXIST' : 'ENOTDIR', syscall, reportPath);
    }
    return first;
  }

  #removeTree(path: string): void {
    for (const entry of this.#vfs.readdir(path, this.#caller)) {
      const child = joinPath(path, entry.name);
      if (isDirectory(entry.inode.mode)) this.#removeTree(child);
      else this.#vfs.unlink(child, this.#caller);
    }
    this.#vfs.rmdir(path, this.#caller);
  }

  #list(path: string, prefix: string, recursive: boolean, out: Dirent[]): void {
    // The top directory as given (errors name it so), below it the path joined to it.
    const dir = prefix ? joinPath(path, prefix) : path;
    for (const entry of this.#vfs.readdir(dir, this.#caller)) {
      out.push(new Dirent(entry.name, dir, entry.inode.mode & S_IFMT));
      if (recursive && isDirectory(entry.inode.mode) && !isSymlink(entry.inode.mode)) {
        this.#list(path, prefix ? `${prefix}/${entry.name}` : entry.name, true, out);
      }
    }
  }
}

/**
 * An error about `walked` (a path this module made from what the caller gave) restated about
 * `path`, the caller's own: the same code and text for the caller's call. Other errors (the
 * database's, naming its file) pass through.
 */
function reportedAs(e: unknown, walked: string, syscall: string, path: string): unknown {
  if (!(e instanceof AgentOSError) || e.path !== walked || e.dest !== undefined) return e;
  let text = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
  const suffix = `, ${e.syscall} '${walked}'`;
  if (text.endsWith(suffix)) text = text.slice(0, -suffix.length);
  return new AgentOSError(e.code, { syscall, path, message: text, cause: e });
}

function joinRelative(root: string, d: Dirent): string {
  const rel = d.parentPath.slice(root.endsWith('/') ? root.length : root.length + 1);
  return rel ? `${rel}/${d.name}` : d.name;
}

/** writeFile's and appendFile's options: an encoding, or an object whose mode is a permission. */
function fileOptions(options: WriteFileOptions | Encoding | undefined): WriteFileOptions {
  assertOptions(options, 'options', ['string']);
  const opts = typeof options === 'string' ? { encoding: options } : (options ?? {});
  if (opts.mode !== undefined) assertInteger(opts.mode, 'mode', 0, 0o7777);
  return opts;
}

/** Seconds beyond 2^53 cannot be stored exactly (and no clock gets there). */
function checkSeconds(sec: number | bigint, name: string): void {
  if (sec > Number.MAX_SAFE_INTEGER || sec < -Number.MAX_SAFE_INTEGER) {
    throw argRangeError(
      `The "${name}" argument is out of range: ${sec} seconds from the epoch`,
      'ERR_OUT_OF_RANGE',
    );
  }
}

function toTime(value: TimeInput, name: string): TimeSpec {
  // A double cannot hold epoch nanoseconds exactly; bigint keeps copies of host times exact.
  if (typeof value === 'bigint') {
    const sec = value / 1_000_000_000n - (value % 1_000_000_000n < 0n ? 1n : 0n);
    checkSeconds(sec, name);
    return { sec: Number(sec), nsec: Number(value - sec * 1_000_000_000n) };
  }
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    ms = Number(value) * 1000;
  else
    throw argTypeError(
      `The "${name}" argument must be a Date, a number of seconds, a numeric string or bigint nanoseconds`,
    );
  if (!Number.isFinite(ms)) throw argRangeError(`The "${name}" argument is not a valid time`);
  checkSeconds(Math.floor(ms / 1000), name);
  return fromMilliseconds(ms);
}
