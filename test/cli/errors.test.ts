/**
 * Bad input of every kind ends in one line on stderr, nothing on stdout, no stack trace and a
 * non-zero exit: 1 for failures, 2 for usage errors.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { AgentOS } from '../../src/index.js';
import { agentos, exited, fails, HAS_PYTHON, useWorkspace, waitForFile } from './helpers.js';

const workspace = useWorkspace();
const pythonTest = HAS_PYTHON ? test : test.skip;

/** Runs a python3 sqlite3 script against the database (a foreign SQLite program). */
function python(script: string, ...args: string[]): void {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
}

test('a missing database names the path and suggests agentos init', () => {
  const { path } = workspace();
  mkdirSync(path('elsewhere'));
  expect(fails(['fs', 'ls'], 1, { cwd: path('elsewhere') })).toBe(
    "agentos: ENOENT: no agent database at 'agent.db'; create one with: agentos init",
  );
  const db = path('other.db');
  for (const args of [
    ['kv', 'list'],
    ['tools', 'stats'],
    ['sql', 'SELECT 1'],
    ['fs', 'write', '/a', 'x'],
  ]) {
    expect(fails([...args, '--db', db])).toBe(
      `agentos: ENOENT: no agent database at '${db}'; create one with: agentos init ${db}`,
    );
  }
  // Nothing was created by trying.
  expect(agentos(['fs', 'ls', '--db', db]).status).toBe(1);
  expect(() => readFileSync(db)).toThrow();
});

test('files that are not agent databases, or are corrupt, are one clear line', () => {
  const { path, db } = workspace();
  writeFileSync(
    path('text.db'),
    'just some text that is long enough to have a header of its own, surely, yes\n'.repeat(3),
  );
  // The store decides the errno (EIO or EINVAL); the CLI's part is one line naming the file.
  expect(fails(['fs', 'ls', '--db', path('text.db')])).toMatch(
    new RegExp(
      `^agentos: E[A-Z]+: not an SQLite database \\(bad file header\\), open '${escapeRegExp(path('text.db'))}'$`,
    ),
  );
  writeFileSync(path('empty.db'), '');
  expect(fails(['kv', 'list', '--db', path('empty.db')])).toContain('not an agent database (it is empty)');
  mkdirSync(path('dir.db'));
  expect(fails(['kv', 'list', '--db', path('dir.db')])).toBe(
    `agentos: EISDIR: database path is a directory, open '${path('dir.db')}'`,
  );
  writeFileSync(path('bad-header.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)]));
  expect(fails(['fs', 'ls', '--db', path('bad-header.db')])).toMatch(
    /^agentos: EIO: database file is corrupt/,
  );

  // A real agent database whose pages were overwritten: the engine itself crashes on it.
  ok10Files(db);
  const corrupt = path('corrupt.db');
  copyFileSync(db, corrupt);
  const fd = openSync(corrupt, 'r+');
  writeSync(fd, randomBytes(8192), 0, 8192, 4096);
  closeSync(fd);
  for (const args of [
    ['fs', 'ls'],
    ['fs', 'write', '/x', 'y'],
    ['sql', 'SELECT * FROM fs_dentry'],
  ]) {
    const line = fails([...args, '--db', corrupt]);
    expect(line).toMatch(/^agentos: E(IO|INVAL|NOTSUP): /);
    expect(line).not.toMatch(/panicked|backtrace|\bat .*\.(js|rs):\d+/);
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Gives the database a few pages of content. */
function ok10Files(db: string): void {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { AgentOS } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
       const a = new AgentOS(${JSON.stringify(db)});
       for (let i = 0; i < 10; i++) await a.fs.writeFile('/f' + i, 'x'.repeat(5000));
       await a.close();`,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
}

pythonTest(
  'a database locked by a foreign program: writes fail with EBUSY naming it, reads still work',
  async () => {
    const { dir, db, run } = workspace();
    run(['kv', 'set', 'before', '1']);
    const locker = spawn(
      'python3',
      [
        '-c',
        `import os, sqlite3, sys, time
db, ready, stop = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
open(ready, 'w').close()
deadline = time.time() + 120
while not os.path.exists(stop) and time.time() < deadline:
    time.sleep(0.02)
c.execute('ROLLBACK')
c.close()`,
        db,
        `${dir}/locked`,
        `${dir}/unlock`,
      ],
      { stdio: 'inherit' },
    );
    try {
      await waitForFile(`${dir}/locked`, locker);
      const line = fails(['kv', 'set', 'during', '2', '--db', db, '--busy-timeout', '200']);
      expect(line).toMatch(
        /^agentos: EBUSY: database is locked by python3?[\w.]* \(pid \d+\), which opened it without AgentOS; close it and retry/,
      );
      expect(
        fails(['fs', 'write', '/f', 'x', '--db', db], 1, { env: { AGENTOS_BUSY_TIMEOUT: '100' } }),
      ).toMatch(/^agentos: EBUSY: /);
      // Read-only commands take no lock.
      expect(run(['kv', 'list'])).toBe('before\t1\n');
      expect(run(['sql', 'SELECT count(*) AS n FROM kv_store'])).toBe('n\n1\n');
    } finally {
      writeFileSync(`${dir}/unlock`, '');
      await exited(locker);
    }
    run(['kv', 'set', 'after', '3']);
    expect(run(['kv', 'list'])).toBe('after\t3\nbefore\t1\n');
  },
);

pythonTest('names a foreign writer stored with a NUL byte list escaped; looking them up is EINVAL', () => {
  const { db, run, path } = workspace();
  python(
    `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ino = c.execute('INSERT INTO fs_inode (mode, nlink, uid, gid, size, atime, mtime, ctime) VALUES (33188, 1, 0, 0, 0, 0, 0, 0)').lastrowid
c.execute('INSERT INTO fs_dentry (name, parent_ino, ino) VALUES (?, 1, ?)', ('a\\x00b', ino))
c.commit()`,
    db,
  );
  expect(run(['fs', 'ls'])).toBe('f a\\x00b\n');
  expect(JSON.parse(run(['fs', 'ls', '--json']))).toEqual([{ name: 'a\0b', type: 'file' }]);
  expect(fails(['fs', 'ls', '-l', '--db', db])).toMatch(
    /^agentos: EINVAL: invalid argument, lstat '\/a\\(0|x00)b'$/,
  );
  expect(fails(['fs', 'export', path('out'), '--db', db])).toMatch(/^agentos: EINVAL: /);
  // A NUL cannot travel in argv at all: the OS (here Node's spawn) refuses before agentos runs.
  expect(() => agentos(['fs', 'cat', 'a\0b', '--db', db])).toThrow(/null bytes/);
});

test('path errors: too-long names, missing files, directories used as files, files used as directories', async () => {
  const { db, run } = workspace();
  run(['fs', 'mkdir', '/dir']);
  run(['fs', 'write', '/file', 'x']);
  const long = 'n'.repeat(256);
  expect(fails(['fs', 'write', `/${long}`, 'x', '--db', db])).toBe(
    `agentos: ENAMETOOLONG: name too long, open '/${long}'`,
  );
  expect(fails(['fs', 'mkdir', '-p', '/a' + '/abcdefgh'.repeat(456), '--db', db])).toMatch(
    /^agentos: ENAMETOOLONG: name too long, mkdir /,
  );
  expect(fails(['fs', 'cat', '/missing', '--db', db])).toBe(
    "agentos: ENOENT: no such file or directory, open '/missing'",
  );
  expect(fails(['fs', 'stat', '/missing', '--db', db])).toBe(
    "agentos: ENOENT: no such file or directory, lstat '/missing'",
  );
  expect(fails(['fs', 'write', '/dir', 'x', '--db', db])).toBe(
    "agentos: EISDIR: illegal operation on a directory, open '/dir'",
  );
  expect(fails(['fs', 'cat', '/dir', '--db', db])).toBe(
    "agentos: EISDIR: illegal operation on a directory, read '/dir'",
  );
  expect(fails(['fs', 'ls', '/file/x', '--db', db])).toBe(
    "agentos: ENOTDIR: not a directory, stat '/file/x'",
  );
  expect(fails(['fs', 'mv', '/dir', '/dir/sub', '--db', db])).toMatch(/^agentos: EINVAL: /);
  // Nothing of the failed writes is left behind.
  expect(run(['fs', 'ls'])).toBe('d dir\nf file\n');
  const agent = new AgentOS(db);
  expect(await agent.fs.readFile('/file', 'utf8')).toBe('x');
  await agent.close();
});

test('usage errors exit 2 with one line pointing at the help', () => {
  const { db } = workspace();
  expect(fails(['fs', 'cat', '--db', db], 2)).toBe(
    'agentos: Missing 1 required arg: path File to print (see: agentos fs cat --help)',
  );
  expect(fails(['fs', 'ls', '--bogus', '--db', db], 2)).toBe(
    'agentos: Nonexistent flag: --bogus (see: agentos fs ls --help)',
  );
  expect(fails(['fs', 'ls', '/', 'extra', '--db', db], 2)).toBe(
    'agentos: Unexpected argument: extra (see: agentos fs ls --help)',
  );
  expect(fails(['nope'], 2)).toBe("agentos: command 'nope' not found (see: agentos --help)");
  expect(fails(['fs', 'nope', 'x'], 2)).toBe("agentos: command 'fs nope' not found (see: agentos --help)");
  expect(fails(['kv', 'list', '--busy-timeout', 'soon', '--db', db], 2)).toMatch(
    /^agentos: --busy-timeout: /,
  );
});

/** Every command id, as `agentos <id>` is typed (checked against the built manifest below). */
const COMMANDS = [
  'check',
  'clone',
  'diff',
  'init',
  'log',
  'restore',
  'run',
  'snapshot',
  'sql',
  'fs cat',
  'fs df',
  'fs export',
  'fs import',
  'fs ls',
  'fs mkdir',
  'fs mv',
  'fs rm',
  'fs stat',
  'fs tree',
  'fs write',
  'kv delete',
  'kv get',
  'kv list',
  'kv set',
  'serve mcp',
  'sync pull',
  'sync push',
  'sync status',
  'tools list',
  'tools stats',
];

/** The commands that list or show data, and so take --json (MANUAL.md: options every command takes). */
const JSON_COMMANDS = [
  'check',
  'diff',
  'log',
  'restore',
  'snapshot',
  'sql',
  'fs df',
  'fs ls',
  'fs stat',
  'fs tree',
  'kv get',
  'kv list',
  'sync status',
  'tools list',
  'tools stats',
];

const TOPICS = [...new Set(COMMANDS.filter((c) => c.includes(' ')).map((c) => c.split(' ')[0]))];

test('the command list is every command there is', () => {
  const manifest = JSON.parse(
    readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8'),
  ) as {
    commands: Record<string, unknown>;
  };
  const ids = Object.keys(manifest.commands).map((id) => id.replace(/:/g, ' '));
  expect([...ids].sort()).toEqual([...COMMANDS].sort());
});

test('every command and topic has help', async () => {
  const root = agentos(['--help']);
  expect(root.status).toBe(0);
  for (const name of [...COMMANDS.filter((c) => !c.includes(' ')), ...TOPICS])
    expect(root.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  for (const topic of TOPICS) {
    const r = agentos([topic, '--help']);
    expect(r.status).toBe(0);
    for (const id of COMMANDS.filter((c) => c.startsWith(`${topic} `)))
      expect(r.stdout).toMatch(new RegExp(`^  ${id} `, 'm'));
  }
  const r = agentos(['fs', 'ls', '--help']);
  expect(r.stdout).toContain('$ agentos fs ls [PATH]');
  expect(r.stdout).toContain('-l, --long');
  expect(r.stdout).toContain('EXAMPLES');
  for (const id of COMMANDS) {
    // What its help shows: a one-sentence summary, a description, examples that say what they
    // do, a description per flag and argument; --json exactly where data is listed or shown.
    const module = (await import(
      new URL(`../../dist/cli/commands/${id.replace(' ', '/')}.js`, import.meta.url).href
    )) as {
      default: HelpShape;
    };
    const command = module.default;
    expect({ id, summary: /^[A-Z].*\.$/.test(command.summary ?? '') }).toEqual({ id, summary: true });
    expect({ id, description: (command.description?.length ?? 0) > (command.summary?.length ?? 0) }).toEqual({
      id,
      description: true,
    });
    expect(command.examples?.length ?? 0).toBeGreaterThan(0);
    for (const example of command.examples ?? [])
      expect({ id, example, described: typeof example === 'object' && Boolean(example.description) }).toEqual(
        {
          id,
          example,
          described: true,
        },
      );
    for (const [name, spec] of Object.entries({ ...command.flags, ...command.args })) {
      expect({ id, name, described: Boolean(spec.description) }).toEqual({ id, name, described: true });
    }
    expect({ id, json: command.enableJsonFlag === true }).toEqual({ id, json: JSON_COMMANDS.includes(id) });
    expect({ id, ownJsonFlag: 'json' in (command.flags ?? {}) }).toEqual({ id, ownJsonFlag: false });
    // And the help itself, as printed.
    const help = agentos([...id.split(' '), '--help']);
    expect({ id, status: help.status, stderr: help.stderr }).toEqual({ id, status: 0, stderr: '' });
    expect(help.stdout.startsWith(`${command.summary}\n`)).toBe(true);
    expect(help.stdout).toContain(`$ agentos ${id}`);
    expect(help.stdout).toContain('EXAMPLES');
    expect({ id, json: /^\s+--json\s/m.test(help.stdout) }).toEqual({ id, json: JSON_COMMANDS.includes(id) });
  }
});

test('--json prints JSON and nothing else, wherever data is listed or shown', () => {
  const { db, path, run } = workspace();
  run(['fs', 'write', '/dir/f.txt', 'hello']);
  run(['kv', 'set', 'k', '{"a":1}']);
  run(['snapshot', path('snap.db')]);
  const args: Record<string, string[]> = {
    check: [],
    diff: [path('snap.db')],
    log: [],
    restore: [path('snap.db')],
    snapshot: [path('snap2.db')],
    sql: ['SELECT 1 AS one'],
    'fs df': [],
    'fs ls': ['/dir'],
    'fs stat': ['/dir/f.txt'],
    'fs tree': [],
    'kv get': ['k'],
    'kv list': [],
    'tools list': [],
    'tools stats': [],
  };
  // sync status needs a sync server: test/sync/cli.test.ts.
  expect(Object.keys(args).sort()).toEqual(JSON_COMMANDS.filter((id) => id !== 'sync status').sort());
  for (const [id, rest] of Object.entries(args)) {
    const r = agentos([...id.split(' '), ...rest, '--json', '--db', db]);
    expect({ id, status: r.status, stderr: r.stderr }).toEqual({ id, status: 0, stderr: '' });
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  }
  expect(JSON.parse(run(['kv', 'get', 'k', '--json']))).toEqual({ a: 1 });
});

interface HelpShape {
  summary?: string;
  description?: string;
  examples?: (string | { command: string; description?: string })[];
  enableJsonFlag?: boolean;
  flags?: Record<string, { description?: string }>;
  args?: Record<string, { description?: string }>;
}
