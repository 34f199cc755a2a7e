/**
 * Whole-database reads for snapshots, diffs and restores: the tree in one query, and a
 * table-by-table copy that keeps every value exactly (64-bit integers as text, BLOBs as hex,
 * so nothing passes through a double or turso's slow Buffer binding).
 */
import type { SqlParam, StoreConnection } from './connection.js';
import { INODE_COLUMNS, rowToInode, type InodeRecord, type InodeRow } from './fs-store.js';

/** A directory entry with the inode it names. */
export interface EntryRow extends InodeRecord {
  parentIno: number;
  name: string;
}

/** One schema object as sqlite_master lists it. */
export interface SchemaObject {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  sql: string | null;
}

/** A row as typed text: [type, value] per column, where value is exact text, hex or null. */
export type TypedRow = (string | number | null)[];

export class HistoryStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  /** Every directory entry with its inode. */
  entries(): EntryRow[] {
    const cols = INODE_COLUMNS.split(', ')
      .map((c) => `i.${c} AS ${c}`)
      .join(', ');
    return this.#conn
      .prepare<InodeRow & { parent_ino: number; name: string }>(
        `SELECT d.parent_ino AS parent_ino, d.name AS name, ${cols} FROM fs_dentry d JOIN fs_inode i ON i.ino = d.ino`,
      )
      .all()
      .map((r) => ({ ...rowToInode(r), parentIno: r.parent_ino, name: r.name }));
  }

  inode(ino: number): InodeRecord | undefined {
    const row = this.#conn.prepare<InodeRow>(`SELECT ${INODE_COLUMNS} FROM fs_inode WHERE ino = ?`).get(ino);
    return row ? rowToInode(row) : undefined;
  }

  symlinks(): Map<number, string> {
    const rows = this.#conn
      .prepare<{ ino: number; target: string }>('SELECT ino, target FROM fs_symlink')
      .all();
    return new Map(rows.map((r) => [r.ino, r.target]));
  }

  kv(): Map<string, string> {
    const rows = this.#conn.prepare<{ key: string; value: string }>('SELECT key, value FROM kv_store').all();
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  // ---- copying a whole database ----

  schema(): SchemaObject[] {
    return this.#conn.prepare<SchemaObject>('SELECT type, name, sql FROM sqlite_master ORDER BY rowid').all();
  }

  columns(table: string): string[] {
    return this.#conn
      .prepare<{ name: string }>(`PRAGMA table_info(${quoteName(table)})`)
      .all()
      .map((r) => r.name);
  }

  count(table: string): number {
    return this.#conn.prepare<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteName(table)}`).get()?.n ?? 0;
  }

  /**
   * Up to `limit` rows with rowid above `after`, in rowid order, each as its rowid followed by
   * [type, exact value] for every column. `after` null reads the whole table (WITHOUT ROWID).
   */
  page(
    table: string,
    columns: string[],
    after: number | null,
    limit: number,
  ): { rowid: number; values: TypedRow }[] {
    const typed = columns
      .map((c, i) => {
        const q = quoteName(c);
        const value = `CASE typeof(${q}) WHEN 'blob' THEN hex(${q}) WHEN 'integer' THEN CAST(${q} AS TEXT) ELSE ${q} END`;
        return `typeof(${q}) AS t${i}, ${value} AS v${i}`;
      })
      .join(', ');
    const t = quoteName(table);
    const sql =
      after === null
        ? `SELECT 0 AS r, ${typed} FROM ${t}`
        : `SELECT rowid AS r, ${typed} FROM ${t} WHERE rowid > ? ORDER BY rowid LIMIT ?`;
    const stmt = this.#conn.prepare<Record<string, string | number | null>>(sql);
    const rows = after === null ? stmt.all() : stmt.all(after, limit);
    return rows.map((r) => {
      const values: TypedRow = [];
      for (let i = 0; i < columns.length; i++) values.push(r[`t${i}`], r[`v${i}`]);
      return { rowid: Number(r.r), values };
    });
  }

  /** Inserts rows read by page() into `table` (of this, another, database). */
  insertTyped(table: string, columns: string[], rows: TypedRow[], replace: boolean): void {
    if (columns.length === 0) return;
    const values = columns
      .map((_, i) => {
        const t = `?${2 * i + 1}`;
        const v = `?${2 * i + 2}`;
        return `CASE ${t} WHEN 'blob' THEN unhex(${v}) WHEN 'integer' THEN CAST(${v} AS INTEGER) WHEN 'real' THEN CAST(${v} AS REAL) ELSE ${v} END`;
      })
      .join(', ');
    const stmt = this.#conn.prepare(
      `INSERT ${replace ? 'OR REPLACE ' : ''}INTO ${quoteName(table)} (${columns.map(quoteName).join(', ')}) VALUES (${values})`,
    );
    for (const row of rows) stmt.run(...(row as SqlParam[]));
  }
}

export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
