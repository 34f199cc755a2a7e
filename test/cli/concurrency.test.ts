/** The CLI and an SDK program using the same database at the same time. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { AgentOS } from '../../src/index.js';
import { exited, json, startAgentProcess, useWorkspace, waitForFile } from './helpers.js';

const workspace = useWorkspace();

test('CLI reads and writes while another process keeps the database open and writes in a loop', async () => {
  const { dir, db, run, path } = workspace();
  const agentProcess = startAgentProcess(
    dir,
    db,
    `const { existsSync, writeFileSync } = await import('node:fs');
     const agent = new AgentOS(db);
     let i = 0;
     for (; !existsSync(dir + '/stop'); i++) {
       await agent.fs.writeFile('/agent/' + (i % 20) + '.txt', 'round ' + i);
       await agent.kv.set('agent:counter', i);
       const t = Date.now() / 1000;
       await agent.tools.record('loop', t, t, { i });
       if (i === 3) writeFileSync(dir + '/ready', '');
     }
     await agent.kv.set('agent:rounds', i);
     await agent.close();`,
  );
  await waitForFile(path('ready'), agentProcess);

  // Reads see committed work of the other process, never a torn state.
  expect(run(['fs', 'ls', '/agent']).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(4);
  expect(run(['fs', 'cat', '/agent/0.txt'])).toMatch(/^round \d+$/);
  const counter = Number(run(['kv', 'get', 'agent:counter']));
  expect(counter).toBeGreaterThanOrEqual(3);
  expect(
    json<unknown[]>(['tools', 'list', '--json', '--name', 'loop', '--db', db]).length,
  ).toBeGreaterThanOrEqual(counter);

  // Writes wait their turn for the lock and land.
  run(['fs', 'write', '/cli/note.txt', 'from the cli']);
  run(['kv', 'set', 'cli:key', '{"ok":true}']);
  mkdirSync(path('host/sub'), { recursive: true });
  writeFileSync(path('host/sub/a.txt'), 'imported');
  run(['fs', 'import', path('host'), '/cli/imported']);
  run(['fs', 'mv', '/cli/note.txt', '/cli/moved.txt']);
  expect(Number(run(['kv', 'get', 'agent:counter']))).toBeGreaterThanOrEqual(counter);

  writeFileSync(path('stop'), '');
  expect(await exited(agentProcess)).toBe(0);

  const agent = new AgentOS(db);
  try {
    const rounds = (await agent.kv.get<number>('agent:rounds')) as number;
    expect(rounds).toBeGreaterThan(counter);
    expect(await agent.kv.get('agent:counter')).toBe(rounds - 1);
    expect((await agent.tools.list({ name: 'loop' })).length).toBe(rounds);
    expect(await agent.fs.readFile('/cli/moved.txt', 'utf8')).toBe('from the cli');
    expect(await agent.fs.readFile('/cli/imported/sub/a.txt', 'utf8')).toBe('imported');
    expect(await agent.kv.get('cli:key')).toEqual({ ok: true });
  } finally {
    await agent.close();
  }
});
