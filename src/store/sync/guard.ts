/**
 * One writer per agent database, enforced by the server.
 *
 * The turso sync engine pushes local changes as row-level statements (upserts by primary key)
 * and applies them whatever the server holds: two machines that both created inode 7 would
 * silently overwrite each other's rows, breaking the filesystem. So every push AgentOS makes
 * starts by moving a lineage head in the `agentos_sync` table from the value this copy last
 * saw to a new random one (`UPDATE ... SET base = head, head = :new`). A trigger installed on
 * the server refuses the update when the server's head is not the pushing copy's base, with
 * RAISE(ROLLBACK): the whole push transaction is rolled back and the engine reports the
 * failure, so a conflicting push changes nothing on the server. The check runs inside the
 * server's transaction, so two machines pushing at the same instant cannot both pass it.
 *
 * The table lives only in the replica and on the server (the remote is a spec-compatible
 * agent database plus this table); agent.db never holds it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CONFLICT_MARKER } from './sync-errors.js';
import { remoteExecute, type RemoteOptions } from './remote.js';

export const GUARD_TABLE = 'agentos_sync';

const GUARD_DDL = [
  `CREATE TABLE IF NOT EXISTS ${GUARD_TABLE} (
  id INTEGER PRIMARY KEY,
  head TEXT NOT NULL,
  base TEXT,
  pushed_at INTEGER NOT NULL,
  pushed_by TEXT NOT NULL
)`,
  `CREATE TRIGGER IF NOT EXISTS agentos_sync_one_writer BEFORE UPDATE ON ${GUARD_TABLE}
  WHEN NEW.base IS NOT OLD.head
  BEGIN SELECT RAISE(ROLLBACK, '${CONFLICT_MARKER}'); END`,
  `CREATE TRIGGER IF NOT EXISTS agentos_sync_one_origin BEFORE INSERT ON ${GUARD_TABLE}
  WHEN EXISTS (SELECT 1 FROM ${GUARD_TABLE})
  BEGIN SELECT RAISE(ROLLBACK, '${CONFLICT_MARKER}'); END`,
];

export interface GuardRow {
  head: string;
  base: string | null;
  pushedAt: number;
  pushedBy: string;
}

/** What a remote holds, judged by its table names. */
export interface RemoteInventory {
  /** Tables other than turso's and SQLite's own and the guard. */
  tables: string[];
  isAgentDatabase: boolean;
}

export async function inspectRemote(options: RemoteOptions, what: string): Promise<RemoteInventory> {
  const [rows] = await remoteExecute(options, ["SELECT name FROM sqlite_master WHERE type = 'table'"], what);
  const tables = rows
    .map((r) => String(r.name))
    .filter((name) => !isEngineTable(name) && name !== GUARD_TABLE);
  return { tables, isAgentDatabase: ['fs_config', 'fs_inode', 'fs_dentry'].every((t) => tables.includes(t)) };
}

/** Creates the guard table and its triggers on the server (idempotent). */
export async function installRemoteGuard(options: RemoteOptions, what: string): Promise<void> {
  await remoteExecute(options, GUARD_DDL, what);
}

/** The server's current lineage head, or undefined before the first push. */
export async function remoteHead(options: RemoteOptions, what: string): Promise<GuardRow | undefined> {
  const [tables] = await remoteExecute(
    options,
    [`SELECT name FROM sqlite_master WHERE name = '${GUARD_TABLE}'`],
    what,
  );
  if (tables.length === 0) return undefined;
  const [rows] = await remoteExecute(
    options,
    [`SELECT head, base, pushed_at, pushed_by FROM ${GUARD_TABLE} WHERE id = 1`],
    what,
  );
  return rows[0] ? guardRowOf(rows[0]) : undefined;
}

export function guardRowOf(row: Record<string, unknown>): GuardRow {
  return {
    head: String(row.head),
    base: row.base === null || row.base === undefined ? null : String(row.base),
    pushedAt: Number(row.pushed_at),
    pushedBy: String(row.pushed_by),
  };
}

/** The statements a push runs first in its replica transaction, moving the head to `next`. */
export function guardStatement(current: GuardRow | undefined): {
  sql: string;
  params: (string | number)[];
  head: string;
} {
  const head = randomUUID();
  const who = hostname();
  if (current === undefined) {
    return {
      sql: `INSERT INTO ${GUARD_TABLE} (id, head, base, pushed_at, pushed_by) VALUES (1, ?, NULL, ?, ?)`,
      params: [head, Date.now(), who],
      head,
    };
  }
  return {
    sql: `UPDATE ${GUARD_TABLE} SET base = head, head = ?, pushed_at = ?, pushed_by = ? WHERE id = 1`,
    params: [head, Date.now(), who],
    head,
  };
}

/** Tables the engines keep for themselves: never part of an agent's data. */
export function isEngineTable(name: string): boolean {
  return /^(sqlite_|turso_|__turso)/.test(name);
}
