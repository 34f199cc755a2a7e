/**
 * Storing content that was written elsewhere (the sandbox's materialized host files): the
 * changed chunks, the new size and the modification time the writer left.
 */
import type { ChunkRecord, InodeRecord } from '../store/fs-store.js';
import { now, type Timestamp } from './clock.js';
import type { VfsContext } from './context.js';

export interface ContentUpdate {
  /** Chunks whose content changed, in ascending index order. */
  chunks: readonly ChunkRecord[];
  /** The file size after this update. */
  size: number;
  /** Last update of a file: drop chunks beyond `size` and set this mtime. */
  final?: { mtime: Timestamp };
}

/** Applies one bounded piece of a content update; undefined when the inode no longer exists. */
export function applyContent(
  ctx: VfsContext,
  ino: number,
  update: ContentUpdate,
): Readonly<InodeRecord> | undefined {
  const inode = ctx.inodes.get(ino);
  if (!inode) return undefined;
  ctx.quota.require(update.size - inode.size, 'write');
  for (const chunk of update.chunks) ctx.store.writeChunk(ino, chunk.index, chunk.data);
  if (update.final) ctx.store.deleteChunksFrom(ino, Math.ceil(update.size / ctx.chunkSize));
  const t = now();
  const next: InodeRecord = { ...inode, size: update.size, ctime: t.sec, ctimeNsec: t.nsec };
  if (update.final) {
    next.mtime = update.final.mtime.sec;
    next.mtimeNsec = update.final.mtime.nsec;
  }
  return ctx.inodes.save(next);
}
