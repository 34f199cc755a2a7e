/** Directory listings for `fs ls` and `fs tree`, built from public SDK calls only. */
import { posix } from 'node:path';
import type { AgentFs, Stats } from '../index.js';

export interface Entry {
  name: string;
  /** Path inside the agent filesystem. */
  path: string;
  stats: Stats;
  /** Symlink target, for symlinks. */
  target?: string;
}

/** lstat plus readlink, as `ls -l` shows an entry. */
export async function describe(fs: AgentFs, path: string, name: string): Promise<Entry> {
  const stats = await fs.lstat(path);
  const entry: Entry = { name, path, stats };
  if (stats.isSymbolicLink()) entry.target = await fs.readlink(path);
  return entry;
}

/**
 * The entries of a directory in name order; a path naming anything else (or a symlink to a
 * non-directory) lists just itself, as ls does.
 */
export async function listDirectory(fs: AgentFs, path: string): Promise<Entry[]> {
  const st = await fs.stat(path);
  if (!st.isDirectory()) return [await describe(fs, path, path)];
  const names = await fs.readdir(path);
  return Promise.all(names.map((name) => describe(fs, posix.join(path, name), name)));
}
