/**
 * The SDK's own changes in the operation log ({ audit: true }), and the schema migration
 * that adds the log's tables to databases made by earlier versions.
 */
import { AgentOS } from '../../src/index.js';
import { AGENTOS_SCHEMA_VERSION } from '../../src/store/schema.js';
import { sqlite3, useTempDir } from '../helpers/temp-db.js';

const tmp = useTempDir();

test('with { audit: true } the SDK logs its changes, a FileHandle its writes once on close', async () => {
  const db = tmp().file('agent.db');
  const agent = new AgentOS(db, { audit: true });
  try {
    await agent.fs.writeFile('/a.txt', 'hello');
    await agent.fs.mkdir('/d');
    await agent.fs.rename('/a.txt', '/d/a.txt');
    await agent.fs.chmod('/d/a.txt', 0o600);
    const handle = await agent.fs.open('/d/log', 'w');
    for (let i = 0; i < 10; i++) await handle.write(`line ${i}\n`);
    await handle.close();
    await agent.fs.symlink('a.txt', '/d/link');
    await agent.fs.readFile('/d/a.txt');
    await agent.fs.rm('/d/link');
    const log = await agent.log();
    expect(log.map((e) => [e.op, e.path, e.path2, e.bytes])).toEqual([
      ['create', '/a.txt', null, null],
      ['write', '/a.txt', null, 5],
      ['mkdir', '/d', null, null],
      ['rename', '/a.txt', '/d/a.txt', null],
      ['chmod', '/d/a.txt', null, null],
      ['create', '/d/log', null, null],
      ['write', '/d/log', null, 70],
      ['symlink', '/d/link', 'a.txt', null],
      ['unlink', '/d/link', null, null],
    ]);
    expect(log.find((e) => e.op === 'chmod')!.mode).toBe(0o600);
    expect(new Set(log.map((e) => e.pid))).toEqual(new Set([process.pid]));
    expect(new Set(log.map((e) => e.run))).toEqual(new Set([null]));
    expect(log[0].argv![0]).toBe(process.argv0);
  } finally {
    await agent.close();
  }
  // Without the option nothing is logged.
  const quiet = new AgentOS(db);
  try {
    await quiet.fs.writeFile('/b.txt', 'x');
    expect(await quiet.log({ path: '/b.txt' })).toEqual([]);
  } finally {
    await quiet.close();
  }
});

test('a database of extension schema 2 gains the log tables when opened', async () => {
  const db = tmp().file('old.db');
  await (await AgentOS.open(db)).close();
  sqlite3(
    db,
    "DROP TABLE agentos_oplog; DROP TABLE agentos_processes; UPDATE agentos_meta SET value = '2' WHERE key = 'schema_version';",
  );
  const readonly = new AgentOS(db, { readonly: true });
  try {
    expect(await readonly.log()).toEqual([]);
  } finally {
    await readonly.close();
  }
  const agent = new AgentOS(db, { audit: true });
  try {
    await agent.fs.writeFile('/x', 'x');
    expect((await agent.log()).map((e) => e.op)).toEqual(['create', 'write']);
  } finally {
    await agent.close();
  }
  expect(sqlite3(db, "SELECT value FROM agentos_meta WHERE key = 'schema_version';").trim()).toBe(
    String(AGENTOS_SCHEMA_VERSION),
  );
  expect(
    sqlite3(db, "SELECT name FROM sqlite_master WHERE name LIKE 'agentos_idx_oplog%' ORDER BY name;")
      .trim()
      .split('\n'),
  ).toEqual(['agentos_idx_oplog_call', 'agentos_idx_oplog_path', 'agentos_idx_oplog_time']);
});
