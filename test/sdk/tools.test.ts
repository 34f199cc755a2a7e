import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, queryOnce } from '../helpers/temp-db.js';

describe('agent.tools', () => {
  const t = useAgent();

  test('record exactly as the seed calls it keeps fractional seconds to the millisecond', async () => {
    const { agent, dbPath } = t();
    const started = Date.now() / 1000;
    const id = await agent.tools.record(
      'web_search',
      started,
      started + 1.5,
      { query: 'AI' },
      { results: ['a', 'b'] },
    );
    const call = await agent.tools.get(id);
    expect(call).toEqual({
      id,
      name: 'web_search',
      status: 'success',
      parameters: { query: 'AI' },
      result: { results: ['a', 'b'] },
      startedAt: Math.round(started * 1000) / 1000,
      completedAt: Math.round((started + 1.5) * 1000) / 1000,
      durationMs: 1500,
    });
    // The spec's columns hold seconds and the duration in ms.
    const row = queryOnce<{
      started_at: number;
      completed_at: number;
      duration_ms: number;
      error: string | null;
      status: string;
    }>(
      dbPath,
      'SELECT started_at, completed_at, duration_ms, error, status FROM tool_calls WHERE id = ?',
      id,
    )[0];
    expect(row).toEqual({
      started_at: Math.floor(started),
      completed_at: Math.floor(started + 1.5),
      duration_ms: 1500,
      error: null,
      status: 'success',
    });
  });

  test('milliseconds survive: 0.001 s apart is 1 ms', async () => {
    const { agent } = t();
    const id = await agent.tools.record('tick', 1700000000.123, 1700000000.124);
    const call = (await agent.tools.get(id))!;
    expect(call.startedAt).toBe(1700000000.123);
    expect(call.completedAt).toBe(1700000000.124);
    expect(call.durationMs).toBe(1);
    expect(call.parameters).toBeUndefined();
    expect(call.result).toBeUndefined();
  });

  test('record with an error is a failed call without a result', async () => {
    const { agent } = t();
    const id = await agent.tools.record('fetch', 10, 12, { url: 'x' }, { ignored: true }, 'timeout');
    expect(await agent.tools.get(id)).toEqual({
      id,
      name: 'fetch',
      status: 'error',
      parameters: { url: 'x' },
      error: 'timeout',
      startedAt: 10,
      completedAt: 12,
      durationMs: 2000,
    });
  });

  test('start opens a pending call; success and error complete it once', async () => {
    const { agent } = t();
    const before = Date.now();
    const a = await agent.tools.start('download', { url: 'https://example.com' });
    const pending = (await agent.tools.get(a))!;
    expect(pending.status).toBe('pending');
    expect(pending.completedAt).toBeUndefined();
    expect(pending.durationMs).toBeUndefined();
    expect(pending.startedAt * 1000).toBeGreaterThanOrEqual(before - 1);
    await agent.tools.success(a, { bytes: 42 });
    const done = (await agent.tools.get(a))!;
    expect(done.status).toBe('success');
    expect(done.result).toEqual({ bytes: 42 });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.completedAt! * 1000).toBeGreaterThanOrEqual(done.startedAt * 1000);
    await expectRejectErrno(agent.tools.success(a, 'again'), 'EINVAL');
    await expectRejectErrno(agent.tools.error(a, 'late'), 'EINVAL');
    const b = await agent.tools.start('download');
    await agent.tools.error(b, 'connection reset');
    expect(await agent.tools.get(b)).toMatchObject({ status: 'error', error: 'connection reset' });
    await expectRejectErrno(agent.tools.success(99999), 'ENOENT');
    const c = await agent.tools.start('noresult');
    await agent.tools.success(c);
    expect((await agent.tools.get(c))!.result).toBeUndefined();
  });

  test('get of an unknown id is undefined', async () => {
    const { agent } = t();
    expect(await agent.tools.get(12345)).toBeUndefined();
  });

  test('list is newest first, filtered by name, status, since and limit', async () => {
    const { agent } = t();
    await agent.tools.record('search', 100, 101, { q: 1 }, 'r1');
    await agent.tools.record('search', 200.5, 201, { q: 2 }, undefined, 'failed');
    await agent.tools.record('fetch', 300, 300.25, {}, 'r3');
    const pendingId = await agent.tools.start('fetch');
    const all = await agent.tools.list();
    expect(all.map((c) => c.id)[0]).toBe(pendingId);
    expect(all.slice(1).map((c) => c.startedAt)).toEqual([300, 200.5, 100]);
    expect((await agent.tools.list({ name: 'search' })).map((c) => c.startedAt)).toEqual([200.5, 100]);
    expect((await agent.tools.list({ status: 'error' })).map((c) => c.startedAt)).toEqual([200.5]);
    expect((await agent.tools.list({ status: 'pending' })).map((c) => c.id)).toEqual([pendingId]);
    expect((await agent.tools.list({ since: 200.5 })).length).toBe(3);
    expect((await agent.tools.list({ since: 200.501 })).length).toBe(2);
    expect((await agent.tools.list({ since: new Date(200_500) })).length).toBe(3);
    expect((await agent.tools.list({ limit: 2 })).length).toBe(2);
    expect((await agent.tools.list({ limit: 0 })).length).toBe(0);
    expect(
      (await agent.tools.list({ name: 'fetch', status: 'success', limit: 5 })).map((c) => c.startedAt),
    ).toEqual([300]);
    expect(await agent.tools.list({ name: 'nothing' })).toEqual([]);
  });

  test('stats per tool: count, successes, failures, pending, average duration', async () => {
    const { agent } = t();
    await agent.tools.record('search', 0, 1);
    await agent.tools.record('search', 0, 3);
    await agent.tools.record('search', 0, 0.5, undefined, undefined, 'boom');
    await agent.tools.record('fetch', 0, 0.25);
    await agent.tools.start('fetch');
    const stats = await agent.tools.stats();
    expect(stats).toEqual([
      { name: 'search', count: 3, successes: 2, failures: 1, pending: 0, avgDurationMs: 1500 },
      { name: 'fetch', count: 2, successes: 1, failures: 0, pending: 1, avgDurationMs: 250 },
    ]);
  });

  test('bad arguments are TypeErrors and RangeErrors, and record nothing', async () => {
    const { agent } = t();
    await expect(agent.tools.record('', 1, 2)).rejects.toThrow(RangeError);
    await expect(agent.tools.record(5 as unknown as string, 1, 2)).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', NaN, 2)).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', 1, Infinity)).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', '1' as unknown as number, 2)).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', 2, 1)).rejects.toThrow(RangeError);
    await expect(agent.tools.record('x', 1, 2, { n: 1n })).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', 1, 2, {}, () => 1)).rejects.toThrow(TypeError);
    await expect(agent.tools.record('x', 1, 2, {}, undefined, 42 as unknown as string)).rejects.toThrow(
      TypeError,
    );
    await expect(agent.tools.start('x', Symbol('s'))).rejects.toThrow(TypeError);
    await expect(agent.tools.get(0)).rejects.toThrow(RangeError);
    await expect(agent.tools.get(1.5)).rejects.toThrow(TypeError);
    await expect(agent.tools.list({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(agent.tools.list({ status: 'done' as 'success' })).rejects.toThrow(TypeError);
    await expect(agent.tools.list({ since: 'yesterday' as unknown as number })).rejects.toThrow(TypeError);
    await expect(agent.tools.error(1, undefined as unknown as string)).rejects.toThrow(TypeError);
    expect(await agent.tools.list()).toEqual([]);
  });
});
