/**
 * One push, pull or clone at a time per agent database: the replica is a private file of the
 * sync engine and two engines on it would corrupt its bookkeeping. Node has no flock(), so the
 * lock is a file created with O_EXCL holding the owner's pid; a lock left by a dead process is
 * taken over. Within one process, calls queue behind each other.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOSError } from '../../errors.js';
import { syncDirOf } from './local-config.js';

const inProcess = new Map<string, Promise<unknown>>();

/** Runs `fn` holding the sync lock of `dbPath`; waits up to `timeoutMs` for another holder. */
export async function withSyncLock<T>(dbPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const dir = syncDirOf(dbPath);
  const previous = inProcess.get(dir) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const lockFile = await acquire(dir, timeoutMs);
      try {
        return await fn();
      } finally {
        release(lockFile);
      }
    });
  inProcess.set(dir, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(dir) === run) inProcess.delete(dir);
  }
}

async function acquire(dir: string, timeoutMs: number): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(file);
    if (holder === undefined || !isAlive(holder)) {
      try {
        unlinkSync(file);
      } catch {
        // Someone else took it over first; try again.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new AgentOSError('EBUSY', {
        syscall: 'sync',
        path: dir,
        message: `another sync of this agent database is running (pid ${holder}); retry when it is done`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function release(file: string): void {
  try {
    if (lockHolder(file) === process.pid) unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
