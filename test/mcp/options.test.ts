/** `agentos serve mcp` options: --read-only, --tools, and their usage errors. */
import { spawnSync } from 'node:child_process';
import { BIN, connectStdio, makeDb, type TestDb } from './helpers.js';

let db: TestDb;

beforeAll(() => {
  db = makeDb();
});

afterAll(async () => {
  await db?.cleanup();
});

test('--read-only offers only the reading tools, and still records every call', async () => {
  await db.agent.fs.writeFile('/ro.txt', 'read me');
  const mcp = await connectStdio(db.db, ['--read-only']);
  try {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'read_file',
      'list_directory',
      'stat',
      'search_files',
      'kv_get',
      'kv_list',
    ]);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(mcp.client.getInstructions()).toMatch(/read-only/);
    expect((await mcp.call('read_file', { path: 'ro.txt' })).text).toBe('read me');
    await expect(mcp.call('write_file', { path: 'x', content: 'y' })).rejects.toThrow(
      /Unknown tool 'write_file'/,
    );
    await expect(mcp.call('run_command', { command: 'true' })).rejects.toThrow(/Unknown tool 'run_command'/);
  } finally {
    await mcp.close();
  }
  expect(await db.agent.fs.exists('/x')).toBe(false);
  const [call] = await db.agent.tools.list({ limit: 1 });
  expect(call).toMatchObject({ name: 'read_file', status: 'success', parameters: { path: 'ro.txt' } });
});

test('--tools limits the set', async () => {
  const mcp = await connectStdio(db.db, ['--tools', 'read_file, kv_get,run_command']);
  try {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['read_file', 'kv_get', 'run_command']);
    await expect(mcp.call('kv_set', { key: 'a', value: 1 })).rejects.toThrow(/Unknown tool 'kv_set'/);
  } finally {
    await mcp.close();
  }
});

test('--mount: another name for the workspace, in paths, defaults, descriptions and commands', async () => {
  await db.agent.fs.writeFile('/m/file.txt', 'mounted');
  const mcp = await connectStdio(db.db, [
    '--mount',
    '/work',
    '--tools',
    'read_file,list_directory,run_command',
  ]);
  try {
    const { tools } = await mcp.client.listTools();
    expect(JSON.stringify(tools)).not.toContain('/agent');
    expect(tools[0].inputSchema.properties?.path).toMatchObject({
      description: expect.stringContaining('/work'),
    });
    expect(mcp.client.getInstructions()).toMatch(/seen as the directory \/work/);
    expect((await mcp.call('read_file', { path: '/work/m/file.txt' })).text).toBe('mounted');
    expect((await mcp.call('list_directory')).structured?.path).toBe('/work');
    expect((await mcp.call('read_file', { path: '/agent/m/file.txt' })).text).toMatch(
      /outside the agent filesystem/,
    );
    expect((await mcp.call('run_command', { command: 'pwd; cat m/file.txt' })).structured?.stdout).toBe(
      '/work\nmounted',
    );
  } finally {
    await mcp.close();
  }
});

test('usage errors: unknown tool names, writing tools with --read-only, a missing database', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'serve', 'mcp', ...args], { encoding: 'utf8', input: '' });
  const unknown = cli(['--db', db.db, '--tools', 'read_file,format_disk']);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/^agentos: --tools: unknown tool format_disk \(the tools are read_file, /);
  const contradiction = cli(['--db', db.db, '--read-only', '--tools', 'read_file,write_file']);
  expect(contradiction.status).toBe(2);
  expect(contradiction.stderr).toMatch(/write_file can change the database: not allowed with read-only/);
  const missing = cli(['--db', `${db.dir}/none.db`]);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/no agent database at/);
});

test('the server ends when the client closes its stdin', () => {
  const r = spawnSync(process.execPath, [BIN, 'serve', 'mcp', '--db', db.db], {
    encoding: 'utf8',
    input: '',
    timeout: 30_000,
  });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('');
});
