/** agentos init --max-size, the EDQUOT line of a write past it, and agentos fs df. */
import { agentos, fails, json, ok, useWorkspace } from './helpers.js';

const workspace = useWorkspace(false);

test('--max-size takes bytes with K/M/G (1024) and KB/MB/GB (1000) suffixes; nonsense is a usage error', () => {
  const { path } = workspace();
  const cases: [string, number][] = [
    ['1048576', 1048576],
    ['512K', 512 * 1024],
    ['100MiB', 100 * 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['1GB', 1e9],
  ];
  cases.forEach(([text, bytes], i) => {
    const db = path(`q${i}.db`);
    expect(ok(['init', db, '--max-size', text])).toBe(`Created agent filesystem: ${db}\n`);
    expect(json<{ limit: number }>(['fs', 'df', '--json', '--db', db]).limit).toBe(bytes);
  });
  for (const bad of ['0', '-5', '1.5G', '10Q', 'lots', '', '99999999T']) {
    expect(fails(['init', path('bad.db'), `--max-size=${bad}`], 2)).toMatch(
      /^agentos: --max-size: (expected a whole number of bytes|the size must be at (least 1 byte|most \d+ bytes))/,
    );
  }
  expect(agentos(['fs', 'ls', '--db', path('bad.db')]).status).toBe(1); // nothing was created
  expect(fails(['init', path('s.db'), '--max-size', '1M', '--sync-url', 'http://127.0.0.1:1'], 2)).toMatch(
    /--sync-url=.* cannot also be provided when using --max-size/,
  );
});

test('a write past the quota is one EDQUOT line and changes nothing; df shows the usage', () => {
  const { db } = workspace();
  ok(['init', db, '--max-size', '8K']);
  const run = (args: string[], input?: Buffer) => ok([...args, '--db', db], { input });
  run(['fs', 'write', '/a'], Buffer.alloc(5000, 1));
  expect(fails(['fs', 'write', '/dir/b', '--db', db], 1, { input: Buffer.alloc(5000, 2) })).toBe(
    'agentos: EDQUOT: disk quota exceeded (the agent filesystem holds at most 8192 bytes; 5000 are used and this needs 5000 more), write',
  );
  expect(run(['fs', 'ls'])).toBe('f a\n');
  expect(run(['fs', 'df'])).toBe(
    ['limit      8192', 'used       5000', 'available  3192', 'inodes        2', ''].join('\n'),
  );
  expect(JSON.parse(run(['fs', 'df', '--json']))).toEqual({
    limit: 8192,
    used: 5000,
    available: 3192,
    inodes: 2,
  });
  run(['fs', 'write', '/a', 'small']);
  expect(JSON.parse(run(['fs', 'df', '--json']))).toMatchObject({ used: 5, available: 8187 });
});

test('without a quota, df shows the free space of the host filesystem', () => {
  const { db } = workspace();
  ok(['init', db]);
  const df = json<{ limit: null; used: number; available: number; inodes: number }>([
    'fs',
    'df',
    '--json',
    '--db',
    db,
  ]);
  expect(df).toEqual({ limit: null, used: 0, available: expect.any(Number), inodes: 1 });
  expect(df.available).toBeGreaterThan(0);
});
