/**
 * The quota (agentos_meta.max_size): growing stored content past it fails with EDQUOT and
 * changes nothing; shrinking, rewriting in place and metadata are never refused; the usage the
 * VFS keeps in memory always equals the sum of file sizes in the database.
 */
import { expectErrno, queryOnce, root, useTestVfs } from '../helpers/temp-db.js';
import { readFile, writeFile } from '../helpers/vfs-files.js';
import { O_CREAT, O_RDWR, O_TRUNC, O_WRONLY } from '../../src/vfs/constants.js';
import { MAX_TRANSACTION_BYTES, type Vfs } from '../../src/vfs/vfs.js';

const CS = 4096;

/** The used bytes as the database says, counted from scratch by another connection. */
function storedBytes(dbPath: string): number {
  return (
    queryOnce<{ n: number | null }>(
      dbPath,
      'SELECT SUM(size) AS n FROM fs_inode WHERE (mode & 61440) = 32768',
    )[0].n ?? 0
  );
}

function open(vfs: Vfs, path: string): number {
  return vfs.open(path, O_RDWR | O_CREAT, 0o644, root).inode.ino;
}

describe('the quota', () => {
  const t = useTestVfs();

  test('no quota by default; a limit is stored and read back', () => {
    const { vfs, dbPath } = t();
    expect(vfs.quota()).toEqual({ limit: null, used: 0 });
    vfs.setQuota(10_000);
    expect(queryOnce(dbPath, "SELECT value FROM agentos_meta WHERE key = 'max_size'")).toEqual([
      { value: '10000' },
    ]);
    writeFile(vfs, '/a', Buffer.alloc(1234));
    expect(vfs.quota()).toEqual({ limit: 10_000, used: 1234 });
    vfs.setQuota(null);
    expect(vfs.quota()).toEqual({ limit: null, used: 1234 });
    expect(queryOnce(dbPath, "SELECT value FROM agentos_meta WHERE key = 'max_size'")).toEqual([]);
  });

  test('writes up to the limit succeed; one byte more is EDQUOT and changes nothing', () => {
    const { vfs } = t();
    vfs.setQuota(3 * CS);
    const ino = open(vfs, '/f');
    vfs.write(ino, 0, Buffer.alloc(3 * CS - 1, 1));
    vfs.write(ino, 3 * CS - 1, Buffer.from([2]));
    const before = vfs.inode(ino)!;
    const e = expectErrno(() => vfs.write(ino, 3 * CS, Buffer.from([3])), 'EDQUOT');
    expect(e.message).toBe(
      'EDQUOT: disk quota exceeded (the agent filesystem holds at most 12288 bytes; 12288 are used and this needs 1 more), write',
    );
    expect(vfs.inode(ino)).toEqual(before);
    // Overwriting inside the file needs no room.
    vfs.write(ino, 100, Buffer.alloc(CS, 9));
    expect(readFile(vfs, '/f').subarray(100, 100 + CS)).toEqual(Buffer.alloc(CS, 9));
    expect(vfs.quota().used).toBe(3 * CS);
  });

  test('a write that fails inside a transaction undoes only itself', () => {
    const { vfs, conn, dbPath } = t();
    vfs.setQuota(1000);
    conn.setBatching(true);
    writeFile(vfs, '/kept', Buffer.alloc(600, 1));
    // open (creating /big) and write are one operation of the batch: both are undone.
    expectErrno(() => conn.write(() => writeFile(vfs, '/big', Buffer.alloc(600, 2))), 'EDQUOT');
    writeFile(vfs, '/small', Buffer.alloc(400, 3));
    conn.setBatching(false);
    expect(vfs.readdir('/', root).map((e) => e.name)).toEqual(['kept', 'small']);
    expect(vfs.quota().used).toBe(1000);
    expect(storedBytes(dbPath)).toBe(1000);
  });

  test('truncate growing past the limit is EDQUOT; shrinking and empty files are always allowed', () => {
    const { vfs } = t();
    vfs.setQuota(10_000);
    writeFile(vfs, '/f', Buffer.alloc(8000, 1));
    expectErrno(() => vfs.truncate('/f', 10_001, root), 'EDQUOT');
    expect(vfs.stat('/f', root).size).toBe(8000);
    vfs.truncate('/f', 10_000, root);
    // Full: new names, directories, symlinks and empty files cost no content.
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('/f', '/d/link', root);
    vfs.open('/d/empty', O_WRONLY | O_CREAT, 0o644, root);
    expectErrno(() => writeFile(vfs, '/d/empty', 'x'), 'EDQUOT');
    vfs.truncate('/f', 10, root);
    writeFile(vfs, '/d/empty', 'x');
    expect(vfs.quota()).toEqual({ limit: 10_000, used: 11 });
  });

  test('O_TRUNC frees space before a rewrite; unlink frees it, unless the file is still open', () => {
    const { vfs, dbPath } = t();
    vfs.setQuota(5000);
    writeFile(vfs, '/f', Buffer.alloc(4000, 1));
    writeFile(vfs, '/f', Buffer.alloc(5000, 2)); // O_TRUNC first: fits
    vfs.link('/f', '/g', root); // a second name costs nothing
    expect(vfs.quota().used).toBe(5000);
    const ino = vfs.stat('/f', root).ino;
    vfs.retain(ino); // an open handle
    vfs.unlink('/f', root);
    vfs.unlink('/g', root);
    expect(vfs.quota().used).toBe(5000); // an open orphan still holds its content
    expectErrno(() => writeFile(vfs, '/new', 'x'), 'EDQUOT');
    vfs.release(ino);
    expect(vfs.quota().used).toBe(0);
    expect(storedBytes(dbPath)).toBe(0);
    writeFile(vfs, '/new', Buffer.alloc(5000));
  });

  test('a write larger than one transaction is refused before its first piece commits', () => {
    const { vfs, dbPath } = t();
    vfs.setQuota(MAX_TRANSACTION_BYTES + 10);
    const ino = open(vfs, '/huge');
    expectErrno(() => vfs.write(ino, 0, Buffer.alloc(MAX_TRANSACTION_BYTES + 11)), 'EDQUOT');
    expectErrno(() => vfs.truncate('/huge', 2 * MAX_TRANSACTION_BYTES, root), 'EDQUOT');
    expectErrno(() => vfs.write(ino, 3 * MAX_TRANSACTION_BYTES, Buffer.from('x')), 'EDQUOT');
    expect(vfs.stat('/huge', root).size).toBe(0);
    expect(storedBytes(dbPath)).toBe(0);
  });

  test('content stored from outside (sandbox write-back) is held to the quota too', () => {
    const { vfs } = t();
    vfs.setQuota(2 * CS);
    const ino = open(vfs, '/f');
    const chunk = (i: number) => ({ index: i, data: Buffer.alloc(CS, i + 1) });
    vfs.applyContent(ino, { chunks: [chunk(0), chunk(1)], size: 2 * CS });
    expectErrno(() => vfs.applyContent(ino, { chunks: [chunk(2)], size: 3 * CS }), 'EDQUOT');
    expect(vfs.inode(ino)!.size).toBe(2 * CS);
    expect(readFile(vfs, '/f')).toEqual(Buffer.concat([chunk(0).data, chunk(1).data]));
  });

  test('another process sees a new limit, and the usage others changed', () => {
    const { vfs, reopen } = t();
    const other = reopen();
    writeFile(vfs, '/a', Buffer.alloc(3000));
    expect(other.vfs.quota()).toEqual({ limit: null, used: 3000 });
    other.vfs.setQuota(4000);
    expectErrno(() => writeFile(vfs, '/b', Buffer.alloc(1001)), 'EDQUOT');
    writeFile(other.vfs, '/b', Buffer.alloc(1000));
    expectErrno(() => writeFile(vfs, '/c', 'x'), 'EDQUOT');
    expect(vfs.quota()).toEqual({ limit: 4000, used: 4000 });
  });

  test('statfs reports the quota as the size of the filesystem', () => {
    const { vfs } = t();
    vfs.setQuota(100 * CS + 10);
    writeFile(vfs, '/f', Buffer.alloc(30 * CS));
    const s = vfs.statfs();
    expect(s.blockSize).toBe(CS);
    expect(s.blocks).toBe(101);
    expect(s.blocksFree).toBe(70);
    expect(s.blocksAvailable).toBe(70);
  });

  test('the usage kept in memory always equals the sum of sizes in the database', () => {
    const { vfs, dbPath } = t();
    vfs.setQuota(1 << 30);
    const sizes = [0, 1, CS - 1, CS, CS + 1, 3 * CS + 17, 10];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 300; i++) {
      const path = `/f${next(6)}`;
      const op = next(6);
      try {
        if (op === 0) writeFile(vfs, path, Buffer.alloc(sizes[next(sizes.length)], i));
        else if (op === 1) vfs.truncate(path, sizes[next(sizes.length)], root);
        else if (op === 2) vfs.unlink(path, root);
        else if (op === 3) vfs.rename(path, `/f${next(6)}`, root);
        else if (op === 4) vfs.link(path, `/f${next(6)}`, root);
        else vfs.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644, root);
      } catch (e) {
        if (!(e instanceof Error && /^E(NOENT|EXIST)/.test(e.message))) throw e;
      }
      if (i % 50 === 0) expect(vfs.quota().used).toBe(storedBytes(dbPath));
    }
    expect(vfs.quota().used).toBe(storedBytes(dbPath));
  });
});
