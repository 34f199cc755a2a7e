/** `agentos serve mcp --http PORT`: streamable HTTP on 127.0.0.1, sessions, local-only access. */
import { request } from 'node:http';
import { connectHttp, makeDb, startHttp, type HttpServer, type TestDb } from './helpers.js';

let db: TestDb;
let server: HttpServer;

beforeAll(async () => {
  db = makeDb();
  server = await startHttp(db.db);
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  await db?.cleanup();
});

/** A raw HTTP request, so the Host and Origin headers can be anything. */
function raw(
  headers: Record<string, string>,
  body?: string,
  method = 'POST',
  path = '/mcp',
): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

test('listens on 127.0.0.1 at /mcp', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
});

test('the SDK client lists and calls tools; calls are recorded', async () => {
  const mcp = await connectHttp(server.url);
  try {
    const { tools } = await mcp.client.listTools();
    expect(tools).toHaveLength(14);
    expect((await mcp.call('write_file', { path: 'h.txt', content: 'over http' })).isError).toBe(false);
    const run = await mcp.call('run_command', { command: 'cat h.txt' });
    expect(run.structured).toMatchObject({ exitCode: 0, stdout: 'over http' });
  } finally {
    await mcp.close();
  }
  const names = (await db.agent.tools.list({ limit: 2 })).map((c) => c.name);
  expect(names).toContain('run_command');
  expect(await db.agent.tools.list({ name: 'write_file' })).toHaveLength(1);
});

test('two sessions at once each get their own server over the same database', async () => {
  const [a, b] = await Promise.all([connectHttp(server.url), connectHttp(server.url)]);
  try {
    await a.call('kv_set', { key: 'from', value: 'a' });
    expect((await b.call('kv_get', { key: 'from' })).text).toBe('"a"');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('foreign Host or Origin headers are refused (DNS rebinding)', async () => {
  const host = `127.0.0.1:${new URL(server.url).port}`;
  expect((await raw({ ...JSON_HEADERS, host: 'evil.example' }, INIT)).status).toBe(403);
  const origin = await raw({ ...JSON_HEADERS, host, origin: 'http://evil.example' }, INIT);
  expect(origin.status).toBe(403);
  expect(origin.body).toMatch(/only local clients/);
  expect(
    (
      await raw(
        { ...JSON_HEADERS, host: `localhost:${new URL(server.url).port}`, origin: 'http://localhost:3000' },
        INIT,
      )
    ).status,
  ).toBe(200);
});

test('requests without a session, to other paths, or with bad JSON are refused with JSON-RPC errors', async () => {
  const host = `127.0.0.1:${new URL(server.url).port}`;
  const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  const noSession = await raw({ ...JSON_HEADERS, host }, list);
  expect(noSession.status).toBe(400);
  expect(JSON.parse(noSession.body).error.message).toMatch(/first request must be initialize/);
  expect((await raw({ ...JSON_HEADERS, host, 'mcp-session-id': 'nope' }, list)).status).toBe(404);
  expect((await raw({ ...JSON_HEADERS, host }, '{not json')).status).toBe(400);
  expect((await raw({ host }, undefined, 'GET')).status).toBe(400);
  expect((await raw({ ...JSON_HEADERS, host }, INIT, 'POST', '/other')).status).toBe(404);
});
