/** The quota through the SDK: agent.fs.setQuota(), agent.fs.quota(), EDQUOT from every way to write. */
import { AgentOS } from '../../src/index.js';
import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno } from '../helpers/temp-db.js';

describe('agent.fs quota', () => {
  const t = useAgent();

  test('setQuota takes a positive whole number of bytes or null', async () => {
    const { agent } = t();
    for (const bad of [0, -1, 2 ** 60]) {
      await expect(agent.fs.setQuota(bad)).rejects.toThrow(RangeError);
    }
    // As everywhere in the SDK: a non-integer is a TypeError (see test/sdk/fs.test.ts).
    for (const bad of [1.5, NaN, '1G', undefined, {}]) {
      await expect(agent.fs.setQuota(bad as unknown as number)).rejects.toThrow(TypeError);
    }
    await agent.fs.setQuota(1);
    expect(await agent.fs.quota()).toEqual({ limit: 1, used: 0 });
  });

  test('every way of adding content stops at the quota with EDQUOT', async () => {
    const { agent } = t();
    await agent.fs.setQuota(10_000);
    await agent.fs.writeFile('/a', Buffer.alloc(6000, 1));
    await expectRejectErrno(agent.fs.writeFile('/b', Buffer.alloc(4001)), 'EDQUOT');
    expect(await agent.fs.exists('/b')).toBe(false);
    await expectRejectErrno(agent.fs.appendFile('/a', Buffer.alloc(4001)), 'EDQUOT');
    await expectRejectErrno(agent.fs.copyFile('/a', '/copy'), 'EDQUOT');
    await expectRejectErrno(agent.fs.truncate('/a', 10_001), 'EDQUOT');
    const h = await agent.fs.open('/a', 'r+');
    await expectRejectErrno(h.write(Buffer.alloc(10), 0, 10, 9995), 'EDQUOT');
    await expectRejectErrno(h.truncate(20_000), 'EDQUOT');
    await h.write(Buffer.alloc(4000, 2), 0, 4000, 6000);
    await h.close();
    expect((await agent.fs.stat('/a')).size).toBe(10_000);
    expect(await agent.fs.quota()).toEqual({ limit: 10_000, used: 10_000 });
    const { bsize, blocks, bavail } = await agent.fs.statfs();
    expect([bsize, blocks, bavail]).toEqual([4096, 3, 0]);
    expect((await agent.check()).ok).toBe(true);
  });

  test('a read-only agent reads the quota but cannot set it', async () => {
    const { agent, dbPath } = t();
    await agent.fs.setQuota(5000);
    const reader = new AgentOS(dbPath, { readonly: true });
    try {
      expect(await reader.fs.quota()).toEqual({ limit: 5000, used: 0 });
      await expectRejectErrno(reader.fs.setQuota(null), 'EROFS');
    } finally {
      await reader.close();
    }
  });
});
