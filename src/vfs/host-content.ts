/**
 * Copying content from a host file into an inode: what the sandbox does when a program wrote
 * a materialized file, and what recovery does with a dead run's cache file. Large files go in
 * bounded transactions, each leaving a consistent inode.
 */
import { readSync } from 'node:fs';
import type { ChunkRecord, InodeRecord } from '../store/fs-store.js';
import type { Timestamp } from './clock.js';
import type { Vfs } from './vfs.js';
import { MAX_TRANSACTION_BYTES } from './vfs.js';

export interface HostFileState {
  size: number;
  mtime: Timestamp;
}

/**
 * Stores chunks `changed` (ascending chunk indexes) of the host file open as `fd` into inode
 * `ino`, then its size and mtime. Returns the inode, or undefined when it no longer exists.
 */
export function storeHostContent(
  vfs: Vfs,
  ino: number,
  fd: number,
  changed: readonly number[],
  file: HostFileState,
): Readonly<InodeRecord> | undefined {
  const cs = vfs.chunkSize;
  const perGroup = Math.max(1, Math.floor(MAX_TRANSACTION_BYTES / cs));
  const startSize = vfs.inode(ino)?.size;
  if (startSize === undefined) return undefined;
  let inode: Readonly<InodeRecord> | undefined;
  for (let g = 0; g < changed.length || g === 0; g += perGroup) {
    const group = changed.slice(g, g + perGroup);
    const last = g + perGroup >= changed.length;
    const reached = group.length ? Math.min(file.size, (group[group.length - 1] + 1) * cs) : file.size;
    inode = vfs.applyContent(ino, {
      chunks: readChunks(fd, group, cs, file.size),
      size: last ? file.size : Math.max(startSize, reached),
      final: last ? { mtime: file.mtime } : undefined,
    });
    if (!inode) return undefined;
    // The sandbox batches its writes: commit each group, or the batch would hold the whole file
    // (turso refuses a transaction past ~1 GiB of WAL, and its RSS grows with the batch). Each
    // group leaves a consistent inode; a crash before the last is repaired by pending recovery.
    if (!last) vfs.conn.flush();
  }
  return inode;
}

/** Every chunk index of a file of `size` bytes. */
export function allChunks(size: number, chunkSize: number): number[] {
  return Array.from({ length: Math.ceil(size / chunkSize) }, (_, i) => i);
}

function readChunks(fd: number, indexes: readonly number[], cs: number, size: number): ChunkRecord[] {
  const out: ChunkRecord[] = [];
  for (const index of indexes) {
    const length = Math.min(cs, size - index * cs);
    const data = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, data, got, length - got, index * cs + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) data.fill(0, got);
    out.push({ index, data });
  }
  return out;
}
