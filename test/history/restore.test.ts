/**
 * agentos restore brings deleted and modified files back byte for byte (only the chunks that
 * differ are rewritten), with modes, targets and times, and is recorded in the audit trail.
 */
import { join } from 'node:path';
import { AgentOS } from '../../src/index.js';
import { useWorkspace } from '../helpers/sandbox.js';
import { applyChanges, BIG_SIZE, buildBase, describeTree, pattern } from './fixtures.js';

const workspace = useWorkspace();

async function prepare(db: string, snap: string): Promise<Record<string, unknown>> {
  const agent = new AgentOS(db);
  try {
    await buildBase(agent);
    await agent.fs.link('/dir/sub/deep.txt', '/dir/hard.txt');
    await agent.snapshot(snap);
    const tree = await describeTree(agent);
    await applyChanges(agent);
    await agent.fs.rm('/dir', { recursive: true });
    await agent.fs.writeFile('/keep.txt', 'changed\n');
    await agent.fs.utimes('/notes.txt', 1, 2);
    return tree;
  } finally {
    await agent.close();
  }
}

test('restoring everything brings back the snapshot exactly, and is a logged tool call', async () => {
  const w = workspace();
  const snap = join(w.dir, 'snap.db');
  const expected = await prepare(w.db, snap);
  const r = w.cli(['restore', snap, '--json']);
  expect(r.stderr).toBe('');
  const result = JSON.parse(r.stdout) as {
    callId: number;
    restored: string[];
    deleted: string[];
    bytesWritten: number;
  };
  expect(result.deleted).toEqual(['/typechange', '/newdir/x', '/newdir', '/added.txt']);
  expect(result.restored).toEqual([
    '/big.bin',
    '/dir',
    '/dir/hard.txt',
    '/dir/inner.txt',
    '/dir/sub',
    '/dir/sub/deep.txt',
    '/gone.txt',
    '/keep.txt',
    '/link',
    '/notes.txt',
    '/script.sh',
    '/trunc.txt',
    '/typechange',
  ]);
  const agent = w.open();
  try {
    expect(await describeTree(agent)).toEqual(expected);
    expect(await agent.diff(snap)).toEqual({
      files: [],
      kv: [
        { key: 'a', change: 'modified', before: 1, after: 2 },
        { key: 'b', change: 'deleted', before: 'x' },
        { key: 'd', change: 'added', after: true },
      ],
    });
    expect((await agent.fs.readFile('/big.bin')).equals(pattern(BIG_SIZE, 1))).toBe(true);
    // Hard links come back as links.
    expect((await agent.fs.stat('/dir/hard.txt')).ino).toBe((await agent.fs.stat('/dir/sub/deep.txt')).ino);
    // Only the differing chunk of big.bin was written; whole small files otherwise.
    const call = (await agent.tools.list({ name: 'restore' }))[0];
    expect(call.id).toBe(result.callId);
    expect(call.status).toBe('success');
    expect(call.parameters).toEqual({ snapshot: snap, paths: ['/'] });
    const log = await agent.log({ run: call.id });
    expect(log.find((e) => e.op === 'write' && e.path === '/big.bin')).toMatchObject({
      bytes: 4096,
      size: BIG_SIZE,
    });
    // (A symlink whose target changed is replaced: unlinked and made again.)
    expect(log.filter((e) => e.op === 'unlink' || e.op === 'rmdir').map((e) => e.path)).toEqual([
      ...result.deleted,
      '/link',
    ]);
    expect(log.find((e) => e.op === 'symlink')).toMatchObject({ path: '/link', path2: 'keep.txt' });
    expect(log.filter((e) => e.op === 'create').map((e) => e.path)).toEqual([
      '/dir/hard.txt',
      '/dir/inner.txt',
      '/gone.txt',
      '/typechange',
    ]);
    expect(log.find((e) => e.op === 'link')).toMatchObject({
      path: '/dir/hard.txt',
      path2: '/dir/sub/deep.txt',
    });
    expect(new Set(log.map((e) => e.pid))).toEqual(new Set([log[0].pid]));
  } finally {
    await agent.close();
  }
});

test('restoring some paths leaves the rest as it is', async () => {
  const w = workspace();
  const snap = join(w.dir, 'snap.db');
  const expected = await prepare(w.db, snap);
  const agent = w.open();
  try {
    const result = await agent.restore(snap, ['/dir/sub', 'gone.txt', '/big.bin']);
    expect(result.restored).toEqual(['/big.bin', '/dir/sub', '/dir/sub/deep.txt', '/gone.txt']);
    expect(result.deleted).toEqual([]);
    const tree = await describeTree(agent);
    for (const path of ['/dir/sub', '/dir/sub/deep.txt', '/gone.txt', '/big.bin'])
      expect(tree[path]).toEqual(expected[path]);
    // The parent /dir was recreated for them, with the snapshot's mode, but not its other entries.
    expect(await agent.fs.readdir('/dir')).toEqual(['sub']);
    expect((await agent.fs.stat('/dir')).mode).toBe((expected['/dir'] as { mode: number }).mode);
    expect(await agent.fs.readFile('/keep.txt', 'utf8')).toBe('changed\n');
    expect(await agent.fs.readFile('/added.txt', 'utf8')).toBe('new\n');
    expect(await agent.fs.readlink('/link')).toBe('notes.txt');
    await expect(agent.restore(snap, ['/added.txt'])).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    await agent.close();
  }
  const text = w.cli(['restore', snap, '/keep.txt']);
  expect(text.stderr).toBe('');
  expect(text.stdout).toMatch(
    /^Restored \/keep.txt from .*snap\.db: 1 paths restored, 0 deleted, 5 bytes written \(tool call \d+\)\n$/,
  );
});
