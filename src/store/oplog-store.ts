/**
 * SQL of the operation log (extension tables agentos_oplog and agentos_processes, schema 3):
 * what sandboxed programs and opted-in SDK users did to the filesystem, by which process, when.
 * Times are epoch nanoseconds; they are read back as text so no digit is lost to a double.
 */
import type { SqlParam, StoreConnection } from './connection.js';

/** Operations that change the filesystem: logged at `--audit=changes` (the default) and above. */
export const CHANGE_OPS = [
  'create',
  'mkdir',
  'mknod',
  'symlink',
  'link',
  'write',
  'truncate',
  'rename',
  'unlink',
  'rmdir',
  'chmod',
  'chown',
  'utimes',
  'setxattr',
  'removexattr',
  'exec',
] as const;
/** Operations that only look: logged at `--audit=all`. */
export const READ_OPS = ['open', 'stat', 'access', 'readlink', 'getxattr', 'chdir'] as const;

export type ChangeOp = (typeof CHANGE_OPS)[number];
export type ReadOp = (typeof READ_OPS)[number];
export type OpName = ChangeOp | ReadOp;

export const ALL_OPS: readonly OpName[] = [...CHANGE_OPS, ...READ_OPS];

/** One operation as it is buffered and stored; absent fields are NULL. */
export interface OpRecord {
  callId: number | null;
  timeNs: bigint;
  pid: number | null;
  processId: number | null;
  op: OpName;
  path: string | null;
  path2?: string | null;
  ino?: number | null;
  mode?: number | null;
  size?: number | null;
  bytes?: number | null;
  flags?: number | null;
}

/** An operation read back, with the argv of the process that did it. */
export interface OpRow extends Required<OpRecord> {
  id: number;
  argv: string[] | null;
}

export interface OpFilter {
  callId?: number;
  /** Paths equal to this or below it (either path of a rename or link). */
  pathPrefix?: string;
  ops?: readonly string[];
  sinceNs?: bigint;
  /** At most this many: the newest ones, still returned oldest first. */
  limit?: number;
}

interface Row {
  id: number;
  call_id: number | null;
  time_ns: string;
  pid: number | null;
  process_id: number | null;
  op: string;
  path: string | null;
  path2: string | null;
  ino: number | null;
  mode: number | null;
  size: number | null;
  bytes: number | null;
  flags: number | null;
  argv: string | null;
}

function rowToOp(r: Row): OpRow {
  let argv: string[] | null = null;
  if (r.argv !== null) {
    try {
      argv = JSON.parse(r.argv) as string[];
    } catch {
      argv = [r.argv];
    }
  }
  return {
    id: r.id,
    callId: r.call_id,
    timeNs: BigInt(r.time_ns),
    pid: r.pid,
    processId: r.process_id,
    op: r.op as OpName,
    path: r.path,
    path2: r.path2,
    ino: r.ino,
    mode: r.mode,
    size: r.size,
    bytes: r.bytes,
    flags: r.flags,
    argv,
  };
}

const SELECT = `
  SELECT o.id, o.call_id, CAST(o.time_ns AS TEXT) AS time_ns, o.pid, o.process_id, o.op, o.path, o.path2,
         o.ino, o.mode, o.size, o.bytes, o.flags, p.argv
  FROM agentos_oplog o LEFT JOIN agentos_processes p ON p.id = o.process_id`;

/** Rows per INSERT statement: a few sizes, so only a few statements are ever prepared. */
const INSERT_SIZES = [32, 8, 2, 1];
const insertSqlCache = new Map<number, string>();

function insertSql(rows: number): string {
  let sql = insertSqlCache.get(rows);
  if (!sql) {
    const values = Array(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    sql = `INSERT INTO agentos_oplog (call_id, time_ns, pid, process_id, op, path, path2, ino, mode, size, bytes, flags) VALUES ${values}`;
    insertSqlCache.set(rows, sql);
  }
  return sql;
}

/** The smallest string above every string that starts with `prefix + '/'`: '/' + 1 is '0'. */
function belowUpperBound(prefix: string): string {
  return `${prefix}0`;
}

export class OplogStore {
  readonly #conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.#conn = conn;
  }

  /** Whether the database has the tables (a read-only open of a database older than schema 3 has not). */
  exists(): boolean {
    return (
      this.#conn
        .prepare<{ one: number }>(
          "SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'agentos_oplog'",
        )
        .get() !== undefined
    );
  }

  insertProcess(callId: number | null, pid: number, argv: readonly string[], seenNs: bigint): number {
    return this.#conn
      .prepare('INSERT INTO agentos_processes (call_id, pid, argv, seen_ns) VALUES (?, ?, ?, ?)')
      .run(callId, pid, JSON.stringify(argv), seenNs).lastInsertRowid;
  }

  /**
   * Inserts rows with as few statements as possible: a multi-row INSERT costs about half as
   * much CPU per row as one statement per row in turso 0.7 (13 against 23 µs, with 32 rows).
   */
  insert(records: readonly OpRecord[]): void {
    for (let i = 0; i < records.length;) {
      const n = INSERT_SIZES.find((size) => size <= records.length - i)!;
      const params: SqlParam[] = [];
      for (const r of records.slice(i, i + n)) {
        params.push(r.callId, r.timeNs, r.pid, r.processId, r.op, r.path, r.path2 ?? null, r.ino ?? null);
        params.push(r.mode ?? null, r.size ?? null, r.bytes ?? null, r.flags ?? null);
      }
      this.#conn.prepare(insertSql(n)).run(...params);
      i += n;
    }
  }

  /** Matching operations, oldest first. */
  list(filter: OpFilter): OpRow[] {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.callId !== undefined) {
      where.push('o.call_id = ?');
      params.push(filter.callId);
    }
    if (filter.pathPrefix !== undefined && filter.pathPrefix !== '/') {
      const p = filter.pathPrefix;
      // Range conditions keep the path index usable; '/' sorts just before '0'.
      where.push(
        '((o.path = ? OR (o.path >= ? AND o.path < ?)) OR (o.path2 = ? OR (o.path2 >= ? AND o.path2 < ?)))',
      );
      params.push(p, `${p}/`, belowUpperBound(p), p, `${p}/`, belowUpperBound(p));
    }
    if (filter.ops !== undefined && filter.ops.length > 0) {
      where.push(`o.op IN (${filter.ops.map(() => '?').join(', ')})`);
      params.push(...filter.ops);
    }
    if (filter.sinceNs !== undefined) {
      where.push('o.time_ns >= ?');
      params.push(filter.sinceNs);
    }
    const cond = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    if (filter.limit !== undefined) {
      params.push(filter.limit);
      const newest = `SELECT o.id FROM agentos_oplog o${cond} ORDER BY o.time_ns DESC, o.id DESC LIMIT ?`;
      const sql = `${SELECT} WHERE o.id IN (${newest}) ORDER BY o.time_ns, o.id`;
      return this.#conn
        .prepare<Row>(sql)
        .all(...params)
        .map(rowToOp);
    }
    return this.#conn
      .prepare<Row>(`${SELECT}${cond} ORDER BY o.time_ns, o.id`)
      .all(...params)
      .map(rowToOp);
  }
}

/** A process as the log names it; `id` is its agentos_processes row once stored. */
export interface ProcessRef {
  callId: number | null;
  pid: number;
  argv: readonly string[];
  seenNs: bigint;
  id: number | null;
}

export type BufferedOp = Omit<OpRecord, 'processId' | 'callId' | 'pid'> & { process: ProcessRef | null };

/**
 * Operations held in memory until the next commit: `drain()` inserts them (and the processes
 * they name, first) inside the caller's transaction, so logging adds rows to transactions the
 * writer commits anyway instead of commits of its own.
 */
export class OplogBuffer {
  readonly #conn: StoreConnection;
  readonly #store: OplogStore;
  readonly callId: number | null;
  #pending: BufferedOp[] = [];

  constructor(conn: StoreConnection, callId: number | null) {
    this.#conn = conn;
    this.#store = new OplogStore(conn);
    this.callId = callId;
  }

  get size(): number {
    return this.#pending.length;
  }

  push(op: BufferedOp): void {
    this.#pending.push(op);
  }

  /** Inserts what is buffered; joins the caller's open transaction (or batch) when there is one. */
  drain(): number {
    if (this.#pending.length === 0) return 0;
    const ops = this.#pending;
    this.#pending = [];
    this.#conn.write(() => {
      const records: OpRecord[] = [];
      for (const op of ops) {
        const p = op.process;
        if (p && p.id === null) p.id = this.#store.insertProcess(p.callId, p.pid, p.argv, p.seenNs);
        records.push({ ...op, callId: this.callId, pid: p?.pid ?? null, processId: p?.id ?? null });
      }
      this.#store.insert(records);
    });
    return ops.length;
  }
}

/** Epoch nanoseconds from a monotonic clock anchored once to the wall clock. */
const anchorNs =
  BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) - process.hrtime.bigint();
export function nowNs(): bigint {
  return anchorNs + process.hrtime.bigint();
}
