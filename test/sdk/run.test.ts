/**
 * agent.run(): commands in the sandbox from the SDK, through the built `agentos run` (the
 * tests need `npm run build` first, as `npm test` does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentOS, AgentOSError } from '../../src/index.js';
import { utf8Boundary, resolveCwd } from '../../src/sdk/run.js';

// Spawning node takes seconds on a loaded machine: generous limits, no timing assertions.
(import.meta as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(300_000);

let dir: string;
let agent: AgentOS;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentos-run-'));
  agent = new AgentOS(join(dir, 'agent.db'));
});

afterEach(async () => {
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent.run', () => {
  test('a string is a shell command: exit code, stdout and stderr, in /agent', async () => {
    await agent.fs.writeFile('/notes.txt', 'from the SDK\n');
    const r = await agent.run('cat notes.txt; pwd; echo oops >&2; exit 3');
    expect(r).toMatchObject({
      exitCode: 3,
      stdout: 'from the SDK\n/agent\n',
      stderr: 'oops\n',
      timedOut: false,
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    expect(r.signal).toBeUndefined();
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('an array is argv, with no shell in between', async () => {
    const r = await agent.run(['/bin/echo', '$HOME', 'a  b', "it's"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("$HOME a  b it's\n");
  });

  test('the host policy: allow opens a host path, allowHostWrites lifts it, noNetwork closes sockets', async () => {
    const host = mkdtempSync(join(tmpdir(), 'agentos-run-host-'));
    try {
      const write = `echo x > ${host}/out`;
      const refused = await agent.run(write);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('Permission denied');
      expect((await agent.run(write, { allow: [host] })).exitCode).toBe(0);
      expect((await agent.run(`rm ${host}/out`, { allowHostWrites: true })).exitCode).toBe(0);
      const probe = ['python3', '-c', 'import socket; socket.socket(socket.AF_INET)'];
      expect((await agent.run(probe)).exitCode).toBe(0);
      const offline = await agent.run(probe, { noNetwork: true });
      expect(offline.exitCode).toBe(1);
      expect(offline.stderr).toContain('PermissionError: [Errno 13]');
      await expect(agent.run('true', { allow: 'nope' as unknown as string[] })).rejects.toThrow(TypeError);
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });

  test('audit sets what the operation log keeps of the run: off, changes or all', async () => {
    await agent.fs.writeFile('/in.txt', 'in\n');
    const opsOf = async (path: string) => (await agent.log({ path })).map((e) => e.op);
    // The caller's environment must not decide it: the option wins over $AGENTOS_AUDIT.
    const env = { ...process.env, AGENTOS_AUDIT: 'all' };
    for (const audit of ['off', 'changes', 'all'] as const) {
      const r = await agent.run(`cat in.txt > ${audit}.txt`, { audit, env });
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    }
    expect(await opsOf('/off.txt')).toEqual([]);
    expect(await opsOf('/changes.txt')).toContain('create');
    expect(await opsOf('/all.txt')).toContain('create');
    // Reading in.txt is an open: logged only by the run with audit 'all'.
    const opens = (await agent.log({ path: '/in.txt', op: 'open' })).map((e) => e.run);
    expect(new Set(opens).size).toBe(1);
    const [allRun] = await agent.log({ path: '/all.txt', op: 'create' });
    expect(opens[0]).toBe(allRun.run);
    await expect(agent.run('true', { audit: 'most' as 'all' })).rejects.toThrow(RangeError);
    await expect(agent.run('true', { audit: 1 as unknown as 'all' })).rejects.toThrow(TypeError);
  });

  test('a missing program is exit code 127', async () => {
    const r = await agent.run(['no-such-program-anywhere']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  test("the run's changes are visible to the open agent at once", async () => {
    await agent.fs.writeFile('/count.txt', '1');
    expect(await agent.fs.readFile('/count.txt', 'utf8')).toBe('1');
    const r = await agent.run('echo 2 > count.txt && mkdir -p out && echo done > out/result.txt');
    expect(r.exitCode).toBe(0);
    expect(await agent.fs.readFile('/count.txt', 'utf8')).toBe('2\n');
    expect(await agent.fs.readdir('/out')).toEqual(['result.txt']);
  });

  test('changes made inside batch() are committed before the run starts', async () => {
    const r = await agent.batch(async () => {
      await agent.fs.writeFile('/batched.txt', 'not yet committed');
      await agent.kv.set('k', 1);
      return agent.run('cat batched.txt');
    });
    expect(r.stdout).toBe('not yet committed');
  });

  test('input becomes stdin; env replaces the environment', async () => {
    const r = await agent.run('read line; echo "$line/$GREETING/${HOME:-none}"', {
      input: 'hello\n',
      env: { PATH: '/usr/bin:/bin', GREETING: 'hi' },
    });
    expect(r.stdout).toBe('hello/hi/none\n');
  });

  test('cwd: relative and /agent paths are in the agent filesystem, other absolute paths on the host', async () => {
    await agent.fs.mkdir('/work/sub', { recursive: true });
    expect((await agent.run('pwd', { cwd: 'work/sub' })).stdout).toBe('/agent/work/sub\n');
    expect((await agent.run('pwd', { cwd: '/agent/work' })).stdout).toBe('/agent/work\n');
    expect((await agent.run('pwd', { cwd: dir })).stdout).toBe(`${dir}\n`);
    await agent.fs.mkdir("/it's $HOME");
    expect((await agent.run('pwd', { cwd: "it's $HOME" })).stdout).toBe("/agent/it's $HOME\n");
    expect((await agent.run(['pwd'], { cwd: "it's $HOME" })).stdout).toBe("/agent/it's $HOME\n");
    await expect(agent.run('pwd', { cwd: '/agent/missing' })).rejects.toMatchObject({
      code: 'ENOENT',
      path: '/agent/missing',
    });
    await agent.fs.writeFile('/file', '');
    await expect(agent.run('pwd', { cwd: 'file' })).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  test('timeoutMs ends the run with SIGTERM and reports timedOut', async () => {
    const r = await agent.run('echo started; sleep 30', { timeoutMs: 1000 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(143);
  });

  test('a command that ignores SIGTERM is killed after killGraceMs', async () => {
    // Abort only once the command runs (it says so through the agent filesystem), so the
    // SIGTERM reaches it rather than an `agentos run` still starting up.
    const controller = new AbortController();
    const run = agent.run('trap "" TERM; touch ready; sleep 30', {
      killGraceMs: 200,
      signal: controller.signal,
    });
    let ended = false;
    run.catch(() => undefined).finally(() => (ended = true));
    while (!ended && !(await agent.fs.exists('/ready')))
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (ended) throw new Error(`the run ended before it was aborted: ${JSON.stringify(await run)}`);
    controller.abort();
    // Ending at all (well before the sleep) shows the SIGKILL came.
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('an abort signal ends the run and rejects with AbortError', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    await expect(agent.run('sleep 30', { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(agent.run('true', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  test('maxOutputBytes keeps the first bytes of each stream and flags the cut', async () => {
    const r = await agent.run('yes | head -c 100000; echo err >&2', { maxOutputBytes: 10 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('y\ny\ny\ny\ny\n');
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stderr).toBe('err\n');
    expect(r.stderrTruncated).toBe(false);
  });

  test('bad arguments are TypeErrors and RangeErrors before anything runs', async () => {
    await expect(agent.run('')).rejects.toThrow(RangeError);
    await expect(agent.run([])).rejects.toThrow(TypeError);
    await expect(agent.run(['ls', 1 as unknown as string])).rejects.toThrow(TypeError);
    await expect(agent.run('true', { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(agent.run('true', { maxOutputBytes: -1 })).rejects.toThrow(RangeError);
    await expect(agent.run('true', { mount: '/' })).rejects.toThrow(RangeError);
  });

  test('a read-only agent cannot run (the run writes)', async () => {
    const ro = new AgentOS(join(dir, 'agent.db'), { readonly: true });
    try {
      const e = await ro.run('true').catch((err: unknown) => err);
      expect(e).toBeInstanceOf(AgentOSError);
      expect((e as AgentOSError).code).toBe('EROFS');
    } finally {
      await ro.close();
    }
  });

  test('a relative database path still names the same database after a chdir', async () => {
    const before = process.cwd();
    try {
      process.chdir(dir);
      const relative = new AgentOS('rel.db');
      try {
        await relative.fs.writeFile('/here.txt', 'same database');
        process.chdir(tmpdir());
        expect((await relative.run('cat here.txt')).stdout).toBe('same database');
      } finally {
        await relative.close();
      }
    } finally {
      process.chdir(before);
    }
  });

  test('another mount point', async () => {
    await agent.fs.writeFile('/a.txt', 'A');
    const r = await agent.run('pwd; cat /work/a.txt', { mount: '/work' });
    expect(r.stdout).toBe('/work\nA');
  });
});

describe('helpers', () => {
  test('utf8Boundary drops only an incomplete last character', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    expect(utf8Boundary(euro)).toBe(4);
    expect(utf8Boundary(euro.subarray(0, 3))).toBe(1);
    expect(utf8Boundary(euro.subarray(0, 2))).toBe(1);
    expect(utf8Boundary(Buffer.from('abc'))).toBe(3);
    expect(utf8Boundary(Buffer.from([0xf0, 0x9f, 0x98]))).toBe(0);
    expect(utf8Boundary(Buffer.alloc(0))).toBe(0);
  });

  test('resolveCwd', () => {
    expect(resolveCwd(undefined, '/agent')).toEqual({ kind: 'agent', path: '/agent', agentPath: '/' });
    expect(resolveCwd('a/../b', '/agent')).toEqual({ kind: 'agent', path: '/agent/b', agentPath: '/b' });
    expect(resolveCwd('..', '/agent')).toEqual({ kind: 'agent', path: '/agent', agentPath: '/' });
    expect(resolveCwd('/agent/x/', '/agent')).toEqual({ kind: 'agent', path: '/agent/x', agentPath: '/x' });
    expect(resolveCwd('/agentx', '/agent')).toEqual({ kind: 'host', path: '/agentx' });
    expect(resolveCwd('/tmp', '/agent')).toEqual({ kind: 'host', path: '/tmp' });
  });
});
