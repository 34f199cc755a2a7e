import { writeFileSync, readFileSync, copyFileSync, truncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { useTempDir, expectErrno, sqlite3 } from '../helpers/temp-db.js';
import { createLegacyDatabase, SPEC_03_DDL, SPEC_04_DDL } from '../helpers/legacy-db.js';
import { openAgentDatabase } from '../../src/store/agent-database.js';
import { StoreConnection } from '../../src/store/connection.js';
import { AGENTOS_SCHEMA_VERSION, SPEC_VERSION } from '../../src/store/schema.js';
import { AgentOS } from '../../src/index.js';

type Column = [name: string, type: string, notnull: number, dflt: string | null, pk: number];

/** The spec 0.4 tables, column by column, as PRAGMA table_info reports them. */
const SPEC_TABLES: Record<string, Column[]> = {
  fs_config: [
    ['key', 'TEXT', 0, null, 1],
    ['value', 'TEXT', 1, null, 0],
  ],
  fs_inode: [
    ['ino', 'INTEGER', 0, null, 1],
    ['mode', 'INTEGER', 1, null, 0],
    ['nlink', 'INTEGER', 1, '0', 0],
    ['uid', 'INTEGER', 1, '0', 0],
    ['gid', 'INTEGER', 1, '0', 0],
    ['size', 'INTEGER', 1, '0', 0],
    ['atime', 'INTEGER', 1, null, 0],
    ['mtime', 'INTEGER', 1, null, 0],
    ['ctime', 'INTEGER', 1, null, 0],
    ['rdev', 'INTEGER', 1, '0', 0],
    ['atime_nsec', 'INTEGER', 1, '0', 0],
    ['mtime_nsec', 'INTEGER', 1, '0', 0],
    ['ctime_nsec', 'INTEGER', 1, '0', 0],
  ],
  fs_dentry: [
    ['id', 'INTEGER', 0, null, 1],
    ['name', 'TEXT', 1, null, 0],
    ['parent_ino', 'INTEGER', 1, null, 0],
    ['ino', 'INTEGER', 1, null, 0],
  ],
  fs_data: [
    ['ino', 'INTEGER', 1, null, 1],
    ['chunk_index', 'INTEGER', 1, null, 2],
    ['data', 'BLOB', 1, null, 0],
  ],
  fs_symlink: [
    ['ino', 'INTEGER', 0, null, 1],
    ['target', 'TEXT', 1, null, 0],
  ],
  kv_store: [
    ['key', 'TEXT', 0, null, 1],
    ['value', 'TEXT', 1, null, 0],
    ['created_at', 'INTEGER', 0, 'unixepoch()', 0],
    ['updated_at', 'INTEGER', 0, 'unixepoch()', 0],
  ],
  tool_calls: [
    ['id', 'INTEGER', 0, null, 1],
    ['name', 'TEXT', 1, null, 0],
    ['parameters', 'TEXT', 0, null, 0],
    ['result', 'TEXT', 0, null, 0],
    ['error', 'TEXT', 0, null, 0],
    ['status', 'TEXT', 1, "'pending'", 0],
    ['started_at', 'INTEGER', 1, null, 0],
    ['completed_at', 'INTEGER', 0, null, 0],
    ['duration_ms', 'INTEGER', 0, null, 0],
  ],
};

const EXTENSION_TABLES = ['agentos_meta', 'agentos_orphans', 'agentos_tool_call_times'];
const SPEC_INDEXES = [
  'idx_fs_dentry_parent',
  'idx_kv_store_created_at',
  'idx_tool_calls_name',
  'idx_tool_calls_started_at',
];

interface TableInfoRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

/** PRAGMA table_info as stock sqlite3 reports it, from the file on disk. */
function tableInfo(dbPath: string, table: string): Column[] {
  const out = sqlite3(dbPath, `.mode json\nPRAGMA table_info(${table});`);
  const rows = JSON.parse(out || '[]') as TableInfoRow[];
  // Defaults are compared without their parentheses and spaces: turso stores the DDL it was
  // given re-formatted ("unixepoch ()"), which means the same.
  const dflt = (v: string | null) => v?.replace(/^\((.*)\)$/, '$1').replace(/\s+/g, '') ?? null;
  return rows.map((r) => [r.name, r.type, r.notnull, dflt(r.dflt_value), r.pk]);
}

/** Tables or indexes, leaving out the engine's own (turso keeps AUTOINCREMENT state in __turso_internal_* tables). */
function sqliteNames(dbPath: string, type: 'table' | 'index'): string[] {
  return sqlite3(dbPath, `SELECT name FROM sqlite_master WHERE type = '${type}' ORDER BY name;`)
    .trim()
    .split('\n')
    .filter((n) => !n.startsWith('__turso_internal'));
}

describe('schema', () => {
  const tmp = useTempDir();

  function create(): string {
    const path = tmp().file('agent.db');
    openAgentDatabase(path, { create: true }).conn.close();
    return path;
  }

  test('a new database has exactly the spec 0.4 tables and columns, seen by stock sqlite3', () => {
    const path = create();
    for (const [table, columns] of Object.entries(SPEC_TABLES))
      expect([table, tableInfo(path, table)]).toEqual([table, columns]);
    // Exactly the spec tables, plus extensions that live in agentos_* tables of their own.
    const tables = sqliteNames(path, 'table').filter((n) => n !== 'sqlite_sequence');
    expect(tables.filter((n) => !n.startsWith('agentos_')).sort()).toEqual(Object.keys(SPEC_TABLES).sort());
    expect(tables).toEqual(expect.arrayContaining(EXTENSION_TABLES));
    const indexes = sqliteNames(path, 'index').filter((n) => !n.startsWith('sqlite_autoindex'));
    expect(indexes).toEqual(expect.arrayContaining(SPEC_INDEXES));
    expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
  });

  test('the spec tables are created by the same DDL the spec publishes', () => {
    const ours = create();
    const theirs = tmp().file('spec.db');
    sqlite3(theirs, SPEC_04_DDL);
    for (const table of Object.keys(SPEC_TABLES))
      expect(tableInfo(ours, table)).toEqual(tableInfo(theirs, table));
  });

  test('fs_config holds chunk_size 4096 and schema_version 0.4; inode 1 is the root directory', () => {
    const path = create();
    expect(sqlite3(path, 'SELECT key, value FROM fs_config ORDER BY key;')).toBe(
      `chunk_size|4096\nschema_version|${SPEC_VERSION}\n`,
    );
    expect(SPEC_VERSION).toBe('0.4');
    const [ino, mode, nlink, size] = sqlite3(path, 'SELECT ino, mode, nlink, size FROM fs_inode;')
      .trim()
      .split('|')
      .map(Number);
    expect([ino, mode, nlink, size]).toEqual([1, 0o040755, 1, 0]);
    expect(sqlite3(path, 'SELECT COUNT(*) FROM fs_dentry;').trim()).toBe('0');
    expect(sqlite3(path, "SELECT value FROM agentos_meta WHERE key = 'schema_version';").trim()).toBe(
      String(AGENTOS_SCHEMA_VERSION),
    );
  });

  test('opening twice changes nothing', () => {
    const path = create();
    const before = sqlite3(path, '.schema');
    openAgentDatabase(path).conn.close();
    expect(sqlite3(path, '.schema')).toBe(before);
  });

  test('a chunk_size chosen at creation by another tool is used', async () => {
    const path = tmp().file('agent.db');
    sqlite3(
      path,
      SPEC_04_DDL.replace("('chunk_size', '4096')", "('chunk_size', '1024')") +
        'INSERT INTO fs_inode (ino, mode, nlink, atime, mtime, ctime) VALUES (1, 16877, 1, 0, 0, 0);',
    );
    const db = openAgentDatabase(path);
    expect(db.chunkSize).toBe(1024);
    db.conn.close();
    const agent = new AgentOS(path);
    await agent.fs.writeFile('/f', Buffer.alloc(2500, 1));
    await agent.close();
    expect(sqlite3(path, 'SELECT chunk_index, length(data) FROM fs_data ORDER BY chunk_index;')).toBe(
      '0|1024\n1|1024\n2|452\n',
    );
  });

  test('an invalid chunk_size is EINVAL', () => {
    const path = tmp().file('agent.db');
    sqlite3(path, SPEC_04_DDL.replace("('chunk_size', '4096')", "('chunk_size', 'big')"));
    const e = expectErrno(() => openAgentDatabase(path), 'EINVAL');
    expect(e.message).toMatch(/chunk_size/);
  });
});

describe('migration', () => {
  const tmp = useTempDir();

  test('an agentfs-style database without our extension tables gets them, and its content reads back', async () => {
    const path = tmp().file('agentfs.db');
    createLegacyDatabase(path, SPEC_04_DDL);
    const agent = new AgentOS(path);
    expect(await agent.fs.readFile('/docs/hello.txt', 'utf8')).toBe('hello');
    expect(await agent.fs.readFile('/link', 'utf8')).toBe('hello');
    expect((await agent.fs.stat('/again.txt')).nlink).toBe(2);
    expect(await agent.kv.get('user:preferences')).toEqual({ theme: 'dark' });
    const calls = await agent.tools.list();
    expect(calls.map((c) => [c.name, c.status, c.durationMs])).toEqual([
      ['run', 'error', 1000],
      ['web_search', 'success', 1500],
    ]);
    await agent.fs.writeFile('/docs/new.txt', 'new');
    await agent.close();
    expect(sqliteNames(path, 'table')).toEqual(expect.arrayContaining(EXTENSION_TABLES));
    expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
  });

  test('an older layout gets the newer columns, keeping every row', async () => {
    const path = tmp().file('old.db');
    createLegacyDatabase(path, SPEC_03_DDL);
    const agent = new AgentOS(path);
    const st = await agent.fs.stat('/docs/hello.txt');
    expect([st.uid, st.size, st.mtimeMs, st.rdev]).toEqual([1000, 5, 1700000002000, 0]);
    expect(await agent.fs.readFile('/again.txt', 'utf8')).toBe('hello');
    // New features work on the migrated tables.
    await agent.fs.utimes('/docs/hello.txt', 1.5, 2.25);
    expect((await agent.fs.stat('/docs/hello.txt')).mtimeNs).toBe(2_250_000_000n);
    const calls = await agent.tools.list();
    expect(calls.map((c) => c.status).sort()).toEqual(['error', 'success']);
    const id = await agent.tools.start('pending_tool', { a: 1 });
    expect(id).toBe(3);
    expect((await agent.tools.get(id))!.status).toBe('pending');
    await agent.tools.success(id, 'done');
    await agent.close();
    for (const table of ['fs_inode', 'tool_calls']) {
      const names = tableInfo(path, table).map((c) => c[0]);
      expect(names).toEqual(SPEC_TABLES[table].map((c) => c[0]));
    }
    expect(sqlite3(path, "SELECT value FROM fs_config WHERE key = 'schema_version';").trim()).toBe('0.4');
    expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
  });

  test('a read-only open of a legacy database works without changing it', async () => {
    const path = tmp().file('agentfs.db');
    createLegacyDatabase(path, SPEC_04_DDL);
    const before = sqlite3(path, '.schema');
    const agent = new AgentOS(path, { readonly: true });
    expect(await agent.fs.readFile('/docs/hello.txt', 'utf8')).toBe('hello');
    await expect(agent.fs.writeFile('/x', 'y')).rejects.toMatchObject({ code: 'EROFS' });
    await agent.close();
    expect(sqlite3(path, '.schema')).toBe(before);
  });
});

describe('databases that are not ours', () => {
  const tmp = useTempDir();

  test('a foreign SQLite database is EINVAL, naming what it found', () => {
    const path = tmp().file('app.db');
    sqlite3(
      path,
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, "a");',
    );
    const e = expectErrno(() => new AgentOS(path), 'EINVAL');
    expect(e.message).toMatch(/not an agent database.*users/);
    expect(e.path).toBe(path);
    // Nothing was added to it.
    expect(sqliteNames(path, 'table')).toEqual(['users']);
  });

  test('a newer spec schema_version is ENOTSUP', () => {
    const path = tmp().file('newer.db');
    createLegacyDatabase(path, SPEC_04_DDL.replace("('schema_version', '0.4')", "('schema_version', '0.5')"));
    const e = expectErrno(() => new AgentOS(path), 'ENOTSUP');
    expect(e.message).toMatch(/0\.5 is newer than the 0\.4/);
  });

  test('a newer AgentOS extension schema is ENOTSUP', async () => {
    const path = tmp().file('agent.db');
    await (await AgentOS.open(path)).close();
    sqlite3(
      path,
      `UPDATE agentos_meta SET value = '${AGENTOS_SCHEMA_VERSION + 1}' WHERE key = 'schema_version';`,
    );
    const e = expectErrno(() => new AgentOS(path), 'ENOTSUP');
    expect(e.message).toMatch(/newer AgentOS/);
  });

  test('random bytes and a text file are EINVAL: not an SQLite database', () => {
    const random = tmp().file('random.db');
    writeFileSync(random, randomBytes(16384));
    expect(expectErrno(() => new AgentOS(random), 'EINVAL').message).toMatch(/not an SQLite database/);
    const text = tmp().file('notes.txt');
    writeFileSync(text, 'these are my notes, not a database\n'.repeat(20));
    expect(expectErrno(() => new AgentOS(text), 'EINVAL').message).toMatch(/not an SQLite database/);
    const tiny = tmp().file('tiny.db');
    writeFileSync(tiny, 'SQLite format 3\0');
    expect(expectErrno(() => new AgentOS(tiny), 'EINVAL').message).toMatch(/not an SQLite database/);
    // The files are left as they were.
    expect(readFileSync(text, 'utf8')).toBe('these are my notes, not a database\n'.repeat(20));
  });

  test('a truncated database is EIO: corrupt', async () => {
    const path = tmp().file('agent.db');
    const agent = new AgentOS(path);
    await agent.fs.writeFile('/big', Buffer.alloc(100000, 7));
    await agent.close();
    const truncated = tmp().file('truncated.db');
    copyFileSync(path, truncated);
    truncateSync(truncated, 8192);
    expect(expectErrno(() => new AgentOS(truncated), 'EIO').message).toMatch(/corrupt/);
  });

  test('an empty file is EINVAL, even when creating is allowed, and stays empty', () => {
    const path = tmp().file('empty.db');
    writeFileSync(path, '');
    expect(expectErrno(() => new AgentOS(path), 'EINVAL').message).toMatch(/not an agent database.*empty/);
    expect(expectErrno(() => new AgentOS(path, { create: false }), 'EINVAL').message).toMatch(/empty/);
    expect(readFileSync(path).length).toBe(0);
  });

  test('a missing file is ENOENT without create; a directory is EISDIR; a missing parent directory ENOENT', () => {
    const missing = tmp().file('missing.db');
    expect(expectErrno(() => new AgentOS(missing, { create: false }), 'ENOENT').path).toBe(missing);
    expectErrno(() => new AgentOS(tmp().dir), 'EISDIR');
    expectErrno(() => new AgentOS(tmp().file('no/such/dir/agent.db')), 'ENOENT');
    expectErrno(() => StoreConnection.open(missing), 'ENOENT');
  });
});
