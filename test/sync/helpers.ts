/** Shared pieces of the sync tests: a fresh sync server and temporary directory per test, and table dumps. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentOS } from '../../src/index.js';
import { startSyncServer, type SyncServer } from './sync-server.js';

export interface SyncEnv {
  dir: string;
  server: SyncServer;
  path(name: string): string;
}

/** Registers hooks giving each test its own directory and sync server (one remote database). */
export function useSyncEnv(): () => SyncEnv {
  let env: SyncEnv | undefined;
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentos-sync-'));
    const server = await startSyncServer(join(dir, 'hub.db'));
    env = { dir, server, path: (name) => join(dir, name) };
  });
  afterEach(async () => {
    await env?.server.stop();
    if (env) rmSync(env.dir, { recursive: true, force: true });
    env = undefined;
  });
  return () => {
    if (!env) throw new Error('useSyncEnv(): only inside a test');
    return env;
  };
}

/** Tables that stay on their machine (or belong to the engines and the sync guard). */
const LOCAL = /^(sqlite_|turso_|__turso|agentos_sync$|agentos_orphans$)/;

/**
 * Every synced row of an agent database, table by table in primary-key order, for exact
 * comparison between copies (agentos_meta without its local generation counter).
 */
export async function dumpTables(path: string): Promise<Record<string, unknown[]>> {
  const agent = new AgentOS(path, { readonly: true });
  try {
    const tables = (
      await agent.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    )
      .map((r) => r.name)
      .filter((name) => !LOCAL.test(name));
    const dump: Record<string, unknown[]> = {};
    for (const table of tables) {
      const info = await agent.query<{ name: string; pk: number }>(`PRAGMA table_info(${table})`);
      const order = info.filter((c) => c.pk > 0).map((c) => c.name);
      const where = table === 'agentos_meta' ? " WHERE key <> 'generation'" : '';
      dump[table] = await agent.query(
        `SELECT * FROM ${table}${where} ORDER BY ${(order.length ? order : ['rowid']).join(', ')}`,
      );
    }
    return dump;
  } finally {
    await agent.close();
  }
}

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
