/** agentos sql: read-only queries, output forms, and safety next to a process that writes. */
import { AgentOS } from '../../src/index.js';
import { exited, fails, json, startAgentProcess, useWorkspace, waitForFile } from './helpers.js';

const workspace = useWorkspace();

test("rows print as aligned columns with NULL and x'hex' blobs; --json prints row objects", async () => {
  const { run, db } = workspace();
  const agent = new AgentOS(db);
  const t = Date.now() / 1000;
  await agent.tools.record('search', t - 2, t - 1, { q: 1 }, { ok: true });
  await agent.tools.start('fetch');
  await agent.fs.writeFile('/hi.txt', 'hi');
  await agent.close();

  const text = run(['sql', 'SELECT name, status, duration_ms FROM tool_calls ORDER BY id']);
  expect(text).toBe(
    ['name    status   duration_ms', 'search  success  1000', 'fetch   pending  NULL', ''].join('\n'),
  );
  expect(
    run(['sql', "SELECT data FROM fs_data WHERE ino = (SELECT ino FROM fs_dentry WHERE name = 'hi.txt')"]),
  ).toBe("data\nx'6869'\n");
  expect(
    json(['sql', '--json', 'SELECT name, duration_ms AS ms FROM tool_calls ORDER BY id', '--db', db]),
  ).toEqual([
    { name: 'search', ms: 1000 },
    { name: 'fetch', ms: null },
  ]);
  expect(json(['sql', '--json', "SELECT data FROM fs_data WHERE data = x'6869'", '--db', db])).toEqual([
    { data: "x'6869'" },
  ]);
  expect(run(['sql', 'SELECT * FROM kv_store'])).toBe('');
  expect(json(['sql', '--json', 'SELECT * FROM kv_store', '--db', db])).toEqual([]);
  // Reporting pragmas, CTEs, comments and a trailing semicolon are reads too.
  expect(run(['sql', 'PRAGMA table_info(kv_store)'])).toContain('created_at');
  expect(run(['sql', "WITH x AS (SELECT replace('a-b', '-', '+') AS v) SELECT v FROM x; -- done"])).toBe(
    'v\na+b\n',
  );
});

test('integers beyond 2^53 print exactly: as digits, and in --json as strings', () => {
  const { run, db } = workspace();
  const sql = 'SELECT 9007199254740993 AS big, 42 AS small';
  expect(run(['sql', sql])).toBe('big               small\n9007199254740993  42\n');
  expect(json(['sql', '--json', sql, '--db', db])).toEqual([{ big: '9007199254740993', small: 42 }]);
});

test('statements that could write are rejected before they run, and change nothing', () => {
  const { run, db } = workspace();
  run(['kv', 'set', 'keep', '1']);
  for (const [query, word] of [
    ["INSERT INTO kv_store (key, value) VALUES ('x', '1')", 'INSERT'],
    ['DELETE FROM kv_store', 'DELETE'],
    ["UPDATE kv_store SET value = '2'", 'UPDATE'],
    ['DROP TABLE kv_store', 'DROP'],
    ['WITH x AS (SELECT 1) DELETE FROM kv_store', 'DELETE'],
    ['SELECT 1; DELETE FROM kv_store', 'more than one statement'],
    ['PRAGMA user_version = 7', 'setting PRAGMA user_version'],
    ['PRAGMA journal_mode(delete)', 'DELETE'],
    ['PRAGMA wal_checkpoint(TRUNCATE)', 'PRAGMA wal_checkpoint'],
    ["ATTACH DATABASE 'other.db' AS o", 'ATTACH'],
  ]) {
    expect(fails(['sql', query, '--db', db])).toBe(
      `agentos: EROFS: ${word} is not allowed in a read-only query (give one SELECT, WITH, VALUES, EXPLAIN or reporting PRAGMA statement), query`,
    );
  }
  expect(run(['kv', 'list'])).toBe('keep\t1\n');
  // A genuine SQL error is one line too.
  expect(fails(['sql', 'SELECT nope FROM nowhere', '--db', db])).toMatch(/^agentos: .*nowhere/);
});

test('queries run while another process holds the database open and writes to it', async () => {
  const { dir, db } = workspace();
  const writer = startAgentProcess(
    dir,
    db,
    `const agent = new AgentOS(db);
     const { writeFileSync, existsSync } = await import('node:fs');
     let i = 0;
     for (; !existsSync(dir + '/stop'); i++) {
       await agent.kv.set('n' + i, i);
       if (i === 5) writeFileSync(dir + '/ready', '');
       await sleep(2);
     }
     await agent.kv.set('total', i);
     await agent.close();`,
  );
  await waitForFile(`${dir}/ready`, writer);
  let previous = 0;
  for (let round = 0; round < 3; round++) {
    const [{ n }] = json<{ n: number }[]>([
      'sql',
      '--json',
      "SELECT count(*) AS n FROM kv_store WHERE key LIKE 'n%'",
      '--db',
      db,
    ]);
    expect(n).toBeGreaterThanOrEqual(Math.max(previous, 6));
    previous = n;
    // The writer never sees a write from sql, even while it is running.
    fails(['sql', "DELETE FROM kv_store WHERE key = 'n0'", '--db', db]);
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/stop`, '');
  expect(await exited(writer)).toBe(0);
  const agent = new AgentOS(db);
  try {
    const total = (await agent.kv.get<number>('total')) as number;
    expect(total).toBeGreaterThanOrEqual(previous);
    expect((await agent.kv.list('n')).length).toBe(total);
    expect(await agent.kv.get('n0')).toBe(0);
  } finally {
    await agent.close();
  }
});
