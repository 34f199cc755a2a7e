/**
 * The audit trail of one `agentos run`: the run itself as a tool call (`run`, pending while the
 * program runs), and the operation log of what its processes did under the mount point.
 *
 * Cheap by construction: the handlers call in here after they have answered, entries wait in
 * memory and go into the database inside the transactions the run commits anyway (drain() just
 * before each flush), a process's argv is read from /proc once (again only after it exec'd),
 * and content writes are logged per write-back of a file (bytes of the chunks that changed),
 * not per write(2). At `off` only counters for the run's summary are kept.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { isRegular } from '../vfs/constants.js';
import { O_ACCMODE, O_RDONLY, O_TMPFILE, O_TRUNC } from '../vfs/constants.js';
import { joinPath, normalize } from '../vfs/path.js';
import type { Vfs } from '../vfs/vfs.js';
import type { InodeRecord } from '../store/fs-store.js';
import {
  CHANGE_OPS,
  OplogBuffer,
  nowNs,
  type BufferedOp,
  type OpName,
  type ProcessRef,
} from '../store/oplog-store.js';
import { ToolStore } from '../store/tool-store.js';
import { AT_REMOVEDIR } from './at-flags.js';
import type { Call } from './call.js';
import type { Location } from './locate.js';
import type { TraceEvent } from './native.js';

export const AUDIT_LEVELS = ['off', 'changes', 'all'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

/** What a write-back stored: bytes of the chunks that changed, and the file's new size. */
export interface WriteBackInfo {
  bytes: number;
  size: number;
}

/** The `result` of a run's tool call. */
export interface RunSummary {
  exitCode: number | null;
  audit: AuditLevel;
  /** How many times each modifying operation happened under the mount point. */
  changes: Partial<Record<OpName, number>>;
  /** Bytes of content chunks that changed, over all write-backs. */
  bytesWritten: number;
  /** Rows added to agentos_oplog. */
  logged: number;
}

export interface RunAuditOptions {
  level: AuditLevel;
  argv: readonly string[];
  cwd: string;
  mount: string;
}

const SYS_CHDIR = 80;
const CHANGES = new Set<string>(CHANGE_OPS);
/** Caches above this many entries are dropped rather than grown without bound. */
const CACHE_LIMIT = 100_000;
/** The log may lag the filesystem by this long, or this many entries, in the database. */
const DRAIN_MS = 100;
const DRAIN_ROWS = 64;

/** The operation each trapped call (after its handler succeeded) stands for. */
const SYSCALL_OPS: Record<string, OpName> = {
  mkdir: 'mkdir',
  mkdirat: 'mkdir',
  mknod: 'mknod',
  mknodat: 'mknod',
  unlink: 'unlink',
  unlinkat: 'unlink',
  rmdir: 'rmdir',
  rename: 'rename',
  renameat: 'rename',
  renameat2: 'rename',
  link: 'link',
  linkat: 'link',
  symlink: 'symlink',
  symlinkat: 'symlink',
  truncate: 'truncate',
  stat: 'stat',
  lstat: 'stat',
  fstat: 'stat',
  newfstatat: 'stat',
  statx: 'stat',
  readlink: 'readlink',
  readlinkat: 'readlink',
};
for (const name of ['chmod', 'fchmod', 'fchmodat', 'fchmodat2']) SYSCALL_OPS[name] = 'chmod';
for (const name of ['chown', 'lchown', 'fchown', 'fchownat']) SYSCALL_OPS[name] = 'chown';
for (const name of ['utime', 'utimes', 'utimensat', 'futimesat']) SYSCALL_OPS[name] = 'utimes';
for (const name of ['access', 'faccessat', 'faccessat2']) SYSCALL_OPS[name] = 'access';
for (const p of ['', 'l', 'f']) {
  SYSCALL_OPS[`${p}setxattr`] = 'setxattr';
  SYSCALL_OPS[`${p}removexattr`] = 'removexattr';
  SYSCALL_OPS[`${p}getxattr`] = 'getxattr';
  SYSCALL_OPS[`${p}listxattr`] = 'getxattr';
}
Object.assign(SYSCALL_OPS, {
  setxattrat: 'setxattr',
  removexattrat: 'removexattr',
  getxattrat: 'getxattr',
  listxattrat: 'getxattr',
});

/** Argument index of the mode of chmod-family calls. */
const MODE_ARG: Record<string, number> = { chmod: 1, fchmod: 1, fchmodat: 2, fchmodat2: 2 };

/** What before() read for the call being handled. */
interface Waiting {
  call: Call;
  process: TrackedProcess;
  target?: string;
}

interface TrackedProcess extends ProcessRef {
  exe: string | null;
  /** The drain generation in which `exe` was last checked. */
  generation: number;
}

export class RunAudit {
  readonly level: AuditLevel;
  readonly callId: number;
  readonly #vfs: Vfs;
  readonly #buffer: OplogBuffer;
  readonly #recordReads: boolean;
  readonly #recordChanges: boolean;
  #paths = new Map<number, string | null>();
  #processes = new Map<number, TrackedProcess>();
  #writers = new Map<number, TrackedProcess | null>();
  #generation = 0;
  #counts: Partial<Record<OpName, number>> = {};
  #bytes = 0;
  #logged = 0;
  #failed = false;
  #waiting: Waiting | undefined;
  #drainedAt = Date.now();

  private constructor(vfs: Vfs, level: AuditLevel, callId: number) {
    this.#vfs = vfs;
    this.level = level;
    this.callId = callId;
    this.#buffer = new OplogBuffer(vfs.conn, callId);
    this.#recordChanges = level !== 'off';
    this.#recordReads = level === 'all';
  }

  /** Records the run as a pending `run` tool call (committed at once, so others see it running). */
  static start(vfs: Vfs, options: RunAuditOptions): RunAudit {
    const tools = new ToolStore(vfs.conn);
    const parameters = JSON.stringify({
      argv: options.argv,
      cwd: options.cwd,
      mount: options.mount,
      audit: options.level,
    });
    const callId = vfs.conn.write(() => tools.insertPending('run', parameters));
    vfs.conn.flush();
    return new RunAudit(vfs, options.level, callId);
  }

  /**
   * Hook: a trapped call is about to be handled. What can only be read while the caller waits
   * for its answer (its argv, a symlink target in its memory) is read now.
   */
  before(call: Call): void {
    this.#waiting = undefined;
    if (!this.#recordChanges) return;
    const op = SYSCALL_OPS[call.name];
    if (op === undefined || (!CHANGES.has(op) && !this.#recordReads)) return;
    this.#guard(() => {
      this.#waiting = {
        call,
        process: this.#process(call.pid),
        target: op === 'symlink' ? call.readString(0) : undefined,
      };
    });
  }

  /** Hook: the call's handler finished without an error. */
  after(call: Call): void {
    const op = SYSCALL_OPS[call.name];
    if (op === undefined) return;
    const change = CHANGES.has(op);
    if (!change && !this.#recordReads) return;
    const waiting = this.#waiting?.call === call ? this.#waiting : undefined;
    this.#waiting = undefined;
    this.#guard(() => this.#afterCall(call, op, change, waiting));
  }

  /** Hook: open/openat/openat2/creat gave the program a descriptor on `inode`. */
  opened(call: Call, loc: Location, inode: Readonly<InodeRecord>, flags: number, created: boolean): void {
    if (loc.kind === 'host') return;
    this.#guard(() => {
      const tmpfile = (flags & O_TMPFILE) === O_TMPFILE;
      const writes = (flags & O_ACCMODE) !== O_RDONLY;
      const op: OpName | undefined = created
        ? tmpfile
          ? undefined
          : 'create'
        : flags & O_TRUNC && writes && isRegular(inode.mode)
          ? 'truncate'
          : 'open';
      if (op !== undefined && op !== 'open') this.#count(op);
      if (!this.#recordChanges) return;
      const path = tmpfile ? null : this.#pathOf(loc);
      if (path !== null && this.#paths.size < CACHE_LIMIT) this.#paths.set(inode.ino, path);
      const process = writes || op !== 'open' || this.#recordReads ? this.#process(call.pid) : null;
      if (writes && isRegular(inode.mode) && this.#writers.size < CACHE_LIMIT)
        this.#writers.set(inode.ino, process);
      if (op === undefined || (op === 'open' && !this.#recordReads)) return;
      this.#push({
        op,
        path,
        process,
        ino: inode.ino,
        mode: inode.mode,
        size: op === 'truncate' ? 0 : null,
        flags,
      });
    });
  }

  /** Hook: the tracer is about to let a process exec a file of, or chdir into, the mount. */
  traced(ev: TraceEvent, loc: Location): void {
    if (loc.kind === 'host') return;
    const op: OpName = ev.nr === SYS_CHDIR ? 'chdir' : 'exec';
    this.#guard(() => {
      if (op === 'exec') this.#count(op);
      if (op === 'exec' ? this.#recordChanges : this.#recordReads) {
        this.#push({ op, path: this.#pathOf(loc), process: this.#process(ev.pid) });
      }
      // Its argv is about to change: read it again at its next operation.
      if (op === 'exec') this.#processes.delete(ev.pid);
    });
  }

  /** Hook: the backing store wrote changed content of `ino` back to the database. */
  wroteBack(ino: number, info: WriteBackInfo): void {
    this.#count('write');
    this.#bytes += info.bytes;
    if (!this.#recordChanges) return;
    this.#guard(() => {
      const process = this.#writers.get(ino) ?? null;
      this.#push({
        op: 'write',
        path: this.#pathOfIno(ino),
        process,
        ino,
        size: info.size,
        bytes: info.bytes,
      });
    });
  }

  /**
   * Inserts the buffered entries into the open batch; called just before each commit. Small
   * buffers wait for a later commit (at most DRAIN_MS): fewer, larger multi-row inserts.
   */
  drain(force = false): void {
    this.#generation++;
    const size = this.#buffer.size;
    if (size === 0) return;
    const now = Date.now();
    if (!force && size < DRAIN_ROWS && now - this.#drainedAt < DRAIN_MS) return;
    this.#drainedAt = now;
    this.#guard(() => {
      this.#logged += this.#buffer.drain();
    });
  }

  summary(exitCode: number | null): RunSummary {
    return {
      exitCode,
      audit: this.level,
      changes: { ...this.#counts },
      bytesWritten: this.#bytes,
      logged: this.#logged,
    };
  }

  /**
   * Drains the log and completes the run's tool call: success for exit status 0, error (with
   * the summary still as result) for any other status or when the sandbox itself failed.
   */
  finish(exitCode: number | null, failure?: unknown): void {
    this.drain(true);
    this.#guard(() => this.#complete(exitCode, failure));
  }

  #complete(exitCode: number | null, failure: unknown): void {
    const summary = JSON.stringify(this.summary(exitCode));
    let error: string | null = null;
    if (failure !== undefined) error = failure instanceof Error ? failure.message : String(failure);
    else if (exitCode !== 0)
      error =
        exitCode !== null && exitCode > 128
          ? `killed by signal ${exitCode - 128}`
          : `exit status ${exitCode}`;
    const tools = new ToolStore(this.#vfs.conn);
    this.#vfs.conn.write(() =>
      tools.complete(this.callId, error === null ? 'success' : 'error', summary, error, Date.now()),
    );
  }

  #afterCall(call: Call, op: OpName, change: boolean, waiting: Waiting | undefined): void {
    let name = op;
    if (call.name === 'unlinkat' && call.int(2) & AT_REMOVEDIR) name = 'rmdir';
    const path = this.#pathAt(call, 0);
    if (path === undefined) return; // the kernel handled it on the host
    if (change) this.#count(name);
    if (name === 'rename' || name === 'rmdir') this.#paths.clear();
    if (!(change ? this.#recordChanges : this.#recordReads)) return;
    if (!waiting) return;
    const entry: Omit<BufferedOp, 'timeNs'> = { op: name, path, process: waiting.process };
    if (name === 'rename' || name === 'link') entry.path2 = this.#pathAt(call, 1) ?? null;
    if (name === 'rename' && call.name === 'renameat2') entry.flags = call.int(4);
    if (name === 'symlink') entry.path2 = waiting.target ?? null;
    if (name === 'chmod') entry.mode = call.int(MODE_ARG[call.name]) & 0o7777;
    if (name === 'truncate') entry.size = call.long(1);
    this.#push(entry);
  }

  /** The VFS path a path argument names; null when unnamed; undefined when it is a host path. */
  #pathAt(call: Call, slot: number): string | null | undefined {
    const raw = call.ev.paths[slot];
    if (raw === null || raw === undefined || raw.length === 0) {
      const id = call.fdTarget();
      if (!id) return undefined;
      return this.#recordChanges ? this.#pathOfIno(id.ino) : null;
    }
    const loc = call.location(slot);
    if (loc.kind === 'host') return undefined;
    return this.#recordChanges ? this.#pathOf(loc) : null;
  }

  #pathOf(loc: Location): string | null {
    if (loc.kind === 'host') return null;
    if (loc.ino !== undefined) return this.#pathOfIno(loc.ino);
    if (loc.base === undefined) return normalize(loc.path);
    const base = this.#pathOfIno(loc.base);
    return base === null ? null : normalize(joinPath(base, loc.path));
  }

  #pathOfIno(ino: number): string | null {
    let path = this.#paths.get(ino);
    if (path === undefined) {
      path = this.#vfs.pathOf(ino) ?? null;
      if (path !== null && this.#paths.size < CACHE_LIMIT) this.#paths.set(ino, path);
    }
    return path;
  }

  /** The process `pid` as the log names it; re-read once per commit window if it exec'd a host program. */
  #process(pid: number): TrackedProcess {
    let p = this.#processes.get(pid);
    if (p && p.generation !== this.#generation) {
      const exe = readExe(pid);
      if (exe !== null && exe !== p.exe) p = undefined;
      else p.generation = this.#generation;
    }
    if (!p) {
      p = {
        callId: this.callId,
        pid,
        argv: readArgv(pid),
        exe: readExe(pid),
        seenNs: nowNs(),
        id: null,
        generation: this.#generation,
      };
      if (this.#processes.size >= CACHE_LIMIT) this.#processes.clear();
      this.#processes.set(pid, p);
    }
    return p;
  }

  #push(op: Omit<BufferedOp, 'timeNs'>): void {
    this.#buffer.push({ ...op, timeNs: nowNs() });
  }

  #count(op: OpName): void {
    this.#counts[op] = (this.#counts[op] ?? 0) + 1;
  }

  /** The log must never change what the program sees: a failure is reported once and logging goes on. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (this.#failed) return;
      this.#failed = true;
      process.stderr.write(`agentos: audit: ${(e as Error).message}\n`);
    }
  }
}

/** argv from /proc/<pid>/cmdline ([] once the process is gone). */
function readArgv(pid: number): string[] {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const parts = raw.split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return [];
  }
}

function readExe(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}
