/** `agentos run` itself: exit codes, default shell, mount point, terminal signals, errors. */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

test("the run's exit code is the program's, and 128+signal when a signal ended it", () => {
  const w = workspace();
  expect(w.run(['sh', '-c', 'exit 7']).status).toBe(7);
  expect(w.run(['true']).status).toBe(0);
  expect(w.run(['sh', '-c', 'kill -TERM $$']).status).toBe(128 + 15);
  expect(w.run(['sh', '-c', 'kill -KILL $$']).status).toBe(128 + 9);
});

test('a command that does not exist exits 127 with one clear line', () => {
  const w = workspace();
  const r = w.run(['no-such-command-anywhere']);
  expect(r.status).toBe(127);
  expect(r.stderr).toBe('agentos: no-such-command-anywhere: command not found\n');
});

test('a missing database is one line suggesting agentos init, exit 1', () => {
  const w = workspace();
  const r = w.cli(['run', '--db', join(w.dir, 'nope.db'), 'true']);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /^agentos: .*no agent database at '.*nope\.db'; create one with: agentos init .*nope\.db\n$/,
  );
});

test('without a command it runs $SHELL', () => {
  const w = workspace();
  const shell = join(w.dir, 'fake-shell');
  writeFileSync(shell, '#!/bin/sh\necho "shell with $# args"; echo hi > /agent/from-shell\n');
  chmodSync(shell, 0o755);
  const r = w.run([], { env: { ...process.env, SHELL: shell } });
  expect(r.stdout).toBe('shell with 0 args\n');
  expect(w.run(['cat', '/agent/from-shell']).stdout).toBe('hi\n');
});

test('--mount picks where the agent filesystem appears; options go before the command', () => {
  const w = workspace();
  const r = w.run(['sh', '-c', 'echo x > /work-here/f && ls /work-here && ls -la /agent 2>&1 | head -1'], {
    runOptions: ['--mount', '/work-here'],
  });
  expect(r.stdout).toMatch(/^f\nls: cannot access '\/agent': No such file or directory\n$/);
  expect(w.run(['ls', '-1', '/agent']).stdout).toBe('f\n');
  expect(w.cli(['run', '--mount', 'relative', 'true']).status).toBe(1);
});

test('the program keeps the environment and working directory', () => {
  const w = workspace();
  const r = w.run(['sh', '-c', 'echo "$AGENTOS_TEST_VAR $(pwd)"'], {
    env: { ...process.env, AGENTOS_TEST_VAR: 'kept' },
  });
  expect(r.stdout).toBe(`kept ${w.dir}\n`);
});

test('Ctrl-C (SIGINT to the foreground process group) reaches the program, not just agentos', async () => {
  const w = workspace();
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
      'trap "echo got INT; exit 3" INT; echo ready; while true; do sleep 0.05; done',
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => {
    const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 20));
    check();
  });
  process.kill(-child.pid!, 'SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(out).toBe('ready\ngot INT\n');
  expect(code).toBe(3);
});

test('the cache directory is removed after the run', () => {
  const w = workspace();
  const r = w.run([
    'sh',
    '-c',
    'ls -d /proc/self/fd/ >/dev/null; cat /proc/$$/status >/dev/null; echo > /agent/f; readlink /proc/$PPID/cwd',
  ]);
  expect(r.status).toBe(0);
  const leftover = w.run(['sh', '-c', 'exec 3>/agent/g; readlink /proc/self/fd/3']);
  expect(leftover.stdout).toBe('/agent/g\n');
  expect(existsSync(leftover.stdout.trim())).toBe(false);
});
