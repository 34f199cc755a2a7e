/** Small text formatters shared by the CLI commands: file types, ls-style modes, times, tables. */
import { constants, type Stats } from '../index.js';
import { fileTypeName } from '../vfs/constants.js';

const S_IFMT = constants.S_IFMT;

/** One letter per file type, as `agentos fs ls` prints it (`f`, `d`, `l`, …). */
const TYPE_LETTERS: Record<number, string> = {
  0o100000: 'f',
  0o040000: 'd',
  0o120000: 'l',
  0o010000: 'p',
  0o020000: 'c',
  0o060000: 'b',
  0o140000: 's',
};

/** The first character of `ls -l`'s mode column per type. */
const LS_TYPE_CHARS: Record<number, string> = {
  0o100000: '-',
  0o040000: 'd',
  0o120000: 'l',
  0o010000: 'p',
  0o020000: 'c',
  0o060000: 'b',
  0o140000: 's',
};

export function typeLetter(mode: number): string {
  return TYPE_LETTERS[mode & S_IFMT] ?? '?';
}

/** `-rwxr-sr-t` style, including setuid, setgid and sticky bits, as ls prints them. */
export function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, lower: string, upper: string): string =>
    (bits & 4 ? 'r' : '-') +
    (bits & 2 ? 'w' : '-') +
    (special ? (bits & 1 ? lower : upper) : bits & 1 ? 'x' : '-');
  return (
    (LS_TYPE_CHARS[mode & S_IFMT] ?? '?') +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, 's', 'S') +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, 's', 'S') +
    rwx(mode & 7, (mode & 0o1000) !== 0, 't', 'T')
  );
}

/** Permission bits as four octal digits (`0755`). */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local time as `2024-05-01 14:03` (ls --time-style=long-iso). */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local time with milliseconds, `2024-05-01 14:03:07.250`, for timelines. */
export function longTime(ms: number): string {
  const d = new Date(ms);
  return `${shortTime(ms)}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Epoch nanoseconds (bigint) as an ISO-8601 UTC time keeping all nine fraction digits. */
export function isoNanos(ns: bigint): string {
  const sec = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const frac = ns - sec * 1_000_000_000n;
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

/**
 * Names exactly as stored can hold newlines or escape sequences; printed raw they would break
 * the one-entry-per-line output or drive the terminal. Control characters and backslashes are
 * shown escaped (`\n`, `\x1b`, `\\`), as `ls -b` does. JSON output keeps names raw.
 */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
  });
}

export type Align = 'left' | 'right';

/** Rows of cells as aligned columns separated by two spaces; the last column is never padded. */
export function table(rows: string[][], align: Align[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && align[i] !== 'right') return cell;
        return align[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  '),
  );
}

/** Cuts a one-line summary to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : line.slice(0, max - 1) + '…';
}

/** The fields of a Stats that `fs stat --json` and `fs ls -l --json` report; times keep nanoseconds. */
export interface StatJson {
  type: string;
  mode: string;
  permissions: string;
  ino: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  blocks: number;
  atime: string;
  mtime: string;
  ctime: string;
  target?: string;
}

export function statJson(st: Stats, target?: string): StatJson {
  const out: StatJson = {
    type: fileTypeName(st.mode),
    mode: modeString(st.mode),
    permissions: octalMode(st.mode),
    ino: st.ino,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    blocks: st.blocks,
    atime: isoNanos(st.atimeNs),
    mtime: isoNanos(st.mtimeNs),
    ctime: isoNanos(st.ctimeNs),
  };
  if (target !== undefined) out.target = target;
  return out;
}
