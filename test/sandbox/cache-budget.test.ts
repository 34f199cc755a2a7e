/**
 * The cache holds a copy of each file programs open. Past the copy budget, copies no process
 * uses any more are removed, so a run reading a large tree does not keep all of it in memory
 * (the cache is usually tmpfs); copies held open, mapped or being executed stay and keep working.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let cacheParent: string;

beforeEach(() => {
  cacheParent = mkdtempSync(join(tmpdir(), 'agentos-budget-cache-'));
});
afterEach(() => {
  rmSync(cacheParent, { recursive: true, force: true });
});

const FILES = 40;
const SIZE = 100_000;

/** The copies in the one run's cache (f/<ino>). */
function copies(): string[] {
  const base = join(cacheParent, `agentos-${process.getuid?.() ?? 0}`);
  const run = readdirSync(base).find((n) => n.startsWith('run-'))!;
  return readdirSync(join(base, run, 'f'));
}

test('past the copy budget, unused copies go; held, mapped and executing ones stay and keep working', async () => {
  const w = workspace();
  const agent = w.open();
  let heldInos: string[];
  try {
    for (let i = 0; i < FILES; i++) await agent.fs.writeFile(`/data/${i}`, Buffer.alloc(SIZE, i));
    heldInos = [String((await agent.fs.stat('/data/0')).ino), String((await agent.fs.stat('/data/1')).ino)];
    await agent.fs.writeFile('/bin/wait', '#!/bin/sh\nwhile [ ! -e "$1" ]; do sleep 0.05; done\n', {
      mode: 0o755,
    });
  } finally {
    await agent.close();
  }
  const release = join(w.dir, 'release');
  const script = `import mmap, os, subprocess, sys, time
held = open("/agent/data/0", "rb")
fd = os.open("/agent/data/1", os.O_RDONLY)
mapped = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
os.close(fd)
waiter = subprocess.Popen(["/agent/bin/wait", sys.argv[1]])
time.sleep(1.2)
for i in range(2, ${FILES}):
    with open("/agent/data/%d" % i, "rb") as f:
        assert f.read() == bytes([i]) * ${SIZE}
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
ok = held.read() == bytes([0]) * ${SIZE} and mapped[:] == bytes([1]) * ${SIZE} and waiter.wait() == 0
print("ok" if ok else "broken", flush=True)`;
  const child = spawn(process.execPath, [BIN, 'run', '--db', w.db, '--', 'python3', '-c', script, release], {
    env: { ...process.env, AGENTOS_CACHE_DIR: cacheParent, AGENTOS_CACHE_BUDGET: String(4 * SIZE) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('ready') && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 20));
  expect(out).toContain('ready');
  const kept = copies();
  writeFileSync(release, '');
  const code = await exited;
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toBe('ready\nok\n');
  // 40 files were read; with a budget of 4 of them, far fewer copies remain.
  expect(kept.length).toBeLessThan(12);
  expect(kept).toEqual(expect.arrayContaining(heldInos));
  expect(existsSync(release)).toBe(true);
});

test('a budget that is not a whole number of bytes is refused before anything runs', () => {
  const w = workspace();
  const r = w.run(['sh', '-c', 'echo ran'], { env: { AGENTOS_CACHE_BUDGET: '1.5e3' } });
  expect(r.status).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    "agentos: EINVAL: AGENTOS_CACHE_BUDGET must be a whole number of bytes, at least 1 (got '1.5e3')\n",
  );
});
