/**
 * Snapshots taken while another process writes in a loop (an SDK program, and a sandboxed
 * shell loop) open cleanly, pass PRAGMA integrity_check, and show one moment: what the writer
 * changes in one transaction is either wholly in a snapshot or not at all.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOS } from '../../src/index.js';
import { startNode, stop } from '../helpers/child.js';
import { BIN, useWorkspace } from '../helpers/sandbox.js';
import { expectRejectErrno, sqlite3 } from '../helpers/temp-db.js';

const workspace = useWorkspace();

/** Each iteration changes three things in one transaction. */
const WRITER = `
const agent = new AgentOS(args[0]);
for (let i = 0; ; i++) {
  await agent.batch(async () => {
    await agent.kv.set('counter', i);
    await agent.fs.writeFile('/counter.txt', String(i).repeat(1000));
    await agent.fs.writeFile('/files/f' + (i % 50), String(i));
  });
  if (i === 20) console.log('ready');
}
`;

/** The invariants of one consistent moment of the writers. */
async function checkSnapshot(path: string): Promise<{ counter: number; runFiles: number }> {
  expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
  const snap = new AgentOS(path, { readonly: true });
  try {
    const counter = (await snap.kv.get<number>('counter'))!;
    expect(await snap.fs.readFile('/counter.txt', 'utf8')).toBe(String(counter).repeat(1000));
    const files = await snap.fs.readdir('/files');
    expect(files.length).toBe(Math.min(counter + 1, 50));
    for (const name of files) {
      const k = Number(name.slice(1));
      expect(await snap.fs.readFile(`/files/${name}`, 'utf8')).toBe(String(counter - ((counter - k) % 50)));
    }
    // The sandboxed loop: /run/0 ... /run/n-1, each holding its number. A close is a durability
    // point, and a snapshot takes the content of files closed but not yet written back from the
    // run's cache: only the newest file may be empty (the loop may not have closed it yet).
    let runFiles = 0;
    if (await snap.fs.exists('/run')) {
      const names = (await snap.fs.readdir('/run')).map(Number).sort((a, b) => a - b);
      expect(names).toEqual(names.map((_, i) => i));
      for (const n of names.slice(0, -1)) expect(await snap.fs.readFile(`/run/${n}`, 'utf8')).toBe(`${n}\n`);
      expect(await snap.query('SELECT ino FROM agentos_pending_content')).toEqual([]);
      runFiles = names.length;
    }
    const self = await snap.diff(path);
    expect(self).toEqual({ files: [], kv: [] });
    return { counter, runFiles };
  } finally {
    await snap.close();
  }
}

test('snapshots during concurrent writers are consistent and open cleanly', async () => {
  const w = workspace();
  const writer = startNode(WRITER, [w.db]);
  const run = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--db',
      w.db,
      '--',
      'sh',
      '-c',
      'mkdir /agent/run; i=0; while [ $i -lt 400 ]; do echo $i > /agent/run/$i; i=$((i+1)); done',
    ],
    { stdio: 'ignore' },
  );
  const runDone = new Promise<number | null>((resolve) => run.on('close', (code) => resolve(code)));
  try {
    expect(await writer.line()).toBe('ready');
    const live = new AgentOS(w.db, { readonly: true });
    const counters: number[] = [];
    const runFiles: number[] = [];
    try {
      // Snapshot while both are writing: wait for the sandboxed loop to be under way.
      for (
        let t = 0;
        t < 300 && !((await live.fs.exists('/run')) && (await live.fs.readdir('/run')).length >= 20);
        t++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (let k = 0; k < 3; k++) {
        const out = join(w.dir, `snap${k}.db`);
        const result = await live.snapshot(out);
        expect(result.path).toBe(out);
        expect(result.rows).toBeGreaterThan(50);
        expect(existsSync(`${out}-wal`)).toBe(false);
        const seen = await checkSnapshot(out);
        counters.push(seen.counter);
        runFiles.push(seen.runFiles);
      }
    } finally {
      await live.close();
    }
    // Through the CLI as well, with --json.
    const cli = w.cli(['snapshot', join(w.dir, 'cli.db'), '--json']);
    expect(cli.stderr).toBe('');
    const parsed = JSON.parse(cli.stdout) as { path: string; tables: number; rows: number };
    expect(parsed.path).toBe(join(w.dir, 'cli.db'));
    counters.push((await checkSnapshot(parsed.path)).counter);
    expect([...counters].sort((a, b) => a - b)).toEqual(counters);
    expect(counters[counters.length - 1]).toBeGreaterThan(counters[0]);
    expect(runFiles[0]).toBeGreaterThanOrEqual(20);
  } finally {
    await stop(writer.child);
    await stop(run);
    await runDone;
  }
  // And the final state too, once the writers are gone.
  const final = join(w.dir, 'final.db');
  const agent = w.open();
  try {
    await agent.snapshot(final);
  } finally {
    await agent.close();
  }
  await checkSnapshot(final);
});

test('snapshot refuses to overwrite without --force, and never the database itself', async () => {
  const w = workspace();
  const out = join(w.dir, 'snap.db');
  expect(w.cli(['snapshot', out]).status).toBe(0);
  const again = w.cli(['snapshot', out]);
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(/^agentos: EEXIST: .*--force/);
  // The SDK names its own option, not the CLI's flag.
  const agent = w.open();
  try {
    const e = await expectRejectErrno(agent.snapshot(out), 'EEXIST');
    expect(e.message).toMatch(/\{ overwrite: true \}/);
    expect(e.message).not.toMatch(/--force/);
    await agent.snapshot(out, { overwrite: true });
  } finally {
    await agent.close();
  }
  expect(w.cli(['snapshot', '--force', out]).status).toBe(0);
  const self = w.cli(['snapshot', '--force', w.db]);
  expect(self.status).toBe(1);
  expect(self.stderr).toMatch(/EINVAL: the snapshot would overwrite the database itself/);
});
