/**
 * Crash safety: agentos is killed with SIGKILL (alone, or with its whole process group) while
 * a program writes files as fast as it can. The program must not go on unsupervised, the
 * database must open with a clean integrity check and hold every file that was closed or
 * fsync'd before the kill, and the next run removes what the dead one left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let logDir: string;
let cacheParent: string;

beforeEach(() => {
  logDir = mkdtempSync(join(tmpdir(), 'agentos-crash-log-'));
  cacheParent = mkdtempSync(join(tmpdir(), 'agentos-crash-cache-'));
});
afterEach(() => {
  rmSync(logDir, { recursive: true, force: true });
  rmSync(cacheParent, { recursive: true, force: true });
});

/** Content of file i, as the writer makes it: every fifth one large, so write-back lags behind. */
function content(i: number): Buffer {
  const size = i % 5 === 4 ? 1_500_000 + i : ((i * 7919) % 150_000) + 1;
  const unit = Buffer.from(`<${i}>`);
  return Buffer.alloc(size, unit);
}

/**
 * Writes /agent/w/<i> forever. Every fourth file is fsync'd half-way: "fsynced i" is logged
 * after the fsync, "closed i" after the close, each only once the call returned.
 */
const WRITER = `
import os, sys
log = open(sys.argv[1], "a", buffering=1)
log.write("pid %d\\n" % os.getpid())
os.makedirs("/agent/w", exist_ok=True)
i = 0
while True:
    size = 1500000 + i if i % 5 == 4 else (i * 7919) % 150000 + 1
    unit = ("<%d>" % i).encode()
    data = (unit * (size // len(unit) + 1))[:size]
    fd = os.open("/agent/w/%d" % i, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    if i % 4 == 3:
        os.write(fd, data[: size // 2])
        os.fsync(fd)
        log.write("fsynced %d\\n" % i)
        os.write(fd, data[size // 2 :])
    else:
        os.write(fd, data)
    os.close(fd)
    log.write("closed %d\\n" % i)
    i += 1
`;

function startWriter(db: string, detached: boolean): { child: ChildProcess; log: string } {
  const log = join(logDir, 'log');
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--db', db, '--allow', logDir, '--', 'python3', '-c', WRITER, log],
    {
      env: { ...process.env, AGENTOS_CACHE_DIR: cacheParent },
      stdio: 'ignore',
      detached,
    },
  );
  return { child, log };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function closedCount(log: string): number {
  return existsSync(log) ? (readFileSync(log, 'utf8').match(/^closed /gm)?.length ?? 0) : 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cacheBase(): string {
  return join(cacheParent, `agentos-${process.getuid?.() ?? 0}`);
}

function cacheRuns(): string[] {
  return existsSync(cacheBase()) ? readdirSync(cacheBase()).filter((n) => n.startsWith('run-')) : [];
}

async function crashAndCheck(detached: boolean): Promise<void> {
  const w = workspace();
  const { child, log } = startWriter(w.db, detached);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(() => closedCount(log) >= 40, 120_000);
  if (detached) process.kill(-child.pid!, 'SIGKILL');
  else child.kill('SIGKILL');
  await exited;

  // Read the log only now: everything it lists happened before the kill.
  const lines = readFileSync(log, 'utf8').split('\n');
  const writerPid = Number(lines[0].replace('pid ', ''));
  await waitFor(() => !alive(writerPid), 10_000);
  expect(cacheRuns()).toHaveLength(1);

  const closed = lines.filter((l) => l.startsWith('closed ')).map((l) => Number(l.slice(7)));
  const fsynced = lines.filter((l) => l.startsWith('fsynced ')).map((l) => Number(l.slice(8)));
  const agent = w.open();
  try {
    expect(await agent.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    for (const i of closed) expect((await agent.fs.readFile(`/w/${i}`)).equals(content(i))).toBe(true);
    for (const i of fsynced.filter((n) => !closed.includes(n))) {
      const kept = await agent.fs.readFile(`/w/${i}`);
      const half = content(i).subarray(0, Math.floor(content(i).length / 2));
      expect(kept.subarray(0, half.length).equals(half)).toBe(true);
    }
  } finally {
    await agent.close();
  }

  // The next run finds the dead run's cache and private TMPDIR and removes them.
  const owner = JSON.parse(readFileSync(join(cacheBase(), cacheRuns()[0], 'owner'), 'utf8')) as {
    companions: string[];
  };
  const deadTmp = owner.companions[0];
  expect(existsSync(deadTmp)).toBe(true);
  const next = w.run(['true'], { env: { AGENTOS_CACHE_DIR: cacheParent } });
  expect(next.status).toBe(0);
  expect(cacheRuns()).toEqual([]);
  expect(existsSync(deadTmp)).toBe(false);
}

test('SIGKILL of agentos during heavy writes: programs stop, closed and fsynced files survive, leftovers go', async () => {
  await crashAndCheck(false);
});

test('SIGKILL of the whole process group during heavy writes', async () => {
  await crashAndCheck(true);
});
