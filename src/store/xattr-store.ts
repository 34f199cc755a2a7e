/** SQL of extended attributes (extension table agentos_xattrs; values are raw bytes). */
import type { StoreConnection } from './connection.js';

export class XattrStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  get(ino: number, name: string): Buffer | undefined {
    return this.#conn
      .prepare<{ value: Buffer }>('SELECT value FROM agentos_xattrs WHERE ino = ? AND name = ?')
      .get(ino, name)?.value;
  }

  /** Names in byte order. */
  list(ino: number): string[] {
    return this.#conn
      .prepare<{ name: string }>('SELECT name FROM agentos_xattrs WHERE ino = ? ORDER BY name')
      .all(ino)
      .map((r) => r.name);
  }

  set(ino: number, name: string, value: Buffer): void {
    // Hex into unhex(): turso copies a bound Buffer byte by byte.
    this.#conn
      .prepare('INSERT OR REPLACE INTO agentos_xattrs (ino, name, value) VALUES (?, ?, unhex(?))')
      .run(ino, name, value.toString('hex'));
  }

  /** Returns whether the attribute existed. */
  remove(ino: number, name: string): boolean {
    return (
      this.#conn.prepare('DELETE FROM agentos_xattrs WHERE ino = ? AND name = ?').run(ino, name).changes > 0
    );
  }
}
