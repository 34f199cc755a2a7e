/**
 * Content a sandbox run holds in its cache and has not written back yet is recorded in
 * agentos_pending_content (see the sandbox's backing store). When that run dies first, the next
 * process to open the database copies the content from the cache file, which outlives the run
 * (the next run removes the cache directory only after this). A cache file that is gone (the
 * machine rebooted) leaves the last written-back content.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import type { PendingContentStore } from '../store/pending-content-store.js';
import { allChunks, storeHostContent } from './host-content.js';
import { processStartTime } from './orphans.js';
import type { Vfs } from './vfs.js';

/** Recovers the pending content of runs that are gone; returns how many files were restored. */
export function recoverPendingContent(vfs: Vfs, pending: PendingContentStore): number {
  if (!vfs.conn.read(() => pending.any())) return 0;
  let restored = 0;
  for (const entry of vfs.conn.read(() => pending.list())) {
    if (processStartTime(entry.pid) === entry.pidStart) continue;
    if (restorePendingFile(vfs, entry.ino, entry.path)) restored++;
    vfs.conn.write(() => pending.clear(entry.ino));
  }
  return restored;
}

/**
 * Copies the content of host file `path` (a run's cache file) into inode `ino`: all its chunks,
 * its size and mtime. False when the file or the inode is gone, or the content does not fit.
 */
export function restorePendingFile(vfs: Vfs, ino: number, path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const size = Number(st.size);
    const mtime = { sec: Number(st.mtimeNs / 1_000_000_000n), nsec: Number(st.mtimeNs % 1_000_000_000n) };
    return storeHostContent(vfs, ino, fd, allChunks(size, vfs.chunkSize), { size, mtime }) !== undefined;
  } catch {
    // Over the quota, or the inode changed shape meanwhile: the written-back content stays.
    return false;
  } finally {
    closeSync(fd);
  }
}
