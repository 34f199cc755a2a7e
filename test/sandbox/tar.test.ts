/**
 * tar extracting a real tarball (Node's bundled npm, ~2,400 files) into /agent and creating
 * one from it: the checksums equal a native extraction's.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checksums, hostDir, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let tarball: string;
let nativeSums: string;
let scratch: string;

beforeAll(() => {
  scratch = hostDir();
  const npmDir = dirname(
    dirname(
      realpathSync(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')),
    ),
  );
  tarball = join(scratch, 'npm.tar');
  execFileSync('tar', ['-C', dirname(npmDir), '-cf', tarball, 'npm']);
  const out = join(scratch, 'native');
  execFileSync('mkdir', [out]);
  execFileSync('tar', ['-C', out, '-xf', tarball]);
  nativeSums = checksums(out);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('extracting into /agent gives the same files as a native extraction', async () => {
  const w = workspace();
  const r = w.run([
    'sh',
    '-c',
    `cd /agent && tar -xf ${tarball} && find . -type f -exec md5sum {} + | sort -k2`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(nativeSums.split('\n').length).toBeGreaterThan(1000);
  expect(r.stdout).toBe(nativeSums);
  const agent = w.open();
  try {
    const st = await agent.fs.stat('/npm/package.json');
    expect(st.isFile()).toBe(true);
    expect((await agent.fs.stat('/npm')).mode & 0o777).toBe(0o755);
    expect((await agent.fs.lstat('/npm/node_modules/.bin/semver')).isSymbolicLink()).toBe(true);
  } finally {
    await agent.close();
  }
});

test('a tarball created from /agent extracts on the host to the same files', () => {
  const w = workspace();
  const drop = hostDir();
  const made = join(drop, 'made.tar');
  const r = w.run(['sh', '-c', `tar -C /agent -xf ${tarball} && tar -C /agent -cf ${made} npm`], {
    runOptions: ['--allow', drop],
  });
  expect(r.status).toBe(0);
  const out = hostDir();
  try {
    execFileSync('tar', ['-C', out, '-xf', made]);
    expect(checksums(out)).toBe(nativeSums);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(drop, { recursive: true, force: true });
  }
});
