/** agentos kv get/set/delete/list: value parsing, output forms, JSON. */
import { AgentOS } from '../../src/index.js';
import { fails, json, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

test('set parses JSON when it can, else stores the text; --string forces a string', async () => {
  const { run, db } = workspace();
  run(['kv', 'set', 'prefs', '{"theme":"dark","size":3}']);
  run(['kv', 'set', 'name', 'alice']);
  run(['kv', 'set', 'count', '42']);
  run(['kv', 'set', 'on', 'true']);
  run(['kv', 'set', '--string', 'on-text', 'true']);
  run(['kv', 'set', '-s', 'quoted-json', '"x"']);
  run(['kv', 'set', 'zip', '02139']);
  run(['kv', 'set', 'huge', '12345678901234567890']);
  run(['kv', 'set', 'nothing', 'null']);
  run(['kv', 'set', 'from-stdin'], { input: '[1, 2, {"a": null}]\n' });
  run(['kv', 'set', 'text-stdin'], { input: 'two\nlines' });
  const agent = new AgentOS(db);
  try {
    expect(await agent.kv.get('prefs')).toEqual({ theme: 'dark', size: 3 });
    expect(await agent.kv.get('name')).toBe('alice');
    expect(await agent.kv.get('count')).toBe(42);
    expect(await agent.kv.get('on')).toBe(true);
    expect(await agent.kv.get('on-text')).toBe('true');
    expect(await agent.kv.get('quoted-json')).toBe('"x"');
    expect(await agent.kv.get('zip')).toBe('02139');
    expect(await agent.kv.get('huge')).toBe('12345678901234567890');
    expect(await agent.kv.get('nothing')).toBeNull();
    expect(await agent.kv.get('from-stdin')).toEqual([1, 2, { a: null }]);
    expect(await agent.kv.get('text-stdin')).toBe('two\nlines');
  } finally {
    await agent.close();
  }
});

test('get prints strings as text and other values as JSON; --json always JSON', async () => {
  const { run, db } = workspace();
  const agent = new AgentOS(db);
  await agent.kv.set('user:preferences', { theme: 'dark' });
  await agent.kv.set('user:name', 'alice');
  await agent.kv.set('flag', null);
  await agent.close();
  expect(JSON.parse(run(['kv', 'get', 'user:preferences']))).toEqual({ theme: 'dark' });
  expect(run(['kv', 'get', 'user:name'])).toBe('alice\n');
  expect(run(['kv', 'get', '--json', 'user:name'])).toBe('"alice"\n');
  expect(json(['kv', 'get', '--json', 'flag', '--db', db])).toBeNull();
  expect(fails(['kv', 'get', 'missing', '--db', db])).toBe("agentos: ENOENT: no such key, kv get 'missing'");
});

test('list matches prefixes literally, in key order, as text lines or JSON', () => {
  const { run, db } = workspace();
  run(['kv', 'set', 'user:b', '2']);
  run(['kv', 'set', 'user:a', '{"x":1}']);
  run(['kv', 'set', 'user_x', 'under']);
  run(['kv', 'set', 'userZ', 'z']);
  run(['kv', 'set', 'other', 'o']);
  expect(run(['kv', 'list', 'user:'])).toBe('user:a\t{"x":1}\nuser:b\t2\n');
  expect(run(['kv', 'list', 'user_'])).toBe('user_x\t"under"\n');
  expect(
    run(['kv', 'list'])
      .split('\n')
      .slice(0, -1)
      .map((l) => l.split('\t')[0]),
  ).toEqual(['other', 'user:a', 'user:b', 'userZ', 'user_x']);
  const entries = json<{ key: string; value: unknown; createdAt: number; updatedAt: number }[]>([
    'kv',
    'list',
    '--json',
    'user:',
    '--db',
    db,
  ]);
  expect(entries.map((e) => [e.key, e.value])).toEqual([
    ['user:a', { x: 1 }],
    ['user:b', 2],
  ]);
  for (const e of entries) expect(e.updatedAt).toBeGreaterThanOrEqual(e.createdAt);
  expect(run(['kv', 'list', 'nomatch'])).toBe('');
  expect(json(['kv', 'list', '--json', 'nomatch', '--db', db])).toEqual([]);
});

test('delete removes a key; a missing key is an error unless --force', () => {
  const { run, db } = workspace();
  run(['kv', 'set', 'session', 'abc']);
  run(['kv', 'delete', 'session']);
  expect(fails(['kv', 'get', 'session', '--db', db])).toContain('no such key');
  expect(fails(['kv', 'delete', 'session', '--db', db])).toBe(
    "agentos: ENOENT: no such key, kv delete 'session'",
  );
  run(['kv', 'delete', '-f', 'session']);
  run(['kv', 'delete', '--force', 'session']);
});
