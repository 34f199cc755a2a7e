import { useAgent } from '../helpers/agent.js';
import { queryOnce } from '../helpers/temp-db.js';

describe('agent.kv', () => {
  const t = useAgent();

  test('set and get any JSON value; get of a missing key is undefined', async () => {
    const { agent } = t();
    const values: unknown[] = [
      { theme: 'dark', nested: { list: [1, 2, { deep: true }] } },
      [1, 'two', null, false],
      'a string',
      '',
      0,
      -1.5,
      1e300,
      true,
      false,
      null,
      { unicode: 'héllo 😀 \u0000 \n' },
    ];
    for (const [i, value] of values.entries()) await agent.kv.set(`k${i}`, value);
    for (const [i, value] of values.entries()) expect(await agent.kv.get(`k${i}`)).toEqual(value);
    expect(await agent.kv.get('missing')).toBeUndefined();
  });

  test('set replaces; created_at stays, updated_at moves; values are stored as JSON text', async () => {
    const { agent, dbPath } = t();
    await agent.kv.set('k', { v: 1 });
    const [first] = await agent.kv.list('k');
    await agent.kv.set('k', { v: 2 });
    expect(await agent.kv.get('k')).toEqual({ v: 2 });
    const [second] = await agent.kv.list('k');
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt).toBeGreaterThanOrEqual(first.updatedAt);
    expect(Math.abs(second.createdAt - Date.now() / 1000)).toBeLessThan(60);
    expect(queryOnce<{ value: string }>(dbPath, "SELECT value FROM kv_store WHERE key = 'k'")[0].value).toBe(
      '{"v":2}',
    );
  });

  test('delete removes a key and says whether it existed; has answers', async () => {
    const { agent } = t();
    await agent.kv.set('session', { id: 1 });
    expect(await agent.kv.has('session')).toBe(true);
    expect(await agent.kv.delete('session')).toBe(true);
    expect(await agent.kv.delete('session')).toBe(false);
    expect(await agent.kv.has('session')).toBe(false);
    expect(await agent.kv.get('session')).toBeUndefined();
    // null is a value, not an absence.
    await agent.kv.set('nothing', null);
    expect(await agent.kv.has('nothing')).toBe(true);
  });

  test('list matches the prefix literally: "_" and "%" are plain characters', async () => {
    const { agent } = t();
    for (const key of [
      'user_1',
      'userX1',
      'user%1',
      'user%%',
      'users',
      'a_b',
      'axb',
      '100%',
      '100x',
      'user_',
    ]) {
      await agent.kv.set(key, key);
    }
    const keys = async (prefix: string) => (await agent.kv.list(prefix)).map((e) => e.key);
    expect(await keys('user_')).toEqual(['user_', 'user_1']);
    expect(await keys('user%')).toEqual(['user%%', 'user%1']);
    expect(await keys('a_')).toEqual(['a_b']);
    expect(await keys('100%')).toEqual(['100%']);
    expect(await keys('nomatch')).toEqual([]);
    expect((await keys('')).length).toBe(10);
    expect(await keys('user')).toEqual(['user%%', 'user%1', 'userX1', 'user_', 'user_1', 'users']);
  });

  test('list returns entries with values in key order, for any prefix characters', async () => {
    const { agent } = t();
    await agent.kv.set('user:b', 2);
    await agent.kv.set('user:a', { one: 1 });
    await agent.kv.set('userz', 3);
    await agent.kv.set('😀:x', 'emoji');
    await agent.kv.set('\uffff:y', 'high');
    const entries = await agent.kv.list<unknown>('user:');
    expect(entries.map((e) => [e.key, e.value])).toEqual([
      ['user:a', { one: 1 }],
      ['user:b', 2],
    ]);
    expect((await agent.kv.list('😀')).map((e) => e.value)).toEqual(['emoji']);
    expect((await agent.kv.list('\uffff')).map((e) => e.value)).toEqual(['high']);
    expect((await agent.kv.list()).length).toBe(5);
  });

  test('values JSON cannot represent are TypeErrors and store nothing', async () => {
    const { agent } = t();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const bad of [() => 1, undefined, 10n, Symbol('s'), circular, { big: 1n }]) {
      await expect(agent.kv.set('bad', bad)).rejects.toThrow(TypeError);
    }
    expect(await agent.kv.has('bad')).toBe(false);
  });

  test('keys must be non-empty strings', async () => {
    const { agent } = t();
    await expect(agent.kv.set('', 1)).rejects.toThrow(RangeError);
    await expect(agent.kv.get(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(agent.kv.delete(null as unknown as string)).rejects.toThrow(TypeError);
    await expect(agent.kv.has(undefined as unknown as string)).rejects.toThrow(TypeError);
    await expect(agent.kv.list(7 as unknown as string)).rejects.toThrow(TypeError);
  });

  test('typed get', async () => {
    const { agent } = t();
    await agent.kv.set('user:preferences', { theme: 'dark' });
    const prefs = await agent.kv.get<{ theme: string }>('user:preferences');
    expect(prefs?.theme).toBe('dark');
  });
});
