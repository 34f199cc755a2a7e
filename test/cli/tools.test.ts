/** agentos tools list/stats: the audit-trail timeline, its filters and the per-tool summary. */
import { AgentOS } from '../../src/index.js';
import { fails, json, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

interface Recorded {
  search1: number;
  search2: number;
  fetch: number;
  old: number;
  now: number;
}

/** Four calls: an old one (a week ago), two searches (one failed), one pending fetch. */
async function record(db: string): Promise<Recorded> {
  const agent = new AgentOS(db);
  try {
    const now = Date.now() / 1000;
    const old = await agent.tools.record(
      'web_search',
      now - 7 * 86400,
      now - 7 * 86400 + 2,
      { query: 'old' },
      { results: [] },
    );
    const search1 = await agent.tools.record(
      'web_search',
      now - 120,
      now - 118.5,
      { query: 'AI' },
      { results: [1, 2] },
    );
    const search2 = await agent.tools.record(
      'web_search',
      now - 60,
      now - 59,
      { query: 'x' },
      undefined,
      'timeout',
    );
    const fetch = await agent.tools.start('fetch', { url: 'https://example.com' });
    return { search1, search2, fetch, old, now };
  } finally {
    await agent.close();
  }
}

test('list is a timeline, newest first, with filters by name, status, since and limit', async () => {
  const { run, db } = workspace();
  const ids = await record(db);
  const lines = run(['tools', 'list']).trimEnd().split('\n');
  expect(lines[0].split(/\s+/)).toEqual(['STARTED', 'ID', 'NAME', 'STATUS', 'DURATION', 'DETAIL']);
  expect(lines.slice(1).map((l) => l.split(/\s+/).slice(2, 5))).toEqual([
    [String(ids.fetch), 'fetch', 'pending'],
    [String(ids.search2), 'web_search', 'error'],
    [String(ids.search1), 'web_search', 'success'],
    [String(ids.old), 'web_search', 'success'],
  ]);
  expect(lines[2]).toMatch(/1000 ms {2}timeout$/);
  expect(lines[3]).toMatch(/1500 ms {2}\{"query":"AI"\}$/);

  const ids1 = (args: string[]): number[] =>
    json<{ id: number }[]>(['tools', 'list', '--json', ...args, '--db', db]).map((c) => c.id);
  expect(ids1(['--name', 'web_search'])).toEqual([ids.search2, ids.search1, ids.old]);
  expect(ids1(['-n', 'fetch', '--status', 'pending'])).toEqual([ids.fetch]);
  expect(ids1(['--status', 'error'])).toEqual([ids.search2]);
  expect(ids1(['--since', '1d'])).toEqual([ids.fetch, ids.search2, ids.search1]);
  expect(ids1(['--since', '90s'])).toEqual([ids.fetch, ids.search2]);
  expect(ids1(['--since', String(Math.floor(ids.now - 3600))])).toEqual([
    ids.fetch,
    ids.search2,
    ids.search1,
  ]);
  expect(ids1(['--since', new Date((ids.now - 3600) * 1000).toISOString()])).toEqual([
    ids.fetch,
    ids.search2,
    ids.search1,
  ]);
  expect(ids1(['--limit', '2'])).toEqual([ids.fetch, ids.search2]);
  expect(run(['tools', 'list', '--name', 'nothing'])).toBe('');
});

test('list --json carries the full calls', async () => {
  const { db } = workspace();
  const ids = await record(db);
  const [failed] = json<Record<string, unknown>[]>([
    'tools',
    'list',
    '--json',
    '--status',
    'error',
    '--db',
    db,
  ]);
  expect(failed).toEqual({
    id: ids.search2,
    name: 'web_search',
    status: 'error',
    parameters: { query: 'x' },
    error: 'timeout',
    startedAt: expect.any(Number),
    completedAt: expect.any(Number),
    durationMs: 1000,
  });
});

test('stats summarises per tool, as a table or JSON', async () => {
  const { run, db } = workspace();
  await record(db);
  const lines = run(['tools', 'stats']).trimEnd().split('\n');
  expect(lines.map((l) => l.split(/\s+/))).toEqual([
    ['NAME', 'CALLS', 'SUCCESS', 'ERROR', 'PENDING', 'AVG', 'MS'],
    ['web_search', '3', '2', '1', '0', '1500.0'],
    ['fetch', '1', '0', '0', '1', '-'],
  ]);
  expect(json(['tools', 'stats', '--json', '--db', db])).toEqual([
    { name: 'web_search', count: 3, successes: 2, failures: 1, pending: 0, avgDurationMs: 1500 },
    { name: 'fetch', count: 1, successes: 0, failures: 0, pending: 1, avgDurationMs: null },
  ]);
});

test('bad filters are usage errors', () => {
  const { db } = workspace();
  expect(fails(['tools', 'list', '--status', 'done', '--db', db], 2)).toBe(
    'agentos: Expected --status=done to be one of: pending, success, error (see: agentos tools list --help)',
  );
  expect(fails(['tools', 'list', '--since', 'yesterday', '--db', db], 2)).toContain(
    '--since: expected a duration',
  );
  expect(fails(['tools', 'list', '--limit', '-1', '--db', db], 2)).toContain('--limit');
});
