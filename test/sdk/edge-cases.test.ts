import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, queryOnce, sqlite3 } from '../helpers/temp-db.js';
import { startNode } from '../helpers/child.js';
import { AgentOS } from '../../src/index.js';

describe('SDK edge cases', () => {
  const t = useAgent();

  test('exists() answers false only about paths; a closed or unusable database still rejects', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await agent.fs.mkdir('/private', { mode: 0o700 });
    await agent.fs.symlink('loop', '/loop');
    expect(await agent.fs.exists('/loop')).toBe(false);
    expect(await agent.fs.exists('/' + 'x'.repeat(300))).toBe(false);
    await agent.close();
    await expectRejectErrno(agent.fs.exists('/f'), 'EBADF');
  });

  test('writeFile without O_CREAT in its flag does not create parent directories', async () => {
    const { agent } = t();
    await expectRejectErrno(agent.fs.writeFile('/a/b/c', 'x', { flag: 'r+' }), 'ENOENT');
    expect(await agent.fs.readdir('/')).toEqual([]);
  });

  test('tools.list rejects an invalid Date', async () => {
    const { agent } = t();
    await expect(agent.tools.list({ since: new Date(NaN) })).rejects.toThrow(RangeError);
  });

  test('closing the agent deletes files it still had open after they were unlinked', async () => {
    const { tmp } = t();
    const path = tmp.file('orphans.db');
    const agent = new AgentOS(path);
    await agent.fs.writeFile('/tmp', Buffer.alloc(10000, 1));
    const h = await agent.fs.open('/tmp');
    await agent.fs.unlink('/tmp');
    await agent.close();
    expect(
      sqlite3(
        path,
        'SELECT COUNT(*) FROM agentos_orphans; SELECT COUNT(*) FROM fs_inode; SELECT COUNT(*) FROM fs_data;',
      ),
    ).toBe('0\n1\n0\n');
    await h.close();
  });

  test('two processes appending through handles in append mode lose no line', async () => {
    const { agent, dbPath } = t();
    await agent.fs.writeFile('/log', '');
    const N = 40;
    const child = startNode(
      `const agent = new AgentOS(args[0]);
       const h = await agent.fs.open('/log', 'a');
       console.log('go');
       for (let i = 0; i < ${N}; i++) await h.write('child ' + i + '\\n');
       await h.close();
       await agent.close();`,
      [dbPath],
    );
    expect(await child.line()).toBe('go');
    const h = await agent.fs.open('/log', 'a');
    for (let i = 0; i < N; i++) await h.write(`parent ${i}\n`);
    await h.close();
    expect((await child.done).status).toBe(0);
    const lines = (await agent.fs.readFile('/log', 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBe(2 * N);
    expect(lines.filter((l) => l.startsWith('child')).length).toBe(N);
    expect(
      queryOnce<{ n: number }>(dbPath, "SELECT COUNT(*) AS n FROM fs_dentry WHERE name = 'log'")[0].n,
    ).toBe(1);
  });
});
