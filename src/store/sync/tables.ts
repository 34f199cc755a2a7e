/**
 * Which tables and rows of an agent database travel with sync, and how rows are compared.
 *
 * Every table with a primary key travels (the spec tables, AgentOS's extension tables, and
 * tables added later), except what is machine-local:
 * - the engines' own tables (sqlite_*, turso_*) and the sync guard;
 * - `agentos_orphans` (pids of local processes holding unlinked files open) and those orphan
 *   inodes themselves (unreachable by name, freed when the local process closes them);
 * - `agentos_pending_content` (content a local sandbox run holds in its cache directory);
 * - `agentos_meta.generation`, the local change counter other processes watch.
 * Rows are identified by their primary key (the server re-creates rows by key, so rowids of
 * tables without an INTEGER PRIMARY KEY differ between copies) and compared by a digest of
 * their values. Tables without a primary key cannot be replicated faithfully by the engine
 * (a delete would be replayed by rowid) and are left out.
 */
import { createHash, type Hash } from 'node:crypto';
import { GUARD_TABLE, isEngineTable } from './guard.js';

export interface TableInfo {
  name: string;
  /** The CREATE TABLE statement, as sqlite_master holds it. */
  sql: string;
  columns: string[];
  /** Primary-key columns in key order. */
  key: string[];
  info: ColumnInfo[];
}

export interface IndexInfo {
  name: string;
  table: string;
  sql: string;
}

export interface SchemaInfo {
  tables: Map<string, TableInfo>;
  indexes: IndexInfo[];
}

export type SqlValue = string | number | bigint | Buffer | null;
export type Row = Record<string, SqlValue>;

export interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

export interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: unknown;
  pk: number;
}

export const MASTER_SQL =
  "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index')";

const LOCAL_TABLES = new Set(['agentos_orphans', 'agentos_pending_content', GUARD_TABLE]);
const LOCAL_META_KEYS = new Set(['generation']);
const INODE_TABLES = new Set(['fs_inode', 'fs_data', 'fs_symlink']);

export function isSyncedTable(name: string): boolean {
  return !isEngineTable(name) && !LOCAL_TABLES.has(name);
}

/** Names whose `PRAGMA table_info` `buildSchema` needs. */
export function candidateTables(master: MasterRow[]): string[] {
  return master
    .filter((e) => e.type === 'table' && e.sql !== null && isSyncedTable(e.name))
    .map((e) => e.name);
}

/**
 * The tables (with a primary key) and indexes that travel, from a database's catalog. (turso
 * 0.7 reports pk = 1 for every column of a composite key; the stable sort then keeps column
 * order, the same on both sides.)
 */
export function buildSchema(master: MasterRow[], columnsOf: Map<string, ColumnInfo[]>): SchemaInfo {
  const tables = new Map<string, TableInfo>();
  for (const name of candidateTables(master)) {
    const entry = master.find((e) => e.type === 'table' && e.name === name) as MasterRow;
    const info = columnsOf.get(name) ?? [];
    const key = info
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => c.name);
    if (key.length === 0) continue;
    tables.set(name, { name, sql: entry.sql as string, columns: info.map((c) => c.name), key, info });
  }
  const indexes = master
    .filter((e) => e.type === 'index' && e.sql !== null && tables.has(e.tbl_name))
    .map((e) => ({ name: e.name, table: e.tbl_name, sql: e.sql as string }));
  return { tables, indexes };
}

/** Rows that belong to this machine only. */
export function isLocalRow(table: string, row: Row, orphans: ReadonlySet<number>): boolean {
  if (table === 'agentos_meta') return LOCAL_META_KEYS.has(String(row.key));
  if (INODE_TABLES.has(table) && orphans.size > 0) return orphans.has(Number(row.ino));
  return false;
}

/** A string identifying a row by its primary key. */
export function keyOf(row: Row, key: string[]): string {
  return key.map((c) => encodeKeyPart(row[c])).join('\u0000');
}

function encodeKeyPart(v: SqlValue | undefined): string {
  if (v === null || v === undefined) return 'n';
  if (typeof v === 'number' || typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'string') return `s${v}`;
  return `b${Buffer.from(v).toString('base64')}`;
}

/** A digest of a row's values in `columns`, type-aware (1 and '1' differ). */
export function digestOf(row: Row, columns: string[]): string {
  const h = createHash('sha1');
  for (const c of columns) feed(h, row[c]);
  return h.digest('base64');
}

function feed(h: Hash, v: SqlValue | undefined): void {
  if (v === null || v === undefined) h.update('n;');
  else if (typeof v === 'number') h.update(Number.isInteger(v) ? `i${v};` : `r${v};`);
  else if (typeof v === 'bigint') h.update(`i${v};`);
  else if (typeof v === 'string') {
    h.update(`s${Buffer.byteLength(v)}:`);
    h.update(v);
  } else {
    h.update(`b${v.length}:`);
    h.update(v);
  }
}

/** Blobs come back from the engines as Buffer or Uint8Array; numbers as number or bigint. */
export function normalizeRow(raw: Record<string, unknown>, columns: string[]): Row {
  const row: Row = {};
  for (const c of columns) {
    const v = raw[c];
    row[c] = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : ((v ?? null) as SqlValue);
  }
  return row;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Columns both copies of a table have, in this copy's order. */
export function sharedColumns(mine: TableInfo, theirs: TableInfo | undefined): string[] {
  if (!theirs) return mine.columns;
  const other = new Set(theirs.columns);
  return mine.columns.filter((c) => other.has(c));
}

/** The ALTER TABLE ADD COLUMN definitions a table needs to gain the columns of `wanted`. */
export function missingColumnDefs(have: TableInfo, wanted: TableInfo): string[] {
  const present = new Set(have.columns);
  return wanted.info
    .filter((c) => !present.has(c.name))
    .map((c) => {
      let def = `${quoteIdent(c.name)} ${c.type}`;
      if (c.dflt_value !== null && c.dflt_value !== undefined) def += ` DEFAULT ${String(c.dflt_value)}`;
      if (Number(c.notnull) && c.dflt_value !== null && c.dflt_value !== undefined) def += ' NOT NULL';
      return def;
    });
}

/**
 * An INSERT for `row`, with blobs bound as hex into `unhex(?)`: turso 0.7 copies a bound Buffer
 * one element at a time (see fs-store.ts), a string in one copy. Rows with the same column
 * types share the statement text (and so the prepared statement).
 */
export function insertFor(
  table: string,
  columns: string[],
  rows: Row[],
): { sql: string; params: (string | number | bigint | null)[] } {
  const params: (string | number | bigint | null)[] = [];
  const tuples = rows.map((row) => {
    const slots = columns.map((c) => {
      const v = row[c];
      if (Buffer.isBuffer(v)) {
        params.push(v.toString('hex'));
        return 'unhex(?)';
      }
      params.push(v ?? null);
      return '?';
    });
    return `(${slots.join(', ')})`;
  });
  return {
    sql: `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`,
    params,
  };
}

/** Rows in runs that bind the same way, at most `max` rows or ~`maxBytes` per run. */
export function batchesOf(columns: string[], rows: Row[], max: number, maxBytes: number): Row[][] {
  const batches: Row[][] = [];
  let current: Row[] = [];
  let pattern = '';
  let bytes = 0;
  for (const row of rows) {
    const p = columns.map((c) => (Buffer.isBuffer(row[c]) ? 'b' : 'v')).join('');
    const size = columns.reduce((n, c) => n + sizeOf(row[c]), 0);
    if (current.length > 0 && (p !== pattern || current.length >= max || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    pattern = p;
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function sizeOf(v: SqlValue | undefined): number {
  if (Buffer.isBuffer(v)) return v.length * 2;
  if (typeof v === 'string') return v.length;
  return 8;
}

/** A DELETE of the row with primary key `values` (blobs bound as hex, as in `insertFor`). */
export function deleteFor(
  table: string,
  key: string[],
  values: SqlValue[],
): { sql: string; params: (string | number | bigint | null)[] } {
  const params: (string | number | bigint | null)[] = [];
  const where = key.map((c, i) => {
    const v = values[i];
    if (Buffer.isBuffer(v)) {
      params.push(v.toString('hex'));
      return `${quoteIdent(c)} = unhex(?)`;
    }
    params.push(v ?? null);
    return `${quoteIdent(c)} = ?`;
  });
  return { sql: `DELETE FROM ${quoteIdent(table)} WHERE ${where.join(' AND ')}`, params };
}
