/**
 * The disk fills up while the database is being written. Without root there is no small
 * filesystem to fill, so two stand-ins: a file size limit (`ulimit -f`, with SIGXFSZ ignored,
 * so the engine's writes fail with EFBIG) for a writer in a child process, and the WAL pointed
 * at /dev/full (every write to it fails with a real ENOSPC). Either way the writer gets an
 * AgentOSError ENOSPC and keeps running, and afterwards the database passes `agentos check`
 * (PRAGMA integrity_check and every invariant) and holds everything committed before.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { AgentOS, AgentOSError } from '../../src/index.js';
import { DIST_INDEX } from '../helpers/child.js';
import { BIN } from '../cli/helpers.js';
import { expectRejectErrno, useTempDir } from '../helpers/temp-db.js';

// Child processes on a busy 2-core machine: a limit against hangs, not a timing check.
(import.meta as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(300_000);

const tmp = useTempDir();

/** Content of the i-th file (the writer below builds the same), to check byte for byte afterwards. */
const content = (i: number) => Buffer.alloc(2000 + (i % 7) * 1500, i % 251);

/** Runs `command` with a file size limit of `bytes` and SIGXFSZ ignored (inherited through exec). */
function limited(bytes: number, command: string[], input?: Buffer) {
  const blocks = Math.ceil(bytes / 512); // POSIX: ulimit -f counts 512-byte blocks
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'trap "" XFSZ; ulimit -f "$1"; shift; exec "$@"', 'sh', String(blocks), ...command],
    {
      encoding: 'utf8',
      input,
      timeout: 240_000,
    },
  );
  if (r.error) throw r.error;
  return r;
}

/**
 * An SDK program writing until the disk is "full": it prints `ok N` after each item that
 * committed, then one JSON line describing the error it caught.
 */
const WRITER = (mode: string) => `
import { AgentOS, AgentOSError } from ${JSON.stringify(DIST_INDEX)};
const agent = new AgentOS(process.argv[1]);
let failure = null;
try {
  for (let i = 0; i < 100000; i++) {
    if (${JSON.stringify(mode)} === 'files') {
      await agent.fs.writeFile('/w/f' + i, Buffer.alloc(2000 + (i % 7) * 1500, i % 251));
    } else if (${JSON.stringify(mode)} === 'batch') {
      await agent.batch(async () => { for (let j = 0; j < 10; j++) await agent.fs.writeFile('/w/b' + i + '_' + j, Buffer.alloc(3000, j)); });
    } else if (${JSON.stringify(mode)} === 'kv') {
      await agent.kv.set('k' + i, 'v'.repeat(3000) + i);
    } else {
      await agent.fs.writeFile('/w/big' + i, Buffer.alloc(20 << 20, 1));
    }
    console.log('ok ' + i);
  }
} catch (e) {
  failure = { agentosError: e instanceof AgentOSError, code: e.code, message: e.message };
}
// The agent stays usable for reads, and closes without throwing.
const before = (await agent.fs.readFile('/before.txt', 'utf8')).length;
await agent.close();
console.log(JSON.stringify({ failure, before }));
`;

function runWriter(db: string, mode: string, limitBytes: number) {
  const r = limited(limitBytes, [process.execPath, '--input-type=module', '-e', WRITER(mode), db]);
  const lines = r.stdout.trim().split('\n');
  const last = JSON.parse(lines.pop() ?? '{}') as {
    failure: { agentosError: boolean; code: string; message: string } | null;
    before: number;
  };
  return {
    status: r.status,
    stderr: r.stderr,
    committed: lines.map((l) => Number(l.replace('ok ', ''))),
    ...last,
  };
}

async function seed(db: string): Promise<void> {
  const agent = new AgentOS(db);
  await agent.fs.writeFile('/before.txt', 'committed before the disk filled up');
  await agent.kv.set('before', { ok: true });
  await agent.close();
}

/** The database is sound and holds what was committed. */
async function verify(db: string, check: (agent: AgentOS) => Promise<void>): Promise<void> {
  const agent = new AgentOS(db, { create: false });
  try {
    const report = await agent.check();
    expect(report.problems).toEqual([]);
    expect(await agent.fs.readFile('/before.txt', 'utf8')).toBe('committed before the disk filled up');
    expect(await agent.kv.get('before')).toEqual({ ok: true });
    await check(agent);
    // Once there is room again, writing works.
    await agent.fs.writeFile('/after.txt', 'room again');
  } finally {
    await agent.close();
  }
}

test.each([
  ['files', 1 << 20],
  ['files', 6 << 20],
  ['batch', 1 << 20],
  ['kv', 1 << 20],
  ['big', 4 << 20],
])(
  '%s: a writer hitting a file size limit of %d bytes gets ENOSPC and loses nothing committed',
  async (mode, limit) => {
    const db = tmp().file('agent.db');
    await seed(db);
    const r = runWriter(db, mode, limit);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.failure).toEqual({
      agentosError: true,
      code: 'ENOSPC',
      message: expect.stringMatching(
        /^ENOSPC: the database file cannot grow: a file size limit was reached \(file too large\)/,
      ),
    });
    expect(r.before).toBeGreaterThan(0);
    if (mode !== 'big') expect(r.committed.length).toBeGreaterThan(0);
    await verify(db, async (agent) => {
      for (const i of r.committed) {
        if (mode === 'files') expect(await agent.fs.readFile(`/w/f${i}`)).toEqual(content(i));
        if (mode === 'batch')
          for (let j = 0; j < 10; j++)
            expect(await agent.fs.readFile(`/w/b${i}_${j}`)).toEqual(Buffer.alloc(3000, j));
        if (mode === 'kv') expect(await agent.kv.get(`k${i}`)).toBe('v'.repeat(3000) + i);
      }
    });
  },
);

test('the CLI reports a full disk in one line and the database stays sound', async () => {
  const db = tmp().file('agent.db');
  await seed(db);
  const r = limited(
    1 << 20,
    [process.execPath, BIN, 'fs', 'write', '/big.bin', '--db', db],
    Buffer.alloc(3 << 20, 7),
  );
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
  expect(r.stderr).toMatch(
    /^agentos: ENOSPC: the database file cannot grow: a file size limit was reached \(file too large\), query '[^']+'\n$/,
  );
  await verify(db, async (agent) => expect(await agent.fs.exists('/big.bin')).toBe(false));
});

test('a real ENOSPC from the kernel (the WAL on /dev/full) rejects writes; reads go on', async () => {
  if (!existsSync('/dev/full')) return;
  const db = tmp().file('agent.db');
  await seed(db);
  // The database was closed cleanly, so its WAL is empty and may be replaced.
  rmSync(`${db}-wal`, { force: true });
  symlinkSync('/dev/full', `${db}-wal`);
  const agent = new AgentOS(db, { create: false });
  try {
    const e = await expectRejectErrno(agent.fs.writeFile('/new.txt', 'x'), 'ENOSPC');
    expect(e).toBeInstanceOf(AgentOSError);
    expect(e.message).toMatch(
      /^ENOSPC: no space left on device for the database \(no storage space\), query /,
    );
    await expectRejectErrno(agent.kv.set('k', 1), 'ENOSPC');
    expect(await agent.fs.readFile('/before.txt', 'utf8')).toBe('committed before the disk filled up');
    expect(await agent.fs.exists('/new.txt')).toBe(false);
  } finally {
    await agent.close();
  }
  rmSync(`${db}-wal`);
  await verify(db, async (a) => expect(await a.fs.exists('/new.txt')).toBe(false));
});
