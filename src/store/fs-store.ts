/**
 * Every SQL statement the filesystem runs, behind typed methods. The VFS talks only to this
 * class, so the engine (and its quirks) stay in the store layer.
 */
import type { StoreConnection } from './connection.js';
import { AgentOSError } from '../errors.js';

/** The agentos_meta key holding the quota: the most bytes regular files may hold together. */
export const MAX_SIZE_KEY = 'max_size';

/** One row of fs_inode, camelCased. Times are seconds plus nanoseconds, as the spec stores them. */
export interface InodeRecord {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  atime: number;
  mtime: number;
  ctime: number;
  rdev: number;
  atimeNsec: number;
  mtimeNsec: number;
  ctimeNsec: number;
}

export interface ChunkRecord {
  index: number;
  data: Buffer;
}

/** One row of fs_inode as the engine returns it. */
export interface InodeRow {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  atime: number;
  mtime: number;
  ctime: number;
  rdev: number;
  atime_nsec: number;
  mtime_nsec: number;
  ctime_nsec: number;
}

export function rowToInode(r: InodeRow): InodeRecord {
  return {
    ino: r.ino,
    mode: r.mode,
    nlink: r.nlink,
    uid: r.uid,
    gid: r.gid,
    size: r.size,
    atime: r.atime,
    mtime: r.mtime,
    ctime: r.ctime,
    rdev: r.rdev,
    atimeNsec: r.atime_nsec,
    mtimeNsec: r.mtime_nsec,
    ctimeNsec: r.ctime_nsec,
  };
}

/** fs_inode's columns, in InodeRow order. */
export const INODE_COLUMNS =
  'ino, mode, nlink, uid, gid, size, atime, mtime, ctime, rdev, atime_nsec, mtime_nsec, ctime_nsec';

/** An inode's columns after `ino`, in INODE_COLUMNS order, as statement parameters. */
function inodeValues(r: Omit<InodeRecord, 'ino'>): number[] {
  return [
    r.mode,
    r.nlink,
    r.uid,
    r.gid,
    r.size,
    r.atime,
    r.mtime,
    r.ctime,
    r.rdev,
    r.atimeNsec,
    r.mtimeNsec,
    r.ctimeNsec,
  ];
}

/**
 * Blobs are bound as hex text into `unhex(?)`: turso 0.7 copies a bound Buffer one element at a
 * time (~60 ns/byte), while a string crosses in one copy; the stored value is still a real BLOB.
 */
function blobParam(data: Buffer): string {
  return data.toString('hex');
}

export class FsStore {
  readonly conn: StoreConnection;

  constructor(conn: StoreConnection) {
    this.conn = conn;
  }

  getInode(ino: number): InodeRecord | undefined {
    const row = this.conn.prepare<InodeRow>(`SELECT ${INODE_COLUMNS} FROM fs_inode WHERE ino = ?`).get(ino);
    return row ? rowToInode(row) : undefined;
  }

  /** Inserts an inode and returns its number. */
  createInode(r: Omit<InodeRecord, 'ino'>): number {
    // lastInsertRowid, not RETURNING: RETURNING costs ~200 µs a statement in turso 0.7.
    return this.conn
      .prepare(
        `INSERT INTO fs_inode (mode, nlink, uid, gid, size, atime, mtime, ctime, rdev, atime_nsec, mtime_nsec, ctime_nsec)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...inodeValues(r)).lastInsertRowid;
  }

  saveInode(r: InodeRecord): void {
    this.conn
      .prepare(
        `UPDATE fs_inode SET mode = ?, nlink = ?, uid = ?, gid = ?, size = ?, atime = ?, mtime = ?, ctime = ?,
         rdev = ?, atime_nsec = ?, mtime_nsec = ?, ctime_nsec = ? WHERE ino = ?`,
      )
      .run(...inodeValues(r), r.ino);
  }

  /** Removes an inode with its content and symlink target. */
  deleteInode(ino: number): void {
    this.conn.prepare('DELETE FROM fs_data WHERE ino = ?').run(ino);
    this.conn.prepare('DELETE FROM fs_symlink WHERE ino = ?').run(ino);
    this.conn.prepare('DELETE FROM fs_inode WHERE ino = ?').run(ino);
    this.conn.prepare('DELETE FROM agentos_orphans WHERE ino = ?').run(ino);
    this.conn.prepare('DELETE FROM agentos_xattrs WHERE ino = ?').run(ino);
  }

  lookup(parentIno: number, name: string): number | undefined {
    return this.conn
      .prepare<{ ino: number }>('SELECT ino FROM fs_dentry WHERE parent_ino = ? AND name = ?')
      .get(parentIno, name)?.ino;
  }

  /** Entries of a directory with their inodes, in byte order of their names. */
  listDirectory(parentIno: number): { name: string; inode: InodeRecord }[] {
    return this.conn
      .prepare<InodeRow & { name: string }>(
        `SELECT d.name AS name, ${INODE_COLUMNS.split(', ')
          .map((c) => `i.${c} AS ${c}`)
          .join(', ')}
         FROM fs_dentry d JOIN fs_inode i ON i.ino = d.ino
         WHERE d.parent_ino = ? ORDER BY d.name`,
      )
      .all(parentIno)
      .map((r) => ({ name: r.name, inode: rowToInode(r) }));
  }

  /** The directory holding the (first) entry of `ino`; directories have exactly one. */
  parentOf(ino: number): { parentIno: number; name: string } | undefined {
    const row = this.conn
      .prepare<{ parent_ino: number; name: string }>(
        'SELECT parent_ino, name FROM fs_dentry WHERE ino = ? LIMIT 1',
      )
      .get(ino);
    return row ? { parentIno: row.parent_ino, name: row.name } : undefined;
  }

  /** Number of entries naming `ino`: what nlink must equal. */
  countLinks(ino: number): number {
    return (
      this.conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_dentry WHERE ino = ?').get(ino)?.n ?? 0
    );
  }

  addOrphan(ino: number, pid: number, pidStart: string): void {
    this.conn
      .prepare('INSERT OR REPLACE INTO agentos_orphans (ino, pid, pid_start) VALUES (?, ?, ?)')
      .run(ino, pid, pidStart);
  }

  removeOrphan(ino: number): void {
    this.conn.prepare('DELETE FROM agentos_orphans WHERE ino = ?').run(ino);
  }

  listOrphans(): { ino: number; pid: number; pidStart: string }[] {
    return this.conn
      .prepare<{ ino: number; pid: number; pid_start: string }>(
        'SELECT ino, pid, pid_start FROM agentos_orphans',
      )
      .all()
      .map((r) => ({ ino: r.ino, pid: r.pid, pidStart: r.pid_start }));
  }

  hasChildren(parentIno: number): boolean {
    return (
      this.conn
        .prepare<{ one: number }>('SELECT 1 AS one FROM fs_dentry WHERE parent_ino = ? LIMIT 1')
        .get(parentIno) !== undefined
    );
  }

  addDentry(parentIno: number, name: string, ino: number): void {
    this.conn
      .prepare('INSERT INTO fs_dentry (name, parent_ino, ino) VALUES (?, ?, ?)')
      .run(name, parentIno, ino);
  }

  removeDentry(parentIno: number, name: string): void {
    this.conn.prepare('DELETE FROM fs_dentry WHERE parent_ino = ? AND name = ?').run(parentIno, name);
  }

  moveDentry(parentIno: number, name: string, newParentIno: number, newName: string): void {
    this.conn
      .prepare('UPDATE fs_dentry SET parent_ino = ?, name = ? WHERE parent_ino = ? AND name = ?')
      .run(newParentIno, newName, parentIno, name);
  }

  /** Points an existing entry at another inode (the second half of RENAME_EXCHANGE). */
  retargetDentry(parentIno: number, name: string, ino: number): void {
    this.conn
      .prepare('UPDATE fs_dentry SET ino = ? WHERE parent_ino = ? AND name = ?')
      .run(ino, parentIno, name);
  }

  getSymlinkTarget(ino: number): string | undefined {
    return this.conn.prepare<{ target: string }>('SELECT target FROM fs_symlink WHERE ino = ?').get(ino)
      ?.target;
  }

  setSymlinkTarget(ino: number, target: string): void {
    this.conn.prepare('INSERT OR REPLACE INTO fs_symlink (ino, target) VALUES (?, ?)').run(ino, target);
  }

  readChunk(ino: number, index: number): Buffer | undefined {
    return this.conn
      .prepare<{ data: Buffer }>('SELECT data FROM fs_data WHERE ino = ? AND chunk_index = ?')
      .get(ino, index)?.data;
  }

  /** Chunks `first..last` (inclusive) that exist; missing ones are holes. */
  readChunks(ino: number, first: number, last: number): ChunkRecord[] {
    return this.conn
      .prepare<ChunkRecord>(
        'SELECT chunk_index AS "index", data FROM fs_data WHERE ino = ? AND chunk_index BETWEEN ? AND ? ORDER BY chunk_index',
      )
      .all(ino, first, last);
  }

  writeChunk(ino: number, index: number, data: Buffer): void {
    this.conn
      .prepare('INSERT OR REPLACE INTO fs_data (ino, chunk_index, data) VALUES (?, ?, unhex(?))')
      .run(ino, index, blobParam(data));
  }

  /** Stores a chunk of zeros without building it in JavaScript (holes are stored, per spec rule 7). */
  writeZeroChunk(ino: number, index: number, length: number): void {
    this.conn
      .prepare('INSERT OR REPLACE INTO fs_data (ino, chunk_index, data) VALUES (?, ?, zeroblob(?))')
      .run(ino, index, length);
  }

  deleteChunk(ino: number, index: number): void {
    this.conn.prepare('DELETE FROM fs_data WHERE ino = ? AND chunk_index = ?').run(ino, index);
  }

  /** Drops every chunk from `index` on (truncation). */
  deleteChunksFrom(ino: number, index: number): void {
    this.conn.prepare('DELETE FROM fs_data WHERE ino = ? AND chunk_index >= ?').run(ino, index);
  }

  /** Shortens one stored chunk to `length` bytes without reading it into JavaScript. */
  shortenChunk(ino: number, index: number, length: number): void {
    this.conn
      .prepare('UPDATE fs_data SET data = substr(data, 1, ?) WHERE ino = ? AND chunk_index = ?')
      .run(length, ino, index);
  }

  /** Number of inodes and total file bytes, for statfs. */
  usage(): { inodes: number; bytes: number } {
    const row = this.conn
      .prepare<{ inodes: number; bytes: number | null }>(
        'SELECT COUNT(*) AS inodes, SUM(size) AS bytes FROM fs_inode',
      )
      .get();
    return { inodes: row?.inodes ?? 0, bytes: row?.bytes ?? 0 };
  }

  /** Sum of the sizes of regular files: the stored content, which the quota limits. */
  fileBytes(): number {
    return (
      this.conn
        .prepare<{ bytes: number | null }>(
          `SELECT SUM(size) AS bytes FROM fs_inode WHERE (mode & ${0o170000}) = ${0o100000}`,
        )
        .get()?.bytes ?? 0
    );
  }

  /** The quota (agentos_meta.max_size) in bytes; null when there is none (or no agentos_meta, read-only). */
  maxSize(): number | null {
    const meta = this.conn
      .prepare<{ one: number }>(
        "SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'agentos_meta'",
      )
      .get();
    if (!meta) return null;
    const value = this.conn
      .prepare<{ value: string }>(`SELECT value FROM agentos_meta WHERE key = '${MAX_SIZE_KEY}'`)
      .get()?.value;
    if (value === undefined) return null;
    const limit = Number(value);
    // A value no AgentOS wrote (hand-edited) must not silently mean "no limit" or "nothing fits".
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(limit)) {
      throw new AgentOSError('EINVAL', {
        syscall: 'quota',
        path: this.conn.path,
        message: `invalid max_size '${value}' in agentos_meta`,
      });
    }
    return limit;
  }

  setMaxSize(limit: number | null): void {
    if (limit === null) this.conn.prepare(`DELETE FROM agentos_meta WHERE key = '${MAX_SIZE_KEY}'`).run();
    else
      this.conn
        .prepare(`INSERT OR REPLACE INTO agentos_meta (key, value) VALUES ('${MAX_SIZE_KEY}', ?)`)
        .run(String(limit));
  }

  configValue(key: string): string | undefined {
    return this.conn.prepare<{ value: string }>('SELECT value FROM fs_config WHERE key = ?').get(key)?.value;
  }
}
