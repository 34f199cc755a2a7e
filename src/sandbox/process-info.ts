/**
 * Facts about a sandboxed process that the kernel would use to answer its calls: filesystem
 * credentials and umask, read from /proc/<pid>/status.
 */
import { readFileSync } from 'node:fs';
import type { Credentials } from '../vfs/permissions.js';

export interface ProcessInfo {
  cred: Credentials;
  umask: number;
}

const cache = new Map<number, { info: ProcessInfo; epoch: number }>();
const MAX_CACHED = 4096;

/**
 * processInfo with a cache: reading /proc/<pid>/status costs ~25 µs, and a process's
 * credentials and umask only change through calls the supervisor sees (umask, set*id,
 * setgroups), which bump `epoch`.
 */
export function cachedProcessInfo(pid: number, epoch: number): ProcessInfo {
  const hit = cache.get(pid);
  if (hit && hit.epoch === epoch) return hit.info;
  if (cache.size >= MAX_CACHED) cache.clear();
  const info = processInfo(pid);
  cache.set(pid, { info, epoch });
  return info;
}

/** The caller's fsuid/fsgid, groups and umask; falls back to ours if the process is gone. */
export function processInfo(pid: number): ProcessInfo {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { cred: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, groups: [] }, umask: 0o022 };
  }
  const field = (name: string): string => {
    const at = status.indexOf(`\n${name}:`);
    if (at < 0) return '';
    const end = status.indexOf('\n', at + 1);
    return status.slice(at + name.length + 2, end < 0 ? undefined : end).trim();
  };
  // Uid/Gid lines list real, effective, saved and filesystem ids; access checks use the last.
  const uids = field('Uid').split(/\s+/).map(Number);
  const gids = field('Gid').split(/\s+/).map(Number);
  const groups = field('Groups')
    .split(/\s+/)
    .filter((g) => g.length > 0)
    .map(Number);
  const umask = parseInt(field('Umask') || '022', 8);
  return { cred: { uid: uids[3] ?? uids[0] ?? 0, gid: gids[3] ?? gids[0] ?? 0, groups }, umask };
}
