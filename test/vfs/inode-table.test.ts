import { useTestVfs, root, expectErrno } from '../helpers/temp-db.js';
import { writeFile, readText, names } from '../helpers/vfs-files.js';
import { FsStore } from '../../src/store/fs-store.js';
import { InodeTable } from '../../src/vfs/inode-table.js';

/** Makes every insert of an entry named 'forbidden' fail after the operation's first writes. */
function forbidName(exec: (sql: string) => void): void {
  exec(`CREATE TRIGGER test_forbid BEFORE INSERT ON fs_dentry WHEN NEW.name = 'forbidden'
        BEGIN SELECT RAISE(ABORT, 'forbidden name'); END`);
}

describe('the inode cache', () => {
  const t = useTestVfs();

  test('serves repeated lookups from memory and stays in step with changes', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'one');
    expect(vfs.stat('/d/f', root).size).toBe(3);
    writeFile(vfs, '/d/f', 'three');
    expect(vfs.stat('/d/f', root).size).toBe(5);
    vfs.rename('/d/f', '/d/g', root);
    expectErrno(() => vfs.stat('/d/f', root), 'ENOENT');
    expect(names(vfs, '/d')).toEqual(['g']);
  });

  test('changes committed through another connection are seen (the generation counter)', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'old');
    expect(names(vfs, '/d')).toEqual(['f']);
    expect(vfs.stat('/d/f', root).size).toBe(3);
    const other = t().reopen().vfs;
    writeFile(other, '/d/f', 'newer');
    other.rename('/d/f', '/d/moved', root);
    other.mkdir('/d/sub', 0o755, root);
    expectErrno(() => vfs.stat('/d/f', root), 'ENOENT');
    expect(vfs.stat('/d/moved', root).size).toBe(5);
    expect(names(vfs, '/d')).toEqual(['moved', 'sub']);
    other.rmdir('/d/sub', root);
    other.unlink('/d/moved', root);
    expect(names(vfs, '/d')).toEqual([]);
  });

  test('every write commit bumps the generation; reads do not', () => {
    const { vfs, conn } = t();
    const generation = () =>
      Number(
        conn.prepare<{ value: string }>("SELECT value FROM agentos_meta WHERE key = 'generation'").get()!
          .value,
      );
    const g0 = generation();
    writeFile(vfs, '/f', 'x');
    const g1 = generation();
    expect(g1).toBeGreaterThan(g0);
    vfs.stat('/f', root);
    readText(vfs, '/f');
    expect(generation()).toBe(g1);
  });

  test('an operation that fails half-way leaves neither rows nor cached state behind', () => {
    const { vfs, conn } = t();
    forbidName((sql) => conn.exec(sql));
    const inodes = () => conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_inode').get()!.n;
    const before = inodes();
    expectErrno(() => vfs.mkdir('/forbidden', 0o755, root), 'EIO');
    expect(inodes()).toBe(before);
    expectErrno(() => vfs.stat('/forbidden', root), 'ENOENT');
    expect(names(vfs, '/')).toEqual([]);
    // The root's times were touched in memory before the failure; they must be the stored ones.
    const stored = conn
      .prepare<{ mtime: number; mtime_nsec: number }>('SELECT mtime, mtime_nsec FROM fs_inode WHERE ino = 1')
      .get()!;
    const cached = vfs.stat('/', root);
    expect([cached.mtime, cached.mtimeNsec]).toEqual([stored.mtime, stored.mtime_nsec]);
    vfs.mkdir('/allowed', 0o755, root);
    expect(names(vfs, '/')).toEqual(['allowed']);
  });

  test('the table answers lookups, listings and parents and forgets everything on clear()', () => {
    const { vfs, conn } = t();
    const d = vfs.mkdir('/d', 0o755, root);
    const f = writeFile(vfs, '/d/f', 'x');
    const table = new InodeTable(new FsStore(conn));
    conn.read(() => {
      expect(table.lookup(1, 'd')).toBe(d.ino);
      expect(table.lookup(1, 'missing')).toBeUndefined();
      expect(table.parentOf(d.ino)).toBe(1);
      expect(table.parentOf(1)).toBe(1);
      expect(table.list(d.ino).map((e) => e.name)).toEqual(['f']);
      expect(table.hasChildren(d.ino)).toBe(true);
      expect(table.nameOf(f.ino)).toEqual({ parentIno: d.ino, name: 'f' });
      expect(table.get(f.ino)!.size).toBe(1);
    });
    table.clear();
    expect(conn.read(() => table.get(f.ino))!.ino).toBe(f.ino);
  });
});
