/**
 * The replica: a database file private to the turso sync engine (`@tursodatabase/sync`), kept
 * in the sync directory beside the agent database.
 *
 * Why not let the engine sync agent.db itself: the engine owns its database's WAL. It keeps
 * the pages of the last synced state in a "revert" WAL and its own watermarks across the WAL,
 * and needs every writer to run with automatic checkpoints disabled. Every other AgentOS
 * process writes agent.db through @tursodatabase/database, which checkpoints after commits
 * (past 1000 frames) and on close, and cannot be told not to. Measured with turso 0.7.2: after
 * one such checkpoint the engine's next pull silently lost a remote row and its next push
 * failed ("unable to checkpoint synced portion of WAL"). So agent.db stays an ordinary
 * database that any number of processes share, and a push or pull moves rows between agent.db
 * and the replica (src/store/sync/agent-side.ts) while the engine moves them between the
 * replica and the server. Only one process at a time opens the replica (sync-lock.ts).
 *
 * The engine's API is asynchronous only (its `compat` export is missing from the 0.7.2
 * package), so this module is async while the agent side is synchronous.
 */
import type { Database as SyncDatabase } from '@tursodatabase/sync';
import { emptyChangeSet, type ChangeSet, type DigestMap, type TableChange } from './change-set.js';
import { guardRowOf, GUARD_TABLE, type GuardRow } from './guard.js';
import { httpUrlOf } from './local-config.js';
import { tracedFetch } from './remote.js';
import { classifySyncError, type NetworkTrace } from './sync-errors.js';
import {
  batchesOf,
  buildSchema,
  candidateTables,
  deleteFor,
  digestOf,
  insertFor,
  keyOf,
  MASTER_SQL,
  normalizeRow,
  quoteIdent,
  type ColumnInfo,
  type MasterRow,
  type Row,
  type SchemaInfo,
  type SqlValue,
} from './tables.js';

const PAGE = 256;
/** Rows per multi-row INSERT into the replica, and the bytes bound per statement. */
const INSERT_ROWS = 64;
const INSERT_BYTES = 1 << 20;

export interface ReplicaOptions {
  path: string;
  url: string;
  authToken?: string;
  timeoutMs: number;
}

type Param = string | number | bigint | null;

export class Replica {
  readonly #db: SyncDatabase;
  readonly #trace: NetworkTrace;
  readonly #options: ReplicaOptions;

  private constructor(db: SyncDatabase, trace: NetworkTrace, options: ReplicaOptions) {
    this.#db = db;
    this.#trace = trace;
    this.#options = options;
  }

  /** Opens the replica; a new one is bootstrapped from the server (`what` names the operation for errors). */
  static async open(options: ReplicaOptions, what: string): Promise<Replica> {
    const { connect } = await import('@tursodatabase/sync');
    const trace: NetworkTrace = {};
    try {
      const db = await connect({
        path: options.path,
        url: httpUrlOf(options.url),
        authToken: options.authToken,
        clientName: 'agentos',
        fetch: tracedFetch(options.timeoutMs, trace),
      });
      return new Replica(db, trace, options);
    } catch (e) {
      throw classifySyncError(e, what, options.url, trace, options.timeoutMs);
    }
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async all<T = Record<string, unknown>>(sql: string, ...params: Param[]): Promise<T[]> {
    const stmt = await this.#db.prepare(sql);
    return (await stmt.all(...params)) as T[];
  }

  async run(sql: string, ...params: Param[]): Promise<void> {
    const stmt = await this.#db.prepare(sql);
    await stmt.run(...params);
  }

  async schema(): Promise<SchemaInfo> {
    const master = await this.all<MasterRow>(MASTER_SQL);
    const columns = new Map<string, ColumnInfo[]>();
    for (const name of candidateTables(master)) {
      columns.set(name, await this.all<ColumnInfo>(`PRAGMA table_info(${quoteIdent(name)})`));
    }
    return buildSchema(master, columns);
  }

  async hasGuard(): Promise<boolean> {
    const rows = await this.all(
      `SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = '${GUARD_TABLE}'`,
    );
    return rows.length > 0;
  }

  /** The lineage head as this replica knows it. */
  async head(): Promise<GuardRow | undefined> {
    if (!(await this.hasGuard())) return undefined;
    const [row] = await this.all(`SELECT head, base, pushed_at, pushed_by FROM ${GUARD_TABLE} WHERE id = 1`);
    return row ? guardRowOf(row) : undefined;
  }

  /** A simple value from the replica's agentos_meta or fs_config, if present. */
  async configValue(table: 'agentos_meta' | 'fs_config', key: string): Promise<string | undefined> {
    const exists = await this.all(
      `SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = '${table}'`,
    );
    if (exists.length === 0) return undefined;
    const [row] = await this.all<{ value: string }>(`SELECT value FROM ${table} WHERE key = ?`, key);
    return row?.value;
  }

  /** Calls `fn` for each page of rows of `table` (rowid order). */
  async forEachPage(table: string, columns: string[], fn: (rows: Row[]) => void): Promise<void> {
    const sql = `SELECT rowid AS "__agentos_rowid", ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`;
    const stmt = await this.#db.prepare(sql);
    let last = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const raw = (await stmt.all(last)) as Record<string, unknown>[];
      fn(raw.map((r) => normalizeRow(r, columns)));
      if (raw.length < PAGE) return;
      last = Number(raw[raw.length - 1].__agentos_rowid);
    }
  }

  /**
   * Digests of every row, per table, computed over `digestColumns(table)` (columns the replica
   * lacks count as NULL), so they compare with the other copy's digests of the same columns.
   */
  async digests(
    schema: SchemaInfo,
    digestColumns: (table: string) => string[] | undefined,
  ): Promise<Map<string, DigestMap>> {
    const result = new Map<string, DigestMap>();
    for (const table of schema.tables.values()) {
      const columns = digestColumns(table.name);
      if (!columns) continue;
      const readable = columns.filter((c) => table.columns.includes(c));
      const map: DigestMap = new Map();
      await this.forEachPage(table.name, readable, (rows) => {
        for (const row of rows)
          map.set(keyOf(row, table.key), {
            digest: digestOf(row, columns),
            key: table.key.map((c) => row[c]),
          });
      });
      result.set(table.name, map);
    }
    return result;
  }

  /**
   * What an agent database (described by `mine`) lacks to equal this replica: the pull
   * direction. Rows are read twice, once for digests and once for the rows that differ, so
   * memory holds digests and changed rows, not the whole database.
   */
  async diffToAgent(
    schema: SchemaInfo,
    mine: { schema: SchemaInfo; digests: Map<string, DigestMap> },
  ): Promise<ChangeSet> {
    const changes = emptyChangeSet();
    for (const table of schema.tables.values()) {
      if (!mine.schema.tables.has(table.name)) changes.createTables.push(table);
      const theirs = new Map(mine.digests.get(table.name) ?? []);
      const wanted = new Map<string, boolean>();
      await this.forEachPage(table.name, table.columns, (rows) => {
        for (const row of rows) {
          const k = keyOf(row, table.key);
          const known = theirs.get(k);
          theirs.delete(k);
          if (known?.digest !== digestOf(row, table.columns)) wanted.set(k, known !== undefined);
        }
      });
      const change: TableChange = { table, columns: table.columns, deletes: [], inserts: [], added: 0 };
      for (const { key } of theirs.values()) change.deletes.push(key);
      if (wanted.size > 0) {
        await this.forEachPage(table.name, table.columns, (rows) => {
          for (const row of rows) {
            const replaced = wanted.get(keyOf(row, table.key));
            if (replaced === undefined) continue;
            if (replaced) change.deletes.push(table.key.map((c) => row[c]));
            else change.added++;
            change.inserts.push(row);
          }
        });
      }
      if (change.inserts.length > 0 || change.deletes.length > 0) changes.tables.push(change);
    }
    const indexed = new Set(mine.schema.indexes.map((i) => i.name));
    changes.createIndexes = schema.indexes.filter((i) => !indexed.has(i.name));
    return changes;
  }

  /**
   * Applies a change set in one transaction whose first statement moves the lineage head
   * (guard.ts); the engine records every row change for the next push.
   */
  async apply(changes: ChangeSet, guard: { sql: string; params: Param[] }): Promise<void> {
    await this.#db.exec('BEGIN IMMEDIATE');
    try {
      await this.run(guard.sql, ...guard.params);
      for (const t of changes.createTables) await this.#db.exec(t.sql);
      for (const a of changes.addColumns) {
        for (const def of a.defs) await this.#db.exec(`ALTER TABLE ${quoteIdent(a.table)} ADD COLUMN ${def}`);
      }
      for (const i of changes.createIndexes) await this.#db.exec(i.sql);
      for (const t of changes.tables) await this.#applyTable(t);
      await this.#db.exec('COMMIT');
    } catch (e) {
      await this.#db.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async #applyTable(t: TableChange): Promise<void> {
    for (const key of t.deletes) {
      const { sql, params } = deleteFor(t.table.name, t.table.key, key as SqlValue[]);
      await this.run(sql, ...params);
    }
    for (const batch of batchesOf(t.columns, t.inserts, INSERT_ROWS, INSERT_BYTES)) {
      const { sql, params } = insertFor(t.table.name, t.columns, batch);
      await this.run(sql, ...params);
    }
  }

  /** Sends every change recorded since the last push. */
  async push(what: string): Promise<void> {
    try {
      await this.#db.push();
    } catch (e) {
      throw classifySyncError(e, what, this.#options.url, this.#trace, this.#options.timeoutMs);
    }
  }

  /** Brings in the server's changes; true when there were any. */
  async pull(what: string): Promise<boolean> {
    try {
      return await this.#db.pull();
    } catch (e) {
      throw classifySyncError(e, what, this.#options.url, this.#trace, this.#options.timeoutMs);
    }
  }

  /** Folds the engine's WAL into the replica file, so it does not grow without end. */
  async checkpoint(): Promise<void> {
    try {
      await this.#db.checkpoint();
    } catch {
      // Only housekeeping: the next sync tries again.
    }
  }
}
