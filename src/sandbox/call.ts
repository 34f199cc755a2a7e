/**
 * One trapped system call on its way through the handlers: typed access to its arguments,
 * where its paths point, the caller's credentials, and the ways to answer it.
 */
import { AgentOSError, codeForErrno, errnoOf, fsError, type ErrnoCode } from '../errors.js';
import type { Caller } from '../vfs/context.js';
import type { Vfs } from '../vfs/vfs.js';
import type { RunAudit } from './audit.js';
import type { BackingStore, CacheIdentity } from './backing-store.js';
import { decodePath, type Location, type Locator } from './locate.js';
import type { NativeAddon, NativeHostOps, NativeSupervisor, SyscallEvent } from './native.js';
import { cachedProcessInfo, type ProcessInfo } from './process-info.js';

export interface SandboxContext {
  vfs: Vfs;
  backing: BackingStore;
  locator: Locator;
  supervisor: NativeSupervisor;
  addon: NativeAddon;
  /** Performs host calls for programs, held to the run's host policy. */
  hostOps: NativeHostOps;
  /** Mount point of the agent filesystem ("/agent"). */
  mount: string;
  /** The run's audit trail, told about each operation once it succeeded. */
  audit?: RunAudit;
  /** A durability point: commits everything done so far (with the buffered operation log). */
  commit(): void;
}

export class Call {
  readonly ev: SyscallEvent;
  readonly ctx: SandboxContext;
  #info?: ProcessInfo;
  #answered = false;

  constructor(ev: SyscallEvent, ctx: SandboxContext) {
    this.ev = ev;
    this.ctx = ctx;
  }

  get pid(): number {
    return this.ev.pid;
  }

  get name(): string {
    return this.ev.name;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Argument `i` as a signed 32-bit int (fds, flags, modes). */
  int(i: number): number {
    return Number(BigInt.asIntN(32, this.ev.args[i]));
  }

  /** Argument `i` as a signed 64-bit value (sizes, offsets). */
  long(i: number): number {
    return Number(BigInt.asIntN(64, this.ev.args[i]));
  }

  /** Argument `i` as an address. */
  ptr(i: number): bigint {
    return this.ev.args[i];
  }

  info(): ProcessInfo {
    this.#info ??= cachedProcessInfo(this.ev.pid, this.ev.credEpoch);
    return this.#info;
  }

  caller(base?: number): Caller {
    return { cred: this.info().cred, base };
  }

  /** The decoded text of path slot `slot`. */
  path(slot: number): string {
    const raw = this.ev.paths[slot];
    if (raw === null) throw fsError('EFAULT', this.name);
    return decodePath(raw, this.name);
  }

  location(slot: number): Location {
    const base = this.ev.bases[slot];
    return this.ctx.locator.locate(this.path(slot), base === null ? null : base.toString('utf8'));
  }

  /** What the fd argument (or an AT_EMPTY_PATH dirfd) refers to in the cache, if it is ours. */
  fdTarget(): CacheIdentity | undefined {
    return this.ev.fdLink === null ? undefined : this.ctx.backing.identify(this.ev.fdLink.toString('utf8'));
  }

  /** Reads a NUL-terminated string argument the C side did not read (e.g. a symlink target). */
  readString(i: number, max = 4096): string {
    let raw: Buffer;
    try {
      raw = this.ctx.addon.readString(this.ev.pid, this.ev.args[i], max);
    } catch (e) {
      throw fsError(codeForErrno((e as { errno?: number }).errno ?? 0) ?? 'EFAULT', this.name);
    }
    return decodePath(raw, this.name);
  }

  readMemory(address: bigint, length: number): Buffer {
    try {
      return this.ctx.addon.readMemory(this.ev.pid, address, length);
    } catch {
      throw fsError('EFAULT', this.name);
    }
  }

  /** Copies a result into the program's memory (EFAULT for a bad address). */
  write(address: bigint, data: Buffer): void {
    if (data.length === 0) return;
    try {
      this.ctx.addon.writeMemory(this.ev.pid, address, data);
    } catch {
      throw fsError('EFAULT', this.name);
    }
  }

  reply(value = 0): void {
    this.#answered = true;
    this.ctx.supervisor.respond(this.ev.id, 0, value);
  }

  fail(code: ErrnoCode): void {
    this.failErrno(errnoOf(code));
  }

  /** Fails the call with a raw errno, as a host call returned it. */
  failErrno(errno: number): void {
    this.#answered = true;
    this.ctx.supervisor.respond(this.ev.id, errno);
  }

  /** Lets the kernel run the call: only for calls that turned out not to touch the agent filesystem. */
  continue(): void {
    this.#answered = true;
    this.ctx.supervisor.continueCall(this.ev.id);
  }

  /** Installs `fd` in the caller as the call's result. */
  replyFd(fd: number, cloexec: boolean): void {
    const rc = this.ctx.supervisor.addFd(this.ev.id, fd, cloexec, true);
    this.#answered = true;
    if (rc >= 0) return;
    if (rc === -errnoOf('ENOENT')) return; // the caller is gone
    this.ctx.supervisor.respond(this.ev.id, -rc);
  }
}

export function errorCode(e: unknown): ErrnoCode | undefined {
  return e instanceof AgentOSError ? e.code : undefined;
}
