/**
 * The database connection every AgentOS process uses: opening with the checks a shared,
 * multi-process file needs, prepared statements, transactions, change detection between
 * processes, and a clean close that leaves `agent.db` a complete snapshot on its own.
 */
import { existsSync, openSync, readSync, closeSync, fsyncSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Database } from '@tursodatabase/database/compat';
import { AgentOSError } from '../errors.js';
import { translateEngineError, isLockingConflict, isStorageFailure } from './engine-errors.js';
import {
  removeStaleCoordinationFile,
  describeForeignLock,
  isHeldByLiveProcess,
  CommitCounter,
} from './coordination.js';

export type SqlParam = string | number | bigint | null;

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface ConnectionOptions {
  /** Create the database file when it does not exist (default false). */
  create?: boolean;
  /** Open for reading only: no schema changes, no writes. */
  readonly?: boolean;
  /** How long to wait for another process's lock before failing with EBUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

interface EngineStatement {
  get(...params: SqlParam[]): unknown;
  all(...params: SqlParam[]): unknown[];
  run(...params: SqlParam[]): RunResult;
  /** The native statement; reset() ends its read snapshot. */
  stmt: { reset(): void };
  /** Integers as bigint (all of them) instead of the nearest double. */
  safeIntegers(toggle: boolean): unknown;
}

export interface PrepareOptions {
  /**
   * Integers come back exactly: numbers within Number.MAX_SAFE_INTEGER, bigints beyond it
   * (by default the engine rounds them to the nearest double). For SQL from users.
   */
  exactIntegers?: boolean;
}

/** The engine in safe-integers mode, with the integers a double holds exactly turned back into numbers. */
function exactIntegers(stmt: EngineStatement): EngineStatement {
  stmt.safeIntegers(true);
  return {
    get: (...params) => safeNumbers(stmt.get(...params)),
    all: (...params) => stmt.all(...params).map(safeNumbers),
    run: (...params) => stmt.run(...params),
    stmt: stmt.stmt,
    safeIntegers: (toggle) => stmt.safeIntegers(toggle),
  };
}

function safeNumbers(row: unknown): unknown {
  if (typeof row !== 'object' || row === null) return row;
  const out = row as Record<string, unknown>;
  for (const [column, value] of Object.entries(out)) {
    if (typeof value === 'bigint' && value >= MIN_SAFE && value <= MAX_SAFE) out[column] = Number(value);
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

const SQLITE_MAGIC = 'SQLite format 3\0';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** A prepared statement whose engine errors come out as AgentOSErrors. */
export class Statement<Row> {
  readonly #stmt: EngineStatement;
  readonly #conn: StoreConnection;
  readonly #writes: boolean;

  constructor(stmt: EngineStatement, conn: StoreConnection, writes: boolean) {
    this.#stmt = stmt;
    this.#conn = conn;
    this.#writes = writes;
  }

  // Every call resets the statement when done: turso keeps a finished statement's read
  // snapshot until its next reset, which would pin the WAL and block checkpoints.

  get(...params: SqlParam[]): Row | undefined {
    if (this.#writes) this.#conn.willWrite();
    else this.#conn.willRead();
    return this.#step(() => this.#stmt.get(...params) as Row | undefined);
  }

  all(...params: SqlParam[]): Row[] {
    this.#conn.willRead();
    return this.#step(() => this.#stmt.all(...params) as Row[]);
  }

  run(...params: SqlParam[]): RunResult {
    if (this.#writes) this.#conn.willWrite();
    return this.#step(() => this.#stmt.run(...params));
  }

  /**
   * Runs the statement and resets it. The reset can fail too (on a truncated file turso reports
   * the short read there): that must come out as an AgentOSError, and must not replace the
   * statement's own error.
   */
  #step<T>(fn: () => T): T {
    let result: T;
    try {
      result = fn();
    } catch (e) {
      resetQuietly(this.#stmt);
      throw this.#conn.engineError(e);
    }
    try {
      this.#stmt.stmt.reset();
    } catch (e) {
      throw this.#conn.engineError(e);
    }
    return result;
  }
}

function resetQuietly(stmt: EngineStatement | undefined): void {
  try {
    stmt?.stmt.reset();
  } catch {
    // The statement already failed; its own error is the one to report.
  }
}

type TxnState = 'none' | 'read' | 'write';

const openConnections = new Set<StoreConnection>();
let exitHookInstalled = false;

export class StoreConnection {
  /** The path as given, for messages. */
  readonly path: string;
  /**
   * The absolute path, for every later look at the files (fsync, statfs): the engine keeps its
   * descriptors, but a relative path would name other files after the process changes directory.
   */
  readonly filePath: string;
  readonly readonly: boolean;
  #db: Database;
  #statements = new Map<string, Statement<unknown>>();
  #control = new Map<string, EngineStatement>();
  #txn: TxnState = 'none';
  #depth = 0;
  /** A batched operation is running and will open its savepoint at its first write. */
  #savepointPending = false;
  #savepointOpen = false;
  #dirty = false;
  #batching = false;
  #generation = -1;
  #hasMeta = false;
  #closed = false;
  #onExternalChange: (() => void)[] = [];
  /** Commits published by any process (turso's .tshm), to skip the SQL generation check. */
  #commitCounter?: CommitCounter;
  #seenCommits?: bigint;
  /** Inside read(): a transaction is begun only if a statement actually runs. */
  #lazyRead = false;
  #onCommit: (() => void)[] = [];
  #onAbort: (() => void)[] = [];
  #onClose: (() => void)[] = [];
  readonly #busyTimeoutMs: number;
  /** The engine failed to write the file (disk full, I/O error): its connection must be replaced. */
  #engineFailed = false;

  /**
   * The file did not exist before this open, or another AgentOS process is creating it right
   * now: only then may an empty database be initialised. An existing empty file that nobody is
   * initialising is not a database, and saying so beats silently adopting it.
   */
  readonly fresh: boolean;

  private constructor(path: string, db: Database, readonly: boolean, fresh: boolean, busyTimeoutMs: number) {
    this.path = path;
    this.filePath = resolvePath(path);
    this.#db = db;
    this.readonly = readonly;
    this.fresh = fresh;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /** Opens (and with `create`, creates) a database file shared with other AgentOS processes. */
  static open(path: string, options: ConnectionOptions = {}): StoreConnection {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const found = checkDatabaseFile(path, options.create ?? false);
    // Before removing a stale coordination file: a live holder means someone is creating the file.
    const fresh = found === 'missing' || (found === 'empty' && isHeldByLiveProcess(path));
    removeStaleCoordinationFile(path);
    const db = openEngine(path, options.readonly ?? false, busyTimeoutMs);
    const conn = new StoreConnection(path, db, options.readonly ?? false, fresh, busyTimeoutMs);
    try {
      conn.#configureEngine();
    } catch (e) {
      db.close();
      throw translateEngineError(e, path, 'open');
    }
    conn.#commitCounter = CommitCounter.open(path);
    openConnections.add(conn);
    installExitHook();
    return conn;
  }

  get inTransaction(): boolean {
    return this.#txn !== 'none';
  }

  /** Runs `fn` whenever another process is found to have changed the database. */
  onExternalChange(listener: () => void): void {
    this.#onExternalChange.push(listener);
  }

  /** Drops this process's caches, for writes made past them (a sync pull writes rows directly). */
  invalidateCaches(): void {
    this.#notifyExternalChange();
  }

  /** Runs `fn` after every successful commit (used by the audit and write-back layers). */
  onCommit(listener: () => void): void {
    this.#onCommit.push(listener);
  }

  /** Called when a transaction that had changed something is rolled back as a whole. */
  onAbort(listener: () => void): void {
    this.#onAbort.push(listener);
  }

  /** Runs `fn` at the start of close(), while the database can still be written (last clean-ups). */
  onClose(listener: () => void): void {
    this.#onClose.push(listener);
  }

  /** Marks that the schema includes `agentos_meta`, which carries the change generation. */
  enableChangeTracking(): void {
    this.#hasMeta = true;
  }

  prepare<Row = unknown>(sql: string, options: PrepareOptions = {}): Statement<Row> {
    // Exact statements are cached under another key (AgentOS's own SQL never starts with NUL),
    // so the same SQL prepared both ways keeps two statements, each in its own mode.
    const key = options.exactIntegers ? `\0${sql}` : sql;
    let stmt = this.#statements.get(key);
    if (!stmt) {
      this.#assertOpen();
      try {
        let engine = this.#db.prepare(sql) as EngineStatement;
        if (options.exactIntegers) engine = exactIntegers(engine);
        stmt = new Statement(engine, this, !/^\s*(SELECT|PRAGMA|WITH)\b/i.test(sql));
      } catch (e) {
        throw this.engineError(e);
      }
      this.#statements.set(key, stmt);
    }
    return stmt as Statement<Row>;
  }

  /** Runs SQL text (possibly several statements) without preparing it for reuse. */
  exec(sql: string): void {
    this.#assertOpen();
    try {
      this.#db.exec(sql);
    } catch (e) {
      throw this.engineError(e);
    }
  }

  /**
   * Runs `fn`, which must run exactly one read statement and consult no cache, on its own: one
   * statement is atomic without a transaction, and BEGIN and COMMIT around it would cost as much
   * as the statement. Inside a transaction, joins it.
   */
  readStatement<T>(fn: () => T): T {
    this.#assertOpen();
    return fn();
  }

  /**
   * Runs `fn` as a read: statements share one snapshot (a transaction begun at the first of
   * them), and an `fn` answered from caches costs no SQL at all. Inside a transaction, joins it.
   */
  read<T>(fn: () => T): T {
    if (this.#txn !== 'none' || this.#lazyRead) return fn();
    this.#assertOpen();
    this.#refreshGeneration();
    this.#lazyRead = true;
    try {
      const result = fn();
      if (this.#readBegun) this.#commit();
      return result;
    } catch (e) {
      if (this.#readBegun || this.#engineFailed) this.#abort();
      throw e;
    } finally {
      this.#lazyRead = false;
    }
  }

  /** Whether a lazy read has begun its transaction (a getter, so type narrowing cannot assume otherwise). */
  get #readBegun(): boolean {
    return this.#txn === 'read';
  }

  /** Called by read statements before they run: begins the lazy read transaction. */
  willRead(): void {
    if (this.#lazyRead && this.#txn === 'none') {
      this.#rawExec('BEGIN');
      this.#txn = 'read';
    }
  }

  /**
   * Runs `fn` in a write transaction; nested calls join the outer one. An operation that starts
   * while a batch is open runs under a savepoint opened lazily at its first write, so a failed
   * operation undoes only itself and a failed lookup costs nothing.
   */
  write<T>(fn: () => T): T {
    if (this.readonly)
      throw new AgentOSError('EROFS', {
        syscall: 'write',
        path: this.path,
        message: 'database opened read-only',
      });
    if (this.#txn === 'read' || this.#lazyRead) throw new Error('write() called inside a read transaction');
    if (this.#txn === 'write') return this.#depth > 0 ? this.#joined(fn) : this.#underSavepoint(fn);
    this.#begin('BEGIN IMMEDIATE', 'write');
    try {
      const result = this.#joined(fn);
      if (!this.#batching) this.#commitWrite();
      return result;
    } catch (e) {
      // This call began the transaction, so it holds nothing but the failed operation.
      this.#abort();
      throw e;
    }
  }

  /** Called by write statements before they run: opens a pending savepoint, marks the transaction dirty. */
  willWrite(): void {
    if (this.#txn !== 'write') return;
    this.#dirty = true;
    if (this.#savepointPending) {
      this.#savepointPending = false;
      this.#rawExec('SAVEPOINT op');
      this.#savepointOpen = true;
    }
  }

  /**
   * Keeps write transactions open across operations until `flush()`: the sandbox commits at
   * durability points (close of a written file, fsync, idle, end of run) instead of per call.
   */
  setBatching(on: boolean): void {
    this.#batching = on;
    if (!on) this.flush();
  }

  /** Commits the open batch. With `durable`, also syncs the WAL to disk (fsync semantics). */
  flush(durable = false): void {
    if (this.#txn === 'write' && this.#depth === 0) this.#commitWrite();
    if (durable) this.syncToDisk();
  }

  get hasPendingWrites(): boolean {
    return this.#txn === 'write' && this.#dirty;
  }

  /** Makes committed transactions durable: with synchronous=NORMAL they sit in the WAL unsynced. */
  syncToDisk(): void {
    for (const file of [`${this.filePath}-wal`, this.filePath]) {
      if (!existsSync(file)) continue;
      const fd = openSync(file, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Commits pending work, checkpoints the WAL into the main file and closes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    if (!this.readonly) this.#runCloseListeners();
    try {
      if (this.#txn === 'write' && this.#depth === 0) this.#commitWrite();
      else if (this.#txn !== 'none') this.#abort();
      if (!this.readonly) this.#checkpoint();
    } finally {
      this.#closed = true;
      openConnections.delete(this);
      this.#statements.clear();
      this.#control.clear();
      this.#commitCounter?.close();
      this.#commitCounter = undefined;
      try {
        this.#db.close();
      } catch {
        // The engine is gone either way; nothing more to release.
      }
    }
  }

  #runCloseListeners(): void {
    for (const listener of this.#onClose) {
      try {
        listener();
      } catch {
        // A clean-up that cannot run now is redone by the next open (e.g. dead orphans).
      }
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  engineError(e: unknown): AgentOSError {
    if (this.#closed) return this.#closedError();
    if (isStorageFailure(e)) this.#engineFailed = true;
    return translateEngineError(e, this.path, 'query');
  }

  #configureEngine(): void {
    if (!this.readonly) this.#db.exec('PRAGMA synchronous = NORMAL');
  }

  /**
   * After a write to the file fails (disk full, a file size limit, an I/O error), turso 0.7
   * keeps the failed transaction's pages in the connection: they stay visible to it, and every
   * later commit, even of a read, tries to write them again and fails. So the connection is
   * replaced by a fresh one, which sees exactly what was committed; the caches go with it.
   * If the file cannot even be opened again, this connection is closed (later calls: EBADF).
   */
  #replaceEngine(): void {
    this.#engineFailed = false;
    this.#statements.clear();
    this.#control.clear();
    try {
      this.#db.close();
    } catch {
      // Closing what failed; the new connection is what matters.
    }
    // The failed transaction's frames are still listed in the coordination file, and turso
    // 0.7 aborts the process at the next commit that meets them: a fresh file (rebuilt from the
    // WAL) avoids that; it can only be made when nobody else has the database open.
    removeStaleCoordinationFile(this.filePath);
    try {
      this.#db = openEngine(this.path, this.readonly, this.#busyTimeoutMs);
      this.#configureEngine();
    } catch {
      this.#closed = true;
      openConnections.delete(this);
    }
    this.#seenCommits = undefined;
  }

  #joined<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  #underSavepoint<T>(fn: () => T): T {
    this.#savepointPending = true;
    this.#savepointOpen = false;
    try {
      const result = this.#joined(fn);
      if (this.#savepointOpen) this.#rawExec('RELEASE op');
      return result;
    } catch (e) {
      if (this.#savepointOpen) this.#rollbackScope();
      throw e;
    } finally {
      this.#savepointPending = false;
      this.#savepointOpen = false;
    }
  }

  /** Undoes the failed operation only, or the whole batch when no savepoint covers it. */
  #rollbackScope(): void {
    try {
      // After a failed write to the file, nothing of the transaction can be trusted.
      if (!this.#savepointOpen || this.#engineFailed) throw new Error('no savepoint');
      this.#rawExec('ROLLBACK TO op');
      this.#rawExec('RELEASE op');
    } catch {
      // The engine already rolled the whole transaction back (e.g. on disk full).
      this.#abort();
    }
    this.#notifyExternalChange();
  }

  #begin(sql: string, state: TxnState): void {
    this.#assertOpen();
    this.#rawExec(sql);
    this.#txn = state;
    this.#dirty = false;
    try {
      // Under the write lock: a counter unchanged since our last look means no other commit.
      this.#refreshGeneration();
    } catch (e) {
      this.#abort();
      throw e;
    }
  }

  #commitWrite(): void {
    if (this.#dirty && this.#hasMeta) {
      // We have held the write lock since the generation was read at BEGIN, so +1 is exact.
      // (No RETURNING: in turso 0.7 it costs ~200 µs a statement.)
      this.prepare(
        "UPDATE agentos_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'",
      ).run();
      this.#generation++;
    }
    const changed = this.#dirty;
    this.#commit();
    if (changed) for (const listener of this.#onCommit) listener();
  }

  #commit(): void {
    const wrote = this.#txn === 'write';
    // The counter as our commit leaves it: we have held the write lock since #seenCommits was
    // read at BEGIN, and a commit that wrote something moves it by exactly one.
    const expected =
      wrote && this.#seenCommits !== undefined ? this.#seenCommits + (this.#dirty ? 1n : 0n) : undefined;
    try {
      this.#rawExec('COMMIT');
    } catch (e) {
      this.#abort();
      throw e;
    }
    this.#txn = 'none';
    this.#dirty = false;
    if (wrote) {
      // Anything else (another process committed right after us) means: look at the generation.
      const commits = this.#commitCounter?.read();
      this.#seenCommits = commits !== undefined && commits === expected ? commits : undefined;
    }
  }

  #abort(): void {
    const wasDirty = this.#dirty;
    this.#txn = 'none';
    this.#dirty = false;
    if (wasDirty) for (const listener of this.#onAbort) listener();
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // No transaction left to roll back.
    }
    const replaced = this.#engineFailed;
    if (replaced) this.#replaceEngine();
    if (wasDirty || replaced) this.#notifyExternalChange();
  }

  /** Drops caches if another process committed; a pread of turso's commit counter usually suffices. */
  #refreshGeneration(): void {
    const commits = this.#commitCounter?.read();
    if (commits !== undefined && commits === this.#seenCommits) return;
    this.#checkGeneration();
    this.#seenCommits = commits;
  }

  #checkGeneration(): void {
    if (!this.#hasMeta) {
      this.#notifyExternalChange();
      return;
    }
    const row = this.prepare<{ value: string }>(
      "SELECT value FROM agentos_meta WHERE key = 'generation'",
    ).get();
    const generation = row ? Number(row.value) : 0;
    if (generation !== this.#generation) {
      this.#generation = generation;
      this.#notifyExternalChange();
    }
  }

  #notifyExternalChange(): void {
    for (const listener of this.#onExternalChange) listener();
  }

  #checkpoint(): void {
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // Another process still reads the database; whichever closes last checkpoints.
    }
  }

  /** Transaction control (BEGIN, COMMIT, SAVEPOINT...), prepared once: exec() re-parses every time. */
  #rawExec(sql: string): void {
    let stmt = this.#control.get(sql);
    try {
      if (!stmt) {
        stmt = this.#db.prepare(sql) as EngineStatement;
        this.#control.set(sql, stmt);
      }
      stmt.run();
      stmt.stmt.reset();
    } catch (e) {
      resetQuietly(stmt);
      throw this.engineError(e);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): AgentOSError {
    return new AgentOSError('EBADF', { syscall: 'query', path: this.path, message: 'database is closed' });
  }
}

/**
 * Fails early, with a clear error, on a missing file or one that is not SQLite at all (EINVAL,
 * as mount(2) answers a device without a valid superblock); says what it found otherwise.
 */
function checkDatabaseFile(path: string, create: boolean): 'missing' | 'empty' | 'database' {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory())
      throw new AgentOSError('EISDIR', { syscall: 'open', path, message: 'database path is a directory' });
    // A FIFO would block the open forever, a device would be read without end.
    if (!st.isFile())
      throw new AgentOSError('EINVAL', {
        syscall: 'open',
        path,
        message: 'database path is not a regular file',
      });
    size = st.size;
  } catch (e) {
    if (e instanceof AgentOSError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (create) return 'missing';
      throw new AgentOSError('ENOENT', { syscall: 'open', path, message: 'no agent database' });
    }
    throw new AgentOSError('EACCES', { syscall: 'open', path, message: (e as Error).message, cause: e });
  }
  if (size === 0) return 'empty';
  const header = readHeader(path);
  if (size < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new AgentOSError('EINVAL', {
      syscall: 'open',
      path,
      message: 'not an SQLite database (bad file header)',
    });
  }
  checkNotTruncated(path, size, header);
  return 'database';
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(100);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'EACCES' : 'EIO';
    throw new AgentOSError(code, { syscall: 'open', path, message: (e as Error).message, cause: e });
  }
  return header;
}

/**
 * A file cut short (a partial copy, a full disk during a copy) still opens in turso, which then
 * serves what is left as if it were all: a listing silently misses entries. The header says how
 * many pages the file has (written with them at every checkpoint), so a shorter file is refused.
 * Only with an empty WAL: a checkpoint interrupted by a crash may have written page 1 first,
 * and the WAL still holds everything to finish it.
 */
function checkNotTruncated(path: string, size: number, header: Buffer): void {
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  // A power of two from 512 to 65536, or the file is not what its header claims.
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    throw new AgentOSError('EIO', {
      syscall: 'open',
      path,
      message: `database file is corrupt: invalid page size ${rawPageSize} in its header`,
    });
  }
  const pages = header.readUInt32BE(28);
  if (pages === 0 || size >= pages * pageSize) return;
  let walSize = 0;
  try {
    walSize = statSync(`${path}-wal`).size;
  } catch {
    // No WAL: nothing could complete the file.
  }
  if (walSize > 0) return;
  throw new AgentOSError('EIO', {
    syscall: 'open',
    path,
    message: `database file is corrupt: truncated to ${size} bytes, but its header counts ${pages} pages of ${pageSize} bytes`,
  });
}

function openEngine(path: string, readonly: boolean, busyTimeoutMs: number): Database {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return new Database(path, { experimental: ['multiprocess_wal'], timeout: busyTimeoutMs, readonly });
    } catch (e) {
      if (isLockingConflict(e) && Date.now() < deadline) {
        sleepMs(20);
        continue;
      }
      if (isLockingConflict(e)) {
        throw new AgentOSError('EBUSY', {
          syscall: 'open',
          path,
          message: describeForeignLock(path),
          cause: e,
        });
      }
      throw translateEngineError(e, path, 'open');
    }
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Programs that exit without close() still leave a checkpointed, self-contained database. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const conn of [...openConnections]) {
      try {
        conn.close();
      } catch {
        // Exiting anyway; the WAL keeps every committed transaction.
      }
    }
  });
}
