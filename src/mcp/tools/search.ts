/** search_files: find files by glob pattern, by content (grep), or both. */
import { z } from 'zod';
import type { AgentOS } from '../../sdk/agentos.js';
import { defineTool, type ToolContext } from '../tool.js';
import { ToolError } from '../tool-error.js';
import { globToRegExp } from '../glob.js';

/** Content search skips files larger than this, and files that look binary (a NUL byte early on). */
const MAX_GREP_FILE_BYTES = 4 * 1024 * 1024;
const BINARY_PROBE_BYTES = 8000;
const MAX_LINE_CHARS = 240;

interface FileMatch {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
}

interface LineMatch {
  path: string;
  line: number;
  text: string;
}

export const searchFiles = defineTool({
  name: 'search_files',
  title: 'Search files',
  description:
    'Find files below a directory by glob pattern (e.g. "*.py", "src/**/*.ts", "{a,b}.txt"; a pattern without "/" matches names at any depth) and/or by content: lines containing a string, or matching a regular expression with regex. Give pattern, content or both.',
  readOnly: true,
  idempotent: true,
  input: z.object({
    path: z
      .string()
      .optional()
      .describe('Directory to search, relative to /agent or absolute under it (default /agent)'),
    pattern: z
      .string()
      .optional()
      .describe('Glob pattern matched against paths relative to the searched directory'),
    content: z
      .string()
      .min(1)
      .optional()
      .describe('Text to look for in files (a regular expression with regex)'),
    regex: z.boolean().default(false).describe('Treat content as a JavaScript regular expression'),
    case_sensitive: z.boolean().default(true).describe('Match content with case distinctions'),
    max_results: z.number().int().min(1).optional().describe('Stop after this many results'),
  }),
  async run(args, ctx) {
    if (args.pattern === undefined && args.content === undefined)
      throw new ToolError('give pattern, content or both');
    const root = ctx.ws.resolve(args.path ?? ctx.ws.mount);
    if (!(await ctx.agent.fs.stat(root)).isDirectory())
      throw new ToolError(`'${ctx.ws.show(root)}' is not a directory`);
    const glob = args.pattern === undefined ? undefined : globToRegExp(args.pattern);
    const max = Math.min(args.max_results ?? ctx.limits.maxResults, ctx.limits.maxResults);
    const dirents = await ctx.agent.fs.readdir(root, { recursive: true, withFileTypes: true });
    const candidates: FileMatch[] = [];
    for (const d of dirents) {
      const rel = relative(root, d.parentPath, d.name);
      if (glob && !glob.test(rel)) continue;
      const type = d.isFile()
        ? 'file'
        : d.isDirectory()
          ? 'directory'
          : d.isSymbolicLink()
            ? 'symlink'
            : 'other';
      candidates.push({ path: rel, type });
    }
    if (args.content === undefined) return listResult(ctx, root, candidates, max);
    const re = contentRegExp(args.content, args.regex, args.case_sensitive);
    return grepResult(ctx, root, candidates, re, max);
  },
});

function relative(root: string, parent: string, name: string): string {
  const base = root === '/' ? parent.slice(1) : parent.slice(root.length + 1);
  return base ? `${base}/${name}` : name;
}

function join(root: string, rel: string): string {
  return root === '/' ? `/${rel}` : `${root}/${rel}`;
}

function contentRegExp(content: string, regex: boolean, caseSensitive: boolean): RegExp {
  const source = regex ? content : content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return new RegExp(source, caseSensitive ? '' : 'i');
  } catch (e) {
    throw new ToolError(`content is not a valid regular expression: ${(e as Error).message}`);
  }
}

function listResult({ ws }: ToolContext, root: string, found: FileMatch[], max: number) {
  const shown = found.slice(0, max).map((f) => ({ path: ws.show(join(root, f.path)), type: f.type }));
  const truncated = found.length > max;
  const lines = shown.map((f) => (f.type === 'directory' ? `${f.path}/` : f.path));
  if (lines.length === 0) lines.push('No matches.');
  if (truncated) lines.push(`… ${found.length - max} more not shown (limit ${max})`);
  const structured = { files: shown, truncated };
  return { text: lines.join('\n'), structured, audit: { count: found.length, truncated } };
}

async function grepResult(
  { agent, ws }: ToolContext,
  root: string,
  candidates: FileMatch[],
  re: RegExp,
  max: number,
) {
  const matches: LineMatch[] = [];
  let skipped = 0;
  let truncated = false;
  for (const f of candidates) {
    if (f.type !== 'file') continue;
    const text = await textOf(agent, join(root, f.path));
    if (text === undefined) {
      skipped++;
      continue;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!re.test(lines[i])) continue;
      if (matches.length === max) {
        truncated = true;
        break;
      }
      const line = lines[i].length > MAX_LINE_CHARS ? `${lines[i].slice(0, MAX_LINE_CHARS)}…` : lines[i];
      matches.push({ path: ws.show(join(root, f.path)), line: i + 1, text: line });
    }
    if (truncated) break;
  }
  const out = matches.map((m) => `${m.path}:${m.line}: ${m.text}`);
  if (out.length === 0) out.push('No matches.');
  if (truncated) out.push(`… more matches not shown (limit ${max})`);
  if (skipped > 0) out.push(`(${skipped} binary or very large file${skipped === 1 ? '' : 's'} not searched)`);
  const structured = { matches, truncated, skippedFiles: skipped };
  return {
    text: out.join('\n'),
    structured,
    audit: { count: matches.length, truncated, skippedFiles: skipped },
  };
}

/** A file's text, or undefined for binary and very large files. */
async function textOf(agent: AgentOS, path: string): Promise<string | undefined> {
  const st = await agent.fs.stat(path);
  if (st.size > MAX_GREP_FILE_BYTES) return undefined;
  const data = await agent.fs.readFile(path);
  if (data.subarray(0, BINARY_PROBE_BYTES).includes(0)) return undefined;
  return data.toString('utf8');
}
