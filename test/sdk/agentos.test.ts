import { existsSync, mkdirSync, symlinkSync, writeFileSync, copyFileSync, truncateSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTempDir, expectErrno, expectRejectErrno, sqlite3 } from '../helpers/temp-db.js';
import { holdSqliteLock, stop, DIST_INDEX } from '../helpers/child.js';
import { AgentOS, AgentOSError } from '../../src/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A real (tiny) PDF, so the snippet stores a real Buffer of binary data. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

describe('the seed README snippet', () => {
  const tmp = useTempDir();

  test('runs as written, importing the package by name, in a program of its own', () => {
    const dir = tmp().dir;
    // The program imports 'agentos-sdk' as an installed package would be found.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'agentos-sdk'));
    writeFileSync(join(dir, 'report.pdf'), PDF);
    const program = `
import { readFileSync } from 'node:fs';
import { AgentOS } from 'agentos-sdk';
const pdfBuffer = readFileSync('./report.pdf');

const agent = new AgentOS('./agent.db');

// Key-value operations
await agent.kv.set('user:preferences', { theme: 'dark' });
const prefs = await agent.kv.get('user:preferences');

// Filesystem operations
await agent.fs.writeFile('/output/report.pdf', pdfBuffer);
const files = await agent.fs.readdir('/output');

// Tool call tracking
await agent.tools.record(
  'web_search',
  Date.now() / 1000,
  Date.now() / 1000 + 1.5,
  { query: 'AI' },
  { results: [{ title: 'AI', url: 'https://example.com/ai' }] }
);

console.log(JSON.stringify({ prefs, files }));
`;
    writeFileSync(join(dir, 'agent.mjs'), program);
    expect(DIST_INDEX).toContain('dist');
    const out = execFileSync(process.execPath, ['agent.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ prefs: { theme: 'dark' }, files: ['report.pdf'] });
    // The program never called close(): the database is still a complete file on its own.
    const copy = join(dir, 'snapshot.db');
    copyFileSync(join(dir, 'agent.db'), copy);
    expect(sqlite3(copy, 'PRAGMA integrity_check;').trim()).toBe('ok');
    expect(sqlite3(copy, 'SELECT hex(data) FROM fs_data ORDER BY chunk_index;').trim()).toBe(
      PDF.toString('hex').toUpperCase(),
    );
    expect(sqlite3(copy, 'SELECT name, duration_ms FROM tool_calls;').trim()).toBe('web_search|1500');
  });

  test('runs in this process too, and the data reads back', async () => {
    const path = tmp().file('agent.db');
    const agent = new AgentOS(path);
    await agent.kv.set('user:preferences', { theme: 'dark' });
    const prefs = await agent.kv.get('user:preferences');
    await agent.fs.writeFile('/output/report.pdf', PDF);
    const files = await agent.fs.readdir('/output');
    const id = await agent.tools.record(
      'web_search',
      Date.now() / 1000,
      Date.now() / 1000 + 1.5,
      { query: 'AI' },
      { results: [] },
    );
    expect(prefs).toEqual({ theme: 'dark' });
    expect(files).toEqual(['report.pdf']);
    expect((await agent.fs.readFile('/output/report.pdf')).equals(PDF)).toBe(true);
    expect((await agent.tools.get(id))!.durationMs).toBe(1500);
    await agent.close();
  });
});

describe('AgentOS', () => {
  const tmp = useTempDir();

  test('new AgentOS creates the database; AgentOS.open opens it asynchronously', async () => {
    const path = tmp().file('agent.db');
    const first = new AgentOS(path);
    expect(first.path).toBe(path);
    await first.fs.writeFile('/hello.txt', 'hello');
    await first.close();
    const second = await AgentOS.open(path);
    expect(await second.fs.readFile('/hello.txt', 'utf8')).toBe('hello');
    await second.close();
  });

  test('AgentOS.open rejects (never throws) on bad input', async () => {
    const missing = tmp().file('missing.db');
    const opening = AgentOS.open(missing, { create: false });
    expect(opening).toBeInstanceOf(Promise);
    await expectRejectErrno(opening, 'ENOENT');
    await expect(AgentOS.open(42 as unknown as string)).rejects.toThrow(TypeError);
  });

  test('a missing database without create is ENOENT and nothing is created', () => {
    const missing = tmp().file('missing.db');
    const e = expectErrno(() => new AgentOS(missing, { create: false }), 'ENOENT');
    expect(e.path).toBe(missing);
    expectErrno(() => new AgentOS(missing, { readonly: true }), 'ENOENT');
    expect(existsSync(missing)).toBe(false);
  });

  test('a corrupt or foreign database file is a clear error', async () => {
    const random = tmp().file('random.db');
    writeFileSync(random, randomBytes(8192));
    expect(expectErrno(() => new AgentOS(random), 'EINVAL').message).toMatch(/not an SQLite database/);
    const good = tmp().file('good.db');
    const agent = new AgentOS(good);
    await agent.fs.writeFile('/f', Buffer.alloc(50000, 1));
    await agent.close();
    const truncated = tmp().file('truncated.db');
    copyFileSync(good, truncated);
    truncateSync(truncated, 4096 * 3);
    expectErrno(() => new AgentOS(truncated), 'EIO');
    const foreign = tmp().file('foreign.db');
    sqlite3(foreign, 'CREATE TABLE t (x);');
    expect(expectErrno(() => new AgentOS(foreign), 'EINVAL').message).toMatch(/not an agent database/);
  });

  test('a database locked by a foreign process is EBUSY after the busy timeout', async () => {
    const path = tmp().file('agent.db');
    await (await AgentOS.open(path)).close();
    const holder = holdSqliteLock(path);
    try {
      await holder.ready;
      const e = await expectRejectErrno(AgentOS.open(path, { busyTimeoutMs: 250 }), 'EBUSY');
      expect(e.message).toMatch(/python3/);
    } finally {
      await stop(holder.child);
    }
  });

  test('the path must be a non-empty string', () => {
    expect(() => new AgentOS('')).toThrow(TypeError);
    expect(() => new AgentOS(null as unknown as string)).toThrow(TypeError);
    expect(() => new AgentOS({} as unknown as string)).toThrow(TypeError);
  });

  test('close is idempotent; every call after it is EBADF', async () => {
    const path = tmp().file('agent.db');
    const agent = new AgentOS(path);
    await agent.close();
    await agent.close();
    await expectRejectErrno(agent.fs.readdir('/'), 'EBADF');
    await expectRejectErrno(agent.fs.writeFile('/x', 'y'), 'EBADF');
    await expectRejectErrno(agent.kv.get('k'), 'EBADF');
    await expectRejectErrno(agent.tools.list(), 'EBADF');
    const e = await expectRejectErrno(agent.kv.set('k', 1), 'EBADF');
    expect(e.message).toMatch(/database is closed/);
  });

  test('await using closes the database', async () => {
    const path = tmp().file('agent.db');
    {
      await using agent = new AgentOS(path);
      await agent.kv.set('k', 'v');
    }
    expect(sqlite3(path, 'SELECT value FROM kv_store;').trim()).toBe('"v"');
  });

  test('readonly: reads work, every change is EROFS', async () => {
    const path = tmp().file('agent.db');
    const writer = new AgentOS(path);
    await writer.fs.writeFile('/f', 'x');
    await writer.kv.set('k', 1);
    await writer.close();
    const reader = new AgentOS(path, { readonly: true });
    expect(await reader.fs.readFile('/f', 'utf8')).toBe('x');
    expect(await reader.kv.get('k')).toBe(1);
    await expectRejectErrno(reader.fs.writeFile('/f', 'y'), 'EROFS');
    await expectRejectErrno(reader.fs.mkdir('/d'), 'EROFS');
    await expectRejectErrno(reader.kv.set('k', 2), 'EROFS');
    await expectRejectErrno(reader.tools.record('t', 1, 2), 'EROFS');
    await reader.close();
  });

  test('credentials and umask decide ownership and modes of what the agent creates', async () => {
    const path = tmp().file('agent.db');
    const agent = new AgentOS(path, { credentials: { uid: 0, gid: 0, groups: [] }, umask: 0o077 });
    await agent.fs.writeFile('/f', 'x');
    await agent.fs.mkdir('/d');
    expect((await agent.fs.stat('/f')).mode & 0o777).toBe(0o600);
    expect((await agent.fs.stat('/d')).mode & 0o777).toBe(0o700);
    expect((await agent.fs.stat('/f')).uid).toBe(0);
    await agent.close();
  });

  test("errors are AgentOSErrors with code, errno, syscall and path, like Node's fs errors", async () => {
    const agent = new AgentOS(tmp().file('agent.db'));
    const e = await expectRejectErrno(agent.fs.rmdir('/nope'), 'ENOENT');
    expect(e).toBeInstanceOf(AgentOSError);
    expect(e.name).toBe('AgentOSError');
    expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({
      code: 'ENOENT',
      errno: -2,
      syscall: 'rmdir',
      path: '/nope',
    });
    const r = await expectRejectErrno(agent.fs.rename('/a', '/b'), 'ENOENT');
    expect(r.dest).toBe('/b');
    expect(r.message).toBe("ENOENT: no such file or directory, rename '/a' -> '/b'");
    await agent.close();
  });
});
