/**
 * File content in fixed-size chunks (spec: every chunk but the last is full, none for an empty
 * file, and the size equals the bytes stored). Writes rewrite only the chunks they touch;
 * gaps left by writing past the end or growing a file are stored as zero chunks. Reads treat
 * any missing chunk as zeros, so databases written by others with holes still read right.
 */
import { fsError } from '../errors.js';
import { MAX_FILE_SIZE } from './constants.js';
import { now } from './clock.js';
import { withTime, type VfsContext } from './context.js';
import { requireSpace } from './space.js';
import type { InodeRecord } from '../store/fs-store.js';

/** Reads up to `length` bytes at `offset`; short at end of file, empty past it. */
export function readRange(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  offset: number,
  length: number,
): Buffer {
  const n = Math.max(0, Math.min(length, inode.size - offset));
  if (n === 0) return Buffer.alloc(0);
  const cs = ctx.chunkSize;
  const first = Math.floor(offset / cs);
  const last = Math.floor((offset + n - 1) / cs);
  const out = Buffer.alloc(n);
  for (const chunk of ctx.store.readChunks(inode.ino, first, last)) {
    const chunkStart = chunk.index * cs;
    const from = Math.max(offset, chunkStart);
    const to = Math.min(offset + n, chunkStart + chunk.data.length);
    if (to > from) chunk.data.copy(out, from - offset, from - chunkStart, to - chunkStart);
  }
  return out;
}

/** Writes `data` at `offset`, returning the updated inode (size, mtime, ctime). */
export function writeRange(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  offset: number,
  data: Buffer,
): Readonly<InodeRecord> {
  const end = offset + data.length;
  if (end > MAX_FILE_SIZE) throw fsError('EFBIG', 'write');
  if (data.length === 0) return inode;
  ctx.quota.require(end - inode.size, 'write');
  requireSpace(ctx.conn.filePath, end - inode.size, 'write');
  let current = inode;
  if (offset > current.size) current = growWithZeros(ctx, current, offset);
  const cs = ctx.chunkSize;
  const first = Math.floor(offset / cs);
  const last = Math.floor((end - 1) / cs);
  for (let index = first; index <= last; index++) {
    const chunkStart = index * cs;
    const from = Math.max(offset, chunkStart);
    const to = Math.min(end, chunkStart + cs);
    const piece = data.subarray(from - offset, to - offset);
    if (from === chunkStart && (to === chunkStart + cs || to >= current.size)) {
      // The write covers everything this chunk holds: no need to read it first.
      ctx.store.writeChunk(current.ino, index, piece);
      continue;
    }
    const existing = ctx.store.readChunk(current.ino, index) ?? Buffer.alloc(0);
    const length = Math.max(existing.length, to - chunkStart);
    const chunk = Buffer.alloc(length);
    existing.copy(chunk);
    piece.copy(chunk, from - chunkStart);
    ctx.store.writeChunk(current.ino, index, chunk);
  }
  const t = now();
  return ctx.inodes.save({
    ...withTime(current, t, { m: true, c: true }),
    size: Math.max(current.size, end),
  });
}

/** Sets the size: shrinking drops and shortens chunks, growing appends zeros. */
export function truncateTo(
  ctx: VfsContext,
  inode: Readonly<InodeRecord>,
  size: number,
): Readonly<InodeRecord> {
  if (size > MAX_FILE_SIZE) throw fsError('EFBIG', 'truncate');
  ctx.quota.require(size - inode.size, 'truncate');
  requireSpace(ctx.conn.filePath, size - inode.size, 'truncate');
  let current = inode;
  if (size > current.size) current = growWithZeros(ctx, current, size);
  else if (size < current.size) {
    const cs = ctx.chunkSize;
    const keep = Math.ceil(size / cs);
    ctx.store.deleteChunksFrom(current.ino, keep);
    if (size % cs !== 0) ctx.store.shortenChunk(current.ino, keep - 1, size % cs);
  }
  const t = now();
  return ctx.inodes.save({ ...withTime(current, t, { m: true, c: true }), size });
}

/** Extends the stored content with zeros up to `size` (pads the old last chunk first). */
function growWithZeros(ctx: VfsContext, inode: Readonly<InodeRecord>, size: number): Readonly<InodeRecord> {
  const cs = ctx.chunkSize;
  const oldSize = inode.size;
  const tail = oldSize % cs;
  let index = Math.floor(oldSize / cs);
  if (tail !== 0) {
    const existing = ctx.store.readChunk(inode.ino, index) ?? Buffer.alloc(0);
    const padded = Buffer.alloc(Math.min(cs, size - index * cs));
    existing.copy(padded, 0, 0, Math.min(existing.length, padded.length));
    ctx.store.writeChunk(inode.ino, index, padded);
    index++;
  }
  for (; index * cs < size; index++) {
    ctx.store.writeZeroChunk(inode.ino, index, Math.min(cs, size - index * cs));
  }
  return { ...inode, size };
}
