/**
 * The native addon (build/Release/agentos_native.node) and the exec helper binary, with the
 * types of what they exchange. Everything native is loaded lazily, so the SDK works on
 * machines where the sandbox cannot.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SyscallEvent {
  kind: 'syscall';
  id: bigint;
  pid: number;
  nr: number;
  name: string;
  args: bigint[];
  /** Path arguments as read from the child (null when absent or NULL). */
  paths: (Buffer | null)[];
  /** For relative paths: readlink of the dirfd or cwd they start from. */
  bases: (Buffer | null)[];
  /** For calls on an fd: readlink of /proc/<tid>/fd/N. */
  fdLink: Buffer | null;
  /** Changes whenever any sandboxed process changed its umask or credentials. */
  credEpoch: number;
}

export interface TraceEvent {
  kind: 'trace';
  requestId: number;
  pid: number;
  nr: number;
  dirfd: number;
  flags: number;
  path: Buffer;
  base: Buffer;
}

export type SupervisorEvent =
  | SyscallEvent
  | TraceEvent
  | { kind: 'close-write'; names: string }
  | { kind: 'exit'; code: number; rawStatus: number }
  | { kind: 'error'; message: string }
  | { kind: 'idle' };

export interface SupervisorStats {
  notifications: number;
  continued: number;
  handled: number;
  /** Calls naming the cache directory, refused with ENOENT. */
  hidden: number;
  /** Attribute changes on host files performed under the host policy. */
  guarded: number;
  syncWakeup: boolean;
}

export interface NativeSupervisor {
  next(timeoutMs: number): SupervisorEvent;
  /** errno 0 answers success with `value`; returns 0 or -errno (e.g. -ENOENT: caller gone). */
  respond(id: bigint, errno: number, value?: number): number;
  continueCall(id: bigint): number;
  /** Installs `fd` in the caller; with `send` also answers with the new fd. Returns it or -errno. */
  addFd(id: bigint, fd: number, cloexec: boolean, send: boolean): number;
  idValid(id: bigint): boolean;
  markVirtualBases(): void;
  /** Registers a host symlink into the mount: paths through it then come to the handler. */
  addHostLink(path: string): void;
  /** Checks host attribute changes (chmod, chown, utimes, xattrs) against these writable paths. */
  guardAttributes(writable: string[]): void;
  /** Performs the current attribute call on `hostPath` under the host policy; 0 or -errno. */
  attributeOnHost(hostPath: string): number;
  traceReply(requestId: number, errno: number, strings: (string | Buffer)[]): void;
  sendSignal(signal: number): number;
  stats(): SupervisorStats;
  close(): void;
}

export interface NativeAddon {
  Supervisor: new (channelFd: number, mount: string, cacheDir: string, watchDir: string) => NativeSupervisor;
  createChannel(): [number, number];
  readMemory(pid: number, address: bigint, length: number): Buffer;
  readString(pid: number, address: bigint, max: number): Buffer;
  writeMemory(pid: number, address: bigint, data: Buffer): void;
  chunkHashes(fd: number, size: number, chunkSize: number): BigUint64Array;
  hostSync(): void;
  seek(fd: number, offset: number, whence: number): number;
  /** Exact timestamps (Node's futimes rounds to microseconds). */
  futimens(fd: number, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): void;
  /**
   * A thread performing host calls for sandboxed programs; `writable` null leaves it
   * unrestricted, otherwise Landlock holds it to the host policy.
   */
  HostOps: new (writable: string[] | null, isolateAbstractSockets: boolean) => NativeHostOps;
  /** The kernel's Landlock ABI version, or -errno when it has none. */
  landlockAbi(): number;
}

/** Arguments are numbers, bigints, or Buffers passed by address. */
export type HostCallArg = number | bigint | Buffer;

export interface NativeHostOps {
  /** Runs syscall `nr` on the policy thread; returns its result or -errno. */
  call(nr: number, args: HostCallArg[]): number;
  close(): void;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let addon: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (!addon) {
    const path = join(root, 'build', 'Release', 'agentos_native.node');
    if (!existsSync(path)) {
      throw new Error(
        `the sandbox's native addon is not built (${path}); run \`npm install\` (it needs g++, make and python3)`,
      );
    }
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  }
  return addon;
}

export function execHelperPath(): string {
  const path = join(root, 'build', 'Release', 'agentos-exec');
  if (!existsSync(path))
    throw new Error(`the sandbox's exec helper is not built (${path}); run \`npm install\``);
  return path;
}
