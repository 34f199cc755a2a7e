/**
 * The backing store's close: what a program's close of a written file does to the database.
 * Driven directly (no sandboxed program), so each case is exact rather than a race with the
 * background write-back.
 */
import { closeSync, writeSync } from 'node:fs';
import { BackingStore } from '../../src/sandbox/backing-store.js';
import { createCacheDir, type CacheDir } from '../../src/sandbox/cache-dir.js';
import { loadAddon } from '../../src/sandbox/native.js';
import { O_CREAT, O_RDWR, O_WRONLY } from '../../src/vfs/constants.js';
import { root, useTestVfs } from '../helpers/temp-db.js';

let cache: CacheDir | undefined;
let backing: BackingStore;

// Declared before useTestVfs's hooks, so it runs first (jest runs afterEach hooks in order),
// while the database is still open.
afterEach(() => {
  backing.close();
  cache?.remove();
  cache = undefined;
});

const t = useTestVfs();

function setUp(): ReturnType<typeof t> {
  const v = t();
  cache = createCacheDir();
  backing = new BackingStore(v.vfs, cache, loadAddon());
  v.conn.setBatching(true);
  return v;
}

/** Creates `path` as a program would (open with O_CREAT), writes `data` through the cache, closes it. */
function createAndWrite(v: ReturnType<typeof t>, path: string, data: Buffer): number {
  const { inode } = v.vfs.open(path, O_RDWR | O_CREAT, 0o644, root);
  const fd = backing.openFile(inode, O_WRONLY, true);
  writeSync(fd, data);
  closeSync(fd);
  return inode.ino;
}

function pendingRows(v: ReturnType<typeof t>): number[] {
  return v.conn
    .prepare<{ ino: number }>('SELECT ino FROM agentos_pending_content ORDER BY ino')
    .all()
    .map((r) => r.ino);
}

test('a small file is written back by its close itself: no pending row, the content in the batch the close commits', () => {
  const v = setUp();
  const ino = createAndWrite(v, '/small', Buffer.from('hello, database'));
  expect(backing.syncForClose(ino, true)).toBe(true);
  expect(pendingRows(v)).toEqual([]);
  expect(v.vfs.read(ino, 0, 100).toString()).toBe('hello, database');
});

test('a large file becomes pending at its close, its content written back later', () => {
  const v = setUp();
  const data = Buffer.alloc(200_000, 'L');
  const ino = createAndWrite(v, '/large', data);
  expect(backing.syncForClose(ino, true)).toBe(true);
  expect(pendingRows(v)).toEqual([ino]);
  expect(v.vfs.inode(ino)!.size).toBe(0);
  expect(backing.writeBackPending(Date.now() + 60_000)).toBe(false);
  expect(pendingRows(v)).toEqual([]);
  expect(v.vfs.read(ino, 0, data.length).equals(data)).toBe(true);
});

test('a close of a file unchanged since it was saved asks for no commit', () => {
  const v = setUp();
  const ino = createAndWrite(v, '/once', Buffer.from('saved'));
  expect(backing.syncForClose(ino, true)).toBe(true);
  v.conn.flush();
  const fd = backing.openFile(v.vfs.inode(ino)!, O_RDWR);
  closeSync(fd);
  expect(backing.syncForClose(ino, true)).toBe(false);
  expect(v.conn.hasPendingWrites).toBe(false);
});
