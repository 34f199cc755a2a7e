/**
 * Which placeholders of the cache some process still holds a descriptor on. A program's close
 * cannot tell the supervisor that a directory handle is free (dup, fork and the supervisor's
 * own descriptor share it), so the descriptor tables themselves are read: readlink of
 * /proc/<pid>/task/<tid>/fd/<n> for every task but this process's own (a task may have a
 * table of its own). A descriptor in flight in a unix socket message is in no table.
 */
import { readdirSync, readlinkSync } from 'node:fs';

/** Ids (the `.<id>` suffix) of the entries of directory `dir` that other processes hold open. */
export function placeholderIdsInUse(dir: string): Set<number> {
  const prefix = `${dir}/`;
  const ids = new Set<number>();
  const own = String(process.pid);
  for (const pid of listOrEmpty('/proc')) {
    if (pid === own || !/^\d+$/.test(pid)) continue;
    for (const tid of listOrEmpty(`/proc/${pid}/task`)) {
      const fdDir = `/proc/${pid}/task/${tid}/fd`;
      for (const fd of listOrEmpty(fdDir)) {
        let link: string;
        try {
          link = readlinkSync(`${fdDir}/${fd}`);
        } catch {
          continue; // closed meanwhile
        }
        if (!link.startsWith(prefix)) continue;
        const id = /\.(\d+)(?: \(deleted\))?$/.exec(link)?.[1];
        if (id !== undefined) ids.add(Number(id));
      }
    }
  }
  return ids;
}

/** The entries of a /proc directory, or none when it is gone or not ours to read. */
function listOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
