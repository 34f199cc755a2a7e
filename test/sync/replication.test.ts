/**
 * Replication through a real `turso --sync-server`: what one machine pushes, another clones
 * exactly (every row of every synced table, so file bytes, inode numbers, link counts, modes
 * and nanosecond times), and changes flow back the other way.
 */
import { AgentOS } from '../../src/index.js';
import { bytes, dumpTables, useSyncEnv } from './helpers.js';

const env = useSyncEnv();

const SIZES = [0, 1, 4095, 4096, 4097, 70_000];

async function populate(agent: AgentOS): Promise<void> {
  await agent.fs.mkdir('/data/nested/deep', { recursive: true });
  for (const [i, size] of SIZES.entries())
    await agent.fs.writeFile(`/data/file-${size}.bin`, bytes(size, i + 1));
  await agent.fs.writeFile('/data/nested/deep/notes.md', '# naïve café ☕\n');
  await agent.fs.symlink('../file-1.bin', '/data/nested/link');
  await agent.fs.link('/data/file-4096.bin', '/data/nested/hardlink.bin');
  await agent.fs.chmod('/data/nested/deep/notes.md', 0o640);
  await agent.fs.utimes(
    '/data/file-1.bin',
    new Date('2001-02-03T04:05:06.789Z'),
    new Date('2002-03-04T05:06:07.891Z'),
  );
  await agent.kv.set('user:preferences', { theme: 'dark', langs: ['en', 'fr'] });
  await agent.kv.set('counter', 42);
  await agent.kv.set('emoji 🔑', 'värde');
  const t = 1_700_000_000;
  await agent.tools.record('web_search', t, t + 1.5, { query: 'agents' }, { results: [1, 2, 3] });
  await agent.tools.record('read_file', t + 2, t + 2.25, { path: '/data' }, undefined, 'EACCES');
  const pending = await agent.tools.start('long_task', { n: 1 });
  await agent.tools.success(pending, { ok: true });
}

test('A pushes files, kv and tool calls; B clones them exactly, byte for byte', async () => {
  const { server, path } = env();
  const a = await AgentOS.open(path('a.db'), { syncUrl: server.url });
  await populate(a);
  const status = await a.sync.status();
  expect(status.pending).toMatchObject({ kv: 3, toolCalls: 3 });
  expect(status.pending.files).toBeGreaterThanOrEqual(10);
  const { pushed } = await a.sync.push();
  expect(pushed.rows).toBeGreaterThan(0);
  expect((await a.sync.status()).pending.rows).toBe(0);
  await a.close();

  const b = await AgentOS.open(path('b.db'), { syncUrl: server.url });
  for (const [i, size] of SIZES.entries()) {
    expect((await b.fs.readFile(`/data/file-${size}.bin`)).equals(bytes(size, i + 1))).toBe(true);
  }
  expect(await b.fs.readFile('/data/nested/deep/notes.md', 'utf8')).toBe('# naïve café ☕\n');
  expect(await b.fs.readlink('/data/nested/link')).toBe('../file-1.bin');
  expect((await b.fs.stat('/data/nested/hardlink.bin')).nlink).toBe(2);
  expect((await b.fs.stat('/data/file-1.bin')).mtime.toISOString()).toBe('2002-03-04T05:06:07.891Z');
  expect(await b.kv.get('user:preferences')).toEqual({ theme: 'dark', langs: ['en', 'fr'] });
  expect((await b.tools.list()).map((c) => c.name).sort()).toEqual(['long_task', 'read_file', 'web_search']);
  await b.close();
  // Every synced row is identical: inode numbers, link counts, nanoseconds, chunk bytes, ids.
  const dump = await dumpTables(path('a.db'));
  expect(Object.keys(dump)).toEqual(
    expect.arrayContaining(['fs_inode', 'fs_dentry', 'fs_data', 'fs_symlink', 'kv_store', 'tool_calls']),
  );
  expect(dump.fs_data.length).toBeGreaterThan(20);
  expect(await dumpTables(path('b.db'))).toEqual(dump);
});

test('B continues and pushes; A pulls and sees it, including in caches it already had', async () => {
  const { server, path } = env();
  const a = await AgentOS.open(path('a.db'), { syncUrl: server.url });
  await populate(a);
  await a.sync.push();
  expect(await a.fs.readFile('/data/nested/deep/notes.md', 'utf8')).toBe('# naïve café ☕\n'); // now cached

  const b = await AgentOS.open(path('b.db'), { syncUrl: server.url });
  await b.fs.writeFile('/data/nested/deep/notes.md', 'rewritten by B');
  await b.fs.rename('/data/file-0.bin', '/data/renamed.bin');
  await b.fs.rm('/data/file-70000.bin');
  await b.fs.unlink('/data/nested/hardlink.bin');
  await b.fs.mkdir('/from-b');
  await b.fs.writeFile('/from-b/result.json', JSON.stringify({ ok: true }));
  await b.kv.delete('counter');
  await b.kv.set('user:preferences', { theme: 'light' });
  await b.tools.record('b_tool', 1, 2, {}, 'done');
  expect((await b.sync.push()).pushed).toMatchObject({ kv: 2, toolCalls: 1 });
  await b.close();

  // Another handle on A's database (as another process would have) with its own caches.
  const other = new AgentOS(path('a.db'));
  expect(await other.fs.readFile('/data/nested/deep/notes.md', 'utf8')).toBe('# naïve café ☕\n');
  const { pulled } = await a.sync.pull();
  expect(await other.fs.readFile('/data/nested/deep/notes.md', 'utf8')).toBe('rewritten by B');
  expect(await other.fs.exists('/data/file-0.bin')).toBe(false);
  await other.close();
  expect(pulled).toMatchObject({ kv: 2, toolCalls: 1 });
  expect(await a.fs.readFile('/data/nested/deep/notes.md', 'utf8')).toBe('rewritten by B');
  expect(await a.fs.exists('/data/file-0.bin')).toBe(false);
  expect(await a.fs.exists('/data/renamed.bin')).toBe(true);
  expect(await a.fs.exists('/data/file-70000.bin')).toBe(false);
  expect((await a.fs.stat('/data/file-4096.bin')).nlink).toBe(1);
  expect(await a.fs.readFile('/from-b/result.json', 'utf8')).toBe('{"ok":true}');
  expect(await a.kv.get('counter')).toBeUndefined();
  expect(await a.kv.get('user:preferences')).toEqual({ theme: 'light' });
  expect((await a.sync.pull()).pulled.rows).toBe(0);
  // A continues from there: its next push is accepted.
  await a.fs.writeFile('/from-a.txt', 'A again');
  expect((await a.sync.push()).pushed.files).toBeGreaterThan(0);
  await a.close();
  const b2 = await AgentOS.open(path('b.db'), { syncUrl: server.url });
  await b2.sync.pull();
  await b2.close();
  expect(await dumpTables(path('b.db'))).toEqual(await dumpTables(path('a.db')));
});

test('status says what is pending and when this copy last synced; a copy of the file is not synced', async () => {
  const { server, path } = env();
  const a = await AgentOS.open(path('a.db'), { syncUrl: server.url });
  let s = await a.sync.status({ remote: true });
  expect(s).toMatchObject({ url: server.url, authToken: false, pushIncomplete: false, diverged: false });
  expect(s.pending.rows).toBe(0);
  expect(s.lastPushAt).toBeInstanceOf(Date); // the database was created and pushed
  expect(s.remote).toMatchObject({ reachable: true, changed: false });
  await a.kv.set('k', 'v');
  s = await a.sync.status();
  expect(s.pending).toMatchObject({ kv: 1, rows: 1 });
  expect(s.remote).toBeUndefined();
  await a.close();
  const reopened = new AgentOS(path('a.db'));
  expect(reopened.sync.enabled).toBe(true);
  await reopened.close();
  const { copyFileSync } = await import('node:fs');
  copyFileSync(path('a.db'), path('copy.db'));
  const copy = new AgentOS(path('copy.db'));
  expect(copy.sync.enabled).toBe(false);
  await expect(copy.sync.push()).rejects.toMatchObject({
    code: 'EINVAL',
    message: expect.stringMatching(/not a synced agent database/),
  });
  await copy.close();
});
