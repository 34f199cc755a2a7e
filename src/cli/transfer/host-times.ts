/**
 * Setting host file times to the nanosecond. Node's utimes takes seconds as a double and libuv
 * truncates them to microseconds, so about half of all microsecond values come out 1 µs short
 * and sub-microsecond digits are always lost. Here a time is passed as the middle of its
 * microsecond (which libuv then truncates to exactly that microsecond); times with nanosecond
 * digits, or before 1970, go to a helper process that sets them exactly: python3's
 * os.utime(ns=…) when python3 is installed (one process for every file), else GNU touch, which
 * parses `@seconds.nanoseconds` exactly (one exec per distinct time, run by `sh` workers
 * because spawning from Node costs over a millisecond each).
 */
import { lutimesSync } from 'node:fs';
import { spawn } from 'node:child_process';

const NS = 1_000_000_000n;
const SHELL_WORKERS = 2;

interface Exact {
  path: string;
  atimeNs: bigint;
  mtimeNs: bigint;
}

const PYTHON_UTIME = `
import json, os, sys
for line in sys.stdin:
    path, atime, mtime = json.loads(line)
    os.utime(path, ns=(atime, mtime), follow_symlinks=False)
`;

/** Seconds as an exact decimal string (`1700000000.123456789`, `-0.000000001`). */
export function decimalSeconds(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / NS}.${(abs % NS).toString().padStart(9, '0')}`;
}

/** A double that libuv turns into exactly this whole microsecond, or undefined when there is none. */
function microsecondSeconds(ns: bigint): number | undefined {
  if (ns < 0n || ns % 1000n !== 0n) return undefined;
  return Number(ns / NS) + (Number((ns % NS) / 1000n) + 0.5) / 1e6;
}

export class HostTimes {
  readonly #exact: Exact[] = [];

  /** Sets atime and mtime of `path` (not following a symlink); some finish only in flush(). */
  set(path: string, atimeNs: bigint, mtimeNs: bigint): void {
    const a = microsecondSeconds(atimeNs);
    const m = microsecondSeconds(mtimeNs);
    if (a !== undefined && m !== undefined) lutimesSync(path, a, m);
    else this.#exact.push({ path, atimeNs, mtimeNs });
  }

  /** Sets the times that need a helper; rejects with the helper's first error. */
  async flush(): Promise<void> {
    const exact = this.#exact.splice(0);
    if (exact.length === 0) return;
    // JSON lines of [path, atime, mtime]; the integers are written out whole, never as doubles.
    const input = exact.map((e) => `[${JSON.stringify(e.path)},${e.atimeNs},${e.mtimeNs}]`);
    const python = await runHelper('python3', ['-c', PYTHON_UTIME], input.join('\n') + '\n');
    if (python !== 'missing') return python === 'ok' ? undefined : fail(python);
    const scripts: string[][] = Array.from({ length: SHELL_WORKERS }, () => ['set -e']);
    touchCommands(exact).forEach((cmd, i) => scripts[i % SHELL_WORKERS].push(cmd));
    const results = await Promise.all(scripts.map((s) => runHelper('sh', ['-s'], s.join('\n') + '\n')));
    for (const r of results) if (r !== 'ok') fail(r === 'missing' ? 'neither python3 nor sh found' : r);
  }
}

/** One touch per distinct (which, time) pair, naming every path that gets that time. */
function touchCommands(exact: Exact[]): string[] {
  const groups = new Map<string, string[]>();
  const add = (flags: string, ns: bigint, path: string): void => {
    const key = `${flags} -d @${decimalSeconds(ns)}`;
    const paths = groups.get(key);
    if (paths) paths.push(path);
    else groups.set(key, [path]);
  };
  for (const e of exact) {
    if (e.atimeNs === e.mtimeNs) add('', e.atimeNs, e.path);
    else {
      add('-a', e.atimeNs, e.path);
      add('-m', e.mtimeNs, e.path);
    }
  }
  const commands: string[] = [];
  for (const [key, paths] of groups) {
    for (let i = 0; i < paths.length; i += 100) {
      commands.push(
        `touch -h -c ${key} -- ${paths
          .slice(i, i + 100)
          .map(shellQuote)
          .join(' ')}`,
      );
    }
  }
  return commands;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function fail(why: string): never {
  throw new Error(`cannot set exact file times: ${why}`);
}

/** Runs a helper with `input` on stdin: 'ok', 'missing' (not installed) or its first error line. */
function runHelper(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'missing' : e.message));
    child.on('close', (code) => {
      if (code === 0) return resolve('ok');
      // pyenv's shim exits 127 when no python3 is configured: treat it as absent.
      if (code === 127) return resolve('missing');
      const lines = stderr.trim().split('\n');
      resolve(lines[lines.length - 1] || `${command} exited with status ${code}`);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
