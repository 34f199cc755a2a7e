/**
 * Talking to the sync server directly, beside the sync engine. The server speaks Hrana over
 * HTTP (`POST /v2/pipeline`, JSON) as well as the sync protocol; AgentOS uses it for the few
 * things the engine does not do: looking at what a remote holds before `init` or `clone`,
 * installing the one-writer guard, and reading the remote's lineage head for `status`.
 */
import { httpUrlOf } from './local-config.js';
import { classifySyncError, type NetworkTrace } from './sync-errors.js';

export const DEFAULT_SYNC_TIMEOUT_MS = 30_000;
/** Environment variable with the per-request timeout in milliseconds. */
export const TIMEOUT_ENV = 'AGENTOS_SYNC_TIMEOUT';

export function defaultSyncTimeout(): number {
  const fromEnv = Number(process.env[TIMEOUT_ENV]);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_SYNC_TIMEOUT_MS;
}

export interface RemoteOptions {
  url: string;
  authToken?: string;
  timeoutMs: number;
}

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

export type RemoteRow = Record<string, string | number | null>;

/**
 * A fetch for the sync engine and for Hrana calls: every request gets a timeout, and the last
 * network error is kept in `trace` because the engine reports only "fetch failed".
 */
export function tracedFetch(timeoutMs: number, trace: NetworkTrace): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      trace.lastError = { code: err.cause?.code, name: err.name, message: err.cause?.message ?? err.message };
      throw e;
    }
  };
}

/** Runs statements on the remote, each in its own implicit transaction, and returns their rows. */
export async function remoteExecute(
  options: RemoteOptions,
  statements: string[],
  what: string,
): Promise<RemoteRow[][]> {
  const trace: NetworkTrace = {};
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.authToken) headers.authorization = `Bearer ${options.authToken}`;
  const body = JSON.stringify({
    requests: statements.map((sql) => ({ type: 'execute', stmt: { sql } })),
  });
  try {
    const response = await tracedFetch(options.timeoutMs, trace)(`${httpUrlOf(options.url)}/v2/pipeline`, {
      method: 'POST',
      headers,
      body,
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`remote server returned an error: status=${response.status}, body=${text}`);
    return parsePipeline(text);
  } catch (e) {
    throw classifySyncError(e, what, options.url, trace, options.timeoutMs);
  }
}

interface PipelineResponse {
  results: (
    | { type: 'ok'; response: { type: string; result: { cols: { name: string }[]; rows: HranaValue[][] } } }
    | { type: 'error'; error: { message: string } }
  )[];
}

function parsePipeline(text: string): RemoteRow[][] {
  const parsed = JSON.parse(text) as PipelineResponse;
  return parsed.results.map((r) => {
    if (r.type === 'error') throw new Error(`failed to execute sql: message: "${r.error.message}"`);
    const { cols, rows } = r.response.result;
    return rows.map((row) => Object.fromEntries(cols.map((c, i) => [c.name, hranaValue(row[i])])));
  });
}

function hranaValue(v: HranaValue): string | number | null {
  switch (v.type) {
    case 'null':
      return null;
    case 'integer':
      return Number(v.value);
    case 'float':
      return v.value;
    case 'text':
      return v.value;
    case 'blob':
      return v.base64;
  }
}
