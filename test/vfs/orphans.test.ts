import { useTestVfs, root, expectErrno } from '../helpers/temp-db.js';
import { writeFile, names } from '../helpers/vfs-files.js';
import { runNode } from '../helpers/child.js';
import { O_RDONLY } from '../../src/vfs/constants.js';
import { ownProcessIdentity, processStartTime } from '../../src/vfs/orphans.js';
import type { StoreConnection } from '../../src/store/connection.js';

function orphans(conn: StoreConnection): { ino: number; pid: number }[] {
  return conn
    .prepare<{ ino: number; pid: number }>('SELECT ino, pid FROM agentos_orphans ORDER BY ino')
    .all();
}

describe('files unlinked while open', () => {
  const t = useTestVfs();

  test('stay readable and writable until the last handle is released', () => {
    const { vfs, conn } = t();
    const f = writeFile(vfs, '/f', 'still here');
    vfs.retain(f.ino);
    vfs.retain(f.ino);
    vfs.unlink('/f', root);
    expect(names(vfs, '/')).toEqual([]);
    expectErrno(() => vfs.stat('/f', root), 'ENOENT');
    expect(vfs.inode(f.ino)!.nlink).toBe(0);
    expect(orphans(conn)).toEqual([{ ino: f.ino, pid: process.pid }]);
    expect(vfs.read(f.ino, 0, 100).toString()).toBe('still here');
    vfs.write(f.ino, 0, Buffer.from('STILL'));
    vfs.release(f.ino);
    expect(vfs.read(f.ino, 0, 100).toString()).toBe('STILL here');
    vfs.release(f.ino);
    expect(vfs.inode(f.ino)).toBeUndefined();
    expect(orphans(conn)).toEqual([]);
    expect(conn.prepare('SELECT 1 FROM fs_data WHERE ino = ?').get(f.ino)).toBeUndefined();
  });

  test('releasing a file that still has links keeps it', () => {
    const { vfs } = t();
    const f = writeFile(vfs, '/f', 'x');
    vfs.retain(f.ino);
    vfs.release(f.ino);
    expect(vfs.stat('/f', root).ino).toBe(f.ino);
  });

  test('a hard-linked open file survives losing one name and is deleted with its last', () => {
    const { vfs, conn } = t();
    const f = writeFile(vfs, '/f', 'x');
    vfs.link('/f', '/g', root);
    vfs.retain(f.ino);
    vfs.unlink('/f', root);
    expect(orphans(conn)).toEqual([]);
    vfs.unlink('/g', root);
    expect(orphans(conn)).toHaveLength(1);
    vfs.release(f.ino);
    expect(vfs.inode(f.ino)).toBeUndefined();
  });

  test('a process that exits with unlinked files open deletes them as it closes the database', () => {
    const { conn, dbPath } = t();
    const r = runNode(
      `const agent = new AgentOS(args[0]);
       await agent.fs.writeFile('/victim', 'x'.repeat(10000));
       const h = await agent.fs.open('/victim', 'r');
       await agent.fs.unlink('/victim');
       console.log((await h.stat()).ino);
       process.exit(0);`,
      [dbPath],
    );
    expect(r.stderr).toBe('');
    const victim = Number(r.stdout.trim());
    expect(orphans(conn)).toEqual([]);
    expect(
      conn.read(() => conn.prepare('SELECT 1 AS one FROM fs_inode WHERE ino = ?').get(victim)),
    ).toBeUndefined();
  });

  test("a killed process's orphans are removed by the next open of the database", () => {
    const { vfs, conn, dbPath } = t();
    writeFile(vfs, '/keep', 'k');
    // A child opens a file, unlinks it and dies without closing anything (SIGKILL: no exit hooks).
    const r = runNode(
      `const agent = new AgentOS(args[0]);
       await agent.fs.writeFile('/victim', 'x'.repeat(10000));
       const h = await agent.fs.open('/victim', 'r');
       await agent.fs.unlink('/victim');
       console.log((await h.stat()).ino);
       process.kill(process.pid, 'SIGKILL');`,
      [dbPath],
    );
    expect(r.signal).toBe('SIGKILL');
    const victim = Number(r.stdout.trim());
    expect(orphans(conn).map((o) => o.ino)).toEqual([victim]);
    expect(
      conn.read(() => conn.prepare('SELECT 1 AS one FROM fs_inode WHERE ino = ?').get(victim)),
    ).toBeDefined();
    const { conn: second } = t().reopen();
    expect(orphans(second)).toEqual([]);
    expect(second.prepare('SELECT 1 AS one FROM fs_inode WHERE ino = ?').get(victim)).toBeUndefined();
    expect(second.prepare('SELECT 1 AS one FROM fs_data WHERE ino = ?').get(victim)).toBeUndefined();
    expect(vfs.stat('/keep', root).size).toBe(1);
  });

  test("a live process's orphans are kept when another connection opens the database", () => {
    const { vfs, conn } = t();
    const f = writeFile(vfs, '/f', 'x');
    vfs.open('/f', O_RDONLY, 0, root);
    vfs.retain(f.ino);
    vfs.unlink('/f', root);
    t().reopen();
    expect(orphans(conn)).toEqual([{ ino: f.ino, pid: process.pid }]);
    expect(vfs.read(f.ino, 0, 1).toString()).toBe('x');
    vfs.release(f.ino);
  });

  test('process identity is pid plus start time', () => {
    const me = ownProcessIdentity();
    expect(me.pid).toBe(process.pid);
    expect(me.start).toBe(processStartTime(process.pid));
    expect(processStartTime(2 ** 22 + 12345)).toBeUndefined();
  });
});
