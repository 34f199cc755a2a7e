/**
 * The database engine is native code that aborts the whole process when it panics; turso 0.7.2
 * does so on a database file whose pages are corrupt (for example "index out of bounds" in its
 * pager), printing a Rust backtrace. No JavaScript handler can catch that, so `agentos` runs
 * each command in a child process and this parent turns such a crash into the CLI's usual one
 * line on stderr and exit status 1.
 *
 * Only stderr passes through the parent (to catch the panic text); stdin and stdout are the
 * child's own, so binary output, pipes and terminals behave exactly as without the parent.
 * `agentos run` is not supervised: the programs it runs need the real stderr (an interactive
 * shell checks that stderr is a terminal).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set in the child, so bin/agentos.js runs the command instead of supervising again. */
export const SUPERVISED_ENV = 'AGENTOS_SUPERVISED';
/** Tell the child its stderr ends at a terminal, for the progress bar. */
export const STDERR_TTY_ENV = 'AGENTOS_STDERR_COLUMNS';

const PANIC_START = "thread '";
const CRASH_SIGNALS = new Set(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP']);
/** Signals a user sends to stop a command: the parent dies of the same signal, silently. */
const QUIET_SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE', 'SIGQUIT']);

export function supervise(entry: string, args: string[]): void {
  const env: NodeJS.ProcessEnv = { ...process.env, [SUPERVISED_ENV]: '1' };
  if (process.stderr.isTTY) env[STDERR_TTY_ENV] = String(process.stderr.columns || 80);
  const child = spawn(process.execPath, [...process.execArgv, entry, ...args], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env,
  });
  const panic = new PanicFilter();
  child.stderr?.on('data', (chunk: Buffer) => panic.forward(chunk));
  // The terminal sends ^C to the whole process group: the child decides; a kill aimed at the
  // parent alone is passed on.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('error', (e) => {
    process.stderr.write(`agentos: cannot start: ${e.message}\n`);
    process.exitCode = 1;
  });
  child.on('close', (code, signal) => finish(code, signal, panic.message));
}

function finish(code: number | null, signal: NodeJS.Signals | null, panicMessage: string | undefined): void {
  if (panicMessage !== undefined || (signal !== null && CRASH_SIGNALS.has(signal))) {
    const why = panicMessage ?? `killed by ${signal}`;
    process.stderr.write(
      `agentos: EIO: the database engine crashed (${why}); the database file may be corrupt\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (signal !== null && QUIET_SIGNALS.has(signal)) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  if (signal !== null) {
    process.stderr.write(`agentos: terminated by ${signal}\n`);
    process.exitCode = 128 + (constants.signals[signal] ?? 0);
    return;
  }
  process.exitCode = code ?? 1;
}

/** Passes stderr through until a Rust panic report starts, and keeps that report's message. */
class PanicFilter {
  #captured: string | undefined;

  get message(): string | undefined {
    if (this.#captured === undefined) return undefined;
    // "thread 'x' panicked at file:line:col:\n<message>\nnote: …"
    const lines = this.#captured.split('\n').filter((l) => l.trim() !== '');
    return (lines[1] ?? lines[0] ?? 'panic').trim();
  }

  forward(chunk: Buffer): void {
    if (this.#captured !== undefined) {
      this.#captured += chunk.toString('utf8');
      return;
    }
    const at = chunk.indexOf(PANIC_START);
    if (at < 0 || !chunk.includes(' panicked at ')) {
      process.stderr.write(chunk);
      return;
    }
    // Rust starts the report on a fresh line; that empty line belongs to the report.
    const before = chunk.subarray(0, at);
    const kept = before.toString('utf8').trim() === '' ? Buffer.alloc(0) : before;
    if (kept.length > 0) process.stderr.write(kept);
    this.#captured = chunk.subarray(at).toString('utf8');
  }
}
