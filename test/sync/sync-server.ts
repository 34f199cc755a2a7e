/**
 * A local Turso sync server for tests: the `turso` CLI from npm (a devDependency), started as
 * `turso HUB.db --sync-server 127.0.0.1:PORT`. The platform binary is run directly rather than
 * through `npx turso`, whose wrapper would outlive a kill of itself and leave the server
 * running. Also: an HTTP proxy in front of it that can cut or stall requests, for network
 * failure tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The tursodb binary the `turso` npm package would run on this platform. */
export function tursoBinary(): string {
  const pkg = `@tursodatabase/cli-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`;
  const bin = join(
    dirname(require.resolve(`${pkg}/package.json`)),
    process.platform === 'win32' ? 'tursodb.exe' : 'tursodb',
  );
  if (!existsSync(bin)) throw new Error(`turso CLI binary missing: ${bin} (npm install)`);
  return bin;
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface SyncServer {
  url: string;
  port: number;
  /** The server's database file. */
  hub: string;
  /** Stops the server (SIGKILL: as abrupt as a crash or a network cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  start(): Promise<void>;
}

export async function startSyncServer(hub: string): Promise<SyncServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: SyncServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    hub,
    async start() {
      child = spawn(tursoBinary(), [hub, '--sync-server', `127.0.0.1:${port}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`sync server exited (${child.exitCode}): ${stderr}`);
        try {
          await fetch(`${server.url}/`);
          return;
        } catch {
          if (Date.now() > deadline) throw new Error(`sync server did not start: ${stderr}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}

export type ProxyMode = 'pass' | 'hang' | 'unauthorized';

export interface Proxy {
  url: string;
  mode: ProxyMode;
  /** Called with each request before it is forwarded; return false to drop the connection instead. */
  onRequest?: (req: IncomingMessage, body: Buffer) => boolean | Promise<boolean>;
  /** Called after the server answered, before the answer is relayed; return false to drop it. */
  onResponse?: (req: IncomingMessage, body: Buffer, status: number) => boolean | Promise<boolean>;
  /** Authorization headers seen, in order. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** An HTTP proxy to `target` whose behaviour tests change on the fly. */
export async function startProxy(target: string): Promise<Proxy> {
  const port = await freePort();
  const sockets = new Set<import('node:net').Socket>();
  const proxy: Proxy = {
    url: `http://127.0.0.1:${port}`,
    mode: 'pass',
    authorizations: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((req, res) => void handle(proxy, target, req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return proxy;
}

async function handle(
  proxy: Proxy,
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  proxy.authorizations.push(req.headers.authorization);
  if (proxy.mode === 'hang') return; // never answer
  if (proxy.mode === 'unauthorized') {
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end('invalid auth token');
    return;
  }
  if (proxy.onRequest && !(await proxy.onRequest(req, body))) {
    req.socket.destroy();
    return;
  }
  const upstream = new URL(req.url ?? '/', target);
  const forwarded = httpRequest(
    upstream,
    { method: req.method, headers: { ...req.headers, host: upstream.host } },
    async (up) => {
      const parts: Buffer[] = [];
      for await (const c of up) parts.push(c as Buffer);
      const answer = Buffer.concat(parts);
      if (proxy.onResponse && !(await proxy.onResponse(req, body, up.statusCode ?? 0))) {
        req.socket.destroy();
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.end(answer);
    },
  );
  forwarded.on('error', () => req.socket.destroy());
  forwarded.end(body);
}
