/**
 * The same program of filesystem calls (open flags, stat/fstat, getdents with rewinddir and
 * fork, *at calls on a directory fd, rename rules, links, symlinks, chmod, truncate, utimensat,
 * fsync, statfs...) run natively on a host directory and under the sandbox on /agent: every
 * result and errno must be the same.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { compileFixture, hostDir, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;
let native: string;

beforeAll(() => {
  binary = compileFixture('fs-conformance');
  const dir = hostDir();
  native = execFileSync(binary, [dir], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
});

test('the transcript is long enough to mean something', () => {
  expect(native.split('\n').length).toBeGreaterThan(100);
});

test('every call gives the same result on /agent as on a host directory (absolute paths)', () => {
  const w = workspace();
  const r = w.run(['sh', '-c', `mkdir /agent/conf && ${binary} /agent/conf`]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(native);
  expect(r.status).toBe(0);
});

test('the same after cd /agent, with relative paths', () => {
  const w = workspace();
  const r = w.run(['sh', '-c', `cd /agent && mkdir conf && cd conf && ${binary} .`]);
  expect(r.stdout).toBe(native);
});

test('what the program left is in the database', async () => {
  const w = workspace();
  w.run(['sh', '-c', `mkdir /agent/conf && ${binary} /agent/conf`]);
  const agent = w.open();
  try {
    const b = await agent.fs.readFile('/conf/b');
    expect(b.length).toBe(10);
    expect(await agent.fs.readlink('/conf/sym')).toBe('b');
    expect((await agent.fs.stat('/conf/b')).mode & 0o777).toBe(0o640);
    const names = await agent.fs.readdir('/conf/d');
    expect(names).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect((await agent.fs.lstat('/conf/fifo')).isFIFO()).toBe(true);
  } finally {
    await agent.close();
  }
});
