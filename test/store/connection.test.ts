import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir, useTestVfs, root, expectErrno, sqlite3, type TempDir } from '../helpers/temp-db.js';
import { writeFile, readText, names } from '../helpers/vfs-files.js';
import { StoreConnection } from '../../src/store/connection.js';
import { openAgentDatabase } from '../../src/store/agent-database.js';
import { KvStore } from '../../src/store/kv-store.js';

function openConn(tmp: TempDir, options = {}): StoreConnection {
  return openAgentDatabase(tmp.file('agent.db'), { create: true, ...options }).conn;
}

function kvCount(conn: StoreConnection): number {
  return conn.read(() => conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM kv_store').get()!.n);
}

describe('transactions', () => {
  const tmp = useTempDir();

  test('write() commits; nested writes join the outer transaction and commit once', () => {
    const conn = openConn(tmp());
    const kv = new KvStore(conn);
    let commits = 0;
    conn.onCommit(() => commits++);
    conn.write(() => {
      kv.set('a', '1');
      conn.write(() => kv.set('b', '2'));
      expect(conn.inTransaction).toBe(true);
    });
    expect(commits).toBe(1);
    expect(conn.inTransaction).toBe(false);
    expect(kvCount(conn)).toBe(2);
    conn.close();
  });

  test('a write() that throws leaves nothing behind', () => {
    const conn = openConn(tmp());
    const kv = new KvStore(conn);
    expect(() =>
      conn.write(() => {
        kv.set('a', '1');
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(kvCount(conn)).toBe(0);
    expect(conn.inTransaction).toBe(false);
    conn.close();
  });

  test('reads do not commit anything and do not notify commit listeners', () => {
    const conn = openConn(tmp());
    let commits = 0;
    conn.onCommit(() => commits++);
    conn.read(() => kvCount(conn));
    conn.write(() => kvCount(conn));
    expect(commits).toBe(0);
    conn.close();
  });

  test('write() inside read() is a programming error', () => {
    const conn = openConn(tmp());
    expect(() => conn.read(() => conn.write(() => 1))).toThrow(/read transaction/);
    conn.close();
  });

  test('after close every use is EBADF; close is idempotent', () => {
    const conn = openConn(tmp());
    conn.close();
    conn.close();
    expect(conn.closed).toBe(true);
    expectErrno(() => conn.prepare('SELECT 1'), 'EBADF');
    expectErrno(() => conn.read(() => 1), 'EBADF');
    expectErrno(() => conn.exec('SELECT 1'), 'EBADF');
  });

  test('a read-only connection rejects writes with EROFS', () => {
    openConn(tmp()).close();
    const ro = openConn(tmp(), { readonly: true, create: false });
    expectErrno(() => ro.write(() => 1), 'EROFS');
    expect(kvCount(ro)).toBe(0);
    ro.close();
  });
});

describe('batch mode', () => {
  const t = useTestVfs();

  test('keeps one transaction open until flush; other connections see nothing before', () => {
    const { vfs, conn } = t();
    const other = t().reopen().vfs;
    conn.setBatching(true);
    vfs.mkdir('/a', 0o755, root);
    writeFile(vfs, '/a/f', 'batched');
    expect(conn.hasPendingWrites).toBe(true);
    expect(readText(vfs, '/a/f')).toBe('batched');
    expect(names(other, '/')).toEqual([]);
    conn.flush();
    expect(conn.hasPendingWrites).toBe(false);
    expect(readText(other, '/a/f')).toBe('batched');
    vfs.mkdir('/b', 0o755, root);
    conn.setBatching(false);
    expect(names(other, '/')).toEqual(['a', 'b']);
  });

  test('a failed operation is rolled back alone (savepoint); the rest of the batch commits', () => {
    const { vfs, conn } = t();
    conn.exec(`CREATE TRIGGER test_forbid BEFORE INSERT ON fs_dentry WHEN NEW.name = 'forbidden'
               BEGIN SELECT RAISE(ABORT, 'forbidden name'); END`);
    const inodes = () =>
      conn.read(() => conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_inode').get()!.n);
    const before = inodes();
    conn.setBatching(true);
    vfs.mkdir('/one', 0o755, root);
    // Fails after inserting its inode: the savepoint undoes that insert and nothing else.
    expect(() => vfs.mkdir('/forbidden', 0o755, root)).toThrow(/forbidden name/);
    // A failed lookup costs nothing either.
    expectErrno(() => vfs.stat('/missing', root), 'ENOENT');
    expectErrno(() => vfs.unlink('/missing', root), 'ENOENT');
    vfs.mkdir('/two', 0o755, root);
    expect(names(vfs, '/')).toEqual(['one', 'two']);
    conn.flush();
    expect(inodes()).toBe(before + 2);
    const other = t().reopen().vfs;
    expect(names(other, '/')).toEqual(['one', 'two']);
    expectErrno(() => other.stat('/forbidden', root), 'ENOENT');
  });

  test('flush(true) also syncs the WAL to disk; close() commits an open batch', () => {
    const { vfs, conn, dbPath } = t();
    conn.setBatching(true);
    writeFile(vfs, '/durable', 'yes');
    conn.flush(true);
    writeFile(vfs, '/at-close', 'also');
    t().close();
    expect(
      sqlite3(dbPath, "SELECT COUNT(*) FROM fs_dentry WHERE name IN ('durable', 'at-close');").trim(),
    ).toBe('2');
  });
});

describe('close', () => {
  const tmp = useTempDir();

  test('leaves agent.db a complete snapshot on its own: a copy without the WAL has everything', () => {
    const path = tmp().file('agent.db');
    const { conn, chunkSize } = openAgentDatabase(path, { create: true });
    expect(chunkSize).toBe(4096);
    const kv = new KvStore(conn);
    conn.write(() => {
      for (let i = 0; i < 200; i++) kv.set(`key${i}`, JSON.stringify({ i }));
    });
    conn.close();
    const copy = tmp().file('copy.db');
    copyFileSync(path, copy);
    expect(sqlite3(copy, 'PRAGMA integrity_check;').trim()).toBe('ok');
    expect(sqlite3(copy, 'SELECT COUNT(*) FROM kv_store;').trim()).toBe('200');
    expect(sqlite3(copy, "SELECT value FROM kv_store WHERE key = 'key199';").trim()).toBe('{"i":199}');
  });
});

describe('busy database', () => {
  const t = useTestVfs();

  test("a writer blocked by another connection's open transaction gets EBUSY after the busy timeout", () => {
    const { vfs, conn, dbPath } = t();
    conn.setBatching(true);
    writeFile(vfs, '/held', 'lock');
    const other = openAgentDatabase(dbPath, { busyTimeoutMs: 200 });
    try {
      const e = expectErrno(() => other.conn.write(() => new KvStore(other.conn).set('k', '1')), 'EBUSY');
      expect(e.message).toMatch(/locked/);
      // Reading still works while the writer holds its lock.
      expect(other.conn.read(() => new KvStore(other.conn).get('k'))).toBeUndefined();
      conn.flush();
      other.conn.write(() => new KvStore(other.conn).set('k', '1'));
    } finally {
      other.conn.close();
    }
  });
});

describe('relative database paths', () => {
  const tmp = useTempDir();

  test('keep naming the same files after the process changes directory', () => {
    const before = process.cwd();
    const elsewhere = tmp().file('elsewhere');
    mkdirSync(elsewhere);
    try {
      process.chdir(tmp().dir);
      const { conn } = openAgentDatabase('agent.db', { create: true });
      process.chdir(elsewhere);
      expect(conn.path).toBe('agent.db');
      expect(conn.filePath).toBe(tmp().file('agent.db'));
      conn.write(() => new KvStore(conn).set('k', '1'));
      conn.flush(true);
      conn.close();
      expect(existsSync(join(elsewhere, 'agent.db'))).toBe(false);
      expect(sqlite3(tmp().file('agent.db'), 'SELECT value FROM kv_store;').trim()).toBe('1');
    } finally {
      process.chdir(before);
    }
  });
});
