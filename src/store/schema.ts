/**
 * The database schema: the Agent Filesystem spec 0.4 tables (byte-compatible with agentfs
 * 0.6.4, so either tool opens the other's databases) and AgentOS's own extension tables, with
 * versioned migrations. SPEC.md documents every table created here.
 */
import { AgentOSError } from '../errors.js';
import type { StoreConnection } from './connection.js';

/** The Agent Filesystem spec version we implement, stored as fs_config.schema_version. */
export const SPEC_VERSION = '0.4';
/** Version of AgentOS's extension tables, stored as agentos_meta.schema_version. */
export const AGENTOS_SCHEMA_VERSION = 4;
export const DEFAULT_CHUNK_SIZE = 4096;
export const ROOT_INO = 1;

const TOOL_CALLS_COLUMNS = `
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  parameters TEXT,
  result TEXT,
  error TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  started_at INTEGER NOT NULL,
  completed_at INTEGER,
  duration_ms INTEGER
`;
const TOOL_CALLS_INDEXES = `
CREATE INDEX IF NOT EXISTS idx_tool_calls_name ON tool_calls(name);
CREATE INDEX IF NOT EXISTS idx_tool_calls_started_at ON tool_calls(started_at);
`;

const SPEC_TABLES = `
CREATE TABLE IF NOT EXISTS fs_config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fs_inode (
  ino INTEGER PRIMARY KEY AUTOINCREMENT,
  mode INTEGER NOT NULL,
  nlink INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT 0,
  gid INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  atime INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  ctime INTEGER NOT NULL,
  rdev INTEGER NOT NULL DEFAULT 0,
  atime_nsec INTEGER NOT NULL DEFAULT 0,
  mtime_nsec INTEGER NOT NULL DEFAULT 0,
  ctime_nsec INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS fs_dentry (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  parent_ino INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  UNIQUE(parent_ino, name)
);
CREATE INDEX IF NOT EXISTS idx_fs_dentry_parent ON fs_dentry(parent_ino, name);
CREATE TABLE IF NOT EXISTS fs_data (
  ino INTEGER NOT NULL,
  chunk_index INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (ino, chunk_index)
);
CREATE TABLE IF NOT EXISTS fs_symlink (
  ino INTEGER PRIMARY KEY,
  target TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv_store (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER DEFAULT (unixepoch()),
  updated_at INTEGER DEFAULT (unixepoch())
);
CREATE INDEX IF NOT EXISTS idx_kv_store_created_at ON kv_store(created_at);
CREATE TABLE IF NOT EXISTS tool_calls (${TOOL_CALLS_COLUMNS});
${TOOL_CALLS_INDEXES}
`;

/** Extension migrations; entry i brings agentos_meta.schema_version from i to i + 1. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE IF NOT EXISTS agentos_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT OR IGNORE INTO agentos_meta (key, value) VALUES ('generation', '0');
  CREATE TABLE IF NOT EXISTS agentos_tool_call_times (
    call_id INTEGER PRIMARY KEY,
    started_at_ms INTEGER NOT NULL,
    completed_at_ms INTEGER
  );
  CREATE TABLE IF NOT EXISTS agentos_orphans (
    ino INTEGER PRIMARY KEY,
    pid INTEGER NOT NULL,
    pid_start TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS agentos_idx_dentry_ino ON fs_dentry(ino);
  `,
  // 2: extended attributes (user.* namespace) of files and directories.
  `
  CREATE TABLE IF NOT EXISTS agentos_xattrs (
    ino INTEGER NOT NULL,
    name TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (ino, name)
  );
  `,
  // 3: history: what sandboxed programs (and SDK users who opt in) did to the filesystem, and
  // which processes did it. Plain rowid keys (no AUTOINCREMENT): inserts are on the hot path.
  `
  CREATE TABLE IF NOT EXISTS agentos_processes (
    id INTEGER PRIMARY KEY,
    call_id INTEGER,
    pid INTEGER NOT NULL,
    argv TEXT NOT NULL,
    seen_ns INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS agentos_oplog (
    id INTEGER PRIMARY KEY,
    call_id INTEGER,
    time_ns INTEGER NOT NULL,
    pid INTEGER,
    process_id INTEGER,
    op TEXT NOT NULL,
    path TEXT,
    path2 TEXT,
    ino INTEGER,
    mode INTEGER,
    size INTEGER,
    bytes INTEGER,
    flags INTEGER
  );
  CREATE INDEX IF NOT EXISTS agentos_idx_oplog_call ON agentos_oplog(call_id);
  CREATE INDEX IF NOT EXISTS agentos_idx_oplog_path ON agentos_oplog(path);
  CREATE INDEX IF NOT EXISTS agentos_idx_oplog_time ON agentos_oplog(time_ns);
  `,
  // 4: content a sandbox run holds in its cache and has yet to write back, so that a run
  // killed before writing it back loses nothing that programs closed: the next opener
  // recovers it from the cache file while its owner process is gone.
  `
  CREATE TABLE IF NOT EXISTS agentos_pending_content (
    ino INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pid_start TEXT NOT NULL
  );
  `,
];

export interface SchemaInfo {
  chunkSize: number;
}

interface SchemaState {
  tables: Set<string>;
  specVersion?: string;
  agentosVersion: number;
}

/**
 * Verifies the database is an agent database this version understands and brings it up to
 * date. With `create`, an empty database is initialised; a read-only open never writes.
 */
export function ensureSchema(conn: StoreConnection, options: { create: boolean }): SchemaInfo {
  let state = conn.read(() => readState(conn));
  checkCompatible(conn.path, state, options.create);
  if (!conn.readonly && needsWork(state)) {
    conn.write(() => {
      state = readState(conn); // another process may have done it meanwhile
      checkCompatible(conn.path, state, options.create);
      if (needsWork(state)) upgrade(conn, state);
    });
  }
  if (conn.readonly ? state.tables.has('agentos_meta') : true) conn.enableChangeTracking();
  return { chunkSize: readChunkSize(conn) };
}

function readState(conn: StoreConnection): SchemaState {
  const tables = new Set(
    conn
      .prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name),
  );
  let specVersion: string | undefined;
  if (tables.has('fs_config')) {
    specVersion = conn
      .prepare<{ value: string }>("SELECT value FROM fs_config WHERE key = 'schema_version'")
      .get()?.value;
  }
  let agentosVersion = 0;
  if (tables.has('agentos_meta')) {
    const row = conn
      .prepare<{ value: string }>("SELECT value FROM agentos_meta WHERE key = 'schema_version'")
      .get();
    agentosVersion = row ? Number(row.value) : 0;
  }
  return { tables, specVersion, agentosVersion };
}

function isEmpty(state: SchemaState): boolean {
  return [...state.tables].every((t) => t === 'sqlite_sequence' || t.startsWith('__turso_internal'));
}

function checkCompatible(path: string, state: SchemaState, create: boolean): void {
  if (isEmpty(state)) {
    if (create) return;
    throw new AgentOSError('EINVAL', {
      syscall: 'open',
      path,
      message: 'not an agent database (it is empty); create one with `agentos init`',
    });
  }
  const required = ['fs_config', 'fs_inode', 'fs_dentry'];
  const missing = required.filter((t) => !state.tables.has(t));
  if (missing.length > 0) {
    const found = [...state.tables].filter(
      (t) => !t.startsWith('__turso_internal') && t !== 'sqlite_sequence',
    );
    throw new AgentOSError('EINVAL', {
      syscall: 'open',
      path,
      message: `not an agent database: it has tables ${found.slice(0, 5).join(', ')} but no ${missing.join(', ')}`,
    });
  }
  if (state.specVersion !== undefined && compareVersions(state.specVersion, SPEC_VERSION) > 0) {
    throw new AgentOSError('ENOTSUP', {
      syscall: 'open',
      path,
      message: `agent filesystem schema ${state.specVersion} is newer than the ${SPEC_VERSION} this AgentOS supports; upgrade AgentOS`,
    });
  }
  if (state.agentosVersion > AGENTOS_SCHEMA_VERSION) {
    throw new AgentOSError('ENOTSUP', {
      syscall: 'open',
      path,
      message: `database was written by a newer AgentOS (extension schema ${state.agentosVersion} > ${AGENTOS_SCHEMA_VERSION}); upgrade AgentOS`,
    });
  }
}

function needsWork(state: SchemaState): boolean {
  return (
    isEmpty(state) || state.agentosVersion < AGENTOS_SCHEMA_VERSION || state.specVersion !== SPEC_VERSION
  );
}

function upgrade(conn: StoreConnection, state: SchemaState): void {
  const fresh = isEmpty(state);
  conn.exec(SPEC_TABLES);
  if (fresh) initialiseFilesystem(conn);
  else upgradeSpecTables(conn, state);
  for (let v = state.agentosVersion; v < AGENTOS_SCHEMA_VERSION; v++) conn.exec(MIGRATIONS[v]);
  conn
    .prepare("INSERT OR REPLACE INTO agentos_meta (key, value) VALUES ('schema_version', ?)")
    .run(String(AGENTOS_SCHEMA_VERSION));
  conn
    .prepare("INSERT OR REPLACE INTO fs_config (key, value) VALUES ('schema_version', ?)")
    .run(SPEC_VERSION);
}

function initialiseFilesystem(conn: StoreConnection): void {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const sec = Number(nowNs / 1_000_000_000n);
  const nsec = Number(nowNs % 1_000_000_000n);
  conn
    .prepare("INSERT OR IGNORE INTO fs_config (key, value) VALUES ('chunk_size', ?)")
    .run(String(DEFAULT_CHUNK_SIZE));
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  conn
    .prepare(
      `INSERT OR IGNORE INTO fs_inode (ino, mode, nlink, uid, gid, size, atime, mtime, ctime, atime_nsec, mtime_nsec, ctime_nsec)
       VALUES (1, ?, 1, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    )
    .run(0o040755, uid, gid, sec, sec, sec, nsec, nsec, nsec);
}

/** Older agent filesystem layouts (before 0.4) lack some columns; add them with their defaults. */
function upgradeSpecTables(conn: StoreConnection, _state: SchemaState): void {
  const inodeColumns = columnsOf(conn, 'fs_inode');
  for (const col of ['rdev', 'atime_nsec', 'mtime_nsec', 'ctime_nsec']) {
    if (!inodeColumns.has(col))
      conn.exec(`ALTER TABLE fs_inode ADD COLUMN ${col} INTEGER NOT NULL DEFAULT 0`);
  }
  upgradeToolCalls(conn);
  const hasRoot = conn.prepare('SELECT 1 AS one FROM fs_inode WHERE ino = 1').get();
  if (!hasRoot) initialiseFilesystem(conn);
  conn
    .prepare("INSERT OR IGNORE INTO fs_config (key, value) VALUES ('chunk_size', ?)")
    .run(String(DEFAULT_CHUNK_SIZE));
}

/**
 * Before 0.4, tool_calls had no status and required completed_at and duration_ms, so a pending
 * call could not be stored. SQLite cannot drop a NOT NULL constraint, so such a table is
 * rebuilt with the 0.4 definition, keeping every row and id.
 */
function upgradeToolCalls(conn: StoreConnection): void {
  const columns = columnInfo(conn, 'tool_calls');
  const hasStatus = columns.has('status');
  const strict = columns.get('completed_at')?.notnull === 1 || columns.get('duration_ms')?.notnull === 1;
  if (hasStatus && !strict) return;
  const status = hasStatus ? 'status' : "CASE WHEN error IS NULL THEN 'success' ELSE 'error' END";
  conn.exec(`
    CREATE TABLE agentos_tool_calls_v04 (${TOOL_CALLS_COLUMNS});
    INSERT INTO agentos_tool_calls_v04 (id, name, parameters, result, error, status, started_at, completed_at, duration_ms)
      SELECT id, name, parameters, result, error, ${status}, started_at, completed_at, duration_ms FROM tool_calls;
    DROP TABLE tool_calls;
    ALTER TABLE agentos_tool_calls_v04 RENAME TO tool_calls;
    ${TOOL_CALLS_INDEXES}
  `);
}

/** Plain `PRAGMA table_info(t)`: the pragma_table_info() function breaks later autocommit writes in turso 0.7. */
function columnInfo(conn: StoreConnection, table: string): Map<string, { notnull: number }> {
  const rows = conn.prepare<{ name: string; notnull: number }>(`PRAGMA table_info(${table})`).all();
  return new Map(rows.map((r) => [r.name, { notnull: Number(r.notnull) }]));
}

function columnsOf(conn: StoreConnection, table: string): Set<string> {
  return new Set(columnInfo(conn, table).keys());
}

function readChunkSize(conn: StoreConnection): number {
  const row = conn.read(() =>
    conn.prepare<{ value: string }>("SELECT value FROM fs_config WHERE key = 'chunk_size'").get(),
  );
  const size = row ? Number(row.value) : DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(size) || size < 512 || size > 1 << 20) {
    throw new AgentOSError('EINVAL', {
      syscall: 'open',
      path: conn.path,
      message: `invalid chunk_size ${row?.value} in fs_config`,
    });
  }
  return size;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
