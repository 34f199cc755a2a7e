/** Direct looks at fs_data, to check the spec's chunk rules from outside the VFS. */
import type { StoreConnection } from '../../src/store/connection.js';

export interface ChunkRow {
  index: number;
  length: number;
  rowid: number;
}

export function chunkRows(conn: StoreConnection, ino: number): ChunkRow[] {
  return conn
    .prepare<ChunkRow>(
      'SELECT chunk_index AS "index", length(data) AS length, rowid FROM fs_data WHERE ino = ? ORDER BY chunk_index',
    )
    .all(ino);
}

/**
 * Spec rule: file size = total bytes of its chunks, chunks numbered from 0 without gaps, every
 * chunk but the last full, none for an empty file.
 */
export function expectSpecChunks(conn: StoreConnection, ino: number, size: number, chunkSize = 4096): void {
  const rows = chunkRows(conn, ino);
  expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
  expect(rows.reduce((sum, r) => sum + r.length, 0)).toBe(size);
  expect(rows.length).toBe(Math.ceil(size / chunkSize));
  rows.slice(0, -1).forEach((r) => expect(r.length).toBe(chunkSize));
}
