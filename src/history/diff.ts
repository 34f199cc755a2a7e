/**
 * What changed between two agent databases (typically a snapshot and the live database):
 * files added, deleted and modified, with content compared chunk by chunk, permission, owner
 * and symlink target changes, type changes, key-value changes, and on request unified text
 * diffs of text files.
 *
 * Content is compared unless the two inodes are provably the same version: same inode number,
 * size, mtime and ctime to the nanosecond. Every content change made through AgentOS sets the
 * ctime, so an unchanged file of a snapshot is never read twice.
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from 'diff';
import type { InodeRecord } from '../store/fs-store.js';
import { HistoryStore } from '../store/history-store.js';
import { S_IFMT, fileTypeName, isRegular, isSymlink, type FileTypeName } from '../vfs/constants.js';
import type { Vfs } from '../vfs/vfs.js';
import { comparePaths, isWithin, loadTree, type TreeNode } from './tree.js';

export type FileType = FileTypeName;

export interface FileState {
  type: FileType;
  /** Permission bits (including setuid, setgid, sticky). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  target?: string;
}

export interface FileChange {
  path: string;
  change: 'added' | 'deleted' | 'modified' | 'type-changed';
  before?: FileState;
  after?: FileState;
  /** Regular files whose content differs: chunks (of the newer database's size) that differ. */
  content?: { changedChunks: number; chunks: number; chunkSize: number };
  mode?: { before: number; after: number };
  owner?: { before: { uid: number; gid: number }; after: { uid: number; gid: number } };
  target?: { before: string; after: string };
  /** With `patch`: a unified diff of a text file, or a line saying the files differ. */
  patch?: string;
}

export interface KvChange {
  key: string;
  change: 'added' | 'deleted' | 'modified';
  before?: unknown;
  after?: unknown;
}

export interface DiffResult {
  files: FileChange[];
  kv: KvChange[];
}

export interface DiffOptions {
  /** Add unified diffs of changed text files. */
  patch?: boolean;
  /** Only paths equal to or below these (default: everything). */
  paths?: readonly string[];
  /** Compare key-value stores too (default true). */
  kv?: boolean;
}

/** One side of a diff: a database's VFS (for content) and the tree read from it. */
export interface DiffSide {
  vfs: Vfs;
}

/** Text files up to this size get a unified diff; larger ones a one-line note. */
const PATCH_MAX_BYTES = 4 * 1024 * 1024;
const WINDOW_CHUNKS = 256;

function stateOf(node: TreeNode): FileState {
  const i = node.inode;
  const s: FileState = {
    type: fileTypeName(i.mode),
    mode: i.mode & 0o7777,
    uid: i.uid,
    gid: i.gid,
    size: i.size,
  };
  if (node.target !== undefined) s.target = node.target;
  return s;
}

/**
 * The changes that turn `before` into `after`, in path order, each database read in one
 * snapshot (both read transactions stay open while content is compared).
 */
export function diffDatabases(before: DiffSide, after: DiffSide, options: DiffOptions = {}): DiffResult {
  return before.vfs.conn.read(() => after.vfs.conn.read(() => compute(before, after, options)));
}

function compute(before: DiffSide, after: DiffSide, options: DiffOptions): DiffResult {
  const a = loadTree(before.vfs.conn);
  const b = loadTree(after.vfs.conn);
  const within = (p: string) => !options.paths || options.paths.some((prefix) => isWithin(p, prefix));
  const paths = [...new Set([...a.keys(), ...b.keys()])]
    .filter((p) => p !== '/' && within(p))
    .sort(comparePaths);
  if (a.has('/') && b.has('/') && within('/')) paths.unshift('/');
  const files: FileChange[] = [];
  for (const path of paths) {
    const change = compareNode(path, a.get(path), b.get(path), before.vfs, after.vfs, options.patch ?? false);
    if (change) files.push(change);
  }
  const kv = options.kv === false ? [] : diffKv(before.vfs, after.vfs);
  return { files, kv };
}

function compareNode(
  path: string,
  x: TreeNode | undefined,
  y: TreeNode | undefined,
  va: Vfs,
  vb: Vfs,
  patch: boolean,
): FileChange | undefined {
  if (!x && !y) return undefined;
  if (!x || !y) {
    const node = (x ?? y)!;
    const change: FileChange = x
      ? { path, change: 'deleted', before: stateOf(node) }
      : { path, change: 'added', after: stateOf(node) };
    if (patch)
      change.patch = patchOf(
        path,
        x ? content(va, x) : undefined,
        y ? content(vb, y) : undefined,
        x?.inode,
        y?.inode,
      );
    return change;
  }
  const change: FileChange = { path, change: 'modified', before: stateOf(x), after: stateOf(y) };
  if ((x.inode.mode & S_IFMT) !== (y.inode.mode & S_IFMT)) {
    change.change = 'type-changed';
    if (patch) change.patch = patchOf(path, content(va, x), content(vb, y), x.inode, y.inode);
    return change;
  }
  let differs = false;
  if ((x.inode.mode & 0o7777) !== (y.inode.mode & 0o7777)) {
    change.mode = { before: x.inode.mode & 0o7777, after: y.inode.mode & 0o7777 };
    differs = true;
  }
  if (x.inode.uid !== y.inode.uid || x.inode.gid !== y.inode.gid) {
    change.owner = {
      before: { uid: x.inode.uid, gid: x.inode.gid },
      after: { uid: y.inode.uid, gid: y.inode.gid },
    };
    differs = true;
  }
  if (x.target !== y.target) {
    change.target = { before: x.target ?? '', after: y.target ?? '' };
    differs = true;
  }
  if (isRegular(y.inode.mode) && !sameVersion(x.inode, y.inode)) {
    const c = compareContent(va, x.inode, vb, y.inode);
    if (c.changedChunks > 0) {
      change.content = c;
      differs = true;
    }
  }
  if (!differs) return undefined;
  if (patch && (change.content || change.target || change.mode)) {
    change.patch = patchOf(path, content(va, x), content(vb, y), x.inode, y.inode);
  }
  return change;
}

function sameVersion(x: InodeRecord, y: InodeRecord): boolean {
  return (
    x.ino === y.ino &&
    x.size === y.size &&
    x.mtime === y.mtime &&
    x.mtimeNsec === y.mtimeNsec &&
    x.ctime === y.ctime &&
    x.ctimeNsec === y.ctimeNsec
  );
}

/**
 * Chunks whose bytes differ between `x` (read through `va`; undefined: an empty file) and `y`
 * (through `vb`), in units of `chunkSize` (default: `vb`'s), reading a window at a time;
 * `onChunk` gets each differing chunk of `y` that has bytes.
 */
export function compareContent(
  va: Vfs,
  x: InodeRecord | undefined,
  vb: Vfs,
  y: InodeRecord,
  options: { chunkSize?: number; onChunk?: (index: number, data: Buffer) => void } = {},
): { changedChunks: number; chunks: number; chunkSize: number } {
  const cs = options.chunkSize ?? vb.chunkSize;
  const window = WINDOW_CHUNKS * cs;
  const end = Math.max(x?.size ?? 0, y.size);
  let changed = 0;
  for (let offset = 0; offset < end; offset += window) {
    const p = x ? va.read(x.ino, offset, window) : Buffer.alloc(0);
    const q = vb.read(y.ino, offset, window);
    for (let at = 0; at < Math.max(p.length, q.length); at += cs) {
      const chunk = q.subarray(at, at + cs);
      if (!p.subarray(at, at + cs).equals(chunk)) {
        changed++;
        if (chunk.length > 0) options.onChunk?.((offset + at) / cs, chunk);
      }
    }
  }
  return { changedChunks: changed, chunks: Math.ceil(y.size / cs), chunkSize: cs };
}

/** What a patch shows of a node: file content, a symlink's target (as git does), else nothing. */
function content(vfs: Vfs, node: TreeNode): Buffer | undefined {
  if (isSymlink(node.inode.mode)) return Buffer.from(node.target ?? '', 'utf8');
  if (!isRegular(node.inode.mode) || node.inode.size > PATCH_MAX_BYTES) return undefined;
  return vfs.read(node.inode.ino, 0, node.inode.size);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(data: Buffer | undefined): string | undefined {
  if (data === undefined || data.includes(0)) return undefined;
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/** A git-style unified diff of one path; directories and special files have none. */
function patchOf(
  path: string,
  a: Buffer | undefined,
  b: Buffer | undefined,
  ia?: InodeRecord,
  ib?: InodeRecord,
): string | undefined {
  const hasContent = (i?: InodeRecord) => i !== undefined && (isRegular(i.mode) || isSymlink(i.mode));
  if (!hasContent(ia) && !hasContent(ib)) return undefined;
  const name = path.slice(1);
  const lines = [`diff --git a/${name} b/${name}`];
  const octal = (i: InodeRecord) => (i.mode & (S_IFMT | 0o777)).toString(8).padStart(6, '0');
  if (!ia || !hasContent(ia)) lines.push(`new file mode ${octal(ib!)}`);
  else if (!ib || !hasContent(ib)) lines.push(`deleted file mode ${octal(ia)}`);
  else if (octal(ia) !== octal(ib)) lines.push(`old mode ${octal(ia)}`, `new mode ${octal(ib)}`);
  const textA = hasContent(ia) ? asText(a) : '';
  const textB = hasContent(ib) ? asText(b) : '';
  const oldName = hasContent(ia) ? `a/${name}` : '/dev/null';
  const newName = hasContent(ib) ? `b/${name}` : '/dev/null';
  if (textA === undefined || textB === undefined) {
    lines.push(`Binary files ${oldName} and ${newName} differ`);
    return lines.join('\n') + '\n';
  }
  if (textA === textB) return lines.length > 1 ? lines.join('\n') + '\n' : undefined;
  const body = createTwoFilesPatch(oldName, newName, textA, textB, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
  return `${lines.join('\n')}\n${body.replace(/^(---|\+\+\+) (\S+)\t$/gm, '$1 $2')}`;
}

function diffKv(va: Vfs, vb: Vfs): KvChange[] {
  const a = new HistoryStore(va.conn).kv();
  const b = new HistoryStore(vb.conn).kv();
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: KvChange[] = [];
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === y) continue;
    const change: KvChange = {
      key,
      change: x === undefined ? 'added' : y === undefined ? 'deleted' : 'modified',
    };
    if (x !== undefined) change.before = parseJson(x);
    if (y !== undefined) change.after = parseJson(y);
    out.push(change);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
