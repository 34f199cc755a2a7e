/** Small conveniences for VFS tests: whole-file writes and reads through open + write/read. */
import type { Vfs } from '../../src/vfs/vfs.js';
import type { Caller } from '../../src/vfs/context.js';
import type { InodeRecord } from '../../src/store/fs-store.js';
import type { StoreConnection } from '../../src/store/connection.js';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../src/vfs/constants.js';
import { root } from './temp-db.js';

export function writeFile(
  vfs: Vfs,
  path: string,
  data: string | Buffer,
  caller: Caller = root,
  mode = 0o644,
): Readonly<InodeRecord> {
  const { inode } = vfs.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode, caller);
  return vfs.write(inode.ino, 0, typeof data === 'string' ? Buffer.from(data) : data);
}

export function readFile(vfs: Vfs, path: string, caller: Caller = root): Buffer {
  const { inode } = vfs.open(path, O_RDONLY, 0, caller);
  return vfs.read(inode.ino, 0, inode.size);
}

export function readText(vfs: Vfs, path: string, caller: Caller = root): string {
  return readFile(vfs, path, caller).toString('utf8');
}

/** Names in a directory, in listing order. */
export function names(vfs: Vfs, path: string, caller: Caller = root): string[] {
  return vfs.readdir(path, caller).map((e) => e.name);
}

/**
 * Sets inodes' stored nlink with raw SQL, as another implementation would write it (for
 * directories, the Unix 2 + subdirectories), bumping agentos_meta.generation as SPEC.md asks
 * other writers to, so AgentOS connections drop what they cached.
 */
export function storeNlink(conn: StoreConnection, nlinks: Record<number, number>): void {
  const sets = Object.entries(nlinks).map(
    ([ino, n]) => `UPDATE fs_inode SET nlink = ${n} WHERE ino = ${ino};`,
  );
  conn.write(() =>
    conn.exec(
      `${sets.join('\n')}\nUPDATE agentos_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';`,
    ),
  );
}
