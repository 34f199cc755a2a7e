import { useTempDir, sqlite3 } from '../helpers/temp-db.js';
import { runNode, startNode, startRemoteAgent } from '../helpers/child.js';
import { AgentOS } from '../../src/index.js';

describe('two processes on one database', () => {
  const tmp = useTempDir();

  test("both write at the same time; both succeed and see each other's data", async () => {
    const path = tmp().file('agent.db');
    await (await AgentOS.open(path)).close();
    const N = 60;
    const child = startNode(
      `const agent = new AgentOS(args[0]);
       for (let i = 0; i < ${N}; i++) {
         await agent.fs.writeFile('/child/' + i, 'c' + i);
         await agent.kv.set('child:' + i, { i });
         await agent.tools.record('child_tool', i, i + 0.5, { i }, 'ok');
         if (i === 5) console.log('writing');
       }
       await agent.close();
       console.log('done');`,
      [path],
    );
    expect(await child.line()).toBe('writing');
    const agent = new AgentOS(path);
    for (let i = 0; i < N; i++) {
      await agent.fs.writeFile(`/parent/${i}`, `p${i}`);
      await agent.kv.set(`parent:${i}`, { i });
    }
    const result = await child.done;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect((await agent.fs.readdir('/child')).length).toBe(N);
    expect(await agent.fs.readFile(`/child/${N - 1}`, 'utf8')).toBe(`c${N - 1}`);
    expect((await agent.kv.list('child:')).length).toBe(N);
    expect((await agent.tools.stats()).find((s) => s.name === 'child_tool')!.count).toBe(N);
    await agent.close();
    const check = runNode(
      `const agent = new AgentOS(args[0]);
       console.log((await agent.fs.readdir('/parent')).length, (await agent.kv.list('parent:')).length);
       await agent.close();`,
      [path],
    );
    expect(check.stdout.trim()).toBe(`${N} ${N}`);
    expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
  });

  test("a process sees another's changes at once: its cache is invalidated", async () => {
    const path = tmp().file('agent.db');
    const agent = new AgentOS(path);
    await agent.fs.writeFile('/shared.txt', 'a');
    await agent.fs.mkdir('/dir');
    await agent.fs.writeFile('/dir/old', 'o');
    expect((await agent.fs.stat('/shared.txt')).size).toBe(1);
    expect(await agent.fs.readdir('/dir')).toEqual(['old']);
    const other = await startRemoteAgent(path);
    try {
      await other.call('fs.writeFile', '/shared.txt', 'xyz');
      await other.call('fs.rename', '/dir/old', '/dir/new');
      await other.call('kv.set', 'k', 'from child');
      expect((await agent.fs.stat('/shared.txt')).size).toBe(3);
      expect(await agent.fs.readFile('/shared.txt', 'utf8')).toBe('xyz');
      expect(await agent.fs.readdir('/dir')).toEqual(['new']);
      expect(await agent.kv.get('k')).toBe('from child');
      // And the other way round.
      await agent.fs.unlink('/dir/new');
      await agent.fs.symlink('/shared.txt', '/link');
      expect(await other.call('fs.readdir', '/dir')).toEqual([]);
      expect(await other.call('fs.readFile', '/link', 'utf8')).toBe('xyz');
      await expect(other.call('fs.readFile', '/dir/new')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      const r = await other.close();
      expect(r.status).toBe(0);
    }
    await agent.close();
  });

  test('a process keeps working while another holds the database open for a long time', async () => {
    const path = tmp().file('agent.db');
    const other = await startRemoteAgent(path);
    try {
      await other.call('fs.writeFile', '/from-other', 'hello');
      const agent = new AgentOS(path, { busyTimeoutMs: 2000 });
      expect(await agent.fs.readFile('/from-other', 'utf8')).toBe('hello');
      await agent.fs.writeFile('/from-me', 'hi');
      await agent.close();
      expect(await other.call('fs.readFile', '/from-me', 'utf8')).toBe('hi');
    } finally {
      await other.close();
    }
    // The last one to close leaves a self-contained file.
    expect(sqlite3(path, 'SELECT COUNT(*) FROM fs_dentry;').trim()).toBe('2');
  });

  test('two processes creating the same new database at once both succeed', async () => {
    const path = tmp().file('fresh.db');
    const script = `const agent = new AgentOS(args[0]); await agent.kv.set(args[1], 1); await agent.close(); console.log('ok');`;
    const a = startNode(script, [path, 'a']);
    const b = startNode(script, [path, 'b']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.stderr, rb.stderr]).toEqual(['', '']);
    expect([ra.stdout.trim(), rb.stdout.trim()]).toEqual(['ok', 'ok']);
    expect(sqlite3(path, 'SELECT key FROM kv_store ORDER BY key;')).toBe('a\nb\n');
    expect(sqlite3(path, 'SELECT COUNT(*) FROM fs_inode WHERE ino = 1;').trim()).toBe('1');
  });
});
