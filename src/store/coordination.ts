/**
 * Turso's multiprocess WAL coordinates processes through `<db>-tshm`. When no turso process is
 * alive, that file is only a cache of the WAL; but if stock SQLite has since checkpointed and
 * deleted the WAL, the cache points at frames that no longer exist and turso refuses to open
 * ("short read on WAL frame"). Removing a coordination file nobody holds is always safe: turso
 * rebuilds it from the WAL.
 */
import { closeSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { locksOn, processName } from './file-locks.js';

export function coordinationFileOf(dbPath: string): string {
  return `${dbPath}-tshm`;
}

/** Whether a live AgentOS (turso) process has the database open. */
export function isHeldByLiveProcess(dbPath: string): boolean {
  return locksOn(coordinationFileOf(dbPath)).length > 0;
}

/** Deletes `<db>-tshm` when no live process holds its lifetime lock. */
export function removeStaleCoordinationFile(dbPath: string): void {
  const tshm = coordinationFileOf(dbPath);
  let inode: number;
  try {
    inode = statSync(tshm).ino;
  } catch {
    return;
  }
  if (locksOn(tshm).length > 0) return;
  // Another opener may have replaced the file since we looked; only remove the one we checked.
  try {
    if (statSync(tshm).ino === inode && locksOn(tshm).length === 0) unlinkSync(tshm);
  } catch {
    // Already gone.
  }
}

/** One line naming the program that holds a SQLite lock on the database, for EBUSY errors. */
export function describeForeignLock(dbPath: string): string {
  const holders = new Set<number>();
  for (const file of [dbPath, `${dbPath}-shm`]) {
    for (const lock of locksOn(file)) if (lock.pid > 0) holders.add(lock.pid);
  }
  const names = [...holders].map((pid) => `${processName(pid) ?? 'unknown'} (pid ${pid})`);
  const who = names.length > 0 ? names.join(', ') : 'another program';
  return `database is locked by ${who}, which opened it without AgentOS; close it and retry`;
}

const TSHM_MAGIC = 'TSHMWAL\0';
const TSHM_VERSION = 1;
/** Offset of visibility_generation in turso 0.7's .tshm header: bumped by every commit of any process. */
const VISIBILITY_GENERATION_OFFSET = 80;

/**
 * Reads how many commits any process has published, from turso's coordination file: one
 * pread, no SQL. When it has not moved, nothing anyone committed can have changed the
 * database, so cached metadata is still good. Unknown layouts read as undefined (callers
 * then check with SQL).
 */
export class CommitCounter {
  readonly #fd: number;
  readonly #buf = Buffer.alloc(8);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  static open(dbPath: string): CommitCounter | undefined {
    let fd: number;
    try {
      fd = openSync(coordinationFileOf(dbPath), 'r');
    } catch {
      return undefined;
    }
    const header = Buffer.alloc(12);
    if (
      readSync(fd, header, 0, 12, 0) !== 12 ||
      header.toString('latin1', 0, 8) !== TSHM_MAGIC ||
      header.readUInt32LE(8) !== TSHM_VERSION
    ) {
      closeSync(fd);
      return undefined;
    }
    return new CommitCounter(fd);
  }

  read(): bigint | undefined {
    return readSync(this.#fd, this.#buf, 0, 8, VISIBILITY_GENERATION_OFFSET) === 8
      ? this.#buf.readBigUInt64LE(0)
      : undefined;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
