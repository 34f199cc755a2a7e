/**
 * agentos_pending_content: files whose newest content a sandbox run holds in its cache and
 * has not written back yet, with the run's process, so that another opener can tell a live
 * run (leave it alone) from a dead one (recover the content from the cache file).
 */
import type { StoreConnection } from './connection.js';

export interface PendingContent {
  ino: number;
  /** The host file holding the content. */
  path: string;
  pid: number;
  pidStart: string;
}

export class PendingContentStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  mark(entry: PendingContent): void {
    this.#conn
      .prepare(
        'INSERT OR REPLACE INTO agentos_pending_content (ino, path, pid, pid_start) VALUES (?, ?, ?, ?)',
      )
      .run(entry.ino, entry.path, entry.pid, entry.pidStart);
  }

  clear(ino: number): void {
    this.#conn.prepare('DELETE FROM agentos_pending_content WHERE ino = ?').run(ino);
  }

  list(): PendingContent[] {
    return this.#conn
      .prepare<{ ino: number; path: string; pid: number; pid_start: string }>(
        'SELECT ino, path, pid, pid_start FROM agentos_pending_content ORDER BY ino',
      )
      .all()
      .map((r) => ({ ino: r.ino, path: r.path, pid: r.pid, pidStart: r.pid_start }));
  }

  /** Cheaper than list() for the common case of nothing pending. */
  any(): boolean {
    return this.#conn.prepare('SELECT 1 FROM agentos_pending_content LIMIT 1').get() !== undefined;
  }
}
