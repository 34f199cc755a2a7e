/**
 * Which entries of a cache directory some process still uses. A program's close cannot tell
 * the supervisor that a placeholder or a file copy is free (dup, fork and the supervisor's own
 * descriptor share it), so the descriptor tables themselves are read: readlink of
 * /proc/<pid>/task/<tid>/fd/<n> for every task but this process's own (a task may have a table
 * of its own), and with `mappings` also /proc/<pid>/maps (a mapped or executing copy). A
 * descriptor in flight in a unix socket message is in no table.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const DELETED = ' (deleted)';

/** Names of the entries of directory `dir` that other processes hold open (or map). */
export function entriesInUse(dir: string, options: { mappings?: boolean } = {}): Set<string> {
  const prefix = `${dir}/`;
  const names = new Set<string>();
  const note = (path: string) => {
    if (!path.startsWith(prefix)) return;
    const name = path.slice(prefix.length);
    names.add(name.endsWith(DELETED) ? name.slice(0, -DELETED.length) : name);
  };
  const own = String(process.pid);
  for (const pid of listOrEmpty('/proc')) {
    if (pid === own || !/^\d+$/.test(pid)) continue;
    for (const tid of listOrEmpty(`/proc/${pid}/task`)) {
      const fdDir = `/proc/${pid}/task/${tid}/fd`;
      for (const fd of listOrEmpty(fdDir)) {
        try {
          note(readlinkSync(`${fdDir}/${fd}`));
        } catch {
          // closed meanwhile
        }
      }
    }
    if (options.mappings) for (const path of mappedPaths(pid, prefix)) note(path);
  }
  return names;
}

/** Paths under `prefix` that process `pid` maps (the path is the last field of a maps line). */
function mappedPaths(pid: string, prefix: string): string[] {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const line of maps.split('\n')) {
    const at = line.indexOf(prefix);
    if (at >= 0) paths.push(line.slice(at));
  }
  return paths;
}

/** The entries of a /proc directory, or none when it is gone or not ours to read. */
function listOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
