/** The AgentOS SDK entry point: one agent database with its fs, kv and tools facades. */
import { openAgentDatabase } from '../store/agent-database.js';
import type { StoreConnection } from '../store/connection.js';
import { AuditedVfs } from '../history/sdk-audit.js';
import { processCredentials, type Credentials } from '../vfs/permissions.js';
import { AgentFs } from './fs.js';
import { AgentKv } from './kv.js';
import { AgentTools } from './tools.js';
import { assertQueryParams, assertReadOnlySql, type QueryParam, type QueryValue } from './query.js';
import { argTypeError, assertString } from './validate.js';
import { AgentSync, checkSyncedOpen } from './sync.js';
import { prepareSynced } from '../store/sync/index.js';
import { AgentOSError, fsError } from '../errors.js';
import {
  checkRunOptions,
  commandArgv,
  DEFAULT_MOUNT,
  resolveCwd,
  runCommand,
  type RunOptions,
  type RunResult,
} from './run.js';
import { normalize } from '../vfs/path.js';
import { checkDatabase, type CheckReport } from '../vfs/check.js';
import {
  diffFrom,
  queryLog,
  restoreFrom,
  snapshotTo,
  type DiffOptions,
  type DiffResult,
  type LogEntry,
  type LogQuery,
  type RestoreResult,
  type SnapshotOptions,
  type SnapshotResult,
} from './history.js';

export interface AgentOSOptions {
  /** Create the database when the file does not exist (default true). */
  create?: boolean;
  /** Open without writing anything: every change rejects with EROFS. */
  readonly?: boolean;
  /** How long to wait for another process's write lock before EBUSY (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Who the filesystem sees as the caller (default: this process's uid, gid and groups). */
  credentials?: Credentials;
  /** Mask applied to the permissions of created files and directories (default 0o022). */
  umask?: number;
  /** Log this agent's own filesystem changes in the operation log, as runs are (default false). */
  audit?: boolean;
  /**
   * Sync with this Turso sync URL (only through `AgentOS.open`): a missing file is cloned from
   * the remote, or created and pushed when the remote is empty. See `agent.sync`.
   */
  syncUrl?: string;
  /** Auth token for `syncUrl` (else AGENTOS_SYNC_TOKEN); remembered beside the database, never printed. */
  authToken?: string;
  /** Timeout of each sync request (default 30 000 ms). */
  syncTimeoutMs?: number;
}

export class AgentOS {
  /** Path of the database file. */
  readonly path: string;
  readonly fs: AgentFs;
  readonly kv: AgentKv;
  readonly tools: AgentTools;
  /** Push, pull and status for a synced database (see `AgentOS.open` with `syncUrl`). */
  readonly sync: AgentSync;
  readonly #conn: StoreConnection;
  readonly #busyTimeoutMs: number | undefined;
  readonly #vfs: AuditedVfs;
  #batching = false;

  /**
   * Opens (or creates) an agent database synchronously; errors are thrown here.
   * @example const agent = new AgentOS('./agent.db');
   */
  constructor(path = 'agent.db', options: AgentOSOptions = {}) {
    if (typeof path !== 'string' || path.length === 0)
      throw argTypeError('The "path" argument must be a non-empty string');
    const { conn, chunkSize } = openAgentDatabase(path, {
      create: options.readonly ? false : (options.create ?? true),
      readonly: options.readonly ?? false,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    this.path = path;
    this.#conn = conn;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    const vfs = new AuditedVfs(conn, chunkSize, { record: options.audit ?? false });
    this.#vfs = vfs;
    this.fs = new AgentFs(vfs, options.credentials ?? processCredentials(), options.umask ?? 0o022);
    this.kv = new AgentKv(conn);
    this.tools = new AgentTools(conn);
    this.sync = new AgentSync(path, conn, {
      authToken: options.authToken,
      timeoutMs: options.syncTimeoutMs,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    if (options.syncUrl !== undefined) checkSyncedOpen(path, options.syncUrl, conn);
  }

  /**
   * Opens an agent database; the promise rejects instead of throwing.
   * @example const agent = await AgentOS.open('./agent.db');
   */
  static async open(path = 'agent.db', options: AgentOSOptions = {}): Promise<AgentOS> {
    if (options.syncUrl !== undefined) {
      await prepareSynced(path, options.syncUrl, {
        authToken: options.authToken,
        timeoutMs: options.syncTimeoutMs,
        busyTimeoutMs: options.busyTimeoutMs,
      });
    }
    return new AgentOS(path, options);
  }

  /**
   * Runs one read-only SQL statement (SELECT, WITH, VALUES, EXPLAIN or a reporting PRAGMA) in a
   * consistent snapshot and returns its rows; a statement that could write rejects with EROFS.
   * Integers come back as numbers, or as bigints beyond Number.MAX_SAFE_INTEGER (exactly).
   * @example const rows = await agent.query('SELECT name, count(*) AS n FROM tool_calls GROUP BY name');
   */
  async query<Row = Record<string, QueryValue>>(sql: string, params: QueryParam[] = []): Promise<Row[]> {
    assertString(sql, 'sql');
    assertQueryParams(params);
    assertReadOnlySql(sql);
    return this.#conn.read(() => this.#conn.prepare<Row>(sql, { exactIntegers: true }).all(...params));
  }

  /**
   * Runs `fn` with commits deferred: the changes it makes through this agent are committed
   * together when it settles, which is several times faster for many small changes (a failed
   * operation inside still undoes only itself). Other processes wait for the write lock
   * meanwhile, so keep batches short; nested calls join the outer batch.
   * @example await agent.batch(async () => { for (const [k, v] of entries) await agent.kv.set(k, v); });
   */
  async batch<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.#batching) return fn();
    this.#batching = true;
    this.#conn.setBatching(true);
    try {
      return await fn();
    } finally {
      this.#batching = false;
      this.#conn.setBatching(false);
    }
  }

  /**
   * Runs a command in the sandbox with this agent filesystem at `/agent`, and resolves to its
   * exit code and output (it does not reject on a non-zero exit). A string is run by `/bin/sh -c`,
   * an array is the argv itself. The command runs in `/agent` unless `cwd` says otherwise. The
   * sandbox runs in a child process (`agentos run`), so this process stays responsive; changes
   * made here before the call are committed first, and the run's changes are visible here when
   * it resolves. Other AgentOS calls may go on meanwhile (they take turns on the write lock).
   * @example const { exitCode, stdout } = await agent.run('python3 analyze.py', { timeoutMs: 30_000 });
   */
  async run(command: string | readonly string[], options: RunOptions = {}): Promise<RunResult> {
    checkRunOptions(options);
    commandArgv(command);
    if (this.#conn.readonly) {
      throw new AgentOSError('EROFS', {
        syscall: 'run',
        path: this.path,
        message: 'database opened read-only; a run writes to it',
      });
    }
    const cwd = resolveCwd(options.cwd, normalize(options.mount ?? DEFAULT_MOUNT));
    if (cwd.kind === 'agent') await this.#assertDirectory(cwd.agentPath, cwd.path);
    // Inside batch() this connection may hold the write lock with uncommitted changes: the run
    // would wait for the lock while this process waits for the run.
    this.#conn.flush();
    return runCommand({ db: this.#conn.filePath, busyTimeoutMs: this.#busyTimeoutMs }, command, options);
  }

  /** The run's working directory must exist: otherwise the error names it as the caller gave it. */
  async #assertDirectory(agentPath: string, shownPath: string): Promise<void> {
    let isDirectory: boolean;
    try {
      isDirectory = (await this.fs.stat(agentPath)).isDirectory();
    } catch (e) {
      if (e instanceof AgentOSError) throw new AgentOSError(e.code, { syscall: 'chdir', path: shownPath });
      throw e;
    }
    if (!isDirectory) throw fsError('ENOTDIR', 'chdir', shownPath);
  }

  /**
   * The operation log, oldest first: what runs (and agents opened with `{ audit: true }`, and
   * restores) did to the filesystem, with the process that did it.
   * @example const deleted = await agent.log({ op: ['unlink', 'rmdir'], path: '/src', since: new Date(Date.now() - 3600_000) });
   */
  async log(query: LogQuery = {}): Promise<LogEntry[]> {
    return queryLog(this.#conn, query);
  }

  /**
   * Checks the database: SQLite's integrity check and every consistency rule of the agent
   * filesystem (entries, link counts, chunks against sizes, symlinks, extension rows, JSON of
   * the key-value store and tool calls), in one snapshot. Reads only; safe while others write.
   * @example const { ok, problems } = await agent.check(); for (const p of problems) console.log(p.kind, p.message);
   */
  async check(): Promise<CheckReport> {
    return checkDatabase(this.#conn, this.#vfs.chunkSize);
  }

  /**
   * Writes a consistent copy of the whole database to `path` (a new agent database), while
   * other processes go on writing; `overwrite` replaces an existing file.
   * @example await agent.snapshot('./before-refactor.db');
   */
  async snapshot(path: string, options: SnapshotOptions = {}): Promise<SnapshotResult> {
    return snapshotTo(this.#conn, path, options);
  }

  /**
   * What changed from the agent database at `other` (e.g. a snapshot) to this one: files
   * added, deleted and modified (content compared chunk by chunk, mode, owner, symlink
   * target), and key-value changes; `patch: true` adds unified diffs of text files.
   * @example const { files, kv } = await agent.diff('./before-refactor.db');
   */
  async diff(other: string, options: DiffOptions = {}): Promise<DiffResult> {
    return diffFrom(this.#vfs, other, options, this.#busyTimeoutMs);
  }

  /**
   * Brings `paths` (default: the whole tree) back from a snapshot: under each, this database's
   * files become the snapshot's again (what the snapshot lacks is deleted). Recorded as a
   * `restore` tool call, with every change in the operation log.
   * @example await agent.restore('./before-refactor.db', ['/src']);
   */
  async restore(snapshot: string, paths: readonly string[] = []): Promise<RestoreResult> {
    if (this.#conn.readonly)
      throw new AgentOSError('EROFS', {
        syscall: 'restore',
        path: this.path,
        message: 'database opened read-only',
      });
    return this.batch(() => restoreFrom(this.#vfs, snapshot, paths, this.#busyTimeoutMs));
  }

  /**
   * Commits, checkpoints the WAL into the database file and closes it, so `cp agent.db copy.db`
   * is a complete snapshot. Processes that exit without calling close() are closed the same way.
   * @example await agent.close();
   */
  async close(): Promise<void> {
    this.#conn.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
