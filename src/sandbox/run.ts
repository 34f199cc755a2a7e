/**
 * `agentos run`: runs a command with the agent filesystem at the mount point. The exec
 * helper starts the command under seccomp and ptrace; this process serves every call that
 * touches the mount from the VFS, and commits at durability points: when a program closes a
 * file it wrote, on fsync, when the program goes idle, at least every 200 ms of activity, and
 * at the end of the run. Closed files are written back in the background, between calls.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { resolve } from 'node:path';
import { AgentOSError } from '../errors.js';
import { openAgentDatabase } from '../store/agent-database.js';
import { normalize } from '../vfs/path.js';
import { Vfs } from '../vfs/vfs.js';
import { BackingStore } from './backing-store.js';
import { createCacheDir, type CacheDir } from './cache-dir.js';
import { HostPolicy } from './host-policy.js';
import { Call, type SandboxContext } from './call.js';
import { dispatch } from './dispatch.js';
import { Locator } from './locate.js';
import {
  execHelperPath,
  loadAddon,
  type NativeHostOps,
  type NativeSupervisor,
  type SupervisorStats,
} from './native.js';
import { handleTrace } from './trace.js';
import { RunAudit, type AuditLevel } from './audit.js';

export interface RunOptions {
  /** The agent database. */
  db: string;
  /** Command and arguments; empty runs $SHELL (or /bin/bash). */
  command: string[];
  /** Where the agent filesystem appears (default /agent). */
  mount?: string;
  /** Working directory of the command: a host directory, or one under the mount. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdin, stdout, stderr of the command (default: inherit the terminal). */
  stdio?: [StdioOptions, StdioOptions, StdioOptions] | 'inherit' | 'pipe';
  /** Wait for descendants that outlive the command instead of ending them. */
  waitForDescendants?: boolean;
  /**
   * Do not trace the programs: debuggers (strace, gdb) then work inside the sandbox, but
   * executing files in the agent filesystem and changing directory into it do not.
   */
  noPtrace?: boolean;
  /** How long descendants get between SIGTERM and SIGKILL when the command exits (ms). */
  graceMs?: number;
  busyTimeoutMs?: number;
  /** Called with the spawned helper, e.g. to read piped output. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** What goes into the operation log: nothing, changes (default), or reads and stats too. */
  audit?: AuditLevel;
  /** Host paths programs may write besides /agent, their private TMPDIR and terminals. */
  allow?: string[];
  /** Lift the host policy: programs may write anywhere their user can. */
  allowHostWrites?: boolean;
  /** Refuse internet and raw packet sockets (EACCES). */
  noNetwork?: boolean;
  /**
   * Bytes of file copies in the cache after which unused ones are removed (default
   * $AGENTOS_CACHE_BUDGET, else 256 MiB).
   */
  cacheBudget?: number;
}

export interface RunResult {
  /** The command's exit code, or 128 + signal number when a signal ended it. */
  exitCode: number;
  stats: SupervisorStats;
}

const IDLE_MS = 20;
const MAX_BATCH_MS = 200;
/** How long one turn of background write-back may keep a program's next call waiting. */
const WRITE_BACK_SLICE_MS = 10;

export function defaultCommand(): string[] {
  return [process.env.SHELL || '/bin/bash'];
}

export function checkMount(mount: string): string {
  if (!mount.startsWith('/'))
    throw new AgentOSError('EINVAL', {
      syscall: 'run',
      path: mount,
      message: 'the mount point must be an absolute path',
    });
  const m = normalize(mount);
  if (m === '/')
    throw new AgentOSError('EINVAL', { syscall: 'run', path: mount, message: 'the mount point cannot be /' });
  return m;
}

/**
 * Opening a database recovers what dead runs left pending in their caches (see
 * src/vfs/pending-content.ts). False when it cannot be opened now, true when done or when the
 * database is gone.
 */
function recoverDeadRun(db: string): boolean {
  try {
    const { conn, chunkSize } = openAgentDatabase(db, { create: false, busyTimeoutMs: 100 });
    try {
      // Constructing the VFS is what recovers the pending content.
      void new Vfs(conn, chunkSize);
    } finally {
      conn.close();
    }
    return true;
  } catch (e) {
    return e instanceof AgentOSError && (e.code === 'ENOENT' || e.code === 'EINVAL');
  }
}

/** $AGENTOS_CACHE_BUDGET: a whole number of bytes, at least 1. */
function cacheBudgetFromEnv(): number | undefined {
  const text = process.env.AGENTOS_CACHE_BUDGET;
  if (text === undefined || text === '') return undefined;
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new AgentOSError('EINVAL', {
      message: `AGENTOS_CACHE_BUDGET must be a whole number of bytes, at least 1 (got '${text}')`,
    });
  }
  return Number(text);
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + '/');
}

export async function runSandbox(options: RunOptions): Promise<RunResult> {
  const mount = checkMount(options.mount ?? '/agent');
  const addon = loadAddon();
  const helper = execHelperPath();
  const { conn, chunkSize } = openAgentDatabase(options.db, {
    create: false,
    busyTimeoutMs: options.busyTimeoutMs,
  });
  let cache: CacheDir | undefined;
  let policy: HostPolicy | undefined;
  let hostOps: NativeHostOps | undefined;
  let supervisor: NativeSupervisor | undefined;
  let backing: BackingStore | undefined;
  let audit: RunAudit | undefined;
  let exitStatus: number | null = null;
  let failure: unknown;
  try {
    const vfs = new Vfs(conn, chunkSize, { mountPoint: mount, escapes: true });
    const argv = options.command.length > 0 ? options.command : defaultCommand();
    const cwdInMount = options.cwd !== undefined && isUnder(normalize(resolve(options.cwd)), mount);
    audit = RunAudit.start(vfs, {
      level: options.audit ?? 'changes',
      argv,
      cwd: cwdInMount ? normalize(options.cwd!) : (options.cwd ?? process.cwd()),
      mount,
    });
    policy = HostPolicy.create(options, options.db, addon);
    hostOps = policy.startHostOps(addon);
    cache = createCacheDir({
      avoid: policy.avoid,
      companions: [policy.privateTmp],
      db: conn.filePath,
      recover: (db) => db === conn.filePath || recoverDeadRun(db),
    });
    const [supervisorEnd, helperEnd] = addon.createChannel();
    supervisor = new addon.Supervisor(supervisorEnd, mount, cache.root, cache.files);
    if (policy.enforced) supervisor.guardAttributes([...policy.writable]);
    backing = new BackingStore(vfs, cache, addon, {
      onWriteBack: (ino, info) => audit?.wroteBack(ino, info),
      copyBudget: options.cacheBudget ?? cacheBudgetFromEnv(),
    });
    const ctx: SandboxContext = {
      vfs,
      backing,
      locator: new Locator(mount, backing),
      supervisor,
      addon,
      hostOps,
      mount,
      audit,
      commit: () => commit(ctx),
    };
    const command = options.command.length > 0 ? options.command : defaultCommand();
    const args = [
      '--channel',
      '3',
      '--mount',
      mount,
      '--cache',
      cache.root,
      '--grace-ms',
      String(options.graceMs ?? 2000),
    ];
    if (options.waitForDescendants) args.push('--wait');
    if (options.noPtrace) args.push('--no-ptrace');
    if (cwdInMount) args.push('--chdir', normalize(resolve(options.cwd!)));
    args.push(...policy.helperArgs());
    const stdio =
      options.stdio === undefined || options.stdio === 'inherit'
        ? ['inherit', 'inherit', 'inherit']
        : options.stdio === 'pipe'
          ? ['pipe', 'pipe', 'pipe']
          : options.stdio;
    const child = spawn(helper, [...args, '--', ...command], {
      stdio: [...(stdio as StdioOptions[]), helperEnd] as StdioOptions,
      cwd: cwdInMount ? undefined : options.cwd,
      env: { ...(options.env ?? process.env), TMPDIR: policy.privateTmp },
    });
    closeSync(helperEnd);
    options.onSpawn?.(child);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    conn.setBatching(true);
    const exitCode = await withSignalsForwarded(supervisor, () => serve(ctx));
    await exited;
    exitStatus = exitCode;
    return { exitCode, stats: supervisor.stats() };
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    try {
      backing?.close();
      audit?.finish(exitStatus, failure);
      conn.setBatching(false);
    } finally {
      supervisor?.close();
      hostOps?.close();
      cache?.remove();
      policy?.remove();
      conn.close();
    }
  }
}

/** The event loop: answers calls until the helper reports the command's end. */
async function serve(ctx: SandboxContext): Promise<number> {
  const { supervisor, backing } = ctx;
  let lastFlush = Date.now();
  for (;;) {
    const ev = supervisor.next(backing.hasPending ? 0 : IDLE_MS);
    switch (ev.kind) {
      case 'syscall':
        dispatch(new Call(ev, ctx));
        break;
      case 'trace':
        handleTrace(ev, ctx);
        break;
      case 'close-write':
        // Closed without a close call (a process exited): written back in the background.
        backing.closedAfterWrite(ev.names);
        break;
      case 'exit':
        return ev.code;
      case 'error':
        throw new AgentOSError('EPERM', { message: ev.message });
      case 'idle':
        // Nothing to answer: pending write-backs first, a slice at a time, then a commit.
        if (backing.writeBackPending(Date.now() + WRITE_BACK_SLICE_MS)) break;
        commit(ctx);
        lastFlush = Date.now();
        // Let Node run its own work (signal handlers, child bookkeeping) while the program is quiet.
        await new Promise((resolve) => setImmediate(resolve));
        break;
    }
    if (Date.now() - lastFlush > MAX_BATCH_MS) {
      // A program that never pauses still gets its closed files written back.
      backing.writeBackPending(Date.now() + WRITE_BACK_SLICE_MS);
      commit(ctx);
      lastFlush = Date.now();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** The buffered operation log joins the batch, which commits. */
function commit(ctx: SandboxContext): void {
  ctx.audit?.drain();
  ctx.vfs.conn.flush();
}

/**
 * Terminal signals (Ctrl-C, Ctrl-\) reach the command through its process group, so this
 * process ignores them; SIGTERM and SIGHUP sent to agentos are passed on to the command.
 */
async function withSignalsForwarded<T>(supervisor: NativeSupervisor, fn: () => Promise<T>): Promise<T> {
  const ignore = () => undefined;
  const forward = (signal: NodeJS.Signals) => supervisor.sendSignal(osConstants.signals[signal]);
  const ignored: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];
  const forwarded: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  for (const s of ignored) process.on(s, ignore);
  for (const s of forwarded) process.on(s, forward);
  try {
    return await fn();
  } finally {
    for (const s of ignored) process.off(s, ignore);
    for (const s of forwarded) process.off(s, forward);
  }
}
