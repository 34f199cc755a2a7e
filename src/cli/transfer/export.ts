/**
 * `agentos fs export`: recreates a directory of the agent filesystem on the host with the
 * modes, access and modification times (to the nanosecond), symlinks and hard links it has in
 * the database. Ownership is not copied: exported files belong to the user running agentos.
 */
import {
  chmodSync,
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { AgentOSError, type AgentOS, type Stats } from '../../index.js';
import { clearHostPath, makeHostDirectories } from './host-tree.js';
import { HostTimes } from './host-times.js';
import { emptyCounts, type TransferCounts } from './counts.js';
import { startProgress } from './progress.js';

interface AgentEntry {
  rel: string;
  path: string;
  st: Stats;
}

export async function exportTree(agent: AgentOS, src: string, hostRoot: string): Promise<TransferCounts> {
  const rootStats = await agent.fs.stat(src);
  if (!rootStats.isDirectory()) throw new AgentOSError('ENOTDIR', { syscall: 'export', path: src });
  const entries = await walkAgent(agent, src);
  const created = !exists(hostRoot);
  makeHostDirectories(hostRoot);
  const counts = emptyCounts();
  const progress = startProgress('Exporting', entries.length);
  const firstNameOf = new Map<number, string>();
  try {
    for (const entry of entries) {
      await exportEntry(agent, entry, join(hostRoot, entry.rel), counts, firstNameOf);
      progress.tick();
    }
  } finally {
    progress.stop();
  }
  const skipped = new Set(counts.skipped);
  // Children before parents: times first (directories still writable), then modes.
  const done = entries.filter((e) => !skipped.has(e.rel)).reverse();
  if (created) done.push({ rel: '', path: src, st: rootStats });
  const times = new HostTimes();
  for (const e of done) times.set(join(hostRoot, e.rel), e.st.atimeNs, e.st.mtimeNs);
  try {
    await times.flush();
  } finally {
    for (const e of done) if (!e.st.isSymbolicLink()) chmodSync(join(hostRoot, e.rel), e.st.mode & 0o7777);
  }
  return counts;
}

/** Every entry below `root`, parents before children, in name order. */
async function walkAgent(agent: AgentOS, root: string): Promise<AgentEntry[]> {
  const out: AgentEntry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of await agent.fs.readdir(dir)) {
      const path = posix.join(dir, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = await agent.fs.lstat(path);
      out.push({ rel: childRel, path, st });
      if (st.isDirectory()) await walk(path, childRel);
    }
  };
  await walk(root, '');
  return out;
}

async function exportEntry(
  agent: AgentOS,
  entry: AgentEntry,
  hostPath: string,
  counts: TransferCounts,
  firstNameOf: Map<number, string>,
): Promise<void> {
  const { st } = entry;
  if (st.isDirectory()) {
    const existing = lstatOrUndefined(hostPath);
    if (existing && !existing.isDirectory()) unlinkSync(hostPath);
    // Owner-writable until the final chmod, so the contents can be written.
    if (!existing?.isDirectory()) mkdirSync(hostPath, 0o700);
    counts.directories++;
    return;
  }
  if (!st.isFile() && !st.isSymbolicLink()) {
    counts.skipped.push(entry.rel);
    return;
  }
  clearHostPath(hostPath);
  const first = st.nlink > 1 ? firstNameOf.get(st.ino) : undefined;
  if (first !== undefined) {
    linkSync(first, hostPath);
    counts.hardLinks++;
  } else if (st.isSymbolicLink()) {
    symlinkSync(await agent.fs.readlink(entry.path), hostPath);
    counts.symlinks++;
  } else {
    await copyOut(agent, entry.path, hostPath);
    counts.files++;
    counts.bytes += st.size;
  }
  if (st.nlink > 1 && first === undefined) firstNameOf.set(st.ino, hostPath);
}

async function copyOut(agent: AgentOS, path: string, hostPath: string): Promise<void> {
  // Read whole: a FileHandle would stream in pieces, but closing one on a read-only agent
  // fails with EROFS (Vfs.release always opens a write transaction).
  const data = await agent.fs.readFile(path);
  // 'wx': clearHostPath removed what was there; never follow a symlink planted meanwhile.
  const fd = openSync(hostPath, 'wx', 0o600);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  return lstatOrUndefined(path) !== undefined;
}
