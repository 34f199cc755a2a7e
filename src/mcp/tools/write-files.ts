/** The file tools that change the tree: write_file, edit_file, make_directory, remove, move. */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { constants } from '../../sdk/constants.js';
import { isAgentOSError } from '../../errors.js';
import { defineTool, type Limits } from '../tool.js';
import { ToolError } from '../tool-error.js';

const PATH = 'Path relative to /agent, or absolute under /agent';

function checkSize(bytes: number, limits: Limits, what: string): void {
  if (bytes > limits.maxWriteBytes) {
    throw new ToolError(`${what} is too large (${bytes} bytes; the limit is ${limits.maxWriteBytes} bytes)`);
  }
}

function decode(content: string, encoding: 'utf8' | 'base64'): Buffer {
  if (encoding === 'utf8') return Buffer.from(content, 'utf8');
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) throw new ToolError('content is not valid base64');
  return Buffer.from(content, 'base64');
}

export const writeFile = defineTool({
  name: 'write_file',
  title: 'Write a file',
  description:
    'Create or replace a file of the agent filesystem with the given content (or append to it). Missing parent directories are created.',
  readOnly: false,
  destructive: true,
  idempotent: true,
  input: z.object({
    path: z.string().describe(PATH),
    content: z.string().describe('The new content'),
    encoding: z
      .enum(['utf8', 'base64'])
      .default('utf8')
      .describe('How content is given: utf8 text or base64 bytes'),
    append: z.boolean().default(false).describe('Append to the file instead of replacing it'),
  }),
  async run(args, { agent, ws, limits }) {
    const path = ws.resolve(args.path);
    if (path === '/') throw new ToolError(`'${ws.mount}' is the workspace directory, not a file`);
    const data = decode(args.content, args.encoding);
    checkSize(data.length, limits, 'content');
    if (args.append) await agent.fs.appendFile(path, data);
    else await agent.fs.writeFile(path, data);
    const size = (await agent.fs.stat(path)).size;
    const structured = { path: ws.show(path), bytesWritten: data.length, size };
    const verb = args.append ? 'Appended' : 'Wrote';
    return { text: `${verb} ${data.length} bytes to ${structured.path} (now ${size} bytes)`, structured };
  },
});

export const editFile = defineTool({
  name: 'edit_file',
  title: 'Edit a file',
  description:
    'Replace an exact string in a text file. old_string must occur exactly once (include surrounding lines to make it unique), unless replace_all is set to replace every occurrence.',
  readOnly: false,
  destructive: true,
  input: z.object({
    path: z.string().describe(PATH),
    old_string: z
      .string()
      .min(1)
      .describe('Text to find, exactly as it is in the file (whitespace included)'),
    new_string: z.string().describe('Text to put in its place'),
    replace_all: z
      .boolean()
      .default(false)
      .describe('Replace every occurrence instead of requiring exactly one'),
  }),
  async run(args, { agent, ws, limits }) {
    const path = ws.resolve(args.path);
    const shown = ws.show(path);
    if (args.old_string === args.new_string)
      throw new ToolError('old_string and new_string are the same; nothing to change');
    const st = await agent.fs.stat(path);
    if (!st.isFile()) throw new ToolError(`'${shown}' is not a regular file`);
    checkSize(st.size, limits, `'${shown}'`);
    const bytes = await agent.fs.readFile(path);
    if (!isUtf8(bytes)) throw new ToolError(`'${shown}' is not UTF-8 text; edit_file only edits text files`);
    const text = bytes.toString('utf8');
    const pieces = text.split(args.old_string);
    const count = pieces.length - 1;
    if (count === 0)
      throw new ToolError(
        `old_string was not found in '${shown}' (it must match exactly, whitespace included)`,
      );
    if (count > 1 && !args.replace_all) {
      throw new ToolError(
        `old_string occurs ${count} times in '${shown}'; include more surrounding text to make it unique, or set replace_all`,
      );
    }
    const updated = pieces.join(args.new_string);
    checkSize(Buffer.byteLength(updated), limits, 'the edited file');
    await agent.fs.writeFile(path, updated);
    const structured = { path: shown, replacements: count };
    return { text: `Replaced ${count} occurrence${count === 1 ? '' : 's'} in ${shown}`, structured };
  },
});

export const makeDirectory = defineTool({
  name: 'make_directory',
  title: 'Make a directory',
  description: 'Create a directory and any missing parents; an existing directory is not an error.',
  readOnly: false,
  idempotent: true,
  input: z.object({ path: z.string().describe(PATH) }),
  async run(args, { agent, ws }) {
    const path = ws.resolve(args.path);
    const created = (await agent.fs.mkdir(path, { recursive: true })) !== undefined;
    const structured = { path: ws.show(path), created };
    return { text: created ? `Created ${structured.path}` : `${structured.path} already exists`, structured };
  },
});

export const remove = defineTool({
  name: 'remove',
  title: 'Remove a file or directory',
  description:
    'Remove a file, a symlink (not its target) or an empty directory; a directory with contents needs recursive.',
  readOnly: false,
  destructive: true,
  input: z.object({
    path: z.string().describe(PATH),
    recursive: z.boolean().default(false).describe('Remove a directory and everything in it'),
  }),
  async run(args, { agent, ws }) {
    const path = ws.resolve(args.path);
    const shown = ws.show(path);
    if (path === '/') throw new ToolError(`refusing to remove the workspace root '${ws.mount}'`);
    const st = await agent.fs.lstat(path);
    if (!st.isDirectory()) await agent.fs.unlink(path);
    else if (args.recursive) await agent.fs.rm(path, { recursive: true });
    else {
      try {
        await agent.fs.rmdir(path);
      } catch (e) {
        if (isAgentOSError(e, 'ENOTEMPTY')) {
          throw new ToolError(
            `'${shown}' is a directory that is not empty; set recursive to remove it and everything in it`,
          );
        }
        throw e;
      }
    }
    return { text: `Removed ${shown}`, structured: { path: shown } };
  },
});

export const move = defineTool({
  name: 'move',
  title: 'Move or rename',
  description:
    'Move or rename a file or directory. The destination is the new path itself (missing parent directories are created); an existing destination is replaced only with overwrite.',
  readOnly: false,
  destructive: true,
  input: z.object({
    source: z.string().describe(PATH),
    destination: z.string().describe(PATH),
    overwrite: z
      .boolean()
      .default(false)
      .describe('Replace an existing file (or empty directory) at destination'),
  }),
  async run(args, { agent, ws }) {
    const source = ws.resolve(args.source, 'source');
    const destination = ws.resolve(args.destination, 'destination');
    const shown = { source: ws.show(source), destination: ws.show(destination) };
    if (source === '/' || destination === '/')
      throw new ToolError(`the workspace root '${ws.mount}' cannot be moved or replaced`);
    await agent.fs.lstat(source);
    if (destination.startsWith(source + '/')) {
      throw new ToolError(`cannot move '${shown.source}' into itself ('${shown.destination}')`);
    }
    const parent = destination.slice(0, destination.lastIndexOf('/')) || '/';
    await agent.fs.mkdir(parent, { recursive: true });
    try {
      await agent.fs.rename(source, destination, args.overwrite ? 0 : constants.RENAME_NOREPLACE);
    } catch (e) {
      if (isAgentOSError(e, 'EEXIST'))
        throw new ToolError(`'${shown.destination}' already exists; set overwrite to replace it`);
      throw e;
    }
    return { text: `Moved ${shown.source} to ${shown.destination}`, structured: shown };
  },
});
