/**
 * Streamable HTTP transport on 127.0.0.1 only, at /mcp, with a session per client (each its
 * own MCP server instance over the same AgentOS handle). There is no authentication: binding
 * to the loopback address and refusing foreign Host and Origin headers (DNS rebinding from a
 * web page) keep it to programs on this machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

export const MCP_PATH = '/mcp';
const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost']);

export interface HttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
}

export interface HttpHandle {
  url: string;
  port: number;
  /** Resolves when close() has finished. */
  closed: Promise<void>;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
}

export async function serveHttp(makeServer: () => Server, options: HttpOptions): Promise<HttpHandle> {
  const sessions = new Map<string, Session>();
  const http = createServer((req, res) => {
    handle(req, res, sessions, makeServer, options).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, `internal error: ${(e as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  let finish: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (finish = resolve));
  const close = async () => {
    for (const { transport, server } of sessions.values()) {
      await transport.close();
      await server.close();
    }
    sessions.clear();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    finish();
  };
  return { url: `http://127.0.0.1:${port}${MCP_PATH}`, port, closed, close };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  sessions: Map<string, Session>,
  makeServer: () => Server,
  options: HttpOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== MCP_PATH) return reply(res, 404, `not found; the MCP endpoint is ${MCP_PATH}`);
  if (!isLocal(req))
    return reply(res, 403, 'forbidden: only local clients may connect (Host and Origin must be localhost)');
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const session = sessions.get(sessionId);
    if (!session)
      return reply(res, 404, 'session not found; start a new one with an initialize request', -32001);
    const body = req.method === 'POST' ? await readJson(req, res, options.maxBodyBytes) : undefined;
    if (body === INVALID) return;
    return session.transport.handleRequest(req, res, body);
  }
  if (req.method !== 'POST') return reply(res, 400, 'an mcp-session-id header is required');
  const body = await readJson(req, res, options.maxBodyBytes);
  if (body === INVALID) return;
  if (!isInitializeRequest(body)) return reply(res, 400, 'no session: the first request must be initialize');
  const server = makeServer();
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
  });
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
  };
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

function isLocal(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined || !LOCAL_HOSTNAMES.has(hostnameOf(host))) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return LOCAL_HOSTNAMES.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function hostnameOf(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host;
}

const INVALID = Symbol('invalid');

async function readJson(req: IncomingMessage, res: ServerResponse, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      reply(res, 413, `request body too large (the limit is ${max} bytes)`);
      req.destroy();
      return INVALID;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    reply(res, 400, 'the request body is not JSON', -32700);
    return INVALID;
  }
}

/** A JSON-RPC error body, as the transport itself answers. */
function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
