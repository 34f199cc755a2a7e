/**
 * Files unlinked while open stay readable until their last close. Their inodes live on with
 * nlink = 0, recorded in agentos_orphans with the owning process, so that a process that dies
 * before closing them does not leak them: the next process to open the database removes the
 * orphans of processes that are gone.
 */
import { readFileSync } from 'node:fs';
import type { FsStore } from '../store/fs-store.js';

/** A process's start time in clock ticks since boot: with the pid, a unique process identity. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let ownStart: string | undefined;

export function ownProcessIdentity(): { pid: number; start: string } {
  ownStart ??= processStartTime(process.pid) ?? '0';
  return { pid: process.pid, start: ownStart };
}

/** Deletes orphans whose owning process has exited. Returns how many were removed. */
export function removeDeadOrphans(store: FsStore): number {
  let removed = 0;
  for (const orphan of store.listOrphans()) {
    if (processStartTime(orphan.pid) === orphan.pidStart) continue;
    const inode = store.getInode(orphan.ino);
    if (!inode || inode.nlink === 0) store.deleteInode(orphan.ino);
    else store.removeOrphan(orphan.ino);
    removed++;
  }
  return removed;
}
