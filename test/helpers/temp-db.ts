/**
 * Real temporary databases for tests: every test gets its own directory under os.tmpdir(),
 * removed afterwards. VFS tests talk to the VFS directly, with explicit credentials, so
 * permission rules are tested the same way whether the suite runs as root or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openAgentDatabase } from '../../src/store/agent-database.js';
import type { ConnectionOptions, StoreConnection } from '../../src/store/connection.js';
import { Vfs } from '../../src/vfs/vfs.js';
import type { Caller } from '../../src/vfs/context.js';
import type { MountConfig } from '../../src/vfs/path-walk.js';
import { AgentOSError, type ErrnoCode } from '../../src/errors.js';

export interface TempDir {
  dir: string;
  /** A path inside the directory. */
  file(name: string): string;
  cleanup(): void;
}

export function makeTempDir(prefix = 'agentos-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Registers beforeEach/afterEach hooks; call the returned function inside a test. */
export function useTempDir(): () => TempDir {
  let current: TempDir | undefined;
  beforeEach(() => {
    current = makeTempDir();
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTempDir(): only available inside a test');
    return current;
  };
}

export interface TestVfs {
  vfs: Vfs;
  conn: StoreConnection;
  dbPath: string;
  tmp: TempDir;
  /** Closes the database (idempotent) without removing the directory. */
  close(): void;
  /** Opens a second, independent connection and VFS on the same file (another "process" view). */
  reopen(options?: ConnectionOptions): { vfs: Vfs; conn: StoreConnection };
}

export function openTestVfs(tmp: TempDir, mount?: MountConfig, options: ConnectionOptions = {}): TestVfs {
  const dbPath = tmp.file('agent.db');
  const open = (opts: ConnectionOptions) => {
    const { conn, chunkSize } = openAgentDatabase(dbPath, { create: true, ...opts });
    return { conn, vfs: new Vfs(conn, chunkSize, mount) };
  };
  const { conn, vfs } = open(options);
  const others: StoreConnection[] = [];
  return {
    vfs,
    conn,
    dbPath,
    tmp,
    close: () => {
      for (const c of others) c.close();
      conn.close();
    },
    reopen: (opts = {}) => {
      const second = open(opts);
      others.push(second.conn);
      return second;
    },
  };
}

/** A fresh database and VFS for every test in the enclosing describe block. */
export function useTestVfs(mount?: MountConfig): () => TestVfs {
  let current: TestVfs | undefined;
  let tmp: TempDir | undefined;
  beforeEach(() => {
    tmp = makeTempDir();
    current = openTestVfs(tmp, mount);
  });
  afterEach(() => {
    current?.close();
    tmp?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTestVfs(): only available inside a test');
    return current;
  };
}

export const root: Caller = { cred: { uid: 0, gid: 0, groups: [] } };

/** An unprivileged caller, e.g. user(1000) or user(1000, 1000, [500]). */
export function user(uid: number, gid = uid, groups: number[] = []): Caller {
  return { cred: { uid, gid, groups } };
}

/** Runs `fn` and returns the AgentOSError it throws, failing the test if it has another code. */
export function expectErrno(fn: () => unknown, code: ErrnoCode): AgentOSError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected ${code}, but the call succeeded`);
  if (!(thrown instanceof AgentOSError)) throw thrown;
  expect(thrown.code).toBe(code);
  return thrown;
}

/** Awaits `promise` and returns the AgentOSError it rejects with, checking its code. */
export async function expectRejectErrno(promise: Promise<unknown>, code: ErrnoCode): Promise<AgentOSError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected ${code}, but the call succeeded`);
  if (!(thrown instanceof AgentOSError)) throw thrown;
  expect(thrown.code).toBe(code);
  return thrown;
}

/**
 * One query through a separate AgentOS connection. Use this, not sqlite3, while an AgentOS
 * process has the database open: stock sqlite3 does not see turso's newest WAL frames then.
 */
export function queryOnce<Row = Record<string, unknown>>(
  dbPath: string,
  sql: string,
  ...params: (string | number)[]
): Row[] {
  const { conn } = openAgentDatabase(dbPath);
  try {
    return conn.read(() => conn.prepare<Row>(sql).all(...params));
  } finally {
    conn.close();
  }
}

/** Runs SQL (and dot-commands, one per line) with the stock sqlite3 CLI and returns its output. */
export function sqlite3(dbPath: string, sql: string): string {
  return execFileSync('/usr/bin/sqlite3', ['-bail', dbPath], { encoding: 'utf8', input: sql });
}
