/** The seed README's Quick Start, verbatim, in a real terminal. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES } from '../helpers/sandbox.js';

test('init, run /bin/bash interactively, then inspect from outside', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-quickstart-'));
  try {
    const agentos = (args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
    expect(agentos(['init']).stdout).toBe('Created agent filesystem: agent.db\n');
    const session = spawnSync(
      'python3',
      [join(FIXTURES, 'pty-session.py'), dir, process.execPath, BIN, 'run', '/bin/bash'],
      {
        input: 'echo "hello from agent" > /agent/hello.txt\ncat /agent/hello.txt\nexit\n',
        encoding: 'utf8',
        env: { ...process.env, PS1: '$ ', TERM: 'dumb', INPUTRC: '/dev/null' },
      },
    );
    // eslint-disable-next-line no-control-regex -- strips bracketed-paste mode switches
    const screen = session.stdout.replace(/\r/g, '').replace(/\x1b\[\?2004[hl]/g, '');
    expect(screen).toMatch(/^Welcome to AgentOS!\n\n/);
    // The prompt is whatever bash's startup files make it; the session between prompts is exact.
    const prompt = '[^\\n]*[$#] ';
    expect(screen).toMatch(
      new RegExp(
        `\\n${prompt}echo "hello from agent" > /agent/hello\\.txt\\n${prompt}cat /agent/hello\\.txt\\nhello from agent\\n${prompt}exit\\n`,
      ),
    );
    expect(screen).toMatch(/EXIT 0\n$/);
    expect(agentos(['fs', 'ls']).stdout).toBe('f hello.txt\n');
    expect(agentos(['fs', 'cat', 'hello.txt']).stdout).toBe('hello from agent\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exit in the interactive shell returns its status', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-quickstart-'));
  try {
    spawnSync(process.execPath, [BIN, 'init'], { cwd: dir });
    const session = spawnSync(
      'python3',
      [join(FIXTURES, 'pty-session.py'), dir, process.execPath, BIN, 'run', '/bin/bash'],
      {
        input: 'exit 42\n',
        encoding: 'utf8',
        env: { ...process.env, PS1: '$ ', TERM: 'dumb' },
      },
    );
    expect(session.stdout).toMatch(/EXIT 42\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
