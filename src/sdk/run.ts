/**
 * `agent.run()`: a command in the sandbox, from code. The sandbox's supervisor serves the
 * program synchronously on its process's event loop (see src/sandbox/run.ts), so it must not
 * run in the SDK user's process: each run is an `agentos run` child process with its own
 * connection to the database, and this process only pipes its input and output. The database
 * is shared between processes, so the caller's `agent` stays open and sees the run's changes
 * at its next call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve as resolveHostPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';
import { normalize } from '../vfs/path.js';
import type { AuditLevel } from '../sandbox/audit.js';
import { argRangeError, argTypeError, assertInteger, assertString, describe, toBuffer } from './validate.js';

export interface RunOptions {
  /**
   * Working directory of the command. A relative path, or an absolute one under the mount
   * point, is a directory of the agent filesystem (default: the mount point itself, `/agent`);
   * any other absolute path is a host directory.
   */
  cwd?: string;
  /** The command's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Bytes for the command's stdin (default: none, stdin is /dev/null). */
  input?: string | ArrayBufferView;
  /** End the run after this many milliseconds: SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when the run times out or is aborted (default 2000 ms). */
  killGraceMs?: number;
  /** Keep at most this many bytes of stdout and of stderr each (default 10 MiB); the rest is read and dropped. */
  maxOutputBytes?: number;
  /** Where the agent filesystem appears in the sandbox (default `/agent`). */
  mount?: string;
  /** Aborting ends the run like a timeout and rejects with an AbortError. */
  signal?: AbortSignal;
  /** Host paths the command may also write (see the host policy in MANUAL.md). */
  allow?: string[];
  /** No host policy: the command may change whatever its user may. */
  allowHostWrites?: boolean;
  /** Refuse internet and raw packet sockets (EACCES). */
  noNetwork?: boolean;
  /**
   * What the operation log keeps of the run (`--audit`): `'off'`, `'changes'` (creates, writes,
   * renames, deletes, chmods, execs) or `'all'` (also opens, stats, access checks, readlinks,
   * chdirs). Default: `$AGENTOS_AUDIT` of the run's environment, else `'changes'`.
   */
  audit?: RunAuditLevel;
}

/** The levels of `agentos run --audit`. */
export const RUN_AUDIT_LEVELS = ['off', 'changes', 'all'] as const satisfies readonly AuditLevel[];
export type RunAuditLevel = (typeof RUN_AUDIT_LEVELS)[number];

export interface RunResult {
  /** The command's exit code; 128 + the signal number when a signal ended it. */
  exitCode: number;
  /** Set when the run itself had to be killed (SIGKILL after the grace period). */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  /** Output beyond `maxOutputBytes` was dropped. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The run was ended because it took longer than `timeoutMs`. */
  timedOut: boolean;
  durationMs: number;
}

/** What AgentOS knows that the options do not: the database and its settings. */
export interface RunContext {
  db: string;
  busyTimeoutMs?: number;
}

/** The run's working directory, resolved: inside the agent filesystem, or on the host. */
export type ResolvedCwd = { kind: 'agent'; path: string; agentPath: string } | { kind: 'host'; path: string };

export const DEFAULT_MOUNT = '/agent';
const DEFAULT_MAX_OUTPUT = 10 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;

/** The CLI entry, from dist/sdk/run.js (or src/sdk/run.ts under the tests): <package>/bin/agentos.js. */
export function cliPath(): string {
  return fileURLToPath(new URL('../../bin/agentos.js', import.meta.url));
}

/** argv for a command given as a shell string (`sh -c`) or as argv. */
export function commandArgv(command: string | readonly string[]): string[] {
  if (typeof command === 'string') {
    if (command.trim() === '') throw argRangeError('The "command" argument must not be empty');
    return ['/bin/sh', '-c', command];
  }
  if (!Array.isArray(command) || command.length === 0) {
    throw argTypeError(
      `The "command" argument must be a string or a non-empty array of strings. Received ${describe(command)}`,
    );
  }
  command.forEach((arg, i) => assertString(arg, `command[${i}]`));
  return [...command];
}

/** Where `cwd` is: relative paths and paths under the mount are in the agent filesystem. */
export function resolveCwd(cwd: string | undefined, mount: string): ResolvedCwd {
  if (cwd === undefined) return { kind: 'agent', path: mount, agentPath: '/' };
  assertString(cwd, 'cwd');
  if (cwd.includes('\0')) throw argTypeError('The "cwd" option must not contain NUL bytes');
  if (!cwd.startsWith('/')) {
    const agentPath = normalize('/' + cwd);
    return { kind: 'agent', path: agentPath === '/' ? mount : mount + agentPath, agentPath };
  }
  const n = normalize(cwd);
  if (n === mount) return { kind: 'agent', path: mount, agentPath: '/' };
  if (n.startsWith(mount + '/')) return { kind: 'agent', path: n, agentPath: n.slice(mount.length) };
  return { kind: 'host', path: cwd };
}

export function checkRunOptions(options: RunOptions): void {
  if (typeof options !== 'object' || options === null)
    throw argTypeError('The "options" argument must be an object');
  if (options.timeoutMs !== undefined) assertInteger(options.timeoutMs, 'timeoutMs', 1);
  if (options.killGraceMs !== undefined) assertInteger(options.killGraceMs, 'killGraceMs', 0);
  if (options.maxOutputBytes !== undefined) assertInteger(options.maxOutputBytes, 'maxOutputBytes', 0);
  if (options.mount !== undefined) {
    assertString(options.mount, 'mount');
    if (!options.mount.startsWith('/') || normalize(options.mount) === '/') {
      throw argRangeError('The "mount" option must be an absolute path other than /');
    }
  }
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw argTypeError('The "env" option must be an object');
  }
  if (options.allow !== undefined) {
    if (!Array.isArray(options.allow))
      throw argTypeError(`The "allow" option must be an array of paths. Received ${describe(options.allow)}`);
    options.allow.forEach((p, i) => assertString(p, `allow[${i}]`));
  }
  if (options.audit !== undefined) {
    assertString(options.audit, 'audit');
    if (!(RUN_AUDIT_LEVELS as readonly string[]).includes(options.audit)) {
      throw argRangeError(
        `The "audit" option must be one of ${RUN_AUDIT_LEVELS.map((l) => `'${l}'`).join(', ')}. Received '${options.audit}'`,
      );
    }
  }
}

/** `agentos run` options for the host policy. */
function policyArgs(options: RunOptions): string[] {
  const args = (options.allow ?? []).flatMap((p) => ['--allow', resolveHostPath(p)]);
  if (options.allowHostWrites) args.push('--allow-host-writes');
  if (options.noNetwork) args.push('--no-network');
  return args;
}

/** Runs `command` under `agentos run` in a child process; see AgentOS.run. */
export async function runCommand(
  ctx: RunContext,
  command: string | readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  checkRunOptions(options);
  const mount = normalize(options.mount ?? DEFAULT_MOUNT);
  const cwd = resolveCwd(options.cwd, mount);
  const argv = commandArgv(command);
  const input = options.input === undefined ? undefined : toBuffer(options.input, 'utf8', 'input');
  options.signal?.throwIfAborted();
  const cliArgs = [
    cliPath(),
    'run',
    '--db',
    resolveHostPath(ctx.db),
    '--mount',
    mount,
    ...policyArgs(options),
  ];
  if (ctx.busyTimeoutMs !== undefined) cliArgs.push('--busy-timeout', String(ctx.busyTimeoutMs));
  if (options.audit !== undefined) cliArgs.push('--audit', options.audit);
  if (cwd.kind === 'agent') cliArgs.push('--cwd', cwd.path);
  cliArgs.push('--', ...argv);
  const started = Date.now();
  const child = spawn(process.execPath, cliArgs, {
    cwd: cwd.kind === 'host' ? cwd.path : undefined,
    env: options.env ?? process.env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const stdout = new OutputBuffer(max);
  const stderr = new OutputBuffer(max);
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  if (input !== undefined && child.stdin) {
    // A command that exits without reading its input closes the pipe: not an error of the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  }
  const killer = new Killer(child, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => killer.stop('timeout'), options.timeoutMs);
  const onAbort = () => killer.stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal } = await exitOf(child);
    if (killer.reason === 'abort') throw abortError(options.signal?.reason);
    const result: RunResult = {
      exitCode: code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0),
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
      timedOut: killer.reason === 'timeout',
      durationMs: Date.now() - started,
    };
    if (signal) result.signal = signal;
    return result;
  } finally {
    if (timer) clearTimeout(timer);
    killer.clear();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

function abortError(reason: unknown): Error {
  const e = new Error('The run was aborted', { cause: reason });
  e.name = 'AbortError';
  return e;
}

/**
 * Ends a run: SIGTERM to `agentos run`, which passes it on to the command, then SIGKILL after
 * the grace period. Only the CLI process is signalled, never its process group: the sandbox
 * helper must outlive the command to reap it, and when the CLI dies the helper kills every
 * process of the run itself (it cannot run unsupervised).
 */
class Killer {
  reason: 'timeout' | 'abort' | undefined;
  readonly #child: ChildProcess;
  readonly #graceMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(child: ChildProcess, graceMs: number) {
    this.#child = child;
    this.#graceMs = graceMs;
  }

  stop(reason: 'timeout' | 'abort'): void {
    if (this.reason !== undefined || this.#child.exitCode !== null) return;
    this.reason = reason;
    this.#child.kill('SIGTERM');
    this.#timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#graceMs);
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}

/** Keeps the first `max` bytes of a stream and counts the rest. */
class OutputBuffer {
  truncated = false;
  readonly #max: number;
  readonly #chunks: Buffer[] = [];
  #length = 0;

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: Buffer): void {
    const room = this.#max - this.#length;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(kept);
    this.#length += kept.length;
  }

  /** UTF-8 text; a character cut in half by the limit is dropped rather than shown as U+FFFD. */
  text(): string {
    const all = Buffer.concat(this.#chunks, this.#length);
    return (this.truncated ? all.subarray(0, utf8Boundary(all)) : all).toString('utf8');
  }
}

/** The length of `buf` without a trailing incomplete UTF-8 sequence. */
export function utf8Boundary(buf: Buffer): number {
  let i = buf.length;
  // Step back over at most 3 continuation bytes to the lead byte of the last character.
  let back = 0;
  while (back < 3 && i - back - 1 >= 0 && (buf[i - back - 1] & 0xc0) === 0x80) back++;
  const lead = i - back - 1;
  if (lead < 0) return i;
  const b = buf[lead];
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  if (need > back + 1) i = lead;
  return i;
}
