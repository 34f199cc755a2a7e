/**
 * Running real programs under `agentos run`, the way a user does: the built CLI, a real
 * temporary database, and the SDK to look at the database afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentOS } from '../../src/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'agentos.js');
export const FIXTURES = join(ROOT, 'test', 'sandbox', 'fixtures');

export interface SandboxResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  dir: string;
  db: string;
  /** Runs `agentos run [options] -- command...`. */
  run(
    command: string[],
    options?: { input?: string; env?: NodeJS.ProcessEnv; runOptions?: string[]; uid?: number; gid?: number },
  ): SandboxResult;
  /** Runs `agentos ...args` (fs, kv, ...). */
  cli(args: string[]): SandboxResult;
  /** Opens the database with the SDK (close it after use). */
  open(): AgentOS;
  cleanup(): void;
}

export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-sandbox-'));
  chmodSync(dir, 0o777);
  const db = join(dir, 'agent.db');
  const cli = (
    args: string[],
    input = '',
    env?: NodeJS.ProcessEnv,
    ids: { uid?: number; gid?: number } = {},
  ) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      input,
      env: { ...process.env, AGENTOS_DB: undefined, ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
      cwd: dir,
      ...ids,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const init = cli(['init', db]);
  if (init.status !== 0) throw new Error(`agentos init failed: ${init.stderr}`);
  return {
    dir,
    db,
    run: (command, options = {}) =>
      cli(['run', '--db', db, ...(options.runOptions ?? []), '--', ...command], options.input, options.env, {
        uid: options.uid,
        gid: options.gid,
      }),
    cli: (args) => cli([...args, '--db', db]),
    open: () => new AgentOS(db, { create: false }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Registers per-test workspaces; call the returned function inside a test. */
export function useWorkspace(): () => Workspace {
  let current: Workspace | undefined;
  beforeEach(() => {
    current = makeWorkspace();
  });
  afterEach(() => current?.cleanup());
  return () => {
    if (!current) throw new Error('useWorkspace() must be called at describe level');
    return current;
  };
}

/** Compiles a C fixture once per test file into a temp dir; returns the binary's path. */
export function compileFixture(name: string): string {
  const out = mkdtempSync(join(tmpdir(), 'agentos-fixture-'));
  chmodSync(out, 0o755);
  const binary = join(out, name);
  execFileSync('gcc', ['-O1', '-Wall', '-pthread', '-o', binary, join(FIXTURES, `${name}.c`)]);
  return binary;
}

/** A fresh empty host directory (for running the same thing natively). */
export function hostDir(prefix = 'agentos-native-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** md5 of every regular file under `root`, as "sum  relative/path" lines, sorted by path. */
export function checksums(root: string): string {
  return execFileSync('sh', ['-c', 'find . -type f -exec md5sum {} + | sort -k2'], {
    cwd: root,
    encoding: 'utf8',
  });
}
