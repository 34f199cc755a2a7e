/**
 * Other processes using the same database: node children that import the built SDK (dist/),
 * exactly as a second program would. `npm test` builds dist/ before jest runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST_INDEX = join(here, '..', '..', 'dist', 'index.js');

function checkBuilt(): void {
  if (!existsSync(DIST_INDEX))
    throw new Error(`${DIST_INDEX} is missing: run \`npm run build\` (npm test does it first)`);
}

/** An ES module body with `AgentOS` imported and `args` holding the extra arguments. */
function moduleSource(body: string): string {
  return `import { AgentOS } from ${JSON.stringify(DIST_INDEX)};\nconst args = process.argv.slice(1);\n${body}\n`;
}

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script to completion in a child node process. */
export function runNode(body: string, args: string[] = [], timeoutMs = 30000): ChildResult {
  checkBuilt();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', moduleSource(body), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts a script in a child node process; `done` resolves when it exits. */
export function startNode(
  body: string,
  args: string[] = [],
): { child: ChildProcess; done: Promise<ChildResult>; line: () => Promise<string> } {
  checkBuilt();
  const child = spawn(process.execPath, ['--input-type=module', '-e', moduleSource(body), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<ChildResult>((resolve) => {
    child.on('close', (status, signal) => {
      for (const waiter of waiting.splice(0)) waiter('');
      resolve({ status, signal, stdout, stderr });
    });
  });
  /** The next line the child prints ('' if it exits first). */
  const line = () => {
    const ready = lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (child.exitCode !== null) return Promise.resolve('');
    return new Promise<string>((resolve) => waiting.push(resolve));
  };
  return { child, done, line };
}

/** A python3 child holding a lock on a SQLite file until killed (a foreign program). */
export function holdSqliteLock(
  dbPath: string,
  begin = 'BEGIN EXCLUSIVE',
): { child: ChildProcess; ready: Promise<void> } {
  const script = [
    'import sqlite3, sys, time',
    'c = sqlite3.connect(sys.argv[1], isolation_level=None)',
    `c.execute(${JSON.stringify(begin)})`,
    'c.execute("SELECT count(*) FROM sqlite_master").fetchall()',
    'print("locked", flush=True)',
    'time.sleep(60)',
  ].join('\n');
  const child = spawn('python3', ['-c', script, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`python3 exited early (${code})`)));
  });
  return { child, ready };
}

/** Kills a child and waits for it to be gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/**
 * Another process with the database open for as long as the test wants: each call sends one
 * SDK method (e.g. 'fs.writeFile') with JSON arguments and waits for its JSON result. Buffers
 * come back as strings; errors come back as { code, message } and reject.
 */
export interface RemoteAgent {
  call(method: string, ...args: unknown[]): Promise<unknown>;
  close(): Promise<ChildResult>;
}

const REMOTE_AGENT = `
import { createInterface } from 'node:readline';
const agent = new AgentOS(args[0], args[1] ? JSON.parse(args[1]) : {});
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const { method, args: callArgs } = JSON.parse(line);
  if (method === 'exit') break;
  try {
    const [ns, fn] = method.split('.');
    let result = await agent[ns][fn](...callArgs);
    if (Buffer.isBuffer(result)) result = result.toString('utf8');
    console.log(JSON.stringify({ ok: result === undefined ? null : result }));
  } catch (e) {
    console.log(JSON.stringify({ error: { code: e.code, message: e.message } }));
  }
}
await agent.close();
`;

export async function startRemoteAgent(
  dbPath: string,
  options: Record<string, unknown> = {},
): Promise<RemoteAgent> {
  const proc = startNode(REMOTE_AGENT, [dbPath, JSON.stringify(options)]);
  const first = await proc.line();
  if (!first.includes('ready')) {
    const r = await proc.done;
    throw new Error(`remote agent failed to start: ${r.stderr || first}`);
  }
  return {
    async call(method, ...args) {
      proc.child.stdin!.write(JSON.stringify({ method, args }) + '\n');
      const reply = await proc.line();
      if (!reply) throw new Error(`remote agent exited: ${(await proc.done).stderr}`);
      const parsed = JSON.parse(reply) as { ok?: unknown; error?: { code: string; message: string } };
      if (parsed.error) throw Object.assign(new Error(parsed.error.message), { code: parsed.error.code });
      return parsed.ok;
    },
    async close() {
      proc.child.stdin!.write(JSON.stringify({ method: 'exit', args: [] }) + '\n');
      proc.child.stdin!.end();
      return proc.done;
    },
  };
}
