import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, queryOnce } from '../helpers/temp-db.js';
import { AgentOS } from '../../src/index.js';

describe('agent.query (read-only SQL)', () => {
  const t = useAgent();

  test('returns the rows of a SELECT, with parameters', async () => {
    const { agent } = t();
    await agent.kv.set('a', 1);
    await agent.kv.set('b', 2);
    await agent.tools.record('search', 1, 2);
    expect(await agent.query('SELECT key, value FROM kv_store ORDER BY key')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(await agent.query('SELECT key FROM kv_store WHERE key = ?', ['b'])).toEqual([{ key: 'b' }]);
    expect(await agent.query('WITH t AS (SELECT name FROM tool_calls) SELECT COUNT(*) AS n FROM t')).toEqual([
      { n: 1 },
    ]);
    expect(await agent.query("SELECT replace('a-b', '-', '+') AS r")).toEqual([{ r: 'a+b' }]);
    expect(await agent.query("SELECT 'insert into x' AS s -- delete from y\n")).toEqual([
      { s: 'insert into x' },
    ]);
    expect((await agent.query('PRAGMA table_info(kv_store)')).length).toBe(4);
    expect(await agent.query('SELECT 1 AS one;')).toEqual([{ one: 1 }]);
  });

  test('integers beyond 2^53 come back exactly as bigints, the others as numbers', async () => {
    const { agent } = t();
    await agent.kv.set('n', 1);
    const [row] = await agent.query(
      `SELECT 9007199254740993 AS big, -9223372036854775808 AS min, 9007199254740991 AS safe,
              -9007199254740991 AS negative, 1.5 AS real, ? AS param, COUNT(*) AS n FROM kv_store`,
      [9007199254740995n],
    );
    expect(row).toEqual({
      big: 9007199254740993n,
      min: -9223372036854775808n,
      safe: 9007199254740991,
      negative: -9007199254740991,
      real: 1.5,
      param: 9007199254740995n,
      n: 1,
    });
    // The same SQL AgentOS itself runs keeps its own (number) statement: writes still work.
    expect(await agent.query("SELECT value FROM agentos_meta WHERE key = 'generation'")).toEqual([
      { value: expect.any(String) },
    ]);
    await agent.kv.set('m', 2);
    expect(await agent.kv.get('m')).toBe(2);
  });

  test('anything that could write is EROFS, and nothing changes', async () => {
    const { agent, dbPath } = t();
    await agent.kv.set('a', 1);
    for (const sql of [
      "INSERT INTO kv_store (key, value) VALUES ('x', '1')",
      "UPDATE kv_store SET value = '2'",
      'DELETE FROM kv_store',
      'DROP TABLE kv_store',
      'CREATE TABLE t (x)',
      'SELECT 1; DELETE FROM kv_store',
      'WITH t AS (SELECT 1) DELETE FROM kv_store',
      'PRAGMA journal_mode = delete',
      'PRAGMA wal_checkpoint(TRUNCATE)',
      'VACUUM',
      'BEGIN',
      '',
      '   -- only a comment',
    ]) {
      await expectRejectErrno(agent.query(sql), 'EROFS');
    }
    expect(queryOnce<{ n: number }>(dbPath, 'SELECT COUNT(*) AS n FROM kv_store')[0].n).toBe(1);
    await expect(agent.query(42 as unknown as string)).rejects.toThrow(TypeError);
  });

  test("SQL the engine rejects is EINVAL with the engine's reason", async () => {
    const { agent } = t();
    const missing = await expectRejectErrno(agent.query('SELECT * FROM no_such_table'), 'EINVAL');
    expect(missing.message).toMatch(/no_such_table/);
    await expectRejectErrno(agent.query('SELECT FROM WHERE'), 'EINVAL');
    await expectRejectErrno(agent.query('SELECT nope FROM kv_store'), 'EINVAL');
  });
});

describe('agent.batch', () => {
  const t = useAgent();

  test('commits the changes made inside together; other connections see them only afterwards', async () => {
    const { agent, dbPath } = t();
    const seen: number[] = [];
    const result = await agent.batch(async () => {
      for (let i = 0; i < 20; i++) await agent.kv.set(`k${i}`, i);
      await agent.fs.writeFile('/batched.txt', 'b');
      seen.push(queryOnce<{ n: number }>(dbPath, 'SELECT COUNT(*) AS n FROM kv_store')[0].n);
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual([0]);
    expect(queryOnce<{ n: number }>(dbPath, 'SELECT COUNT(*) AS n FROM kv_store')[0].n).toBe(20);
    expect(await agent.fs.readFile('/batched.txt', 'utf8')).toBe('b');
  });

  test('a failed operation inside undoes only itself; nested batches join the outer one', async () => {
    const { agent } = t();
    await agent.batch(async () => {
      await agent.fs.mkdir('/d');
      await expectRejectErrno(agent.fs.mkdir('/d'), 'EEXIST');
      await expectRejectErrno(agent.fs.rmdir('/missing'), 'ENOENT');
      await agent.batch(() => agent.kv.set('inner', true));
      await agent.fs.writeFile('/d/f', 'x');
    });
    expect(await agent.fs.readdir('/d')).toEqual(['f']);
    expect(await agent.kv.get('inner')).toBe(true);
  });

  test('when the function throws, the error comes out and the changes made before it are kept', async () => {
    const { agent, dbPath } = t();
    await expect(
      agent.batch(async () => {
        await agent.kv.set('before', 1);
        throw new Error('stop here');
      }),
    ).rejects.toThrow('stop here');
    expect(queryOnce<{ key: string }>(dbPath, 'SELECT key FROM kv_store')).toEqual([{ key: 'before' }]);
    const again = new AgentOS(dbPath);
    expect(await again.kv.get('before')).toBe(1);
    await again.close();
  });
});
