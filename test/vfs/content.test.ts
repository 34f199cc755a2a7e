import { useTestVfs, root, expectErrno } from '../helpers/temp-db.js';
import { chunkRows, expectSpecChunks } from '../helpers/chunks.js';
import { O_CREAT, O_RDWR } from '../../src/vfs/constants.js';
import type { Vfs } from '../../src/vfs/vfs.js';

const CS = 4096;

function newFile(vfs: Vfs, path = '/f'): number {
  return vfs.open(path, O_RDWR | O_CREAT, 0o644, root).inode.ino;
}

/** Deterministic bytes that differ at every offset, so misplaced copies show. */
function pattern(length: number, seed = 1): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

describe('file content in chunks', () => {
  const t = useTestVfs();

  test('the database uses 4096-byte chunks', () => {
    expect(t().vfs.chunkSize).toBe(CS);
  });

  test('writes at any offset read back exactly, across chunk boundaries', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    const model = Buffer.alloc(3 * CS + 100);
    const writes: [number, number][] = [
      [0, 10],
      [CS - 3, 7],
      [2 * CS - 1, CS + 2],
      [100, 2 * CS],
      [3 * CS + 50, 50],
    ];
    writes.forEach(([offset, length], i) => {
      const data = pattern(length, i + 2);
      vfs.write(ino, offset, data);
      data.copy(model, offset);
    });
    const size = 3 * CS + 100;
    expect(vfs.inode(ino)!.size).toBe(size);
    expect(vfs.read(ino, 0, size)).toEqual(model);
    for (const [offset, length] of [
      [0, 1],
      [CS - 1, 2],
      [CS, CS],
      [5000, 3000],
      [size - 1, 1],
    ]) {
      expect(vfs.read(ino, offset, length)).toEqual(model.subarray(offset, offset + length));
    }
    expectSpecChunks(conn, ino, size);
  });

  test('reads are short at the end of the file and empty past it', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, Buffer.from('hello'));
    expect(vfs.read(ino, 3, 100).toString()).toBe('lo');
    expect(vfs.read(ino, 5, 10).length).toBe(0);
    expect(vfs.read(ino, 1000, 10).length).toBe(0);
    expect(vfs.read(ino, 0, 0).length).toBe(0);
  });

  test('an empty write changes nothing', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    const before = vfs.inode(ino)!;
    vfs.write(ino, 10000, Buffer.alloc(0));
    expect(vfs.inode(ino)).toEqual(before);
  });

  test('a write past the end reads back zeros in the gap, and the gap is stored as zero chunks', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 10000, Buffer.from('end'));
    const size = 10003;
    expect(vfs.inode(ino)!.size).toBe(size);
    const data = vfs.read(ino, 0, size);
    expect(data.subarray(0, 10000).equals(Buffer.alloc(10000))).toBe(true);
    expect(data.subarray(10000).toString()).toBe('end');
    expectSpecChunks(conn, ino, size);
    const zeroChunks = conn
      .prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_data WHERE ino = ? AND data = zeroblob(4096)')
      .get(ino)!.n;
    expect(zeroChunks).toBe(2);
  });

  test('a write past the end of a partial last chunk pads that chunk first', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, pattern(5000));
    vfs.write(ino, 9000, Buffer.from('x'));
    expectSpecChunks(conn, ino, 9001);
    const data = vfs.read(ino, 0, 9001);
    expect(data.subarray(0, 5000)).toEqual(pattern(5000));
    expect(data.subarray(5000, 9000).equals(Buffer.alloc(4000))).toBe(true);
    expect(data[9000]).toBe('x'.charCodeAt(0));
  });

  test('only the chunks a write touches are rewritten', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, pattern(10 * CS));
    const before = chunkRows(conn, ino);
    // A small write inside chunk 5.
    vfs.write(ino, 5 * CS + 100, Buffer.from('patch'));
    let after = chunkRows(conn, ino);
    after.forEach((row, i) => {
      if (i === 5) expect(row.rowid).not.toBe(before[i].rowid);
      else expect(row.rowid).toBe(before[i].rowid);
    });
    // A write straddling chunks 2 and 3.
    const mid = chunkRows(conn, ino);
    vfs.write(ino, 3 * CS - 2, Buffer.from('abcd'));
    after = chunkRows(conn, ino);
    after.forEach((row, i) => {
      if (i === 2 || i === 3) expect(row.rowid).not.toBe(mid[i].rowid);
      else expect(row.rowid).toBe(mid[i].rowid);
    });
    expectSpecChunks(conn, ino, 10 * CS);
    expect(vfs.read(ino, 5 * CS + 100, 5).toString()).toBe('patch');
    expect(vfs.read(ino, 3 * CS - 2, 4).toString()).toBe('abcd');
  });

  test('appending to a partial last chunk rewrites only that chunk and the new ones', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, pattern(2 * CS + 10));
    const before = chunkRows(conn, ino);
    vfs.write(ino, 2 * CS + 10, pattern(CS, 9));
    const after = chunkRows(conn, ino);
    expect(after[0].rowid).toBe(before[0].rowid);
    expect(after[1].rowid).toBe(before[1].rowid);
    expect(after).toHaveLength(4);
    expectSpecChunks(conn, ino, 3 * CS + 10);
  });

  test('truncating down drops whole chunks and shortens the new last one', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    const data = pattern(5 * CS);
    vfs.write(ino, 0, data);
    vfs.truncateInode(ino, 2 * CS + 7, root);
    expectSpecChunks(conn, ino, 2 * CS + 7);
    expect(vfs.read(ino, 0, 10 * CS)).toEqual(data.subarray(0, 2 * CS + 7));
    vfs.truncateInode(ino, CS, root);
    expectSpecChunks(conn, ino, CS);
    vfs.truncateInode(ino, 0, root);
    expect(chunkRows(conn, ino)).toEqual([]);
    expect(vfs.inode(ino)!.size).toBe(0);
  });

  test('truncating up appends zeros, stored as full chunks', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, Buffer.from('abc'));
    vfs.truncateInode(ino, 3 * CS + 1, root);
    expectSpecChunks(conn, ino, 3 * CS + 1);
    const data = vfs.read(ino, 0, 3 * CS + 1);
    expect(data.subarray(0, 3).toString()).toBe('abc');
    expect(data.subarray(3).equals(Buffer.alloc(3 * CS - 2))).toBe(true);
  });

  test('truncate then grow reads zeros where the old bytes were', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, Buffer.alloc(6000, 0xff));
    vfs.truncateInode(ino, 100, root);
    vfs.truncateInode(ino, 6000, root);
    const data = vfs.read(ino, 0, 6000);
    expect(data.subarray(0, 100).equals(Buffer.alloc(100, 0xff))).toBe(true);
    expect(data.subarray(100).equals(Buffer.alloc(5900))).toBe(true);
  });

  test('missing chunks in a database written by another tool read as zeros', () => {
    const { vfs, conn } = t();
    const ino = newFile(vfs);
    vfs.write(ino, 0, Buffer.alloc(3 * CS, 0x41));
    conn.write(() => conn.prepare('DELETE FROM fs_data WHERE ino = ? AND chunk_index = 1').run(ino));
    const data = vfs.read(ino, 0, 3 * CS);
    expect(data.subarray(0, CS).equals(Buffer.alloc(CS, 0x41))).toBe(true);
    expect(data.subarray(CS, 2 * CS).equals(Buffer.alloc(CS))).toBe(true);
    expect(data.subarray(2 * CS).equals(Buffer.alloc(CS, 0x41))).toBe(true);
  });

  test('writes update size, mtime and ctime', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    vfs.utimensInode(ino, { sec: 1000, nsec: 5 }, { sec: 1000, nsec: 5 }, root);
    const after = vfs.write(ino, 0, Buffer.from('x'));
    expect(after.mtime).toBeGreaterThan(1000);
    expect(after.ctime).toBeGreaterThan(1000);
    expect(after.atime).toBe(1000);
    expect(after.size).toBe(1);
  });

  test('a size beyond the largest file gives EFBIG', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    expectErrno(() => vfs.write(ino, Number.MAX_SAFE_INTEGER, Buffer.from('x')), 'EFBIG');
    expectErrno(() => vfs.truncateInode(ino, Number.MAX_SAFE_INTEGER + 1, root), 'EFBIG');
    expectErrno(() => vfs.truncateInode(ino, -1, root), 'EINVAL');
    expectErrno(() => vfs.write(ino, -1, Buffer.from('x')), 'EINVAL');
  });

  test('growing a file beyond the space left on the host gives ENOSPC instead of filling the disk', () => {
    const { vfs } = t();
    const ino = newFile(vfs);
    const huge = 2 ** 52;
    expectErrno(() => vfs.truncateInode(ino, huge, root), 'ENOSPC');
    expectErrno(() => vfs.write(ino, huge, Buffer.from('x')), 'ENOSPC');
    expect(vfs.inode(ino)!.size).toBe(0);
  });
});
