/**
 * Network failures: a stopped server, a server killed in the middle of a push (before and
 * after it committed), a server that never answers, a rejected token. Each gives a clear
 * error, loses nothing locally, and a later push sends what was pending, exactly once.
 */
import { AgentOS, SyncError } from '../../src/index.js';
import { bytes, dumpTables, useSyncEnv } from './helpers.js';
import { startProxy, type Proxy } from './sync-server.js';

const env = useSyncEnv();
let proxy: Proxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A synced database talking to the server through a proxy, with some unpushed work. */
async function machineWithWork(): Promise<AgentOS> {
  const { server, path } = env();
  proxy = await startProxy(server.url);
  const a = await AgentOS.open(path('a.db'), { syncUrl: proxy.url });
  await a.fs.mkdir('/work');
  for (let i = 0; i < 8; i++) await a.fs.writeFile(`/work/out-${i}.bin`, bytes(5000 + i, i));
  await a.kv.set('progress', { step: 8 });
  await a.tools.record('build', 1, 2, { target: 'all' }, 'ok');
  return a;
}

/** The engine's push is the pipeline request that commits rows (its other requests only read). */
function isDataPush(body: Buffer): boolean {
  const text = body.toString();
  return text.includes('"COMMIT"') && text.includes('agentos_sync');
}

async function expectServerHoldsExactly(a: AgentOS): Promise<void> {
  const { server, path } = env();
  await a.close();
  const c = await AgentOS.open(path(`check-${Date.now()}.db`), { syncUrl: server.url });
  const cPath = c.path;
  await c.close();
  expect(await dumpTables(cPath)).toEqual(await dumpTables(path('a.db')));
}

test('server stopped: a clear error, nothing lost, and the retry succeeds', async () => {
  const { server } = env();
  const a = await machineWithWork();
  await server.stop();
  const failed = await a.sync.push().catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(SyncError);
  expect(failed).toMatchObject({ code: 'EIO', reason: 'network' });
  expect((failed as Error).message).toMatch(
    /^EIO: push failed: cannot reach http:\/\/127\.0\.0\.1:\d+ \(.+\); nothing was lost/,
  );
  // Local data untouched; status shows the pending work; a pull is refused until it is pushed.
  expect((await a.fs.readFile('/work/out-3.bin')).equals(bytes(5003, 3))).toBe(true);
  const status = await a.sync.status({ remote: true });
  expect(status).toMatchObject({ pushIncomplete: true, diverged: false, remote: { reachable: false } });
  expect(status.pending).toMatchObject({ kv: 1, toolCalls: 1 });
  await expect(a.sync.pull()).rejects.toMatchObject({
    code: 'EAGAIN',
    reason: 'local-changes',
    message: expect.stringMatching(/push first/),
  });
  // More work while offline is sent with the next push, too.
  await a.kv.set('offline', true);
  await server.start();
  const { pushed } = await a.sync.push();
  expect(pushed.kv).toBe(2);
  expect((await a.sync.status()).pending.rows).toBe(0);
  await expectServerHoldsExactly(a);
});

test('server killed mid-push before it commits: nothing lost, the retry succeeds', async () => {
  const { server } = env();
  const a = await machineWithWork();
  let killed = false;
  proxy!.onRequest = async (_req, body) => {
    if (!isDataPush(body) || killed) return true;
    killed = true;
    await server.stop();
    return false;
  };
  await expect(a.sync.push()).rejects.toMatchObject({ reason: 'network' });
  expect(killed).toBe(true);
  await server.start();
  await a.sync.push();
  await expectServerHoldsExactly(a);
});

test('server killed mid-push after it committed (the answer is lost): the retry sends nothing twice', async () => {
  const { server } = env();
  const a = await machineWithWork();
  let killed = false;
  proxy!.onResponse = async (_req, body) => {
    if (!isDataPush(body) || killed) return true;
    killed = true;
    await server.stop();
    return false;
  };
  await expect(a.sync.push()).rejects.toMatchObject({ reason: 'network' });
  expect(killed).toBe(true);
  await server.start();
  await a.kv.set('after', 1);
  await a.sync.push();
  await expectServerHoldsExactly(a);
});

test('a server that does not answer times out; a rejected token is an auth error that never shows the token', async () => {
  const { server, path } = env();
  proxy = await startProxy(server.url);
  const a = await AgentOS.open(path('a.db'), {
    syncUrl: proxy.url,
    authToken: 'sekret-token-123',
    syncTimeoutMs: 400,
  });
  expect(proxy.authorizations.every((h) => h === 'Bearer sekret-token-123')).toBe(true);
  await a.kv.set('k', 'v');
  proxy.mode = 'hang';
  const started = Date.now();
  await expect(a.sync.push()).rejects.toMatchObject({
    code: 'ETIMEDOUT',
    reason: 'timeout',
    message: expect.stringMatching(/did not answer within 400 ms/),
  });
  expect(Date.now() - started).toBeLessThan(5000);
  proxy.mode = 'unauthorized';
  const denied = (await a.sync.push().catch((e: unknown) => e)) as SyncError;
  expect(denied).toMatchObject({ code: 'EACCES', reason: 'auth' });
  expect(denied.message).toMatch(/rejected the auth token \(HTTP 401\).*authToken option/);
  expect(denied.message).not.toContain('sekret');
  expect(JSON.stringify(await a.sync.status())).not.toContain('sekret');
  proxy.mode = 'pass';
  expect((await a.sync.push()).pushed.kv).toBe(1);
  await a.close();
});
