/** agentos init: creating, refusing to overwrite, --force, and where the database goes. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentos, fails, ok } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentos-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the seed session: init in the current directory, then ls and cat', () => {
  expect(ok(['init'], { cwd: dir })).toBe('Created agent filesystem: agent.db\n');
  expect(readFileSync(join(dir, 'agent.db')).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  ok(['fs', 'write', '/hello.txt', 'hello from agent\n'], { cwd: dir });
  expect(ok(['fs', 'ls'], { cwd: dir })).toBe('f hello.txt\n');
  expect(ok(['fs', 'cat', 'hello.txt'], { cwd: dir })).toBe('hello from agent\n');
});

test('refuses to overwrite an existing file, which stays as it was', () => {
  const db = join(dir, 'mine.db');
  writeFileSync(db, 'precious');
  expect(fails(['init', db])).toBe(`agentos: EEXIST: '${db}' already exists; use --force to replace it`);
  expect(readFileSync(db, 'utf8')).toBe('precious');
});

test('--force replaces the database and its companion files with an empty one', () => {
  const db = join(dir, 'agent.db');
  ok(['init', db]);
  ok(['kv', 'set', 'old', '1', '--db', db]);
  for (const suffix of ['-wal', '-shm', '-tshm']) writeFileSync(db + suffix, 'stale');
  expect(ok(['init', '--force', db])).toBe(`Created agent filesystem: ${db}\n`);
  expect(existsSync(db + '-shm')).toBe(false);
  expect(ok(['kv', 'list', '--db', db])).toBe('');
  expect(ok(['fs', 'ls', '--db', db])).toBe('');
});

test('the path comes from the argument, else --db, else AGENTOS_DB, and is printed as given', () => {
  expect(ok(['init', 'by-arg.db'], { cwd: dir })).toBe('Created agent filesystem: by-arg.db\n');
  expect(ok(['init', '--db', 'by-flag.db'], { cwd: dir })).toBe('Created agent filesystem: by-flag.db\n');
  expect(ok(['init'], { cwd: dir, env: { AGENTOS_DB: 'by-env.db' } })).toBe(
    'Created agent filesystem: by-env.db\n',
  );
  for (const name of ['by-arg.db', 'by-flag.db', 'by-env.db']) expect(existsSync(join(dir, name))).toBe(true);
  // Other commands find the database through AGENTOS_DB the same way.
  ok(['kv', 'set', 'where', 'env'], { cwd: dir, env: { AGENTOS_DB: 'by-env.db' } });
  expect(ok(['kv', 'get', 'where', '--db', join(dir, 'by-env.db')])).toBe('env\n');
});

test('a directory that does not exist is one clear error', () => {
  const line = fails(['init', join(dir, 'missing', 'agent.db')]);
  expect(line).toContain(join(dir, 'missing', 'agent.db'));
  expect(existsSync(join(dir, 'missing'))).toBe(false);
});

test('help describes the command and its flags', () => {
  const r = agentos(['init', '--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('agentos init [PATH]');
  expect(r.stdout).toContain('--force');
  expect(r.stdout).toContain('--db=PATH');
});
