/**
 * `agentos init --max-size` under the sandbox: programs that exceed the quota get EDQUOT (from
 * close, fsync, truncate, ftruncate), the database keeps only what fits, and the run says
 * which files were not saved.
 */
import { useWorkspace } from '../helpers/sandbox.js';

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
  expect(r.stderr).toContain("dd: closing output file '/agent/big': Disk quota exceeded");
  for (const file of ['big', 'over', 'synced'])
    expect(r.stderr).toContain(`agentos: /agent/${file}: content not saved: disk quota exceeded`);
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
