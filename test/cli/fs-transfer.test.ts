/** agentos fs import / fs export: exact modes, nanosecond times, symlinks and hard links. */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AgentOS } from '../../src/index.js';
import { fails, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

interface Snapshot {
  mode: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

/** Relative paths below `root`, parents first (reading directories only, never links). */
function listTree(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const child = rel ? `${rel}/${name}` : name;
    out.push(child);
    if (lstatSync(join(root, child)).isDirectory()) out.push(...listTree(root, child));
  }
  return out;
}

/** lstat only: reading a symlink or directory would move its atime. */
function snapshot(root: string, rels: string[]): Map<string, Snapshot> {
  return new Map(
    rels.map((rel) => {
      const st: BigIntStats = lstatSync(join(root, rel), { bigint: true });
      return [rel, { mode: st.mode, atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ino: st.ino }];
    }),
  );
}

/** Sets exact times with GNU touch (Node cannot set sub-microsecond times). */
function touch(path: string, which: '-a' | '-m', seconds: string): void {
  expect(spawnSync('touch', ['-h', which, '-d', `@${seconds}`, path]).status).toBe(0);
}

function commandPath(name: string): string {
  return spawnSync('sh', ['-c', `command -v ${name}`])
    .stdout.toString()
    .trim();
}

/** A host tree with every kind of entry the transfer must keep exactly. */
function makeSource(root: string): void {
  mkdirSync(join(root, 'sub/deep'), { recursive: true });
  mkdirSync(join(root, 'locked'));
  writeFileSync(join(root, 'a.txt'), 'hello\n');
  writeFileSync(join(root, 'sub/data.bin'), randomBytes(70_000));
  writeFileSync(join(root, 'empty'), '');
  symlinkSync('a.txt', join(root, 'rel-link'));
  symlinkSync('/nonexistent/target', join(root, 'dangling'));
  linkSync(join(root, 'a.txt'), join(root, 'sub/hard.txt'));
  chmodSync(join(root, 'sub/data.bin'), 0o4751);
  chmodSync(join(root, 'empty'), 0o600);
  touch(join(root, 'rel-link'), '-m', '1600000000.123456789');
  touch(join(root, 'rel-link'), '-a', '1600000001.000000001');
  touch(join(root, 'sub/data.bin'), '-m', '1500000000.987654321');
  touch(join(root, 'sub/data.bin'), '-a', '1400000000.5');
  touch(join(root, 'sub/deep'), '-m', '-100.25');
  touch(join(root, 'empty'), '-m', '1234567890.000001');
  chmodSync(join(root, 'sub/deep'), 0o700);
  // Last: a read-only directory must still receive its contents first.
  chmodSync(join(root, 'locked'), 0o555);
}

test('import stores modes, nanosecond times, symlinks and hard links exactly; export recreates them', async () => {
  const ws = workspace();
  const src = ws.path('src');
  makeSource(src);
  const rels = listTree(src);
  const before = snapshot(src, rels);

  expect(ws.run(['fs', 'import', src, '/imp'])).toBe(
    `Imported 3 files, 3 directories, 2 symlinks, 1 hard link (70006 bytes) from ${src} into /imp\n`,
  );

  // What the database holds, seen through the SDK in this process.
  const agent = new AgentOS(ws.db);
  try {
    for (const rel of rels) {
      const st = await agent.fs.lstat(`/imp/${rel}`);
      const host = before.get(rel) as Snapshot;
      expect({ rel, mode: st.mode, atime: st.atimeNs, mtime: st.mtimeNs }).toEqual({
        rel,
        mode: Number(host.mode),
        atime: host.atimeNs,
        mtime: host.mtimeNs,
      });
    }
    expect(await agent.fs.readlink('/imp/rel-link')).toBe('a.txt');
    expect(await agent.fs.readlink('/imp/dangling')).toBe('/nonexistent/target');
    expect((await agent.fs.lstat('/imp/sub/hard.txt')).ino).toBe((await agent.fs.lstat('/imp/a.txt')).ino);
    expect(
      (await agent.fs.readFile('/imp/sub/data.bin')).equals(readFileSync(join(src, 'sub/data.bin'))),
    ).toBe(true);
  } finally {
    await agent.close();
  }

  const out = ws.path('out');
  expect(ws.run(['fs', 'export', '/imp', out])).toBe(
    `Exported 3 files, 3 directories, 2 symlinks, 1 hard link (70006 bytes) from /imp to ${out}\n`,
  );
  const after = snapshot(out, rels);
  for (const rel of rels) {
    const [h, e] = [before.get(rel) as Snapshot, after.get(rel) as Snapshot];
    expect({ rel, mode: e.mode, atime: e.atimeNs, mtime: e.mtimeNs }).toEqual({
      rel,
      mode: h.mode,
      atime: h.atimeNs,
      mtime: h.mtimeNs,
    });
  }
  expect(after.get('sub/hard.txt')?.ino).toBe(after.get('a.txt')?.ino);

  // Without python3 the exact times come from GNU touch instead: same result.
  const bin = ws.path('bin');
  mkdirSync(bin);
  for (const tool of ['sh', 'touch']) symlinkSync(commandPath(tool), join(bin, tool));
  const viaTouch = ws.path('out-touch');
  ws.run(['fs', 'export', '/imp', viaTouch], { env: { PATH: bin } });
  const touched = snapshot(viaTouch, rels);
  for (const rel of rels) {
    const [h, e] = [before.get(rel) as Snapshot, touched.get(rel) as Snapshot];
    expect({ rel, mode: e.mode, atime: e.atimeNs, mtime: e.mtimeNs }).toEqual({
      rel,
      mode: h.mode,
      atime: h.atimeNs,
      mtime: h.mtimeNs,
    });
  }
  expect(readlinkSync(join(out, 'rel-link'))).toBe('a.txt');
  expect(readlinkSync(join(out, 'dangling'))).toBe('/nonexistent/target');
  expect(readFileSync(join(out, 'sub/data.bin')).equals(readFileSync(join(src, 'sub/data.bin')))).toBe(true);
});

test('import into / merges, replaces files and symlinks, and export with one argument copies /', async () => {
  const ws = workspace();
  const src = ws.path('src');
  mkdirSync(join(src, 'dir'), { recursive: true });
  writeFileSync(join(src, 'dir/file.txt'), 'new');
  writeFileSync(join(src, 'link'), 'a file now');
  ws.run(['fs', 'write', '/dir/file.txt', 'old']);
  ws.run(['fs', 'write', '/dir/kept.txt', 'kept']);
  ws.run(['fs', 'write', '/target', 't']);
  const agent = new AgentOS(ws.db);
  await agent.fs.symlink('/target', '/link');
  await agent.close();
  ws.run(['fs', 'import', src]);
  expect(ws.run(['fs', 'cat', '/dir/file.txt'])).toBe('new');
  expect(ws.run(['fs', 'cat', '/dir/kept.txt'])).toBe('kept');
  // The symlink in the way was replaced, not written through.
  expect(ws.run(['fs', 'cat', '/link'])).toBe('a file now');
  expect(ws.run(['fs', 'cat', '/target'])).toBe('t');

  const out = ws.path('out');
  mkdirSync(out);
  symlinkSync(ws.path('outside.txt'), join(out, 'target'));
  expect(ws.run(['fs', 'export', out])).toMatch(
    /^Exported 4 files, 1 directory, 0 symlinks \(\d+ bytes\) from \/ to /,
  );
  expect(lstatSync(join(out, 'target')).isFile()).toBe(true);
  expect(() => lstatSync(ws.path('outside.txt'))).toThrow();
  expect(readFileSync(join(out, 'dir/kept.txt'), 'utf8')).toBe('kept');
});

test('bad sources and destinations are one-line errors', () => {
  const ws = workspace();
  writeFileSync(ws.path('plain.txt'), 'x');
  expect(fails(['fs', 'import', ws.path('missing'), '--db', ws.db])).toBe(
    `agentos: ENOENT: no such file or directory, stat '${ws.path('missing')}'`,
  );
  expect(fails(['fs', 'import', ws.path('plain.txt'), '--db', ws.db])).toBe(
    `agentos: ENOTDIR: not a directory, scandir '${ws.path('plain.txt')}'`,
  );
  ws.run(['fs', 'write', '/file', 'x']);
  expect(fails(['fs', 'export', '/file', ws.path('out'), '--db', ws.db])).toBe(
    "agentos: ENOTDIR: not a directory, export '/file'",
  );
  expect(fails(['fs', 'export', '/missing', ws.path('out'), '--db', ws.db])).toBe(
    "agentos: ENOENT: no such file or directory, stat '/missing'",
  );
});
