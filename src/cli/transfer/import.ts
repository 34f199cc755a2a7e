/**
 * `agentos fs import`: copies a host directory tree into the agent filesystem with the modes,
 * access and modification times (to the nanosecond), symlinks and hard links of the source.
 */
import { closeSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { AgentOSError, type AgentOS } from '../../index.js';
import { hostDirectoryStats, openForRead, readAt, readWhole, scanHost, type HostEntry } from './host-tree.js';
import { emptyCounts, type TransferCounts } from './counts.js';
import { startProgress } from './progress.js';

/** Files up to this size are read whole and written in a batch; larger ones are streamed. */
const WHOLE_FILE_MAX = 4 * 1024 * 1024;
/** A batch (one commit) ends after this many entries or bytes, so other processes are not held up long. */
const BATCH_ENTRIES = 256;
const BATCH_BYTES = 8 * 1024 * 1024;

export async function importTree(agent: AgentOS, hostRoot: string, dest: string): Promise<TransferCounts> {
  const rootStats = hostDirectoryStats(hostRoot, 'scandir');
  const entries = scanHost(hostRoot);
  const created = !(await agent.fs.exists(dest));
  await agent.fs.mkdir(dest, { recursive: true });
  const counts = emptyCounts();
  const progress = startProgress('Importing', entries.length);
  const firstNameOf = new Map<string, string>();
  try {
    for (const { group, batched } of groups(entries)) {
      const work = async (): Promise<void> => {
        for (const entry of group) {
          await importEntry(agent, entry, posix.join(dest, entry.rel), counts, firstNameOf);
          progress.tick();
        }
      };
      await (batched ? agent.batch(work) : work());
    }
  } finally {
    progress.stop();
  }
  // Children before parents, so restricted directory modes apply only after their contents.
  const skipped = new Set(counts.skipped);
  const done = entries.filter((e) => !skipped.has(e.rel)).reverse();
  if (created) done.push({ rel: '', path: hostRoot, st: rootStats });
  for (let i = 0; i < done.length; i += BATCH_ENTRIES) {
    await agent.batch(async () => {
      for (const e of done.slice(i, i + BATCH_ENTRIES))
        await applyMetadata(agent, e, posix.join(dest, e.rel));
    });
  }
  return counts;
}

async function importEntry(
  agent: AgentOS,
  entry: HostEntry,
  path: string,
  counts: TransferCounts,
  firstNameOf: Map<string, string>,
): Promise<void> {
  const { st } = entry;
  if (st.isDirectory()) {
    const existing = await agent.fs.lstat(path).catch(() => undefined);
    if (existing && !existing.isDirectory()) await agent.fs.rm(path);
    // Owner-writable until applyMetadata sets the real mode, so the contents can be written.
    if (!existing?.isDirectory()) await agent.fs.mkdir(path, { mode: 0o700 });
    counts.directories++;
    return;
  }
  if (!st.isFile() && !st.isSymbolicLink()) {
    counts.skipped.push(entry.rel);
    return;
  }
  await clearAgentPath(agent, path);
  const inode = `${st.dev}:${st.ino}`;
  const first = st.nlink > 1n ? firstNameOf.get(inode) : undefined;
  if (first !== undefined) {
    await agent.fs.link(first, path);
    counts.hardLinks++;
  } else if (st.isSymbolicLink()) {
    await agent.fs.symlink(readlinkSync(entry.path), path);
    counts.symlinks++;
  } else {
    await copyIn(agent, entry.path, path, Number(st.size));
    counts.files++;
    counts.bytes += Number(st.size);
  }
  if (st.nlink > 1n && first === undefined) firstNameOf.set(inode, path);
}

async function copyIn(agent: AgentOS, hostPath: string, path: string, size: number): Promise<void> {
  if (size <= WHOLE_FILE_MAX) {
    await agent.fs.writeFile(path, readWhole(hostPath, size), { mode: 0o600 });
    return;
  }
  const fd = openForRead(hostPath);
  const handle = await agent.fs.open(path, 'w', 0o600);
  try {
    for (let pos = 0; ;) {
      const piece = readAt(fd, WHOLE_FILE_MAX, pos);
      if (piece.length === 0) break;
      await handle.write(piece, 0, piece.length, pos);
      pos += piece.length;
    }
  } finally {
    closeSync(fd);
    await handle.close();
  }
}

/** An existing non-directory is replaced (never written through); a directory is an error. */
async function clearAgentPath(agent: AgentOS, path: string): Promise<void> {
  const existing = await agent.fs.lstat(path).catch(() => undefined);
  if (!existing) return;
  if (existing.isDirectory())
    throw new AgentOSError('EISDIR', { syscall: 'import', path, message: 'cannot replace a directory' });
  await agent.fs.unlink(path);
}

async function applyMetadata(agent: AgentOS, e: HostEntry, path: string): Promise<void> {
  if (!e.st.isSymbolicLink()) await agent.fs.chmod(path, Number(e.st.mode) & 0o7777);
  await agent.fs.lutimes(path, e.st.atimeNs, e.st.mtimeNs);
}

/**
 * Groups of entries to commit together. A large file travels alone and unbatched: its pieces
 * then commit one by one instead of piling up in one huge transaction.
 */
function* groups(entries: HostEntry[]): Generator<{ group: HostEntry[]; batched: boolean }> {
  let group: HostEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = e.st.isFile() ? Number(e.st.size) : 0;
    if (size > WHOLE_FILE_MAX) {
      if (group.length > 0) yield { group, batched: true };
      yield { group: [e], batched: false };
      group = [];
      bytes = 0;
      continue;
    }
    group.push(e);
    bytes += size;
    if (group.length >= BATCH_ENTRIES || bytes >= BATCH_BYTES) {
      yield { group, batched: true };
      group = [];
      bytes = 0;
    }
  }
  if (group.length > 0) yield { group, batched: true };
}
