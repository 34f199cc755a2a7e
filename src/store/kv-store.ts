/** SQL of the key-value store (spec table kv_store; values are JSON text). */
import type { StoreConnection } from './connection.js';

export interface KvRow {
  key: string;
  value: string;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  key: string;
  value: string;
  created_at: number | null;
  updated_at: number | null;
}

function rowToKv(r: Row): KvRow {
  return { key: r.key, value: r.value, createdAt: r.created_at ?? 0, updatedAt: r.updated_at ?? 0 };
}

/**
 * The smallest string above every string that starts with `prefix`, for an indexed range scan;
 * undefined when no simple bound exists (the exact prefix test still applies).
 */
function prefixUpperBound(prefix: string): string | undefined {
  if (prefix.length === 0) return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800) return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export class KvStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  get(key: string): KvRow | undefined {
    const row = this.#conn
      .prepare<Row>('SELECT key, value, created_at, updated_at FROM kv_store WHERE key = ?')
      .get(key);
    return row ? rowToKv(row) : undefined;
  }

  set(key: string, json: string): void {
    this.#conn
      .prepare(
        `INSERT INTO kv_store (key, value, created_at, updated_at) VALUES (?, ?, unixepoch(), unixepoch())
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = unixepoch()`,
      )
      .run(key, json);
  }

  /** Returns whether the key existed. */
  delete(key: string): boolean {
    return this.#conn.prepare('DELETE FROM kv_store WHERE key = ?').run(key).changes > 0;
  }

  /** Keys starting with `prefix`, matched literally (no LIKE wildcards), in key order. */
  list(prefix: string): KvRow[] {
    const upper = prefixUpperBound(prefix);
    const rows = upper
      ? this.#conn
          .prepare<Row>(
            `SELECT key, value, created_at, updated_at FROM kv_store
             WHERE key >= ?1 AND key < ?2 AND substr(key, 1, length(?1)) = ?1 ORDER BY key`,
          )
          .all(prefix, upper)
      : this.#conn
          .prepare<Row>(
            `SELECT key, value, created_at, updated_at FROM kv_store
             WHERE key >= ?1 AND substr(key, 1, length(?1)) = ?1 ORDER BY key`,
          )
          .all(prefix);
    return rows.map(rowToKv);
  }
}
