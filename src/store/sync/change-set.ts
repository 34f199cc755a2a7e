/**
 * The difference between two copies of an agent database, as the statements that turn the
 * target into the source: tables and indexes to create, rows to delete and rows to (re)insert.
 * A changed row is deleted and inserted again, never updated in place, so that no
 * intermediate state breaks a unique constraint (two directory entries swapping names).
 */
import { keyOf, type IndexInfo, type Row, type SqlValue, type TableInfo } from './tables.js';

export interface TableChange {
  table: TableInfo;
  /** The columns written; the source's. */
  columns: string[];
  /** Primary-key values of rows to remove (changed rows are removed, then inserted). */
  deletes: SqlValue[][];
  /** Complete rows to insert. */
  inserts: Row[];
  /** Rows new to the target, among `inserts`; the rest replace changed rows. */
  added: number;
}

export interface ChangeSet {
  createTables: TableInfo[];
  createIndexes: IndexInfo[];
  addColumns: { table: string; defs: string[] }[];
  tables: TableChange[];
}

/** Per table: primary key → digest and key values, for one copy. */
export type DigestMap = Map<string, { digest: string; key: SqlValue[] }>;

export function emptyChangeSet(): ChangeSet {
  return { createTables: [], createIndexes: [], addColumns: [], tables: [] };
}

export function rowCount(changes: ChangeSet): number {
  return changes.tables.reduce(
    (n, t) => n + t.inserts.length + t.deletes.length - (t.inserts.length - t.added),
    0,
  );
}

export function isEmpty(changes: ChangeSet): boolean {
  return rowCount(changes) === 0 && changes.createTables.length === 0 && changes.addColumns.length === 0;
}

/** What a change set means to a person: how many files, keys and tool calls it touches. */
export interface ChangeSummary {
  /** Files, directories and symlinks created, changed or removed. */
  files: number;
  /** Key-value entries set or deleted. */
  kv: number;
  /** Tool calls recorded, changed or removed. */
  toolCalls: number;
  /** Rows of other tables. */
  other: number;
  /** Rows in all, as the server will receive them. */
  rows: number;
}

export function summarize(changes: ChangeSet): ChangeSummary {
  const inodes = new Set<string>();
  const summary: ChangeSummary = { files: 0, kv: 0, toolCalls: 0, other: 0, rows: rowCount(changes) };
  for (const t of changes.tables) {
    const touched = touchedKeys(t);
    const name = t.table.name;
    if (name.startsWith('fs_') && name !== 'fs_config') {
      for (const row of touched) {
        const ino = name === 'fs_dentry' ? row.ino : (row.ino ?? row[t.table.key[0]]);
        if (ino !== undefined && ino !== null) inodes.add(String(ino));
      }
    } else if (name === 'kv_store') summary.kv += touched.length;
    else if (name === 'tool_calls') summary.toolCalls += touched.length;
    else if (!name.startsWith('agentos_tool_call') && name !== 'agentos_meta' && name !== 'fs_config')
      summary.other += touched.length;
  }
  summary.files = inodes.size;
  return summary;
}

/** One entry per distinct row touched, with at least its key columns. */
function touchedKeys(t: TableChange): Row[] {
  const seen = new Map<string, Row>();
  for (const row of t.inserts) seen.set(keyOf(row, t.table.key), row);
  for (const key of t.deletes) {
    const row: Row = Object.fromEntries(t.table.key.map((c, i) => [c, key[i]]));
    const k = keyOf(row, t.table.key);
    if (!seen.has(k)) seen.set(k, row);
  }
  return [...seen.values()];
}

export function describeSummary(s: ChangeSummary): string {
  if (s.rows === 0) return 'nothing';
  const parts: string[] = [];
  if (s.files > 0) parts.push(plural(s.files, 'file'));
  if (s.kv > 0) parts.push(plural(s.kv, 'kv key'));
  if (s.toolCalls > 0) parts.push(plural(s.toolCalls, 'tool call'));
  if (s.other > 0) parts.push(plural(s.other, 'other row'));
  if (parts.length === 0) parts.push(plural(s.rows, 'row'));
  return parts.join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
