/** agentos check: a summary and exit 0 when healthy; one line per problem and exit 1 otherwise. */
import { execFileSync } from 'node:child_process';
import { agentos, fails, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

function sqlite3(db: string, sql: string): void {
  execFileSync('/usr/bin/sqlite3', [db, sql]);
}

test('a healthy database: a one-line summary, exit 0; --json is an empty list', () => {
  const { db, run } = workspace();
  run(['fs', 'write', '/a/b.txt', 'hello']);
  run(['fs', 'write', '/c', 'x'.repeat(5000)]);
  run(['kv', 'set', 'k', '{"v":1}']);
  expect(run(['check'])).toBe(
    `ok: ${db}: 4 inodes (2 directories, 2 files, 0 symlinks), 5005 bytes in 3 chunks\n`,
  );
  expect(JSON.parse(run(['check', '--json']))).toEqual([]);
});

test('problems: one line each on stdout, one summary line on stderr, exit 1', () => {
  const { db, run } = workspace();
  run(['fs', 'write', '/a', 'hello']);
  run(['fs', 'write', '/b', 'world']);
  // A foreign writer that forgets the link count and leaves chunks behind.
  sqlite3(
    db,
    `UPDATE fs_inode SET nlink = 2 WHERE ino = (SELECT ino FROM fs_dentry WHERE name = 'a');
     DELETE FROM fs_dentry WHERE name = 'b';
     INSERT INTO fs_data (ino, chunk_index, data) VALUES (4242, 0, x'00');`,
  );
  const r = agentos(['check', '--db', db]);
  expect(r.status).toBe(1);
  expect(r.stdout.split('\n')).toEqual([
    'nlink: inode 2 (/a) has nlink 2, but 1 entry names it',
    'unlinked: inode 3 (file) has no directory entry and is not an open file',
    'stray-chunks: 1 chunk of inode 4242, which does not exist',
    '',
  ]);
  expect(r.stderr).toBe(`agentos: EIO: 3 problems found, check '${db}'\n`);

  const j = agentos(['check', '--json', '--db', db]);
  expect(j.status).toBe(1);
  expect(JSON.parse(j.stdout)).toEqual([
    { kind: 'nlink', ino: 2, path: '/a', message: expect.any(String) },
    { kind: 'unlinked', ino: 3, message: expect.any(String) },
    { kind: 'stray-chunks', ino: 4242, message: expect.any(String) },
  ]);
});

test('names with control characters stay on one line', () => {
  const { db, run } = workspace();
  run(['fs', 'write', '/evil\nname', 'x']);
  sqlite3(db, 'UPDATE fs_inode SET nlink = 5 WHERE ino = 2');
  const r = agentos(['check', '--db', db]);
  expect(r.stdout).toBe('nlink: inode 2 (/evil\\nname) has nlink 5, but 1 entry names it\n');
});

test('a database that cannot be opened is one line, as for every command', () => {
  const { path } = workspace();
  expect(fails(['check', '--db', path('missing.db')])).toBe(
    `agentos: ENOENT: no agent database at '${path('missing.db')}'; create one with: agentos init ${path('missing.db')}`,
  );
});
