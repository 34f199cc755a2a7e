/**
 * The AgentOS MCP server: the agent filesystem, the key-value store and a sandboxed shell as
 * MCP tools over one AgentOS database, every call recorded in tool_calls.
 *
 * Built on the SDK's low-level `Server` rather than `McpServer`: McpServer validates arguments
 * before a tool's handler runs, so a call with bad arguments would never reach the audit
 * trail. Here each call is recorded first, then validated with the tool's zod schema, then run.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentOS } from '../sdk/agentos.js';
import { DEFAULT_MOUNT } from '../sdk/run.js';
import { audited } from './audit.js';
import {
  DEFAULT_LIMITS,
  type Limits,
  type ToolContext,
  type ToolDefinition,
  type ToolOutput,
} from './tool.js';
import { ToolError } from './tool-error.js';
import { Workspace } from './workspace.js';
import { listDirectory, readFile, stat } from './tools/read-files.js';
import { editFile, makeDirectory, move, remove, writeFile } from './tools/write-files.js';
import { searchFiles } from './tools/search.js';
import { kvDelete, kvGet, kvList, kvSet } from './tools/kv.js';
import { runCommand } from './tools/run.js';

/** Every tool, in the order clients list them. */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  readFile,
  writeFile,
  editFile,
  listDirectory,
  makeDirectory,
  remove,
  move,
  stat,
  searchFiles,
  kvGet,
  kvSet,
  kvDelete,
  kvList,
  runCommand,
];

export interface McpServerOptions {
  /** Offer only the tools that read. */
  readOnly?: boolean;
  /** Offer only these tools (names as in the tool list). */
  tools?: readonly string[];
  limits?: Partial<Limits>;
  /** Where the agent filesystem appears to the client and in run_command (default /agent). */
  mount?: string;
  /** Reported to clients as the server's version. */
  version?: string;
}

/** The tools a server with these options offers; unknown names and writing tools under readOnly are errors. */
export function selectTools(options: Pick<McpServerOptions, 'readOnly' | 'tools'>): ToolDefinition[] {
  const names = ALL_TOOLS.map((t) => t.name);
  let selected = [...ALL_TOOLS];
  if (options.tools !== undefined) {
    const unknown = options.tools.filter((n) => !names.includes(n));
    if (unknown.length > 0)
      throw new ToolError(`unknown tool ${unknown.join(', ')}; the tools are ${names.join(', ')}`);
    selected = selected.filter((t) => options.tools?.includes(t.name));
  }
  if (options.readOnly) {
    // Asking for a writing tool by name and for read-only at once is a contradiction, not a filter.
    const writers = options.tools === undefined ? [] : selected.filter((t) => !t.readOnly).map((t) => t.name);
    if (writers.length > 0)
      throw new ToolError(`${writers.join(', ')} can change the database: not allowed with read-only`);
    selected = selected.filter((t) => t.readOnly);
  }
  return selected;
}

export function createMcpServer(agent: AgentOS, options: McpServerOptions = {}): Server {
  const tools = selectTools(options);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const ws = new Workspace(options.mount);
  const ctx: ToolContext = { agent, ws, limits: { ...DEFAULT_LIMITS, ...options.limits } };
  const server = new Server(
    { name: 'agentos', title: 'AgentOS', version: options.version ?? '0.0.0' },
    { capabilities: { tools: {} }, instructions: instructions(ws, tools) },
  );
  const listed = tools.map((t) => forMount(listing(t), ws.mount));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      const offered = tools.map((t) => t.name).join(', ');
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool '${request.params.name}'; this server offers ${offered}`,
      );
    }
    return callTool(tool, request.params.arguments, ctx);
  });
  return server;
}

async function callTool(tool: ToolDefinition, args: unknown, ctx: ToolContext): Promise<CallToolResult> {
  try {
    const output = await audited(
      ctx.agent,
      tool.name,
      args,
      async () => tool.run(parseArguments(tool, args), ctx),
      (out: ToolOutput) => out.audit ?? out.structured ?? { text: out.text },
      (e) => ctx.ws.describe(e),
    );
    const result: CallToolResult = { content: [{ type: 'text', text: output.text }] };
    if (output.structured) result.structuredContent = output.structured;
    return result;
  } catch (e) {
    return { content: [{ type: 'text', text: ctx.ws.describe(e) }], isError: true };
  }
}

function parseArguments(tool: ToolDefinition, args: unknown): Record<string, unknown> {
  const parsed = strict(tool).safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join('.') : 'arguments'}: ${i.message}`,
  );
  throw new ToolError(`invalid arguments for ${tool.name}: ${problems.join('; ')}`);
}

/** Unknown argument names are errors: a misspelt option must not be silently ignored. */
function strict(tool: ToolDefinition): z.ZodObject {
  return tool.input.strict();
}

function listing(tool: ToolDefinition): Tool {
  const inputSchema = z.toJSONSchema(strict(tool), { io: 'input' });
  // The dialect URI is noise in a tool list (MCP fixes the dialect).
  delete inputSchema.$schema;
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    annotations: {
      title: tool.title,
      readOnlyHint: tool.readOnly,
      destructiveHint: tool.readOnly ? false : (tool.destructive ?? false),
      idempotentHint: tool.idempotent ?? false,
      openWorldHint: tool.name === 'run_command',
    },
  };
}

/**
 * Tool texts are written for the default mount point; a server with another one (`--mount`)
 * says its own in descriptions and schemas.
 */
function forMount(tool: Tool, mount: string): Tool {
  if (mount === DEFAULT_MOUNT) return tool;
  return JSON.parse(JSON.stringify(tool).replaceAll(DEFAULT_MOUNT, mount)) as Tool;
}

function instructions(ws: Workspace, tools: readonly ToolDefinition[]): string {
  const has = (name: string) => tools.some((t) => t.name === name);
  const lines = [
    `An AgentOS workspace: files live in the agent filesystem, seen as the directory ${ws.mount}. File tools take paths relative to ${ws.mount} or absolute under it.`,
  ];
  if (has('kv_get') || has('kv_set')) {
    lines.push('The kv_ tools keep JSON values under string keys, for state that outlives a conversation.');
  }
  if (has('run_command')) {
    lines.push(
      `run_command runs shell commands in a sandbox with ${ws.mount} as the working directory; what they write there persists.`,
    );
  }
  if (tools.every((t) => t.readOnly)) lines.push('This server is read-only: it offers only tools that read.');
  lines.push('Every tool call is recorded in the audit trail (tool_calls).');
  return lines.join('\n');
}
