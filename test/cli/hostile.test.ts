/**
 * Broken database files, given to every command: each answers with exactly one line on stderr
 * (`agentos: CODE: …`) and a non-zero exit, never a stack trace, a panic report or a hang
 * (every child has a time limit). Plus malformed arguments that only the SDK can refuse.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BIN, HAS_PYTHON, fails, ok, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

interface Outcome {
  args: string[];
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const LIMIT_MS = 60_000;

/** `agentos ...args` with stdin closed, killed if it outlives LIMIT_MS. */
function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AGENTOS_DB: undefined, AGENTOS_BUSY_TIMEOUT: undefined },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ args, status, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs them all, a few at a time (the machine is shared). */
async function runAll(all: string[][], parallel = 3): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < all.length) out.push(await run(all[next++]));
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

/** Every command that opens the database, as a user would type it (`--db` is added). */
function everyCommand(dir: string): string[][] {
  mkdirSync(`${dir}/host-in`, { recursive: true });
  writeFileSync(`${dir}/host-in/a.txt`, 'a');
  return [
    ['fs', 'ls'],
    ['fs', 'ls', '-l', '/d1'],
    ['fs', 'cat', '/d1/f1'],
    ['fs', 'write', '/new', 'x'],
    ['fs', 'mkdir', '-p', '/n/m'],
    ['fs', 'rm', '-r', '/d1'],
    ['fs', 'mv', '/d1', '/d9'],
    ['fs', 'stat', '/d1/f1'],
    ['fs', 'tree'],
    ['fs', 'df'],
    ['fs', 'import', `${dir}/host-in`, '/in'],
    ['fs', 'export', `${dir}/host-out`],
    ['kv', 'get', 'k'],
    ['kv', 'set', 'k', '2'],
    ['kv', 'delete', 'k'],
    ['kv', 'list'],
    ['tools', 'list'],
    ['tools', 'stats'],
    ['sql', 'SELECT count(*) FROM fs_inode'],
    ['check'],
    ['log'],
    ['snapshot', `${dir}/snap-${Math.random().toString(36).slice(2)}.db`],
    ['sync', 'status'],
    ['sync', 'push'],
    ['serve', 'mcp'],
  ];
}

/** A real agent database with some files, keys and a tool call, closed cleanly. */
function makeReal(path: string): void {
  ok(['init', path]);
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { AgentOS } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
       const a = new AgentOS(process.argv[1]);
       for (let i = 0; i < 40; i++) await a.fs.writeFile('/d' + (i % 4) + '/f' + i, 'x'.repeat(3000 + i));
       await a.kv.set('k', { v: 1 });
       await a.tools.record('t', 1, 2, { q: 1 }, { ok: true });
       await a.close();`,
      path,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
}

/** The broken files, by kind, with the code every command must answer (undefined: may work in part). */
function makeBroken(dir: string, real: string): Record<string, { path: string; code?: string }> {
  const p = (name: string) => `${dir}/${name}`;
  writeFileSync(p('random.db'), randomBytes(16384));
  writeFileSync(p('badheader.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(16384)]));
  copyFileSync(real, p('truncated.db'));
  truncateSync(p('truncated.db'), Math.floor(statSync(real).size / 2));
  copyFileSync(real, p('pages.db'));
  const fd = openSync(p('pages.db'), 'r+');
  writeSync(fd, randomBytes(8192), 0, 8192, 4096);
  closeSync(fd);
  writeFileSync(p('empty.db'), '');
  mkdirSync(p('dir.db'));
  spawnSync('mkfifo', [p('fifo.db')]);
  copyFileSync(real, p('newer.db'));
  spawnSync('/usr/bin/sqlite3', [
    p('newer.db'),
    "UPDATE agentos_meta SET value = '99' WHERE key = 'schema_version'",
  ]);
  spawnSync('/usr/bin/sqlite3', [p('foreign.db'), 'CREATE TABLE notes (x); INSERT INTO notes VALUES (1);']);
  return {
    random: { path: p('random.db'), code: 'EINVAL' },
    badheader: { path: p('badheader.db'), code: 'EIO' },
    truncated: { path: p('truncated.db'), code: 'EIO' },
    // Overwritten pages break only the tables on them: commands on others may still work.
    pages: { path: p('pages.db') },
    empty: { path: p('empty.db'), code: 'EINVAL' },
    dir: { path: p('dir.db'), code: 'EISDIR' },
    fifo: { path: p('fifo.db'), code: 'EINVAL' },
    newer: { path: p('newer.db'), code: 'ENOTSUP' },
    foreign: { path: p('foreign.db'), code: 'EINVAL' },
  };
}

/** One line on stderr, nothing on stdout, exit 1; or (where allowed) success with a clean stderr. */
function expectClean(o: Outcome, code: string | undefined): void {
  const shown = { args: o.args.join(' '), timedOut: o.timedOut, signal: o.signal };
  expect(shown).toEqual({ ...shown, timedOut: false, signal: null });
  expect({ ...shown, stderr: o.stderr }).not.toEqual(
    expect.objectContaining({ stderr: expect.stringMatching(/panicked|backtrace|\n\s+at |Error: /) }),
  );
  if (code === undefined && o.status === 0) {
    expect({ ...shown, stderr: o.stderr }).toEqual({ ...shown, stderr: '' });
    return;
  }
  const pattern =
    code === undefined ? /^agentos: E[A-Z]+: [^\n]+\n$/ : new RegExp(`^agentos: ${code}: [^\\n]+\\n$`);
  expect({ ...shown, status: o.status, stdout: o.stdout, stderr: o.stderr }).toEqual({
    ...shown,
    status: 1,
    stdout: '',
    stderr: expect.stringMatching(pattern),
  });
}

test('every command on every kind of broken database file: one line, no trace, no hang', async () => {
  const { dir, path } = workspace();
  const real = path('real.db');
  makeReal(real);
  const broken = makeBroken(dir, real);
  const commands = everyCommand(dir);
  // Every command where each may fail its own way (damaged pages: wherever it reads them) and
  // on plain garbage; the others fail when the database is opened, the same for all commands.
  const runs: { args: string[]; code?: string }[] = [];
  for (const [kind, { path: db, code }] of Object.entries(broken)) {
    const some = ['random', 'pages'].includes(kind) ? commands : commands.slice(0, 4);
    for (const args of some) runs.push({ args: [...args, '--db', db], code });
  }
  // A broken file as the other database of diff and restore.
  for (const kind of ['random', 'truncated', 'empty']) {
    for (const verb of ['diff', 'restore'])
      runs.push({ args: [verb, broken[kind].path, '--db', real], code: broken[kind].code });
  }
  const outcomes = await runAll(runs.map((r) => r.args));
  for (const o of outcomes) expectClean(o, runs.find((r) => r.args === o.args)!.code);
  // The good database was not touched by the failed restores.
  expect(ok(['check', '--db', real])).toMatch(/^ok: /);
});

const pythonTest = HAS_PYTHON ? test : test.skip;

pythonTest(
  'a database locked by another program: writes fail with EBUSY in one line; reads and check go on',
  async () => {
    const { db, run: agentos } = workspace();
    agentos(['kv', 'set', 'k', '1']);
    const locker = spawn(
      'python3',
      [
        '-c',
        `import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
time.sleep(120)`,
        db,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => locker.stdout!.once('data', () => resolve()));
      const writes = [
        ['kv', 'set', 'k', '2'],
        ['fs', 'write', '/a', 'x'],
        ['fs', 'mkdir', '/d'],
      ].map((a) => [...a, '--db', db, '--busy-timeout', '300']);
      for (const o of await runAll(writes)) expectClean(o, 'EBUSY');
      expect(agentos(['kv', 'get', 'k'])).toBe('1\n');
      expect(agentos(['check'])).toMatch(/^ok: /);
    } finally {
      locker.kill('SIGKILL');
    }
  },
);

test('arguments only the SDK can refuse are usage errors: EINVAL in one line, exit 2', () => {
  const { db, run: agentos } = workspace();
  expect(fails(['kv', 'get', '', '--db', db], 2)).toBe(
    'agentos: EINVAL: The "key" argument must not be empty (see: agentos kv get --help)',
  );
  expect(fails(['kv', 'set', '', 'x', '--db', db], 2)).toMatch(
    /^agentos: EINVAL: The "key" argument must not be empty/,
  );
  // Names and paths the kernel would refuse get its errno.
  expect(fails(['fs', 'write', `/${'n'.repeat(256)}`, 'x', '--db', db])).toMatch(/^agentos: ENAMETOOLONG: /);
  expect(fails(['fs', 'stat', '/a'.repeat(2100), '--db', db])).toMatch(/^agentos: ENAMETOOLONG: /);
  expect(agentos(['fs', 'ls'])).toBe('');
});

test('kv values are JSON text: bytes that are not UTF-8 are refused, numbers JSON cannot hold stay text', () => {
  const { db, run: agentos } = workspace();
  const binary = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x00, 0x80]);
  expect(fails(['kv', 'set', 'bin', '--db', db], 1, { input: binary })).toBe(
    'agentos: EILSEQ: the value on stdin is not UTF-8 text (kv values are JSON text: encode binary data first, e.g. as base64), kv set',
  );
  agentos(['kv', 'set', 'huge', '1e999']);
  agentos(['kv', 'set', 'text'], { input: Buffer.from('héllo') });
  expect(
    JSON.parse(agentos(['kv', 'list', '--json'])).map((e: { key: string; value: unknown }) => [
      e.key,
      e.value,
    ]),
  ).toEqual([
    ['huge', '1e999'],
    ['text', 'héllo'],
  ]);
});

test('a file bigger than memory streams through fs cat; nothing reads it whole', () => {
  const { db, run: agentos } = workspace();
  // A foreign writer's sparse file of 1 TiB: all holes, reading as zeros.
  spawnSync('/usr/bin/sqlite3', [
    db,
    `INSERT INTO fs_inode (mode, nlink, size, atime, mtime, ctime) VALUES (33188, 1, ${2 ** 40}, 0, 0, 0);
     INSERT INTO fs_dentry (name, parent_ino, ino) VALUES ('huge', 1, last_insert_rowid());`,
  ]);
  const r = spawnSync(
    'sh',
    ['-c', `"${process.execPath}" "${BIN}" fs cat /huge --db "${db}" | head -c 5000000 | wc -c`],
    {
      encoding: 'utf8',
      timeout: LIMIT_MS,
    },
  );
  expect({ status: r.status, stdout: r.stdout.trim(), stderr: r.stderr }).toEqual({
    status: 0,
    stdout: '5000000',
    stderr: '',
  });
  // The SDK's readFile refuses it (EFBIG) instead of asking for 1 TiB of memory.
  const sdk = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { AgentOS } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
       const a = new AgentOS(process.argv[1]);
       try { await a.fs.readFile('/huge'); } catch (e) { console.log(e.code, e.message); }
       await a.close();`,
      db,
    ],
    { encoding: 'utf8', timeout: LIMIT_MS },
  );
  expect(sdk.stdout).toBe(
    `EFBIG EFBIG: file too large to read at once (${2 ** 40} bytes; at most 2147483647): open it and read it in parts, read '/huge'\n`,
  );
  expect(agentos(['fs', 'ls'])).toBe('f huge\n');
}, 120_000);
