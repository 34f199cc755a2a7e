/**
 * Driving `agentos serve mcp` the way an MCP client does: the built CLI in a child process and
 * the MCP SDK's own client over stdio or streamable HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AgentOS } from '../../src/index.js';

// Spawning node takes seconds on a loaded machine: generous limits, no timing assertions.
(import.meta as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(300_000);

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'agentos.js');

export interface CallOutcome {
  text: string;
  isError: boolean;
  structured?: Record<string, unknown>;
}

export interface Connection {
  client: Client;
  /** What the server wrote on stderr so far (stdio servers only). */
  stderr(): string;
  call(name: string, args?: Record<string, unknown>): Promise<CallOutcome>;
  close(): Promise<void>;
}

export interface TestDb {
  dir: string;
  db: string;
  /** An SDK handle on the same database, open while the server runs (another process). */
  agent: AgentOS;
  cleanup(): Promise<void>;
}

export function makeDb(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-mcp-'));
  const db = join(dir, 'agent.db');
  const agent = new AgentOS(db);
  return {
    dir,
    db,
    agent,
    cleanup: async () => {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function wrap(client: Client, close: () => Promise<void>, stderr = () => ''): Connection {
  return {
    client,
    close,
    stderr,
    async call(name, args = {}) {
      const r = await client.callTool({ name, arguments: args });
      const content = r.content as { type: string; text?: string }[];
      const outcome: CallOutcome = {
        text: content.map((c) => c.text ?? '').join(''),
        isError: r.isError === true,
      };
      if (r.structuredContent) outcome.structured = r.structuredContent as Record<string, unknown>;
      return outcome;
    },
  };
}

/** `agentos serve mcp --db DB ...flags` over stdio. */
export async function connectStdio(db: string, flags: string[] = []): Promise<Connection> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', 'mcp', '--db', db, ...flags],
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'agentos-tests', version: '1.0.0' });
  await client.connect(transport);
  return wrap(
    client,
    () => client.close(),
    () => stderr,
  );
}

export interface HttpServer {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `agentos serve mcp --http 0`; resolves once it prints the address it listens on. */
export async function startHttp(db: string, flags: string[] = []): Promise<HttpServer> {
  const child = spawn(process.execPath, [BIN, 'serve', 'mcp', '--db', db, '--http', '0', ...flags], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (\S+)/.exec(stderr);
      if (m) done(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function connectHttp(url: string): Promise<Connection> {
  const client = new Client({ name: 'agentos-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return wrap(client, () => client.close());
}
