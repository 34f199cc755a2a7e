/**
 * One writer per agent database: a second machine that pushes changes made on a stale copy is
 * refused by the server (nothing changes on either side), is told how to resolve it, and the
 * filesystem invariants hold whatever order pushes arrive in.
 */
import { AgentOS, SyncError } from '../../src/index.js';
import { dumpTables, useSyncEnv } from './helpers.js';

const env = useSyncEnv();

/** A and B: two machines with clones of the same remote agent database. */
async function twoMachines(): Promise<{ a: AgentOS; b: AgentOS }> {
  const { server, path } = env();
  const a = await AgentOS.open(path('a.db'), { syncUrl: server.url });
  await a.fs.writeFile('/shared.txt', 'v1');
  await a.sync.push();
  const b = await AgentOS.open(path('b.db'), { syncUrl: server.url });
  return { a, b };
}

/** Filesystem invariants: unique names per directory, every dentry names an inode, nlink counts names. */
async function checkInvariants(agent: AgentOS): Promise<void> {
  expect(
    await agent.query('SELECT parent_ino, name FROM fs_dentry GROUP BY parent_ino, name HAVING count(*) > 1'),
  ).toEqual([]);
  expect(
    await agent.query(
      'SELECT d.ino FROM fs_dentry d LEFT JOIN fs_inode i ON i.ino = d.ino WHERE i.ino IS NULL',
    ),
  ).toEqual([]);
  const wrong = await agent.query(
    `SELECT i.ino, i.nlink, count(d.id) AS names FROM fs_inode i LEFT JOIN fs_dentry d ON d.ino = i.ino
     WHERE (i.mode & 61440) <> 16384 GROUP BY i.ino HAVING i.nlink <> names`,
  );
  expect(wrong).toEqual([]);
}

test('a conflicting push is refused with how to resolve it, and changes nothing anywhere', async () => {
  const { server, path } = env();
  const { a, b } = await twoMachines();
  // Both create a new file: with row-level last-writer-wins they would share inode numbers.
  await a.fs.writeFile('/from-a.txt', 'A');
  await a.fs.writeFile('/shared.txt', 'A edit');
  await b.fs.writeFile('/from-b.txt', 'B');
  await b.fs.writeFile('/shared.txt', 'B edit');
  await a.sync.push();

  const refused = await b.sync.push().catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(SyncError);
  expect(refused).toMatchObject({ code: 'EAGAIN', reason: 'conflict' });
  const message = (refused as Error).message;
  expect(message).toMatch(
    /^EAGAIN: push refused: another machine \(.+\) pushed to http:\/\/127\.0\.0\.1:\d+ after this copy last synced/,
  );
  expect(message).toMatch(/Pull first .*agentos sync pull --discard-local/);
  expect(message).toMatch(/clone the remote to a new name .*agentos clone http:\/\/127\.0\.0\.1:\d+ NEW\.db/);
  // Refused again, and a pull would merge, so it is refused too.
  await expect(b.sync.push()).rejects.toMatchObject({ reason: 'conflict' });
  await expect(b.sync.pull()).rejects.toMatchObject({ reason: 'conflict' });
  const status = await b.sync.status({ remote: true });
  expect(status).toMatchObject({ diverged: true, remote: { changed: true } });
  // B keeps its own work.
  expect(await b.fs.readFile('/shared.txt', 'utf8')).toBe('B edit');
  expect(await b.fs.readFile('/from-b.txt', 'utf8')).toBe('B');
  await checkInvariants(b);

  // The server holds exactly A's version: a fresh clone equals A.
  await a.close();
  const c = await AgentOS.open(path('c.db'), { syncUrl: server.url });
  expect(await c.fs.readFile('/shared.txt', 'utf8')).toBe('A edit');
  expect(await c.fs.exists('/from-b.txt')).toBe(false);
  await checkInvariants(c);
  await c.close();
  expect(await dumpTables(path('c.db'))).toEqual(await dumpTables(path('a.db')));

  // Resolution 1: take the remote version; B then writes and pushes normally.
  const { pulled } = await b.sync.pull({ discardLocal: true });
  expect(pulled.rows).toBeGreaterThan(0);
  expect(await b.fs.readFile('/shared.txt', 'utf8')).toBe('A edit');
  expect(await b.fs.exists('/from-b.txt')).toBe(false);
  await checkInvariants(b);
  await b.fs.writeFile('/from-b.txt', 'B again');
  await b.sync.push();
  await b.close();
  expect(await dumpTables(path('b.db'))).toEqual(await pullInto(path('a.db'), server.url));
});

async function pullInto(path: string, url: string): Promise<Record<string, unknown[]>> {
  const agent = await AgentOS.open(path, { syncUrl: url });
  await agent.sync.pull();
  await agent.close();
  return dumpTables(path);
}

test('pushing without having pulled is refused even with no overlapping paths; pull first, then push works', async () => {
  const { a, b } = await twoMachines();
  await a.kv.set('a-key', 1);
  await a.sync.push();
  // B has no local changes yet: a pull simply fast-forwards.
  expect((await b.sync.pull()).pulled.kv).toBe(1);
  await b.kv.set('b-key', 2);
  await b.sync.push();
  // A wrote again without pulling B's push: refused.
  await a.kv.set('a-key', 3);
  await expect(a.sync.push()).rejects.toMatchObject({ reason: 'conflict' });
  await a.close();
  await b.close();
});

test('two machines pushing at the same instant: exactly one wins, the other is refused', async () => {
  const { server, path } = env();
  const { a, b } = await twoMachines();
  for (let i = 0; i < 20; i++) {
    await a.fs.writeFile(`/a-${i}.txt`, `a${i}`);
    await b.fs.writeFile(`/b-${i}.txt`, `b${i}`);
  }
  const results = await Promise.allSettled([a.sync.push(), b.sync.push()]);
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  expect(lost[0].reason).toMatchObject({ reason: 'conflict' });
  await a.close();
  await b.close();
  const c = await AgentOS.open(path('c.db'), { syncUrl: server.url });
  const names = (await c.fs.readdir('/')).filter((n) => n !== 'shared.txt');
  expect(names.every((n) => n.startsWith('a-')) || names.every((n) => n.startsWith('b-'))).toBe(true);
  expect(names).toHaveLength(20);
  await checkInvariants(c);
  await c.close();
});

test('init refuses a remote that already holds an agent database; clone refuses an empty one', async () => {
  const { server, path } = env();
  const empty = await import('./sync-server.js').then((m) => m.startSyncServer(path('empty-hub.db')));
  try {
    await expect(
      AgentOS.open(path('fresh.db'), { syncUrl: empty.url }).then((x) => x.close()),
    ).resolves.toBeUndefined();
    const { attachToRemote, cloneRemote } = await import('../../src/store/sync/index.js');
    await expect(attachToRemote(path('x.db'), empty.url)).rejects.toMatchObject({
      code: 'EEXIST',
      reason: 'remote-contents',
      message: expect.stringMatching(/already holds an agent database; clone it instead/),
    });
    const third = await import('./sync-server.js').then((m) => m.startSyncServer(path('third-hub.db')));
    try {
      await expect(cloneRemote(third.url, path('y.db'))).rejects.toMatchObject({
        code: 'ENOENT',
        message: expect.stringMatching(/is empty/),
      });
      const { existsSync } = await import('node:fs');
      expect(existsSync(path('y.db'))).toBe(false);
      expect(existsSync(path('y.db-sync'))).toBe(false);
    } finally {
      await third.stop();
    }
  } finally {
    await empty.stop();
  }
  expect(server.url).toMatch(/^http/);
});
