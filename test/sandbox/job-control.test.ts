/** An interactive shell in a terminal: Ctrl-Z and fg, Ctrl-C, full-screen programs. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, FIXTURES, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

function session(dir: string, keys: string, term = 'dumb'): string {
  const r = spawnSync(
    'python3',
    [join(FIXTURES, 'pty-session.py'), dir, process.execPath, BIN, 'run', '/bin/bash'],
    {
      input: keys,
      encoding: 'utf8',
      env: { ...process.env, TERM: term, HOME: dir },
    },
  );
  // eslint-disable-next-line no-control-regex -- strips the terminal's escape sequences
  return r.stdout.replace(/\r/g, '').replace(/\x1b\[[0-9;?>]*[a-zA-Z]/g, '');
}

test('Ctrl-Z stops a job, fg resumes it, Ctrl-C interrupts, exit returns the status', async () => {
  const w = workspace();
  const screen = session(
    w.dir,
    [
      'cat > /agent/typed',
      'first line',
      '\\x1a',
      'jobs',
      'fg',
      'second line',
      '\\x04',
      'sleep 100',
      '\\x03',
      'echo after-ctrl-c',
      'exit 5',
      '',
    ].join('\n'),
  );
  expect(screen).toMatch(/\[1\]\+ +Stopped +cat > \/agent\/typed\n/);
  expect(screen).toContain('after-ctrl-c\n');
  expect(screen).toMatch(/EXIT 5\n$/);
  const agent = w.open();
  try {
    expect(await agent.fs.readFile('/typed', 'utf8')).toBe('first line\nsecond line\n');
  } finally {
    await agent.close();
  }
});

(existsSync('/usr/bin/less') ? test : test.skip)('less pages a file in /agent', () => {
  const w = workspace();
  const screen = session(
    w.dir,
    ['seq 1 500 > /agent/long', 'less /agent/long', 'G', 'q', 'echo less-done', 'exit', ''].join('\n'),
    'xterm',
  );
  expect(screen).toMatch(/\n500\n/);
  expect(screen).toContain('less-done');
});

(existsSync('/usr/bin/vim') ? test : test.skip)('vim edits a file in /agent', async () => {
  const w = workspace();
  session(
    w.dir,
    ['vim -u NONE /agent/edited.txt', 'i', 'written in vim', '\\x1b', ':wq', 'exit', ''].join('\n'),
    'xterm',
  );
  const agent = w.open();
  try {
    expect(await agent.fs.readFile('/edited.txt', 'utf8')).toBe('\nwritten in vim\n\n');
  } finally {
    await agent.close();
  }
});
