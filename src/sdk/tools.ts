/**
 * `agent.tools`: the audit trail of tool calls. Times are epoch seconds (fractions allowed,
 * kept to the millisecond), as in the Agent Filesystem spec.
 */
import type { StoreConnection } from '../store/connection.js';
import { ToolStore, type ToolCallRow, type ToolCallStatus } from '../store/tool-store.js';
import { AgentOSError } from '../errors.js';
import { serialize } from './kv.js';
import { argRangeError, argTypeError, assertFiniteNumber, assertInteger, assertString } from './validate.js';

export type { ToolCallStatus };

export interface ToolCall {
  id: number;
  name: string;
  parameters?: unknown;
  result?: unknown;
  error?: string;
  status: ToolCallStatus;
  /** Epoch seconds, with milliseconds. */
  startedAt: number;
  completedAt?: number;
  durationMs?: number;
}

export interface ToolCallQuery {
  name?: string;
  status?: ToolCallStatus;
  /** Only calls started at or after this time (epoch seconds or a Date). */
  since?: number | Date;
  limit?: number;
}

export interface ToolStats {
  name: string;
  count: number;
  successes: number;
  failures: number;
  pending: number;
  avgDurationMs: number | null;
}

const STATUSES: readonly ToolCallStatus[] = ['pending', 'success', 'error'];

export class AgentTools {
  readonly #conn: StoreConnection;
  readonly #store: ToolStore;

  /** @internal Use `new AgentOS(path).tools`. */
  constructor(conn: StoreConnection) {
    this.#conn = conn;
    this.#store = new ToolStore(conn);
  }

  /**
   * Records a finished call in one step; pass `error` (and no result) for a failed one.
   * @example await agent.tools.record('web_search', t0, t1, { query: 'AI' }, { results: [] });
   */
  async record(
    name: string,
    startedAt: number,
    completedAt: number,
    parameters?: unknown,
    result?: unknown,
    error?: string,
  ): Promise<number> {
    assertName(name);
    assertFiniteNumber(startedAt, 'startedAt');
    assertFiniteNumber(completedAt, 'completedAt');
    if (completedAt < startedAt) throw argRangeError('"completedAt" must not be before "startedAt"');
    if (error !== undefined) assertString(error, 'error');
    const startedAtMs = Math.round(startedAt * 1000);
    const completedAtMs = Math.round(completedAt * 1000);
    const failed = error !== undefined;
    return this.#conn.write(() =>
      this.#store.insert({
        name,
        parameters: parameters === undefined ? null : serialize(parameters, 'parameters'),
        result: failed || result === undefined ? null : serialize(result, 'result'),
        error: failed ? error : null,
        status: failed ? 'error' : 'success',
        startedAtMs,
        completedAtMs,
        durationMs: completedAtMs - startedAtMs,
      }),
    );
  }

  /**
   * Opens a pending call now; finish it with success() or error().
   * @example const id = await agent.tools.start('fetch', { url }); … await agent.tools.success(id, body);
   */
  async start(name: string, parameters?: unknown): Promise<number> {
    assertName(name);
    const params = parameters === undefined ? null : serialize(parameters, 'parameters');
    return this.#conn.write(() => this.#store.insertPending(name, params));
  }

  /** Completes a pending call successfully. @example await agent.tools.success(id, { ok: true }); */
  async success(id: number, result?: unknown): Promise<void> {
    assertInteger(id, 'id', 1);
    const json = result === undefined ? null : serialize(result, 'result');
    this.#complete(id, 'success', json, null);
  }

  /** Completes a pending call as failed. @example await agent.tools.error(id, 'timeout'); */
  async error(id: number, message: string): Promise<void> {
    assertInteger(id, 'id', 1);
    assertString(message, 'message');
    this.#complete(id, 'error', null, message);
  }

  /** @example const call = await agent.tools.get(id); */
  async get(id: number): Promise<ToolCall | undefined> {
    assertInteger(id, 'id', 1);
    const row = this.#conn.read(() => this.#store.get(id));
    return row ? toToolCall(row) : undefined;
  }

  /** Newest first, optionally filtered. @example await agent.tools.list({ name: 'run', status: 'error', limit: 10 }); */
  async list(query: ToolCallQuery = {}): Promise<ToolCall[]> {
    if (query.name !== undefined) assertString(query.name, 'name');
    if (query.status !== undefined && !STATUSES.includes(query.status)) {
      throw argTypeError(`The "status" option must be one of ${STATUSES.join(', ')}`);
    }
    if (query.limit !== undefined) assertInteger(query.limit, 'limit', 0);
    let sinceMs: number | undefined;
    if (query.since instanceof Date) {
      sinceMs = query.since.getTime();
      if (!Number.isFinite(sinceMs)) throw argRangeError('The "since" option is an invalid Date');
    } else if (query.since !== undefined) {
      assertFiniteNumber(query.since, 'since');
      sinceMs = query.since * 1000;
    }
    const rows = this.#conn.read(() =>
      this.#store.list({ name: query.name, status: query.status, sinceMs, limit: query.limit }),
    );
    return rows.map(toToolCall);
  }

  /** Per tool: calls, successes, failures, pending and average duration. @example await agent.tools.stats(); */
  async stats(): Promise<ToolStats[]> {
    return this.#conn.read(() => this.#store.stats());
  }

  #complete(id: number, status: 'success' | 'error', result: string | null, error: string | null): void {
    this.#conn.write(() => {
      const existing = this.#store.get(id);
      if (!existing)
        throw new AgentOSError('ENOENT', {
          syscall: `tools.${status}`,
          message: `no tool call with id ${id}`,
        });
      if (existing.status !== 'pending') {
        throw new AgentOSError('EINVAL', {
          syscall: `tools.${status}`,
          message: `tool call ${id} is already ${existing.status}`,
        });
      }
      this.#store.complete(id, status, result, error, Date.now());
    });
  }
}

function assertName(name: unknown): asserts name is string {
  assertString(name, 'name');
  if (name.length === 0) throw argRangeError('The "name" argument must not be empty');
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toToolCall(r: ToolCallRow): ToolCall {
  const call: ToolCall = { id: r.id, name: r.name, status: r.status, startedAt: r.startedAtMs / 1000 };
  const parameters = parseJson(r.parameters);
  if (parameters !== undefined) call.parameters = parameters;
  const result = parseJson(r.result);
  if (result !== undefined) call.result = result;
  if (r.error !== null) call.error = r.error;
  if (r.completedAtMs !== null) call.completedAt = r.completedAtMs / 1000;
  if (r.durationMs !== null) call.durationMs = r.durationMs;
  return call;
}
