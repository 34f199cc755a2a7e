/**
 * Who holds byte-range locks on a file, read from /proc/locks. Turso's multiprocess WAL marks
 * each live process with an OFD lock on byte 0 of `<db>-tshm`, and stock SQLite takes POSIX
 * locks on the database file, so this answers both "is any turso process alive on this
 * database?" and "which foreign program has it locked?" without native code.
 */
import { readFileSync, statSync } from 'node:fs';

export interface FileLock {
  kind: 'POSIX' | 'OFDLCK' | 'FLOCK' | string;
  access: 'READ' | 'WRITE' | string;
  /** -1 for OFD locks, which belong to an open file description, not a process. */
  pid: number;
  start: number;
  end: number | 'EOF';
}

function deviceKey(path: string): { key: string; ino: number } | undefined {
  try {
    const st = statSync(path);
    const major = Math.floor(st.dev / 256) & 0xfff;
    const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
    return { key: `${hex2(major)}:${hex2(minor)}`, ino: st.ino };
  } catch {
    return undefined;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Locks currently held on `path`; empty when the file is missing or /proc/locks is unreadable. */
export function locksOn(path: string): FileLock[] {
  const id = deviceKey(path);
  if (!id) return [];
  let table: string;
  try {
    table = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const locks: FileLock[] = [];
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 2370 fe:00:2146577 120 120"; blocked waiters start with "->".
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] === '->') continue;
    const [maj, min, ino] = f[5].split(':');
    if (`${maj}:${min}` !== id.key || Number(ino) !== id.ino) continue;
    locks.push({
      kind: f[1],
      access: f[3],
      pid: Number(f[4]),
      start: Number(f[6]),
      end: f[7] === 'EOF' ? 'EOF' : Number(f[7]),
    });
  }
  return locks;
}

/** The command name of a process, for error messages ("locked by sqlite3 (pid 42)"). */
export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
