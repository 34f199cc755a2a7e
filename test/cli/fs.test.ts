/** agentos fs ls/cat/write/mkdir/rm/mv/stat/tree against real databases. */
import { randomBytes } from 'node:crypto';
import { AgentOS } from '../../src/index.js';
import { agentos, fails, json, useWorkspace } from './helpers.js';

const workspace = useWorkspace();

/** Opens the workspace database in this process (another process than the CLI's). */
async function withAgent<T>(fn: (agent: AgentOS) => Promise<T>): Promise<T> {
  const agent = new AgentOS(workspace().db);
  try {
    return await fn(agent);
  } finally {
    await agent.close();
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');
const localMinute = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;

describe('fs ls', () => {
  test('type letters, name order, a file argument, long form and JSON', async () => {
    const { run } = workspace();
    const when = new Date('2021-03-04T05:06:07.890Z');
    const st = await withAgent(async (agent) => {
      await agent.fs.writeFile('/b.txt', 'bb');
      await agent.fs.writeFile('/a.txt', 'a');
      await agent.fs.mkdir('/dir');
      await agent.fs.symlink('/a.txt', '/link');
      await agent.fs.chmod('/a.txt', 0o4640);
      await agent.fs.utimes('/a.txt', when, when);
      return agent.fs.lstat('/a.txt');
    });
    expect(run(['fs', 'ls'])).toBe('f a.txt\nf b.txt\nd dir\nl link\n');
    expect(run(['fs', 'ls', '/a.txt'])).toBe('f /a.txt\n');
    expect(run(['fs', 'ls', '/dir'])).toBe('');

    const long = run(['fs', 'ls', '-l']).trimEnd().split('\n');
    expect(long).toHaveLength(4);
    expect(long[0].split(/\s+/)).toEqual([
      '-rwSr-----',
      '1',
      String(st.uid),
      String(st.gid),
      '1',
      ...localMinute(when).split(' '),
      'a.txt',
    ]);
    expect(long[3]).toMatch(/^lrwxrwxrwx .* link -> \/a\.txt$/);

    expect(json(['fs', 'ls', '--json', '--db', workspace().db])).toEqual([
      { name: 'a.txt', type: 'file' },
      { name: 'b.txt', type: 'file' },
      { name: 'dir', type: 'directory' },
      { name: 'link', type: 'symlink' },
    ]);
    const detailed = json<Record<string, unknown>[]>(['fs', 'ls', '-l', '--json', '--db', workspace().db]);
    expect(detailed[0]).toMatchObject({
      name: 'a.txt',
      type: 'file',
      mode: '-rwSr-----',
      permissions: '4640',
      size: 1,
      nlink: 1,
      ino: st.ino,
      mtime: '2021-03-04T05:06:07.890000000Z',
    });
    expect(detailed[3]).toMatchObject({ name: 'link', type: 'symlink', target: '/a.txt' });
  });

  test('names with control characters or backslashes print escaped; JSON keeps them exact', async () => {
    const { run } = workspace();
    const odd = 'new\nline\t\\tab\x1b[31m';
    await withAgent((agent) => agent.fs.writeFile(`/${odd}`, 'x'));
    expect(run(['fs', 'ls'])).toBe('f new\\nline\\t\\\\tab\\x1b[31m\n');
    expect(json(['fs', 'ls', '--json', '--db', workspace().db])).toEqual([{ name: odd, type: 'file' }]);
  });
});

describe('fs cat and fs write', () => {
  test('cat prints the bytes exactly; relative paths start at the root', async () => {
    const { run, db } = workspace();
    const bytes = Buffer.concat([randomBytes(9000), Buffer.from([0, 0, 255])]);
    await withAgent((agent) => agent.fs.writeFile('/bin/data', bytes));
    const r = agentos(['fs', 'cat', 'bin/data', '--db', db]);
    expect(r.status).toBe(0);
    expect(r.stdoutBytes.equals(bytes)).toBe(true);
    expect(run(['fs', 'cat', '/bin/../bin/data']).length).toBeGreaterThan(0);
  });

  test('write takes the argument exactly, or stdin, replaces by default, appends with -a, creates parents', async () => {
    const { run } = workspace();
    run(['fs', 'write', '/notes/todo.txt', 'buy milk']);
    expect(run(['fs', 'cat', '/notes/todo.txt'])).toBe('buy milk');
    run(['fs', 'write', '--append', '/notes/todo.txt', '\nand eggs']);
    run(['fs', 'write', '-a', '/notes/todo.txt', '!']);
    expect(run(['fs', 'cat', '/notes/todo.txt'])).toBe('buy milk\nand eggs!');
    run(['fs', 'write', '/notes/todo.txt', 'replaced']);
    expect(run(['fs', 'cat', '/notes/todo.txt'])).toBe('replaced');

    const piped = randomBytes(5000);
    run(['fs', 'write', '/piped.bin'], { input: piped });
    run(['fs', 'write', '/empty.txt', '']);
    // Piped stdin never stands in for a missing argument: this lists /, not /piped.bin.
    expect(run(['fs', 'ls'], { input: 'piped.bin\n' })).toBe('f empty.txt\nd notes\nf piped.bin\n');
    await withAgent(async (agent) => {
      expect((await agent.fs.readFile('/piped.bin')).equals(piped)).toBe(true);
      expect((await agent.fs.stat('/empty.txt')).size).toBe(0);
    });
  });
});

describe('fs mkdir, rm and mv', () => {
  test('mkdir needs the parent unless -p, which also accepts an existing directory', () => {
    const { run, db } = workspace();
    expect(fails(['fs', 'mkdir', '/a/b/c', '--db', db])).toBe(
      "agentos: ENOENT: no such file or directory, mkdir '/a/b/c'",
    );
    run(['fs', 'mkdir', '-p', '/a/b/c']);
    run(['fs', 'mkdir', '--parents', '/a/b/c']);
    run(['fs', 'mkdir', '/a/b/d']);
    expect(fails(['fs', 'mkdir', '/a/b/d', '--db', db])).toBe(
      "agentos: EEXIST: file already exists, mkdir '/a/b/d'",
    );
    expect(run(['fs', 'ls', '/a/b'])).toBe('d c\nd d\n');
  });

  test('rm removes files and symlinks; directories need -r; -f ignores missing paths', () => {
    const { run, db } = workspace();
    run(['fs', 'write', '/tree/x/file.txt', 'x']);
    run(['fs', 'write', '/tree/top.txt', 't']);
    run(['fs', 'rm', '/tree/top.txt']);
    expect(fails(['fs', 'rm', '/tree', '--db', db])).toBe(
      "agentos: EISDIR: is a directory (use -r), rm '/tree'",
    );
    run(['fs', 'rm', '-r', '/tree']);
    expect(run(['fs', 'ls'])).toBe('');
    expect(fails(['fs', 'rm', '/tree', '--db', db])).toBe(
      "agentos: ENOENT: no such file or directory, lstat '/tree'",
    );
    run(['fs', 'rm', '-f', '/tree']);
    run(['fs', 'rm', '--recursive', '--force', '/tree']);
  });

  test('mv renames, moves into an existing directory, and replaces a file', () => {
    const { run } = workspace();
    run(['fs', 'write', '/draft.txt', 'v1']);
    run(['fs', 'write', '/old.txt', 'old']);
    run(['fs', 'mkdir', '/archive']);
    run(['fs', 'mv', '/draft.txt', '/final.txt']);
    run(['fs', 'mv', '/final.txt', '/archive']);
    expect(run(['fs', 'ls', '/archive'])).toBe('f final.txt\n');
    run(['fs', 'mv', '/archive/final.txt', '/old.txt']);
    expect(run(['fs', 'cat', '/old.txt'])).toBe('v1');
    expect(run(['fs', 'ls'])).toBe('d archive\nf old.txt\n');
  });
});

describe('fs stat and fs tree', () => {
  test('stat describes a symlink itself, its target with -L, with nanosecond times', async () => {
    const { run } = workspace();
    const st = await withAgent(async (agent) => {
      await agent.fs.writeFile('/data.csv', 'a,b\n', { mode: 0o600 });
      await agent.fs.utimes('/data.csv', 1600000000123456789n, 1700000000987654321n);
      await agent.fs.symlink('/data.csv', '/latest');
      return agent.fs.stat('/data.csv');
    });
    const text = run(['fs', 'stat', '/data.csv']);
    expect(text).toContain('  File: /data.csv\n');
    expect(text).toContain(`Size: 4  Blocks: 1  Inode: ${st.ino}  Links: 1`);
    expect(text).toContain(`Access: (0600/-rw-------)  Uid: ${st.uid}  Gid: ${st.gid}`);
    expect(text).toContain(
      'Access: 2020-09-13T12:26:40.123456789Z\nModify: 2023-11-14T22:13:20.987654321Z\n',
    );

    expect(run(['fs', 'stat', '/latest'])).toContain('  File: /latest -> /data.csv\n  Type: symlink\n');
    const followed = JSON.parse(run(['fs', 'stat', '-L', '--json', '/latest']));
    expect(followed).toMatchObject({
      path: '/latest',
      type: 'file',
      ino: st.ino,
      size: 4,
      permissions: '0600',
    });
    expect(followed.atime).toBe('2020-09-13T12:26:40.123456789Z');
    expect(followed.mtime).toBe('2023-11-14T22:13:20.987654321Z');
    expect(JSON.parse(run(['fs', 'stat', '--json', '/latest']))).toMatchObject({
      type: 'symlink',
      target: '/data.csv',
    });
  });

  test('tree draws the hierarchy with counts, -L limits depth, --json nests', () => {
    const { run } = workspace();
    run(['fs', 'write', '/src/lib/util.ts', 'u']);
    run(['fs', 'write', '/src/main.ts', 'm']);
    run(['fs', 'write', '/README', 'r']);
    run(['fs', 'mkdir', '/empty']);
    expect(run(['fs', 'tree'])).toBe(
      [
        '/',
        '├── README',
        '├── empty',
        '└── src',
        '    ├── lib',
        '    │   └── util.ts',
        '    └── main.ts',
        '',
        '3 directories, 3 files',
        '',
      ].join('\n'),
    );
    expect(run(['fs', 'tree', '-L', '1', '/src'])).toBe(
      ['/src', '├── lib', '└── main.ts', '', '1 directory, 1 file', ''].join('\n'),
    );
    expect(JSON.parse(run(['fs', 'tree', '--json', '--level', '2', '/src']))).toEqual({
      name: '/src',
      type: 'directory',
      children: [
        { name: 'lib', type: 'directory', children: [{ name: 'util.ts', type: 'file' }] },
        { name: 'main.ts', type: 'file' },
      ],
    });
    expect(JSON.parse(run(['fs', 'tree', '--json', '-L', '1', '/src'])).children[0]).toEqual({
      name: 'lib',
      type: 'directory',
    });
  });
});
