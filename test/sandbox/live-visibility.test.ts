/** While a run is going, another process sees every file the program has closed. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

test('agentos fs cat in another process sees a closed file during the run', async () => {
  const w = workspace();
  const release = join(w.dir, 'release');
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--db',
      w.db,
      '--',
      'sh',
      '-c',
      `printf 'written and closed\\n' > /agent/live.txt; echo ready; while [ ! -e ${release} ]; do sleep 0.05; done`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => {
    const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 20));
    check();
  });
  const seen = spawnSync(process.execPath, [BIN, 'fs', 'cat', '/live.txt', '--db', w.db], {
    encoding: 'utf8',
  });
  writeFileSync(release, '');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(seen.stderr).toBe('');
  expect(seen.stdout).toBe('written and closed\n');
  expect(code).toBe(0);
  expect(existsSync(release)).toBe(true);
});

test('a change made through a shared mapping after the file was saved is seen at the next close', async () => {
  const w = workspace();
  const release = join(w.dir, 'release');
  // The page is already writable in the mapping when the file is saved, so the later write
  // takes no fault and leaves mtime alone: only the content shows the change.
  const script = `import mmap, os, time
fd = os.open("/agent/m.bin", os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"a" * 8192)
m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:1] = b"a"
os.close(fd)
time.sleep(0.5)
m[100:105] = b"HELLO"
with open("/agent/m.bin", "rb") as f:
    f.read(1)
print("ready", flush=True)
while not os.path.exists(${JSON.stringify(release)}):
    time.sleep(0.05)
m.close()`;
  const child = spawn(process.execPath, [BIN, 'run', '--db', w.db, '--', 'python3', '-c', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => {
    const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 20));
    check();
  });
  const seen = spawnSync(process.execPath, [BIN, 'fs', 'cat', '/m.bin', '--db', w.db], {
    encoding: 'latin1',
  });
  writeFileSync(release, '');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(seen.stderr).toBe('');
  expect(seen.stdout).toBe('a'.repeat(100) + 'HELLO' + 'a'.repeat(8192 - 105));
  expect(code).toBe(0);
});
