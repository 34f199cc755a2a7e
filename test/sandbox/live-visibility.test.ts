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
