/**
 * Sync failures as AgentOSErrors with a `reason` a program can branch on. The turso sync
 * engine reports everything as one generic Error whose text names the cause ("fetch error:
 * TypeError: fetch failed", "remote server returned an error: status=401, ..."); the HTTP
 * layer of this module also records the underlying network error (ECONNREFUSED, a timeout),
 * which the engine's text loses. This is the one place that reads those texts.
 */
import { AgentOSError, type ErrnoCode } from '../../errors.js';
import { engineMessage } from '../engine-errors.js';

export type SyncFailure =
  /** The server has changes this copy has not pulled, and this copy has changes of its own. */
  | 'conflict'
  /** This copy has unpushed changes, so a pull would have to merge: refused. */
  | 'local-changes'
  /** The server could not be reached (refused, unknown host, connection lost). */
  | 'network'
  | 'timeout'
  /** The server rejected the credentials (HTTP 401/403). */
  | 'auth'
  /** No database at that URL (HTTP 404). */
  | 'not-found'
  /** The server answered with an error of its own (HTTP 5xx, a failed statement). */
  | 'server'
  /** The remote is not what the operation needs (not an agent database, or not empty). */
  | 'remote-contents';

/** Marker raised by the server-side trigger that enforces one writer at a time. */
export const CONFLICT_MARKER = 'agentos-sync-conflict';

export class SyncError extends AgentOSError {
  readonly reason: SyncFailure;

  constructor(code: ErrnoCode, reason: SyncFailure, message: string, cause?: unknown) {
    super(code, { message, cause });
    this.name = 'SyncError';
    this.reason = reason;
  }
}

/** What the HTTP layer saw last, for errors whose engine text says only "fetch failed". */
export interface NetworkTrace {
  lastError?: { code?: string; name?: string; message: string };
}

/** What a failed operation left behind, said at the end of its message. */
function outcome(what: string): string {
  if (what === 'push')
    return '; nothing was lost: the changes stay in this copy and the next push sends them';
  if (what === 'pull') return '; this copy was not changed';
  return '';
}

/**
 * Turns an engine (or fetch) failure during `what` ("push", "pull", "clone") into a SyncError
 * with a message that says what happened and what to do.
 */
export function classifySyncError(
  error: unknown,
  what: string,
  url: string,
  trace: NetworkTrace,
  timeoutMs: number,
): AgentOSError {
  if (error instanceof AgentOSError) return error;
  const after = outcome(what);
  const text = engineMessage(error);
  const status = /status=(\d{3})/.exec(text)?.[1];
  if (text.includes(CONFLICT_MARKER)) {
    return new SyncError(
      'EAGAIN',
      'conflict',
      `${what} refused: ${url} has changes from another machine`,
      error,
    );
  }
  if (status === '401' || status === '403') {
    return new SyncError(
      'EACCES',
      'auth',
      `${what} failed: the sync server rejected the auth token (HTTP ${status}); give a valid one with --auth-token (the SDK's authToken option) or AGENTOS_SYNC_TOKEN${after}`,
      error,
    );
  }
  if (status === '404') {
    return new SyncError('ENOENT', 'not-found', `${what} failed: no database at ${url} (HTTP 404)`, error);
  }
  if (status !== undefined) {
    const body = /body=(.*)$/s.exec(text)?.[1]?.trim().slice(0, 200);
    return new SyncError(
      'EIO',
      'server',
      `${what} failed: the sync server answered HTTP ${status}${body ? ` (${body})` : ''}${after}`,
      error,
    );
  }
  const net = trace.lastError;
  if (/TimeoutError|timed out|aborted due to timeout/i.test(text) || net?.name === 'TimeoutError') {
    return new SyncError(
      'ETIMEDOUT',
      'timeout',
      `${what} failed: ${url} did not answer within ${timeoutMs} ms${after}`,
      error,
    );
  }
  if (/fetch error|fetch failed|ECONN|socket|network/i.test(text) || net !== undefined) {
    return new SyncError(
      'EIO',
      'network',
      `${what} failed: cannot reach ${url} (${describeNetworkError(net)})${after}`,
      error,
    );
  }
  if (/failed to execute sql/i.test(text)) {
    const detail = /message: "([^"]*)"/.exec(text)?.[1] ?? text;
    return new SyncError(
      'EIO',
      'server',
      `${what} failed: the sync server could not apply the changes (${detail})${after}`,
      error,
    );
  }
  return new SyncError('EIO', 'server', `${what} failed: ${cleanSyncMessage(text)}`, error);
}

function describeNetworkError(net: NetworkTrace['lastError']): string {
  switch (net?.code) {
    case 'ECONNREFUSED':
      return 'connection refused: is the sync server running?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'connection lost';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable';
    default:
      return net?.code ?? net?.message ?? 'network error';
  }
}

function cleanSyncMessage(text: string): string {
  return text
    .replace(/^sync engine operation failed:\s*/i, '')
    .replace(/^database sync engine error:\s*/i, '')
    .trim();
}
