/** Directory listings for `fs ls` and `fs stat`, built from public SDK calls only. */
import { posix } from 'node:path';
import type { AgentFs, Stats } from '../index.js';

export interface Entry {
  name: string;
  /** Path inside the agent filesystem. */
  path: string;
  /** File type bits. */
  mode: number;
}

/** An entry as `ls -l` shows it: its lstat, and the target of a symlink. */
export interface LongEntry extends Entry {
  stats: Stats;
  target?: string;
}

export async function describe(fs: AgentFs, path: string, name: string): Promise<LongEntry> {
  const stats = await fs.lstat(path);
  const entry: LongEntry = { name, path, mode: stats.mode, stats };
  if (stats.isSymbolicLink()) entry.target = await fs.readlink(path);
  return entry;
}

/**
 * The entries of a directory in name order; a path naming anything else (or a symlink to a
 * non-directory) lists just itself, as ls does. Needs nothing but the directory itself, so it
 * works even on names the VFS would refuse to look up (a NUL written by a foreign tool).
 */
export async function listNames(fs: AgentFs, path: string): Promise<Entry[]> {
  const st = await fs.stat(path);
  if (!st.isDirectory()) return [{ name: path, path, mode: st.mode }];
  const dirents = await fs.readdir(path, { withFileTypes: true });
  return dirents.map((d) => ({ name: d.name, path: posix.join(path, d.name), mode: d.mode }));
}

/** listNames plus lstat and readlink of every entry. */
export async function listLong(fs: AgentFs, path: string): Promise<LongEntry[]> {
  const st = await fs.stat(path);
  if (!st.isDirectory()) return [await describe(fs, path, path)];
  return Promise.all((await listNames(fs, path)).map((e) => describe(fs, e.path, e.name)));
}
