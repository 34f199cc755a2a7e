/**
 * The agent database's side of sync: reading its tables in one snapshot and writing a pulled
 * change set in one transaction, through the ordinary store connection, so every other
 * process that has the database open (the sandbox, the CLI, an SDK program) sees a pull as one
 * ordinary commit and drops its caches.
 */
import { AgentOSError } from '../../errors.js';
import type { StoreConnection } from '../connection.js';
import { emptyChangeSet, type ChangeSet, type DigestMap, type TableChange } from './change-set.js';
import {
  buildSchema,
  candidateTables,
  deleteFor,
  digestOf,
  insertFor,
  isLocalRow,
  keyOf,
  MASTER_SQL,
  missingColumnDefs,
  normalizeRow,
  quoteIdent,
  type ColumnInfo,
  type MasterRow,
  type Row,
  type SchemaInfo,
  type SqlValue,
} from './tables.js';

const PAGE = 256;

export function agentSchema(conn: StoreConnection): SchemaInfo {
  const master = conn.prepare<MasterRow>(MASTER_SQL).all();
  const columns = new Map<string, ColumnInfo[]>();
  for (const name of candidateTables(master)) {
    columns.set(name, conn.prepare<ColumnInfo>(`PRAGMA table_info(${quoteIdent(name)})`).all());
  }
  return buildSchema(master, columns);
}

/** Inodes kept alive only by local processes (unlinked while open): never synced. */
export function agentOrphans(conn: StoreConnection): Set<number> {
  const exists = conn
    .prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'agentos_orphans'")
    .get();
  if (!exists) return new Set();
  return new Set(
    conn
      .prepare<{ ino: number }>('SELECT ino FROM agentos_orphans')
      .all()
      .map((r) => Number(r.ino)),
  );
}

/** agentos_meta's change counter: it moves with every commit that changed anything. */
export function agentGeneration(conn: StoreConnection): number {
  const row = conn
    .prepare<{ value: string }>("SELECT value FROM agentos_meta WHERE key = 'generation'")
    .get();
  return row ? Number(row.value) : 0;
}

/** Calls `fn` for every row of `table` (in rowid order, a page at a time, inside the caller's snapshot). */
export function forEachAgentRow(
  conn: StoreConnection,
  table: string,
  columns: string[],
  fn: (row: Row) => void,
): void {
  const cols = columns.map(quoteIdent).join(', ');
  const stmt = conn.prepare<Record<string, unknown>>(
    `SELECT rowid AS "__agentos_rowid", ${cols} FROM ${quoteIdent(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`,
  );
  let last = -Infinity;
  for (;;) {
    const rows = stmt.all(last === -Infinity ? Number.MIN_SAFE_INTEGER : last);
    for (const raw of rows) fn(normalizeRow(raw, columns));
    if (rows.length < PAGE) return;
    last = Number(rows[rows.length - 1].__agentos_rowid);
  }
}

export interface AgentDiff {
  changes: ChangeSet;
  generation: number;
}

/**
 * What the replica lacks to equal this agent database (push direction), read in one snapshot.
 * `theirs` holds the replica's schema and digests.
 */
export function diffAgentToReplica(
  conn: StoreConnection,
  theirs: { schema: SchemaInfo; digests: Map<string, DigestMap> },
): AgentDiff {
  return conn.read(() => {
    const schema = agentSchema(conn);
    const orphans = agentOrphans(conn);
    const generation = agentGeneration(conn);
    const changes = emptyChangeSet();
    for (const table of schema.tables.values()) {
      const other = theirs.schema.tables.get(table.name);
      if (!other) changes.createTables.push(table);
      else {
        const defs = missingColumnDefs(other, table);
        if (defs.length > 0) changes.addColumns.push({ table: table.name, defs });
      }
      const remaining = new Map(theirs.digests.get(table.name) ?? []);
      const change: TableChange = { table, columns: table.columns, deletes: [], inserts: [], added: 0 };
      forEachAgentRow(conn, table.name, table.columns, (row) => {
        if (isLocalRow(table.name, row, orphans)) return;
        const k = keyOf(row, table.key);
        const known = remaining.get(k);
        remaining.delete(k);
        if (known?.digest === digestOf(row, table.columns)) return;
        if (known) change.deletes.push(known.key);
        else change.added++;
        change.inserts.push(row);
      });
      for (const { key } of remaining.values()) change.deletes.push(key);
      if (change.inserts.length > 0 || change.deletes.length > 0) changes.tables.push(change);
    }
    const indexed = new Set(theirs.schema.indexes.map((i) => i.name));
    changes.createIndexes = schema.indexes.filter((i) => !indexed.has(i.name));
    return { changes, generation };
  });
}

/**
 * Digests of this agent database's rows over the columns the replica has (pull direction),
 * plus what must not be touched: orphan inodes, and the generation to detect a concurrent write.
 */
export function agentDigests(
  conn: StoreConnection,
  replica: SchemaInfo,
): { digests: Map<string, DigestMap>; schema: SchemaInfo; orphans: Set<number>; generation: number } {
  return conn.read(() => {
    const schema = agentSchema(conn);
    const orphans = agentOrphans(conn);
    const generation = agentGeneration(conn);
    const digests = new Map<string, DigestMap>();
    for (const table of replica.tables.values()) {
      const mine = schema.tables.get(table.name);
      const map: DigestMap = new Map();
      digests.set(table.name, map);
      if (!mine) continue;
      const missing = table.columns.filter((c) => !mine.columns.includes(c));
      if (missing.length > 0) {
        throw new AgentOSError('ENOTSUP', {
          syscall: 'sync',
          path: conn.path,
          message: `the remote's ${table.name} has columns this AgentOS does not know (${missing.join(', ')}); upgrade AgentOS`,
        });
      }
      forEachAgentRow(conn, table.name, table.columns, (row) => {
        if (isLocalRow(table.name, row, orphans)) return;
        map.set(keyOf(row, table.key), {
          digest: digestOf(row, table.columns),
          key: table.key.map((c) => row[c]),
        });
      });
    }
    return { digests, schema, orphans, generation };
  });
}

/**
 * Writes a pulled change set in one transaction, after checking nothing was written since
 * `generation` was read (else EBUSY: a local write raced the pull, which must not be lost).
 */
export function applyToAgent(
  conn: StoreConnection,
  changes: ChangeSet,
  generation: number,
  orphans: Set<number>,
): void {
  conn.write(() => {
    if (agentGeneration(conn) !== generation) {
      throw new AgentOSError('EBUSY', {
        syscall: 'sync',
        path: conn.path,
        message: 'the agent database changed while pulling; nothing was applied, retry the pull',
      });
    }
    for (const t of changes.createTables) conn.exec(t.sql);
    for (const i of changes.createIndexes) conn.exec(i.sql);
    for (const t of changes.tables) applyTable(conn, t, orphans);
  });
}

function applyTable(conn: StoreConnection, t: TableChange, orphans: Set<number>): void {
  const touchesOrphan = (values: Record<string, SqlValue>) =>
    isLocalRow(t.table.name, values, orphans) && t.table.name !== 'agentos_meta';
  for (const key of t.deletes) {
    const row = Object.fromEntries(t.table.key.map((c, i) => [c, key[i]]));
    if (touchesOrphan(row)) throw orphanCollision(conn.path);
    const { sql, params } = deleteFor(t.table.name, t.table.key, key);
    conn.prepare(sql).run(...params);
  }
  for (const row of t.inserts) {
    if (touchesOrphan(row)) throw orphanCollision(conn.path);
    const { sql, params } = insertFor(t.table.name, t.columns, [row]);
    conn.prepare(sql).run(...params);
  }
}

function orphanCollision(path: string): AgentOSError {
  return new AgentOSError('EBUSY', {
    syscall: 'sync',
    path,
    message:
      'the pull would replace a file that a local process still holds open after deleting it; retry when it has closed the file',
  });
}
