import { Flags } from '@oclif/core';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { BaseCommand } from '../../base-command.js';
import { ALL_TOOLS, createMcpServer, selectTools, type McpServerOptions } from '../../../mcp/server.js';
import { DEFAULT_LIMITS } from '../../../mcp/tool.js';
import { serveHttp } from '../../../mcp/http.js';
import { checkMount } from '../../../sandbox/run.js';

const TOOL_NAMES = ALL_TOOLS.map((t) => t.name);

export default class ServeMcp extends BaseCommand {
  static override summary =
    'Serve the agent database to MCP clients: files, key-value store and a sandboxed shell.';

  static override description = `A Model Context Protocol server over stdio (the default) or streamable HTTP on 127.0.0.1 (--http PORT, endpoint /mcp). Tools: ${TOOL_NAMES.join(', ')}. File paths are relative to /agent or absolute under it; run_command runs /bin/sh -c in the sandbox with /agent as the working directory. Every call is recorded in tool_calls (see: agentos tools list), also with --read-only, which offers only the reading tools.`;

  static override examples = [
    {
      command: '<%= config.bin %> serve mcp --db /path/to/agent.db',
      description: 'stdio, for a client that starts the server',
    },
    { command: '<%= config.bin %> serve mcp --http 8765', description: 'HTTP at http://127.0.0.1:8765/mcp' },
    { command: '<%= config.bin %> serve mcp --read-only', description: 'Only the tools that read' },
    {
      command: '<%= config.bin %> serve mcp --tools read_file,search_files,run_command',
      description: 'Only these tools',
    },
  ];

  static override flags = {
    http: Flags.integer({
      description: 'Serve streamable HTTP on 127.0.0.1:PORT (0 picks a free port) instead of stdio',
      min: 0,
      max: 65535,
      helpValue: 'PORT',
    }),
    'read-only': Flags.boolean({ description: 'Offer only the tools that read (calls are still recorded)' }),
    tools: Flags.custom<string[]>({
      description: `Offer only these tools, comma-separated: ${TOOL_NAMES.join(', ')}`,
      helpValue: 'LIST',
      parse: async (text) => parseToolList(text),
    })(),
    mount: Flags.string({
      description: 'Where the agent filesystem appears to clients and commands',
      default: '/agent',
      helpValue: 'PATH',
    }),
    timeout: Flags.integer({
      description:
        'run_command timeout when a call gives none (a call may ask for up to 10 times this, at least 10 minutes)',
      default: DEFAULT_LIMITS.defaultTimeoutMs,
      min: 1,
      helpValue: 'MS',
    }),
    'max-output': Flags.integer({
      description: 'run_command keeps at most this many bytes of stdout and of stderr',
      default: DEFAULT_LIMITS.maxOutputBytes,
      min: 0,
      helpValue: 'BYTES',
    }),
    'max-read': Flags.integer({
      description: 'Largest read_file answer',
      default: DEFAULT_LIMITS.maxReadBytes,
      min: 1,
      helpValue: 'BYTES',
    }),
    'max-write': Flags.integer({
      description: 'Largest write_file content, edited file or kv_set value',
      default: DEFAULT_LIMITS.maxWriteBytes,
      min: 1,
      helpValue: 'BYTES',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServeMcp);
    const options: McpServerOptions = {
      readOnly: flags['read-only'],
      tools: flags.tools,
      mount: checkMount(flags.mount),
      version: this.config.version,
      limits: {
        defaultTimeoutMs: flags.timeout,
        maxTimeoutMs: Math.max(flags.timeout * 10, 600_000),
        maxOutputBytes: flags['max-output'],
        maxReadBytes: flags['max-read'],
        maxWriteBytes: flags['max-write'],
      },
    };
    try {
      selectTools(options);
    } catch (e) {
      this.error((e as Error).message, { exit: 2 });
    }
    // Writable even with --read-only: the audit trail records every call.
    const agent = this.openAgent(flags);
    if (flags.http === undefined) return this.serveStdio(() => createMcpServer(agent, options));
    const http = await serveHttp(() => createMcpServer(agent, options), {
      port: flags.http,
      // Base64 makes content a third larger; JSON-RPC adds a little.
      maxBodyBytes: Math.ceil((flags['max-write'] * 4) / 3) + 1024 * 1024,
    });
    process.stderr.write(`AgentOS MCP server listening on ${http.url}\n`);
    await untilSignal();
    await http.close();
  }

  async serveStdio(makeServer: () => ReturnType<typeof createMcpServer>): Promise<void> {
    const server = makeServer();
    const closed = new Promise<void>((resolve) => {
      server.onclose = resolve;
      // The client closing our stdin is the end of the session.
      process.stdin.once('end', resolve);
    });
    await server.connect(new StdioServerTransport());
    await Promise.race([closed, untilSignal()]);
    await server.close();
  }
}

function parseToolList(text: string): string[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new Error('give at least one tool name');
  const unknown = names.filter((n) => !TOOL_NAMES.includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown tool ${unknown.join(', ')} (the tools are ${TOOL_NAMES.join(', ')})`);
  return names;
}

/** SIGINT (Ctrl-C), SIGTERM and SIGHUP end the server cleanly, closing the database. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
}
