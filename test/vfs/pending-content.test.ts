/**
 * Content a sandbox run left pending in its cache: the next opener of the database takes it
 * back when the run's process is gone, and leaves it alone while the run lives.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, utimesSync, writeFileSync } from 'node:fs';
import { useTestVfs, root } from '../helpers/temp-db.js';
import { writeFile } from '../helpers/vfs-files.js';
import { ownProcessIdentity, processStartTime } from '../../src/vfs/orphans.js';
import type { StoreConnection } from '../../src/store/connection.js';
import { allChunks, storeHostContent } from '../../src/vfs/host-content.js';
import { MAX_TRANSACTION_BYTES } from '../../src/vfs/vfs.js';

const t = useTestVfs();

/** The identity of a process that has exited (its start time read while it ran). */
function deadProcess(): { pid: number; start: string } {
  const r = spawnSync('sh', ['-c', 'cut -d" " -f1 /proc/self/stat; cat /proc/self/stat'], {
    encoding: 'utf8',
  });
  const [pidLine, stat] = r.stdout.split('\n');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const pid = Number(pidLine);
  expect(processStartTime(pid)).not.toBe(fields[19]);
  return { pid, start: fields[19] };
}

function pendingRows(conn: StoreConnection): number[] {
  return conn.read(() =>
    conn
      .prepare<{ ino: number }>('SELECT ino FROM agentos_pending_content ORDER BY ino')
      .all()
      .map((r) => r.ino),
  );
}

test('content pending from a dead run comes back from its cache file at the next open', () => {
  const { vfs, conn, tmp } = t();
  const small = writeFile(vfs, '/small', 'old');
  const big = writeFile(vfs, '/big', 'x'.repeat(10));
  const cacheSmall = tmp.file('cache-small');
  const cacheBig = tmp.file('cache-big');
  writeFileSync(cacheSmall, 'new content, longer than before');
  const bigContent = Buffer.alloc(3 * 1024 * 1024 + 123);
  for (let i = 0; i < bigContent.length; i++) bigContent[i] = (i * 31) & 0xff;
  writeFileSync(cacheBig, bigContent);
  utimesSync(cacheSmall, 1_700_000_000, 1_700_000_000);
  const dead = deadProcess();
  conn.write(() => {
    vfs.pendingContent.mark({ ino: small.ino, path: cacheSmall, pid: dead.pid, pidStart: dead.start });
    vfs.pendingContent.mark({ ino: big.ino, path: cacheBig, pid: dead.pid, pidStart: dead.start });
  });
  const second = t().reopen();
  expect(second.vfs.read(small.ino, 0, 100).toString()).toBe('new content, longer than before');
  expect(second.vfs.stat('/small', root).mtime).toBe(1_700_000_000);
  expect(second.vfs.read(big.ino, 0, bigContent.length + 10).equals(bigContent)).toBe(true);
  expect(second.vfs.stat('/big', root).size).toBe(bigContent.length);
  expect(pendingRows(second.conn)).toEqual([]);
});

test("a live run's pending content is left alone", () => {
  const { vfs, conn, tmp } = t();
  const f = writeFile(vfs, '/f', 'committed');
  const cache = tmp.file('cache');
  writeFileSync(cache, 'still being written');
  const me = ownProcessIdentity();
  conn.write(() => vfs.pendingContent.mark({ ino: f.ino, path: cache, pid: me.pid, pidStart: me.start }));
  const second = t().reopen();
  expect(second.vfs.read(f.ino, 0, 100).toString()).toBe('committed');
  expect(pendingRows(second.conn)).toEqual([f.ino]);
});

test('a cache file that is gone leaves the written-back content, and so does a deleted file', () => {
  const { vfs, conn, tmp } = t();
  const kept = writeFile(vfs, '/kept', 'as written back');
  const gone = writeFile(vfs, '/gone', 'x');
  const cache = tmp.file('cache');
  writeFileSync(cache, 'newer');
  const dead = deadProcess();
  conn.write(() => {
    vfs.pendingContent.mark({
      ino: kept.ino,
      path: tmp.file('vanished'),
      pid: dead.pid,
      pidStart: dead.start,
    });
    vfs.pendingContent.mark({ ino: gone.ino, path: cache, pid: dead.pid, pidStart: dead.start });
  });
  vfs.unlink('/gone', root);
  const second = t().reopen();
  expect(second.vfs.read(kept.ino, 0, 100).toString()).toBe('as written back');
  expect(second.vfs.inode(gone.ino)).toBeUndefined();
  expect(pendingRows(second.conn)).toEqual([]);
});

test('a large host file is stored in bounded transactions, each committed, even inside a batch', () => {
  const { vfs, conn, tmp } = t();
  const ino = writeFile(vfs, '/large', '').ino;
  const content = Buffer.alloc(MAX_TRANSACTION_BYTES * 2 + 5000);
  for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i);
  const path = tmp.file('large-cache');
  writeFileSync(path, content);
  let commits = 0;
  conn.onCommit(() => commits++);
  conn.setBatching(true);
  const fd = openSync(path, 'r');
  try {
    storeHostContent(vfs, ino, fd, allChunks(content.length, vfs.chunkSize), {
      size: content.length,
      mtime: { sec: 1_700_000_000, nsec: 5 },
    });
  } finally {
    closeSync(fd);
  }
  // Three groups: the first two committed as they went, the last one left to the batch.
  expect(commits).toBe(2);
  conn.setBatching(false);
  expect(commits).toBe(3);
  expect(vfs.read(ino, 0, content.length).equals(content)).toBe(true);
  expect(vfs.inode(ino)).toMatchObject({ size: content.length, mtime: 1_700_000_000, mtimeNsec: 5 });
});
