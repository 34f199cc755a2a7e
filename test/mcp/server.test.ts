/**
 * `agentos serve mcp` over stdio, driven by the MCP SDK's client: the tool list, every tool's
 * results and errors, and the tool_calls row each call leaves behind.
 */
import type { ToolCall } from '../../src/index.js';
import { connectStdio, makeDb, type CallOutcome, type Connection, type TestDb } from './helpers.js';

const ALL = [
  'read_file',
  'write_file',
  'edit_file',
  'list_directory',
  'make_directory',
  'remove',
  'move',
  'stat',
  'search_files',
  'kv_get',
  'kv_set',
  'kv_delete',
  'kv_list',
  'run_command',
];

let db: TestDb;
let mcp: Connection;

beforeAll(async () => {
  db = makeDb();
  mcp = await connectStdio(db.db, ['--max-read', '1000', '--max-output', '100', '--max-write', '5000']);
});

afterAll(async () => {
  if (process.env.AGENTOS_DEBUG) process.stderr.write(mcp?.stderr() ?? '');
  await mcp?.close();
  await db?.cleanup();
});

async function lastCall(name: string): Promise<ToolCall> {
  const [call] = await db.agent.tools.list({ name, limit: 1 });
  if (!call) throw new Error(`no ${name} call recorded`);
  return call;
}

/** Calls a tool, expects success, and checks the call was recorded as a success with its parameters. */
async function ok(name: string, args: Record<string, unknown> = {}): Promise<CallOutcome> {
  const before = (await db.agent.tools.list({ name, limit: 1 }))[0]?.id ?? 0;
  const r = await mcp.call(name, args);
  if (r.isError) throw new Error(`${name} failed: ${r.text}`);
  const call = await lastCall(name);
  expect(call.id).toBeGreaterThan(before);
  expect(call).toMatchObject({ name, status: 'success', parameters: args });
  expect(call.durationMs).toBeGreaterThanOrEqual(0);
  return r;
}

/** Calls a tool, expects a tool error whose text matches, recorded as an error with the same message. */
async function fails(name: string, args: Record<string, unknown>, message: RegExp): Promise<string> {
  const r = await mcp.call(name, args);
  expect(r.isError).toBe(true);
  expect(r.text).toMatch(message);
  const call = await lastCall(name);
  expect(call).toMatchObject({ name, status: 'error', parameters: args, error: r.text });
  return r.text;
}

describe('tool list', () => {
  test('every tool, with a strict input schema and annotations', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL);
    for (const t of tools) {
      expect(t.description).toBeTruthy();
      expect(t.inputSchema.type).toBe('object');
      expect(t.inputSchema).toHaveProperty('additionalProperties', false);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.read_file.inputSchema.required).toEqual(['path']);
    expect(byName.read_file.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.remove.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.run_command.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
  });

  test('the server introduces itself with instructions about /agent', async () => {
    expect(mcp.client.getServerVersion()?.name).toBe('agentos');
    expect(mcp.client.getInstructions()).toMatch(/\/agent/);
  });
});

describe('files', () => {
  test('write_file then read_file, paths relative to /agent or absolute under it', async () => {
    const w = await ok('write_file', { path: 'notes/todo.txt', content: 'buy milk\n' });
    expect(w.structured).toEqual({ path: '/agent/notes/todo.txt', bytesWritten: 9, size: 9 });
    expect(await db.agent.fs.readFile('/notes/todo.txt', 'utf8')).toBe('buy milk\n');
    await ok('write_file', { path: '/agent/notes/todo.txt', content: 'and eggs\n', append: true });
    expect((await ok('read_file', { path: '/agent/notes/todo.txt' })).text).toBe('buy milk\nand eggs\n');
    expect((await ok('read_file', { path: './notes/../notes/todo.txt' })).text).toBe('buy milk\nand eggs\n');
    const call = await lastCall('read_file');
    expect(call.result).toMatchObject({ path: '/agent/notes/todo.txt', bytesRead: 18 });
  });

  test('binary content goes both ways as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await ok('write_file', { path: 'bin/blob', content: bytes.toString('base64'), encoding: 'base64' });
    expect(await db.agent.fs.readFile('/bin/blob')).toEqual(bytes);
    expect((await ok('read_file', { path: 'bin/blob', encoding: 'base64' })).text).toBe(
      bytes.toString('base64'),
    );
    await fails('read_file', { path: 'bin/blob' }, /not UTF-8 text; read it with encoding "base64"/);
    await fails(
      'write_file',
      { path: 'bin/x', content: '!!not base64!!', encoding: 'base64' },
      /not valid base64/,
    );
  });

  test('paths outside the tree are refused before anything is touched', async () => {
    await fails('read_file', { path: '/etc/passwd' }, /'\/etc\/passwd' is outside the agent filesystem/);
    await fails('read_file', { path: '../../etc/passwd' }, /outside the agent filesystem/);
    await fails('write_file', { path: '/agent/../escape.txt', content: 'x' }, /outside the agent filesystem/);
    await fails('list_directory', { path: '/agentx' }, /outside the agent filesystem/);
    await fails('read_file', { path: '' }, /must not be empty/);
  });

  test('missing files, directories and bad arguments are clear errors', async () => {
    await fails(
      'read_file',
      { path: 'nope.txt' },
      /^ENOENT: no such file or directory, stat '\/agent\/nope.txt'$/,
    );
    await ok('make_directory', { path: 'adir' });
    await fails('read_file', { path: 'adir' }, /'\/agent\/adir' is a directory; use list_directory/);
    await fails('read_file', {}, /invalid arguments for read_file: path: .*expected string/);
    await fails('read_file', { path: 'a', lenght: 3 }, /Unrecognized key: "lenght"/);
    await fails('read_file', { path: 'a', offset: -1 }, /offset/);
  });

  test('too large: whole reads over the limit fail, ranges work', async () => {
    const big = 'x'.repeat(1500);
    await ok('write_file', { path: 'big.txt', content: big });
    await fails(
      'read_file',
      { path: 'big.txt' },
      /too large to read at once \(1500 bytes; the limit is 1000 bytes\)/,
    );
    expect((await ok('read_file', { path: 'big.txt', offset: 1000, length: 1000 })).text).toBe(
      'x'.repeat(500),
    );
    await fails('read_file', { path: 'big.txt', length: 1001 }, /over the limit of 1000 bytes/);
    await fails(
      'write_file',
      { path: 'huge.txt', content: 'y'.repeat(5001) },
      /too large \(5001 bytes; the limit is 5000/,
    );
    expect(await db.agent.fs.exists('/huge.txt')).toBe(false);
  });

  test('edit_file replaces exactly one occurrence unless replace_all', async () => {
    await ok('write_file', { path: 'src/app.py', content: 'a = 1\nb = 1\nprint(a)\n' });
    const one = await ok('edit_file', {
      path: 'src/app.py',
      old_string: 'print(a)',
      new_string: 'print(a + b)',
    });
    expect(one.structured).toEqual({ path: '/agent/src/app.py', replacements: 1 });
    await fails(
      'edit_file',
      { path: 'src/app.py', old_string: ' = 1', new_string: ' = 2' },
      /occurs 2 times.*replace_all/,
    );
    await fails(
      'edit_file',
      { path: 'src/app.py', old_string: 'zzz', new_string: 'y' },
      /old_string was not found/,
    );
    await fails('edit_file', { path: 'src/app.py', old_string: 'a', new_string: 'a' }, /the same/);
    await fails('edit_file', { path: 'src/app.py', old_string: '', new_string: 'y' }, /old_string/);
    const all = await ok('edit_file', {
      path: 'src/app.py',
      old_string: ' = 1',
      new_string: ' = 2',
      replace_all: true,
    });
    expect(all.structured).toEqual({ path: '/agent/src/app.py', replacements: 2 });
    expect(await db.agent.fs.readFile('/src/app.py', 'utf8')).toBe('a = 2\nb = 2\nprint(a + b)\n');
    await fails('edit_file', { path: 'missing.py', old_string: 'a', new_string: 'b' }, /ENOENT/);
  });

  test('list_directory, flat and recursive', async () => {
    await db.agent.fs.writeFile('/tree/a.txt', 'aaa');
    await db.agent.fs.mkdir('/tree/sub/deeper', { recursive: true });
    await db.agent.fs.symlink('/tree/a.txt', '/tree/link');
    const flat = await ok('list_directory', { path: 'tree' });
    expect(flat.text).toBe('f a.txt (3 bytes)\nl link -> /tree/a.txt\nd sub/');
    expect(flat.structured?.entries).toEqual([
      { path: 'a.txt', type: 'file', size: 3 },
      { path: 'link', type: 'symlink', size: 11, target: '/tree/a.txt' },
      { path: 'sub', type: 'directory', size: 0 },
    ]);
    const deep = await ok('list_directory', { path: '/agent/tree', recursive: true });
    expect(deep.text).toContain('d sub/deeper/');
    expect((await ok('list_directory', { path: 'tree/sub/deeper' })).text).toBe('(empty directory)');
    await fails('list_directory', { path: 'tree/a.txt' }, /is not a directory/);
    const root = await ok('list_directory');
    expect(root.structured?.path).toBe('/agent');
  });

  test('make_directory, remove and move', async () => {
    expect((await ok('make_directory', { path: 'm/x/y' })).structured).toEqual({
      path: '/agent/m/x/y',
      created: true,
    });
    expect((await ok('make_directory', { path: 'm/x/y' })).structured).toEqual({
      path: '/agent/m/x/y',
      created: false,
    });
    await ok('write_file', { path: 'm/x/y/f.txt', content: 'f' });
    await fails('remove', { path: 'm/x' }, /not empty; set recursive/);
    await fails('remove', { path: '/agent' }, /refusing to remove the workspace root/);
    await fails('remove', { path: 'm/nothing' }, /ENOENT/);
    await ok('move', { source: 'm/x/y/f.txt', destination: 'm/moved/f.txt' });
    expect(await db.agent.fs.readFile('/m/moved/f.txt', 'utf8')).toBe('f');
    await ok('write_file', { path: 'm/other.txt', content: 'other' });
    await fails(
      'move',
      { source: 'm/other.txt', destination: 'm/moved/f.txt' },
      /already exists; set overwrite/,
    );
    await ok('move', { source: 'm/other.txt', destination: 'm/moved/f.txt', overwrite: true });
    expect(await db.agent.fs.readFile('/m/moved/f.txt', 'utf8')).toBe('other');
    await fails('move', { source: 'm/none', destination: 'm/n2' }, /ENOENT/);
    await fails(
      'move',
      { source: 'm/moved', destination: 'm/moved/inner/x' },
      /cannot move '\/agent\/m\/moved' into itself/,
    );
    expect(await db.agent.fs.exists('/m/moved/inner')).toBe(false);
    await ok('remove', { path: 'm/moved/f.txt' });
    await ok('remove', { path: 'm/moved' });
    await ok('remove', { path: 'm', recursive: true });
    expect(await db.agent.fs.exists('/m')).toBe(false);
  });

  test('stat describes files, directories and symlinks themselves', async () => {
    await db.agent.fs.writeFile('/st/file.txt', 'hello');
    await db.agent.fs.chmod('/st/file.txt', 0o600);
    await db.agent.fs.symlink('file.txt', '/st/ln');
    const f = await ok('stat', { path: 'st/file.txt' });
    expect(f.structured).toMatchObject({
      path: '/agent/st/file.txt',
      type: 'file',
      size: 5,
      permissions: '0600',
      nlink: 1,
    });
    expect(JSON.parse(f.text)).toEqual(f.structured);
    expect((await ok('stat', { path: 'st' })).structured).toMatchObject({ type: 'directory' });
    expect((await ok('stat', { path: 'st/ln' })).structured).toMatchObject({
      type: 'symlink',
      target: 'file.txt',
    });
    await fails('stat', { path: 'st/none' }, /ENOENT/);
  });
});

describe('search_files', () => {
  beforeAll(async () => {
    await db.agent.fs.writeFile('/proj/main.py', 'import os\nprint("Hello")\n');
    await db.agent.fs.writeFile('/proj/lib/util.py', 'def hello():\n    return 42\n');
    await db.agent.fs.writeFile('/proj/lib/notes.md', 'hello notes\n');
    await db.agent.fs.writeFile('/proj/data.bin', Buffer.from([0, 104, 101, 108, 108, 111]));
  });

  test('by glob: a bare pattern matches names at any depth, one with a slash whole paths', async () => {
    expect((await ok('search_files', { path: 'proj', pattern: '*.py' })).text).toBe(
      '/agent/proj/lib/util.py\n/agent/proj/main.py',
    );
    expect((await ok('search_files', { path: 'proj', pattern: 'lib/*.{md,py}' })).text).toBe(
      '/agent/proj/lib/notes.md\n/agent/proj/lib/util.py',
    );
    expect((await ok('search_files', { path: 'proj', pattern: '**/lib' })).text).toBe('/agent/proj/lib/');
    expect((await ok('search_files', { path: 'proj', pattern: '*.rs' })).text).toBe('No matches.');
  });

  test('by content: literal by default, regex on request, binary files skipped', async () => {
    const lit = await ok('search_files', { path: 'proj', content: 'hello' });
    expect(lit.text).toBe(
      '/agent/proj/lib/notes.md:1: hello notes\n/agent/proj/lib/util.py:1: def hello():\n(1 binary or very large file not searched)',
    );
    const ci = await ok('search_files', {
      path: '/agent/proj',
      content: 'hello',
      case_sensitive: false,
      pattern: '*.py',
    });
    expect(ci.structured?.matches).toEqual([
      { path: '/agent/proj/lib/util.py', line: 1, text: 'def hello():' },
      { path: '/agent/proj/main.py', line: 2, text: 'print("Hello")' },
    ]);
    const re = await ok('search_files', { path: 'proj', content: 'return \\d+', regex: true });
    expect(re.text).toBe(
      '/agent/proj/lib/util.py:2:     return 42\n(1 binary or very large file not searched)',
    );
    const bin = await ok('search_files', { path: 'proj', content: 'ello', pattern: '*.bin' });
    expect(bin.text).toBe('No matches.\n(1 binary or very large file not searched)');
    expect(
      (await ok('search_files', { path: 'proj', content: 'o', max_results: 2 })).structured?.truncated,
    ).toBe(true);
  });

  test('errors', async () => {
    await fails('search_files', { path: 'proj' }, /give pattern, content or both/);
    await fails(
      'search_files',
      { path: 'proj', content: '(', regex: true },
      /not a valid regular expression/,
    );
    await fails('search_files', { path: 'proj/main.py', pattern: '*' }, /is not a directory/);
    await fails('search_files', { path: '/tmp', pattern: '*' }, /outside the agent filesystem/);
  });
});

describe('key-value store', () => {
  test('kv_set, kv_get, kv_list, kv_delete', async () => {
    await ok('kv_set', { key: 'user:prefs', value: { theme: 'dark', sizes: [1, 2] } });
    await ok('kv_set', { key: 'user:name', value: 'alice' });
    await ok('kv_set', { key: 'nothing', value: null });
    expect(await db.agent.kv.get('user:prefs')).toEqual({ theme: 'dark', sizes: [1, 2] });
    const got = await ok('kv_get', { key: 'user:prefs' });
    expect(JSON.parse(got.text)).toEqual({ theme: 'dark', sizes: [1, 2] });
    expect((await ok('kv_get', { key: 'nothing' })).structured).toEqual({ key: 'nothing', value: null });
    await fails('kv_get', { key: 'user:missing' }, /no value is stored under the key 'user:missing'/);
    expect((await ok('kv_list', { prefix: 'user:' })).text).toBe(
      'user:name\t"alice"\nuser:prefs\t{"theme":"dark","sizes":[1,2]}',
    );
    expect((await ok('kv_list', { prefix: 'user:', values: false })).text).toBe('user:name\nuser:prefs');
    expect((await ok('kv_delete', { key: 'user:name' })).structured).toEqual({
      key: 'user:name',
      deleted: true,
    });
    expect((await ok('kv_delete', { key: 'user:name' })).structured).toEqual({
      key: 'user:name',
      deleted: false,
    });
    expect(await db.agent.kv.has('user:name')).toBe(false);
    await fails('kv_set', { key: 'k' }, /value: value is required/);
    await fails('kv_set', { key: '', value: 1 }, /key/);
    await fails('kv_set', { key: 'big', value: 'z'.repeat(6000) }, /value is too large/);
  });
});

describe('run_command', () => {
  test('exit code, stdout and stderr, in /agent, sharing files with the other tools', async () => {
    await ok('write_file', { path: 'run/input.txt', content: 'three\nlines\nhere\n' });
    const r = await ok('run_command', {
      command: 'pwd; wc -l < run/input.txt; echo done > run/out.txt; echo warn >&2; exit 3',
    });
    expect(r.structured).toMatchObject({
      exitCode: 3,
      stdout: '/agent\n3\n',
      stderr: 'warn\n',
      timedOut: false,
    });
    expect(r.text).toBe('exit code: 3\nstdout:\n/agent\n3\n\nstderr:\nwarn\n');
    expect((await ok('read_file', { path: 'run/out.txt' })).text).toBe('done\n');
    const call = await lastCall('run_command');
    expect(call.result).toMatchObject({ exitCode: 3, stdout: '/agent\n3\n' });
  });

  test('cwd and stdin', async () => {
    await ok('make_directory', { path: 'run/sub' });
    const r = await ok('run_command', { command: 'pwd; cat', cwd: 'run/sub', stdin: 'from stdin' });
    expect(r.structured).toMatchObject({ exitCode: 0, stdout: '/agent/run/sub\nfrom stdin', stderr: '' });
    await fails('run_command', { command: 'pwd', cwd: 'run/none' }, /ENOENT: .*'\/agent\/run\/none'/);
    await fails('run_command', { command: 'pwd', cwd: '/tmp' }, /outside the agent filesystem/);
  });

  test('output is cut at --max-output bytes', async () => {
    const r = await ok('run_command', { command: 'yes | head -c 5000' });
    expect(r.structured).toMatchObject({ exitCode: 0, stderr: '', stdoutTruncated: true });
    expect(r.structured?.stdout).toHaveLength(100);
    expect(r.text).toMatch(/\[… cut at 100 bytes\]$/);
  });

  test('a timeout ends the command', async () => {
    const r = await ok('run_command', { command: 'sleep 30', timeout_ms: 1000 });
    expect(r.structured).toMatchObject({ timedOut: true, exitCode: 143 });
    expect(r.text).toMatch(/timed out after 1000 ms/);
    await fails('run_command', { command: 'true', timeout_ms: 10_000_000 }, /over the limit/);
  });
});

describe('protocol', () => {
  test('an unknown tool is a protocol error and is not recorded', async () => {
    const before = (await db.agent.tools.list()).length;
    await expect(mcp.call('format_disk', {})).rejects.toThrow(/Unknown tool 'format_disk'/);
    expect((await db.agent.tools.list()).length).toBe(before);
  });

  test('long parameters are cut in the audit trail, not in the file', async () => {
    const content = 'q'.repeat(20_000);
    await connectAndWriteBig(content);
    const call = await lastCall('write_file');
    const recorded = (call.parameters as { content: string }).content;
    expect(recorded.length).toBeLessThan(content.length);
    expect(recorded).toMatch(/more characters not recorded\]$/);
    expect((await db.agent.fs.stat('/big/q.txt')).size).toBe(20_000);
  });
});

/** A second server with the default limits (the shared one allows 5000-byte writes only). */
async function connectAndWriteBig(content: string): Promise<void> {
  const other = await (await import('./helpers.js')).connectStdio(db.db);
  try {
    const r = await other.call('write_file', { path: 'big/q.txt', content });
    expect(r.isError).toBe(false);
  } finally {
    await other.close();
  }
}
