import { useTestVfs, root } from '../helpers/temp-db.js';
import { readText, writeFile } from '../helpers/vfs-files.js';
import { expectSpecChunks } from '../helpers/chunks.js';
import { MAX_TRANSACTION_BYTES } from '../../src/vfs/vfs.js';
import { O_CREAT, O_RDWR } from '../../src/vfs/constants.js';

describe('Vfs', () => {
  const t = useTestVfs();

  test('two connections taking turns see each other at once (caches dropped at each other commit)', () => {
    const a = t();
    const b = a.reopen();
    for (let round = 0; round < 20; round++) {
      a.vfs.mkdir('/d', 0o755, root);
      writeFile(a.vfs, '/d/f', `a${round}`);
      // Read by b (caching it), changed by b, then a must not answer from its own cache.
      expect(readText(b.vfs, '/d/f')).toBe(`a${round}`);
      writeFile(b.vfs, '/d/f', `b${round}`);
      expect(readText(a.vfs, '/d/f')).toBe(`b${round}`);
      b.vfs.unlink('/d/f', root);
      b.vfs.rmdir('/d', root);
      // A write right after the other's commit, with no read between: its transaction must
      // notice, or its cache still holds /d (EEXIST).
      a.vfs.mkdir('/d', 0o700, root);
      expect(b.vfs.stat('/d', root).mode & 0o777).toBe(0o700);
      b.vfs.rmdir('/d', root);
    }
    expect(a.vfs.readdir('/', root).map((e) => e.name)).toEqual([]);
  });

  test('a write larger than MAX_TRANSACTION_BYTES commits in bounded transactions', () => {
    const { vfs, conn } = t();
    const ino = vfs.open('/big', O_RDWR | O_CREAT, 0o644, root).inode.ino;
    let commits = 0;
    conn.onCommit(() => commits++);
    const data = Buffer.alloc(2 * MAX_TRANSACTION_BYTES + 5);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) & 0xff;
    vfs.write(ino, 0, data);
    expect(commits).toBe(3);
    expect(vfs.inode(ino)!.size).toBe(data.length);
    expect(vfs.read(ino, 0, data.length).equals(data)).toBe(true);
    expectSpecChunks(conn, ino, data.length);
  });

  test('growing far past the end also commits in bounded steps', () => {
    const { vfs, conn } = t();
    const ino = vfs.open('/sparse', O_RDWR | O_CREAT, 0o644, root).inode.ino;
    let commits = 0;
    conn.onCommit(() => commits++);
    vfs.write(ino, 2 * MAX_TRANSACTION_BYTES, Buffer.from('x'));
    expect(commits).toBeGreaterThanOrEqual(3);
    expect(vfs.inode(ino)!.size).toBe(2 * MAX_TRANSACTION_BYTES + 1);
    commits = 0;
    vfs.truncateInode(ino, 4 * MAX_TRANSACTION_BYTES, root);
    expect(commits).toBe(2);
    expectSpecChunks(conn, ino, 4 * MAX_TRANSACTION_BYTES);
  });

  test("inside a caller's transaction a large write stays in that transaction", () => {
    const { vfs, conn } = t();
    const ino = vfs.open('/big', O_RDWR | O_CREAT, 0o644, root).inode.ino;
    let commits = 0;
    conn.onCommit(() => commits++);
    conn.write(() => vfs.write(ino, 0, Buffer.alloc(MAX_TRANSACTION_BYTES + 1)));
    expect(commits).toBe(1);
  });

  test('pathOf names an inode by one of its paths', () => {
    const { vfs } = t();
    vfs.mkdir('/a', 0o755, root);
    const b = vfs.mkdir('/a/b', 0o755, root);
    const f = writeFile(vfs, '/a/b/f', 'x');
    expect(vfs.pathOf(1)).toBe('/');
    expect(vfs.pathOf(b.ino)).toBe('/a/b');
    expect(vfs.pathOf(f.ino)).toBe('/a/b/f');
    vfs.retain(f.ino);
    vfs.unlink('/a/b/f', root);
    expect(vfs.pathOf(f.ino)).toBeUndefined();
    vfs.release(f.ino);
  });

  test('statfs reports blocks of the chunk size and inode counts', () => {
    const { vfs } = t();
    const before = vfs.statfs();
    expect(before.blockSize).toBe(4096);
    expect(before.nameMax).toBe(255);
    expect(before.blocks).toBeGreaterThan(0);
    expect(before.blocksFree).toBeLessThanOrEqual(before.blocks);
    expect(before.blocksAvailable).toBeLessThanOrEqual(before.blocksFree);
    expect(before.files).toBeGreaterThanOrEqual(before.filesFree);
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'x');
    const after = vfs.statfs();
    // Two more inodes in use: files - filesFree counts them.
    expect(after.files - after.filesFree).toBe(before.files - before.filesFree + 2);
  });

  test('inode() and stat() agree, and inode() is undefined for a missing inode', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'abc');
    expect(vfs.inode(f.ino)).toEqual(vfs.stat('/f', root));
    expect(vfs.inode(123456)).toBeUndefined();
  });
});
