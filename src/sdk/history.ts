/**
 * The SDK side of history: the operation log, snapshots, diffs and restores, behind the
 * AgentOS methods log(), snapshot(), diff() and restore().
 */
import { resolve } from 'node:path';
import { openAgentDatabase } from '../store/agent-database.js';
import type { StoreConnection } from '../store/connection.js';
import { ALL_OPS, OplogStore, type OpName, type OpRow } from '../store/oplog-store.js';
import { normalize } from '../vfs/path.js';
import { Vfs } from '../vfs/vfs.js';
import { diffDatabases, type DiffOptions, type DiffResult } from '../history/diff.js';
import { restoreSnapshot, type RestoreResult } from '../history/restore.js';
import type { AuditedVfs } from '../history/sdk-audit.js';
import { snapshotDatabase, type SnapshotOptions, type SnapshotResult } from '../history/snapshot.js';
import { argRangeError, assertInteger, assertString } from './validate.js';

export type { DiffOptions, DiffResult, RestoreResult, SnapshotOptions, SnapshotResult, OpName };
export type { FileChange, FileState, FileType, KvChange } from '../history/diff.js';

export interface LogQuery {
  /** Only operations of this run (or other tool call, e.g. a restore): its tool call id. */
  run?: number;
  /** Only operations on this path or below it. */
  path?: string;
  /** Only these operations. */
  op?: OpName | readonly OpName[];
  /** Only operations at or after this time (epoch seconds or a Date). */
  since?: number | Date;
  /** At most this many: the newest, still oldest first. */
  limit?: number;
}

/** One row of the operation log. Absent values are null. */
export interface LogEntry {
  id: number;
  /** The tool call (run or restore) it belongs to; null for SDK changes outside one. */
  run: number | null;
  /** Epoch nanoseconds. */
  timeNs: bigint;
  pid: number | null;
  argv: string[] | null;
  op: OpName;
  path: string | null;
  /** Rename and link: the new path; symlink: the target; setxattr: the attribute name. */
  path2: string | null;
  ino: number | null;
  mode: number | null;
  size: number | null;
  bytes: number | null;
  flags: number | null;
}

export function queryLog(conn: StoreConnection, query: LogQuery): LogEntry[] {
  if (query.run !== undefined) assertInteger(query.run, 'run', 1);
  if (query.limit !== undefined) assertInteger(query.limit, 'limit', 0);
  if (query.path !== undefined) assertString(query.path, 'path');
  const ops = query.op === undefined ? undefined : typeof query.op === 'string' ? [query.op] : [...query.op];
  for (const op of ops ?? [])
    if (!ALL_OPS.includes(op)) throw argRangeError(`Unknown operation '${op}'; one of ${ALL_OPS.join(', ')}`);
  let sinceNs: bigint | undefined;
  if (query.since instanceof Date) sinceNs = BigInt(query.since.getTime()) * 1_000_000n;
  else if (query.since !== undefined) sinceNs = BigInt(Math.round(query.since * 1e6)) * 1000n;
  const path =
    query.path === undefined
      ? undefined
      : normalize(query.path.startsWith('/') ? query.path : `/${query.path}`);
  return conn.read(() => {
    const store = new OplogStore(conn);
    if (!store.exists()) return [];
    return store.list({ callId: query.run, pathPrefix: path, ops, sinceNs, limit: query.limit }).map(toEntry);
  });
}

function toEntry(r: OpRow): LogEntry {
  return {
    id: r.id,
    run: r.callId,
    timeNs: r.timeNs,
    pid: r.pid,
    argv: r.argv,
    op: r.op,
    path: r.path,
    path2: r.path2,
    ino: r.ino,
    mode: r.mode,
    size: r.size,
    bytes: r.bytes,
    flags: r.flags,
  };
}

export function snapshotTo(conn: StoreConnection, out: string, options: SnapshotOptions): SnapshotResult {
  assertString(out, 'path');
  conn.flush();
  return snapshotDatabase(conn, out, options);
}

/** Runs `fn` with another agent database opened read-only. */
function withOther<T>(path: string, busyTimeoutMs: number | undefined, fn: (vfs: Vfs) => T): T {
  assertString(path, 'path');
  const { conn, chunkSize } = openAgentDatabase(path, { readonly: true, busyTimeoutMs });
  try {
    return fn(new Vfs(conn, chunkSize));
  } finally {
    conn.close();
  }
}

/** Changes from the database at `other` to `vfs`'s. */
export function diffFrom(vfs: Vfs, other: string, options: DiffOptions, busyTimeoutMs?: number): DiffResult {
  vfs.conn.flush();
  return withOther(other, busyTimeoutMs, (before) => diffDatabases({ vfs: before }, { vfs }, options));
}

export function restoreFrom(
  vfs: AuditedVfs,
  snapshot: string,
  paths: readonly string[],
  busyTimeoutMs?: number,
): RestoreResult {
  paths.forEach((p, i) => assertString(p, `paths[${i}]`));
  return withOther(snapshot, busyTimeoutMs, (snap) => restoreSnapshot(vfs, snap, resolve(snapshot), paths));
}
