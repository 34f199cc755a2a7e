/** Reading and writing host directory trees for `fs import` and `fs export`. */
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface HostEntry {
  /** Path relative to the root, with `/` separators; '' for the root itself. */
  rel: string;
  path: string;
  st: BigIntStats;
}

/** Every entry below `root` (not the root), parents before children, names in byte order. */
export function scanHost(root: string): HostEntry[] {
  const out: HostEntry[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort(compareBytes)) {
      const path = join(dir, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path, { bigint: true });
      out.push({ rel: childRel, path, st });
      if (st.isDirectory()) walk(path, childRel);
    }
  };
  walk(root, '');
  return out;
}

/** The root of an import or export must be a directory (a symlink to one is followed). */
export function hostDirectoryStats(path: string, syscall: string): BigIntStats {
  const st = statSync(path, { bigint: true });
  if (!st.isDirectory()) {
    const err: NodeJS.ErrnoException = new Error(`ENOTDIR: not a directory, ${syscall} '${path}'`);
    Object.assign(err, { code: 'ENOTDIR', errno: -20, syscall, path });
    throw err;
  }
  return st;
}

/**
 * Opens a host file for reading without updating its atime where the kernel allows it
 * (O_NOATIME needs the caller to own the file), so importing leaves the source untouched.
 */
export function openForRead(path: string): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOATIME);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    return openSync(path, constants.O_RDONLY);
  }
}

/** Reads `length` bytes at `position` (short only at end of file). */
export function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

export function readWhole(path: string, size: number): Buffer {
  const fd = openForRead(path);
  try {
    return readAt(fd, size, 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes room for a new non-directory at `path`: an existing file or symlink is removed (never
 * written through, which could follow a symlink out of the tree); a directory is an error.
 */
export function clearHostPath(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    const err: NodeJS.ErrnoException = new Error(`EISDIR: cannot replace a directory, export '${path}'`);
    Object.assign(err, { code: 'EISDIR', errno: -21, syscall: 'export', path });
    throw err;
  }
  unlinkSync(path);
}

/** Names sorted as bytes, as the agent filesystem sorts them. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * `mkdir -p` on the host. Not `mkdirSync(path, { recursive: true })`: in Node 20 that loops
 * forever where a parent exists but the child can never be made (`/proc/x`: ENOENT for the
 * child, EEXIST for the parent, again and again); here each level is tried once.
 */
export function makeHostDirectories(path: string): void {
  try {
    mkdirSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw e;
    makeHostDirectories(dirname(path));
    mkdirSync(path);
  }
}
