/**
 * SQL of the tool-call audit trail: the spec's tool_calls table (seconds, status, duration in
 * ms) plus agentos_tool_call_times, which keeps start and end to the millisecond.
 */
import type { StoreConnection } from './connection.js';

export type ToolCallStatus = 'pending' | 'success' | 'error';

export interface ToolCallRow {
  id: number;
  name: string;
  parameters: string | null;
  result: string | null;
  error: string | null;
  status: ToolCallStatus;
  startedAtMs: number;
  completedAtMs: number | null;
  durationMs: number | null;
}

export interface ToolCallFilter {
  name?: string;
  status?: ToolCallStatus;
  /** Only calls started at or after this time (epoch milliseconds). */
  sinceMs?: number;
  limit?: number;
}

export interface ToolStatsRow {
  name: string;
  count: number;
  successes: number;
  failures: number;
  pending: number;
  avgDurationMs: number | null;
}

interface Row {
  id: number;
  name: string;
  parameters: string | null;
  result: string | null;
  error: string | null;
  status: string;
  started_ms: number;
  completed_ms: number | null;
  duration_ms: number | null;
}

const SELECT = `
  SELECT c.id, c.name, c.parameters, c.result, c.error, c.status, c.duration_ms,
         COALESCE(t.started_at_ms, c.started_at * 1000) AS started_ms,
         COALESCE(t.completed_at_ms, c.completed_at * 1000) AS completed_ms
  FROM tool_calls c LEFT JOIN agentos_tool_call_times t ON t.call_id = c.id`;

function rowToCall(r: Row): ToolCallRow {
  return {
    id: r.id,
    name: r.name,
    parameters: r.parameters,
    result: r.result,
    error: r.error,
    status: (r.status as ToolCallStatus) ?? 'success',
    startedAtMs: r.started_ms,
    completedAtMs: r.completed_ms,
    durationMs: r.duration_ms,
  };
}

export class ToolStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  insert(call: Omit<ToolCallRow, 'id'>): number {
    // lastInsertRowid, not RETURNING: RETURNING costs ~200 µs a statement in turso 0.7.
    const id = this.#conn
      .prepare(
        `INSERT INTO tool_calls (name, parameters, result, error, status, started_at, completed_at, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        call.name,
        call.parameters,
        call.result,
        call.error,
        call.status,
        Math.floor(call.startedAtMs / 1000),
        call.completedAtMs === null ? null : Math.floor(call.completedAtMs / 1000),
        call.durationMs,
      ).lastInsertRowid;
    this.#conn
      .prepare(
        'INSERT OR REPLACE INTO agentos_tool_call_times (call_id, started_at_ms, completed_at_ms) VALUES (?, ?, ?)',
      )
      .run(id, call.startedAtMs, call.completedAtMs);
    return id;
  }

  /** Starts a call now: pending, with no result and no end yet. */
  insertPending(name: string, parameters: ToolCallRow['parameters']): number {
    return this.insert({
      name,
      parameters,
      result: null,
      error: null,
      status: 'pending',
      startedAtMs: Date.now(),
      completedAtMs: null,
      durationMs: null,
    });
  }

  /** Completes a pending call; returns false when there is no such pending call. */
  complete(
    id: number,
    status: 'success' | 'error',
    result: string | null,
    error: string | null,
    completedAtMs: number,
  ): boolean {
    const current = this.get(id);
    if (!current || current.status !== 'pending') return false;
    const durationMs = Math.max(0, Math.round(completedAtMs - current.startedAtMs));
    this.#conn
      .prepare(
        'UPDATE tool_calls SET status = ?, result = ?, error = ?, completed_at = ?, duration_ms = ? WHERE id = ?',
      )
      .run(status, result, error, Math.floor(completedAtMs / 1000), durationMs, id);
    this.#conn
      .prepare(
        'INSERT OR REPLACE INTO agentos_tool_call_times (call_id, started_at_ms, completed_at_ms) VALUES (?, ?, ?)',
      )
      .run(id, current.startedAtMs, completedAtMs);
    return true;
  }

  get(id: number): ToolCallRow | undefined {
    const row = this.#conn.prepare<Row>(`${SELECT} WHERE c.id = ?`).get(id);
    return row ? rowToCall(row) : undefined;
  }

  /** Newest first. */
  list(filter: ToolCallFilter): ToolCallRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.name !== undefined) {
      where.push('c.name = ?');
      params.push(filter.name);
    }
    if (filter.status !== undefined) {
      where.push('c.status = ?');
      params.push(filter.status);
    }
    if (filter.sinceMs !== undefined) {
      where.push('COALESCE(t.started_at_ms, c.started_at * 1000) >= ?');
      params.push(filter.sinceMs);
    }
    const sql =
      `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}` +
      ' ORDER BY started_ms DESC, c.id DESC' +
      (filter.limit !== undefined ? ' LIMIT ?' : '');
    if (filter.limit !== undefined) params.push(filter.limit);
    return this.#conn
      .prepare<Row>(sql)
      .all(...params)
      .map(rowToCall);
  }

  stats(): ToolStatsRow[] {
    return this.#conn
      .prepare<{
        name: string;
        count: number;
        successes: number;
        failures: number;
        pending: number;
        avg_ms: number | null;
      }>(
        `SELECT name, COUNT(*) AS count,
                SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS successes,
                SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS failures,
                SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
                AVG(duration_ms) AS avg_ms
         FROM tool_calls GROUP BY name ORDER BY count DESC, name`,
      )
      .all()
      .map((r) => ({
        name: r.name,
        count: r.count,
        successes: r.successes,
        failures: r.failures,
        pending: r.pending,
        avgDurationMs: r.avg_ms,
      }));
  }
}
