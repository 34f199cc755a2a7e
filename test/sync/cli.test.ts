/**
 * The sync commands as a user runs them: `agentos init --sync-url`, `clone`, `sync push|pull|
 * status`, and `run --sync`, through the built binary. The auth token is remembered beside the
 * database (owner-only file) and never printed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../cli/helpers.js';
import { AgentOS } from '../../src/index.js';
import { useSyncEnv } from './helpers.js';

const env = useSyncEnv();
const TOKEN = 'tok-9f8e7d6c5b4a';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `agentos ...args` in the test directory; every output is checked for the token. */
function agentos(args: string[], input = ''): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: env().dir,
    input,
    encoding: 'utf8',
    env: { ...process.env, AGENTOS_DB: undefined, AGENTOS_SYNC_TOKEN: undefined },
    timeout: 60_000,
  });
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Reads or writes a database in-process (the SDK), where the CLI itself is not under test. */
async function withAgent<T>(name: string, fn: (agent: AgentOS) => Promise<T>): Promise<T> {
  const agent = new AgentOS(join(env().dir, name), { create: false });
  try {
    return await fn(agent);
  } finally {
    await agent.close();
  }
}

function ok(args: string[], input = ''): string {
  const r = agentos(args, input);
  if (r.status !== 0 || r.stderr !== '')
    throw new Error(`agentos ${args.join(' ')}: ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('init --sync-url, clone, push, pull and status; the token is remembered and never printed', async () => {
  const { server, dir } = env();
  expect(ok(['init', 'a.db', '--sync-url', server.url, '--auth-token', TOKEN])).toBe(
    `Created agent filesystem: a.db\nPushed to ${server.url}\n`,
  );
  const config = join(dir, 'a.db-sync', 'config.json');
  expect(statSync(config).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: server.url, authToken: TOKEN });

  await withAgent('a.db', async (a) => {
    await a.fs.mkdir('/notes');
    await a.fs.writeFile('/notes/todo.txt', 'ship it\n');
    await a.kv.set('phase', 'review');
  });
  const status = ok(['sync', 'status', '--db', 'a.db']);
  expect(status).toContain(`URL:        ${server.url}\n`);
  expect(status).toContain('Auth token: set (not shown)\n');
  expect(status).toMatch(/Pending: {4}3 files, 1 kv key \(\d+ rows\)\n/);
  expect(status).toContain('Remote:     no changes since this copy last synced\n');
  expect(ok(['sync', 'push', '--db', 'a.db'])).toBe(`Pushed 3 files, 1 kv key to ${server.url}\n`);
  expect(ok(['sync', 'push', '--db', 'a.db'])).toBe(`Nothing to push: ${server.url} is up to date\n`);

  expect(ok(['clone', server.url, 'b.db', '--auth-token', TOKEN])).toMatch(
    new RegExp(`^Cloned ${server.url} into b\\.db \\(.+\\)\\n$`),
  );
  await withAgent('b.db', async (b) => {
    expect(await b.fs.readFile('/notes/todo.txt', 'utf8')).toBe('ship it\n');
    await b.kv.set('phase', 'done');
  });
  ok(['sync', 'push', '--db', 'b.db']);
  expect(ok(['sync', 'pull', '--db', 'a.db'])).toBe(`Pulled 1 kv key from ${server.url}\n`);
  expect(await withAgent('a.db', (a) => a.kv.get('phase'))).toBe('done');
  expect(ok(['sync', 'pull', '--db', 'a.db'])).toBe(`Already up to date with ${server.url}\n`);
  const json = JSON.parse(ok(['sync', 'status', '--json', '--offline', '--db', 'a.db'])) as Record<
    string,
    unknown
  >;
  expect(json).toMatchObject({ url: server.url, authToken: true, pending: { rows: 0 }, diverged: false });
  expect(json.remote).toBeUndefined();
});

test('a conflicting push is one line on stderr saying how to resolve it; errors for unsynced databases', async () => {
  const { server } = env();
  ok(['init', 'a.db', '--sync-url', server.url]);
  ok(['clone', server.url, 'b.db']);
  await withAgent('a.db', (a) => a.kv.set('x', 1));
  ok(['sync', 'push', '--db', 'a.db']);
  await withAgent('b.db', (b) => b.kv.set('x', 2));
  const refused = agentos(['sync', 'push', '--db', 'b.db']);
  expect(refused.status).toBe(1);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toMatch(
    /^agentos: EAGAIN: push refused: another machine .* pushed to .* Pull first .*--discard-local.* clone .*\n$/,
  );
  expect(ok(['sync', 'pull', '--discard-local', '--db', 'b.db'])).toMatch(/^Pulled 1 kv key from /);
  expect(await withAgent('b.db', (b) => b.kv.get('x'))).toBe(1);

  await new AgentOS(join(env().dir, 'plain.db')).close();
  const unsynced = agentos(['sync', 'push', '--db', 'plain.db']);
  expect(unsynced).toMatchObject({ status: 1, stdout: '' });
  expect(unsynced.stderr).toMatch(
    /^agentos: EINVAL: not a synced agent database; create one with `agentos init --sync-url URL` or `agentos clone URL`/,
  );
  const taken = agentos(['init', 'c.db', '--sync-url', server.url]);
  expect(taken.stderr).toBe(
    `agentos: EEXIST: ${server.url} already holds an agent database; clone it instead: agentos clone ${server.url} c.db\n`,
  );
  expect(agentos(['clone', server.url, 'a.db']).stderr).toMatch(
    /^agentos: EEXIST: already exists; choose another name, clone 'a\.db'\n$/,
  );
});

test('run --sync pulls before the run and leaves its results on the server', async () => {
  const { server } = env();
  ok(['init', 'a.db', '--sync-url', server.url]);
  ok(['clone', server.url, 'b.db']);
  await withAgent('b.db', (b) => b.fs.writeFile('/input.txt', 'from b\n'));
  ok(['sync', 'push', '--db', 'b.db']);
  const run = agentos([
    'run',
    '--sync',
    '--db',
    'a.db',
    '--',
    'sh',
    '-c',
    'cat /agent/input.txt; tr a-z A-Z < /agent/input.txt > /agent/output.txt',
  ]);
  expect(run).toEqual({
    status: 0,
    stdout: 'from b\n',
    stderr: expect.stringMatching(/^agentos: pulled 2 files from .*\nagentos: pushed 2 files.* to .*\n$/),
  });
  ok(['sync', 'pull', '--db', 'b.db']);
  expect(await withAgent('b.db', (b) => b.fs.readFile('/output.txt', 'utf8'))).toBe('FROM B\n');
  // The program's exit status is kept.
  const failing = agentos(['run', '--sync', '--db', 'a.db', '--', 'sh', '-c', 'echo x > /agent/x; exit 3']);
  expect({ status: failing.status, stderr: failing.stderr }).toEqual({
    status: 3,
    stderr: expect.stringMatching(/^agentos: pushed \d+ files.* to .*\n$/),
  });
  ok(['clone', server.url, 'c.db']);
  expect(await withAgent('c.db', (c) => c.fs.readFile('/x', 'utf8'))).toBe('x\n');
});
