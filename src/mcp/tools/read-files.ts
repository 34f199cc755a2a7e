/** The file tools that only read: read_file, list_directory, stat. */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import type { Stats } from '../../sdk/stats.js';
import type { AgentOS } from '../../sdk/agentos.js';
import { defineTool, jsonText, type ToolContext } from '../tool.js';
import { ToolError } from '../tool-error.js';

const PATH = 'Path relative to /agent, or absolute under /agent';

export type FileType =
  'file' | 'directory' | 'symlink' | 'fifo' | 'character-device' | 'block-device' | 'socket';

export function typeOf(st: Stats): FileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'socket';
}

export const readFile = defineTool({
  name: 'read_file',
  title: 'Read a file',
  description:
    'Read a file of the agent filesystem as UTF-8 text (or base64 for binary data). Large files are read in parts with offset and length (in bytes).',
  readOnly: true,
  idempotent: true,
  input: z.object({
    path: z.string().describe(PATH),
    offset: z.number().int().min(0).optional().describe('First byte to read (default 0)'),
    length: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('How many bytes to read (default: to the end of the file)'),
    encoding: z.enum(['utf8', 'base64']).default('utf8').describe('utf8 for text, base64 for binary files'),
  }),
  async run(args, { agent, ws, limits }) {
    const path = ws.resolve(args.path);
    const shown = ws.show(path);
    const st = await agent.fs.stat(path);
    if (st.isDirectory())
      throw new ToolError(`'${shown}' is a directory; use list_directory to see what it holds`);
    if (!st.isFile()) throw new ToolError(`'${shown}' is a ${typeOf(st)}, not a regular file`);
    const offset = args.offset ?? 0;
    const whole = args.offset === undefined && args.length === undefined;
    const length = args.length ?? Math.max(0, st.size - offset);
    if (length > limits.maxReadBytes) {
      throw new ToolError(
        args.length === undefined
          ? `'${shown}' is too large to read at once (${st.size} bytes; the limit is ${limits.maxReadBytes} bytes): read it in parts with offset and length`
          : `length ${args.length} is over the limit of ${limits.maxReadBytes} bytes per read`,
      );
    }
    const data = await readRange(agent, path, offset, length);
    let text: string;
    if (args.encoding === 'base64') text = data.toString('base64');
    else if (whole && !isUtf8(data)) {
      throw new ToolError(`'${shown}' is not UTF-8 text; read it with encoding "base64"`);
    } else text = data.toString('utf8');
    const audit = { path: shown, size: st.size, offset, bytesRead: data.length, encoding: args.encoding };
    return { text, audit };
  },
});

async function readRange(agent: AgentOS, path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await agent.fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export interface ListedEntry {
  path: string;
  type: FileType;
  size: number;
  target?: string;
}

export const listDirectory = defineTool({
  name: 'list_directory',
  title: 'List a directory',
  description:
    'List a directory of the agent filesystem: one line per entry with its type (d directory, f file, l symlink), name and size. With recursive, the whole tree below it.',
  readOnly: true,
  idempotent: true,
  input: z.object({
    path: z.string().optional().describe(`${PATH} (default /agent)`),
    recursive: z.boolean().default(false).describe('List everything below the directory'),
  }),
  async run(args, ctx) {
    const path = ctx.ws.resolve(args.path ?? ctx.ws.mount);
    const st = await ctx.agent.fs.stat(path);
    if (!st.isDirectory())
      throw new ToolError(`'${ctx.ws.show(path)}' is not a directory; use stat or read_file`);
    const names = await ctx.agent.fs.readdir(path, { recursive: args.recursive });
    const truncated = names.length > ctx.limits.maxResults;
    const entries: ListedEntry[] = [];
    for (const name of names.slice(0, ctx.limits.maxResults))
      entries.push(await describeEntry(ctx, path, name));
    const lines = entries.map(entryLine);
    if (entries.length === 0) lines.push('(empty directory)');
    if (truncated)
      lines.push(
        `… ${names.length - entries.length} more entries not shown (limit ${ctx.limits.maxResults})`,
      );
    const structured = { path: ctx.ws.show(path), entries, truncated };
    return {
      text: lines.join('\n'),
      structured,
      audit: { path: structured.path, count: names.length, truncated },
    };
  },
});

async function describeEntry({ agent }: ToolContext, dir: string, name: string): Promise<ListedEntry> {
  const full = dir === '/' ? `/${name}` : `${dir}/${name}`;
  const st = await agent.fs.lstat(full);
  const entry: ListedEntry = { path: name, type: typeOf(st), size: st.size };
  if (st.isSymbolicLink()) entry.target = await agent.fs.readlink(full);
  return entry;
}

function entryLine(e: ListedEntry): string {
  if (e.type === 'directory') return `d ${e.path}/`;
  if (e.type === 'symlink') return `l ${e.path} -> ${e.target}`;
  if (e.type === 'file') return `f ${e.path} (${e.size} bytes)`;
  return `? ${e.path} (${e.type})`;
}

export const stat = defineTool({
  name: 'stat',
  title: 'Describe a file',
  description:
    'Type, size, permissions, owner and times of a file, directory or symlink (a symlink is described itself, with its target).',
  readOnly: true,
  idempotent: true,
  input: z.object({ path: z.string().describe(PATH) }),
  async run(args, { agent, ws }) {
    const path = ws.resolve(args.path);
    const st = await agent.fs.lstat(path);
    const structured: Record<string, unknown> = {
      path: ws.show(path),
      type: typeOf(st),
      size: st.size,
      permissions: (st.mode & 0o7777).toString(8).padStart(4, '0'),
      uid: st.uid,
      gid: st.gid,
      nlink: st.nlink,
      mtime: st.mtime.toISOString(),
      atime: st.atime.toISOString(),
      ctime: st.ctime.toISOString(),
    };
    if (st.isSymbolicLink()) structured.target = await agent.fs.readlink(path);
    return { text: jsonText(structured), structured };
  },
});
