/**
 * Growing a file stores its new zeros for real (spec: gaps are zero chunks, every chunk but the
 * last full), so a truncate or a write far past the end costs as much disk as its size. A
 * growth that cannot fit in the host's free space is refused up front with ENOSPC, instead of
 * filling the disk chunk by chunk and failing only when it is full.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentOSError } from '../errors.js';

/** Small growths are left to the engine, which reports a full disk itself; this skips a statfs per append. */
const CHECK_ABOVE_BYTES = 1024 * 1024;

/** Bytes available to this user on the filesystem holding `dbPath`; Infinity when unknown. */
export function hostFreeBytes(dbPath: string): number {
  try {
    const s = statfsSync(dirname(dbPath));
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

export function requireSpace(dbPath: string, growthBytes: number, syscall: string, path?: string): void {
  if (growthBytes <= CHECK_ABOVE_BYTES) return;
  const free = hostFreeBytes(dbPath);
  if (growthBytes <= free) return;
  throw new AgentOSError('ENOSPC', {
    syscall,
    path,
    message: `no space left on device: growing the file by ${growthBytes} bytes needs more than the ${free} bytes free where the database is`,
  });
}
