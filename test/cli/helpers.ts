/**
 * Running the built `agentos` binary against real temporary databases. Every CLI test spawns
 * `node bin/agentos.js …` exactly as a user would; `npm test` builds dist/ first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// A test spawns node several times; on a busy 2-core machine one spawn can take seconds, so
// the default 60 s per test is too tight. This is a limit against hangs, not a timing check.
(import.meta as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(300_000);
export const BIN = join(ROOT, 'bin', 'agentos.js');
/** The built SDK, for helper processes that stand in for an agent using the same database. */
export const DIST_INDEX = join(ROOT, 'dist', 'index.js');

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
}

/** Runs `agentos ...args`; AGENTOS_DB and AGENTOS_BUSY_TIMEOUT from the caller's env are dropped. */
export function agentos(args: string[], options: RunOptions = {}): Result {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AGENTOS_DB: undefined,
    AGENTOS_BUSY_TIMEOUT: undefined,
  };
  Object.assign(env, options.env ?? {});
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    env: env as NodeJS.ProcessEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return {
    status: r.status,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    stdoutBytes: r.stdout,
  };
}

/** Runs a command that must succeed and print nothing on stderr; returns its stdout. */
export function ok(args: string[], options: RunOptions = {}): string {
  const r = agentos(args, options);
  if (r.status !== 0 || r.stderr !== '') {
    throw new Error(`agentos ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

/** Runs a command that must fail with one line on stderr and nothing on stdout; returns that line. */
export function fails(args: string[], status = 1, options: RunOptions = {}): string {
  const r = agentos(args, options);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status, stdout: '' });
  expect(r.stderr).toMatch(/^agentos: [^\n]+\n$/);
  return r.stderr.trimEnd();
}

/** Parses stdout as JSON, failing the test if anything else is on stdout. */
export function json<T = unknown>(args: string[], options: RunOptions = {}): T {
  return JSON.parse(ok(args, options)) as T;
}

export interface Workspace {
  dir: string;
  db: string;
  path(name: string): string;
  /** `agentos` with `--db` pointing at this workspace's database. */
  run(args: string[], options?: RunOptions): string;
}

/** A temporary directory with an initialised agent.db, removed after each test of the file. */
export function useWorkspace(init = true): () => Workspace {
  let ws: Workspace | undefined;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'agentos-cli-'));
    const db = join(dir, 'agent.db');
    if (init) ok(['init', db]);
    ws = {
      dir,
      db,
      path: (name) => join(dir, name),
      run: (args, options) => ok([...args, '--db', db], options),
    };
  });
  afterEach(() => {
    if (ws) rmSync(ws.dir, { recursive: true, force: true });
    ws = undefined;
  });
  return () => {
    if (!ws) throw new Error('useWorkspace(): only inside a test');
    return ws;
  };
}

/**
 * Starts a Node process that runs `body` (an async function body with `AgentOS`, `db`, `dir`
 * and `sleep` in scope) against the database, standing in for an agent that keeps it open.
 */
export function startAgentProcess(dir: string, db: string, body: string): ChildProcess {
  const script = join(dir, `agent-${Date.now()}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    `import { AgentOS } from ${JSON.stringify(DIST_INDEX)};
const db = ${JSON.stringify(db)};
const dir = ${JSON.stringify(dir)};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
${body}
`,
  );
  return spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Resolves with the exit code once the process ends. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Waits (polling) until a file exists: a helper process's signal that it is ready. */
export async function waitForFile(path: string, child?: ChildProcess): Promise<void> {
  while (!existsSync(path)) {
    if (child && child.exitCode !== null)
      throw new Error(`helper exited (${child.exitCode}) before ${path} appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** python3 stands in for a foreign SQLite program; tests that need it are skipped without it. */
export const HAS_PYTHON = spawnSync('python3', ['-c', 'import sqlite3'], { stdio: 'ignore' }).status === 0;
