/**
 * Glob patterns for search_files, matched against paths relative to the search root:
 * `*` and `?` stay within one path component, `**` spans any number of them, `[abc]`/`[!abc]`
 * are character classes and `{a,b}` alternatives. A pattern without a slash matches the last
 * component at any depth (`*.py` finds every Python file), as in .gitignore and ripgrep.
 */
import { ToolError } from './tool-error.js';

export function globToRegExp(pattern: string): RegExp {
  let p = pattern.replace(/^(\.\/|\/)+/, '');
  if (p === '') throw new ToolError('pattern must not be empty');
  const anyDepth = !p.includes('/');
  if (p.endsWith('/')) p = p.slice(0, -1);
  const body = translate(p);
  return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${body}$`, 's');
}

function translate(p: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        const slashAfter = p[i + 2] === '/';
        if (atStart && slashAfter) {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const cls = p.slice(i + 1, end).replace(/\\/g, '\\\\');
        // A negated class never matches the separator: `*` and `?` stay in one component too.
        out += cls.startsWith('!') || cls.startsWith('^') ? `[^${cls.slice(1)}/]` : `[${cls}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else if (c === '\\' && i + 1 < p.length) out += escape(p[++i]);
    else out += escape(c);
  }
  if (braces > 0) throw new ToolError(`pattern '${p}' has an unclosed {`);
  return out;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
