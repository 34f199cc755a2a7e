/**
 * `agentos init --max-size` under the sandbox: programs that exceed the quota get EDQUOT (from
 * close, fsync, truncate, ftruncate), the database keeps only what fits, and the run says
 * which files were not saved.
 */
import { spawnSync } from 'node:child_process';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
const LIMIT = 1024 * 1024;

test('programs over the quota get EDQUOT and the database keeps what fits', async () => {
  const w = workspace();
  w.cli(['init', '--force', '--max-size', String(LIMIT)]);
  const script = `
dd if=/dev/zero of=/agent/big bs=1M count=2 status=none; echo "dd $?"
head -c 500000 /dev/zero > /agent/fits; echo "fits $?"
head -c 800000 /dev/zero > /agent/over; echo "over $?"
python3 -c '
import errno, os
fd = os.open("/agent/synced", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"x" * 900000)
try:
    os.fsync(fd)
except OSError as e:
    print("fsync", errno.errorcode[e.errno])
try:
    os.ftruncate(fd, 4 * 1024 * 1024)
except OSError as e:
    print("ftruncate", errno.errorcode[e.errno])
'
truncate -s 5M /agent/fits 2>/dev/null; echo "truncate $?"
echo small > /agent/small; echo "small $?"`;
  const r = w.run(['bash', '-c', script]);
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('dd 1\nfits 0\nover 1\nfsync EDQUOT\nftruncate EDQUOT\ntruncate 1\nsmall 0\n');
  // agentos's own lines can land inside a program's line (dd writes its message in pieces).
  const reports = r.stderr.match(/agentos: [^\n]*\n/g) ?? [];
  for (const file of ['big', 'over', 'synced'])
    expect(reports).toContain(`agentos: /agent/${file}: content not saved: disk quota exceeded\n`);
  expect(r.stderr.replace(/agentos: [^\n]*\n/g, '')).toContain(
    "dd: closing output file '/agent/big': Disk quota exceeded",
  );
  const agent = w.open();
  try {
    const sizes = Object.fromEntries(
      await Promise.all(
        ['big', 'fits', 'over', 'synced', 'small'].map(async (n) => [n, (await agent.fs.stat(`/${n}`)).size]),
      ),
    );
    expect(sizes).toEqual({ big: 0, fits: 500000, over: 0, synced: 0, small: 6 });
    expect(await agent.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  } finally {
    await agent.close();
  }
});

test('a full disk under the database: fsync reports ENOSPC, what was saved stays, the database stays consistent', async () => {
  const w = workspace();
  // agentos may not grow a file past 24 MiB (ulimit -f counts 1 KiB blocks), so the database's
  // WAL fills up; the programs write to the cache (tmpfs) and never reach the limit.
  const script = `import errno, os
def write(name, mb):
    fd = os.open("/agent/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, name.encode() * (mb << 20))
    try:
        os.fsync(fd)
        print(name, "saved")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
    os.close(fd)
write("a", 4)
write("b", 32)`;
  const r = spawnSync(
    'sh',
    [
      '-c',
      'trap "" XFSZ; ulimit -f 24576; exec "$@"',
      'sh',
      process.execPath,
      BIN,
      'run',
      '--db',
      w.db,
      '--',
      'python3',
      '-c',
      script,
    ],
    { encoding: 'utf8', cwd: w.dir, env: { ...process.env, AGENTOS_DB: undefined }, timeout: 120_000 },
  );
  expect(r.stdout).toBe('a saved\nb ENOSPC\n');
  const agent = w.open();
  try {
    expect(await agent.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect((await agent.fs.readFile('/a')).equals(Buffer.alloc(4 << 20, 'a'))).toBe(true);
    // b is written back in bounded transactions: those before the failure may have committed
    // (a prefix, as a native disk keeps some of a file whose fsync failed); the failed one took
    // its part with it, and b's creation if that was not yet committed.
    const b = await agent.fs.readFile('/b').catch(() => undefined);
    if (b) {
      expect(b.length).toBeLessThan(32 << 20);
      expect(b.equals(Buffer.alloc(b.length, 'b'))).toBe(true);
    }
  } finally {
    await agent.close();
  }
});
