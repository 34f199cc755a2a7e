/**
 * The queries of `agentos check`: each one finds the rows that break one consistency rule of
 * SPEC.md, so a healthy database answers every one with nothing. They run inside one read
 * transaction of the caller's, and each is capped (LIMIT) so a badly broken database cannot
 * make a report of millions of lines.
 */
import type { StoreConnection } from './connection.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** Every file type the spec allows (socket, symlink, regular, block, directory, char, FIFO). */
const FILE_TYPES = [0o140000, S_IFLNK, S_IFREG, 0o060000, S_IFDIR, 0o020000, 0o010000].join(', ');

export interface EntryRow {
  parentIno: number;
  name: string;
  ino: number;
}

export interface InodeLinkRow {
  ino: number;
  mode: number;
  nlink: number;
  entries: number;
  orphan: boolean;
}

export interface ChunkRow {
  ino: number;
  index: number;
  length: number;
  type: string;
  size: number;
}

export interface InodeCountRow {
  ino: number;
  /** Rows found: chunks, xattrs, or 1 for a symlink row. */
  rows: number;
  /** The inode's mode, or null when the inode does not exist. */
  mode: number | null;
}

export interface Totals {
  inodes: number;
  directories: number;
  files: number;
  symlinks: number;
  chunks: number;
  bytes: number;
}

export class CheckStore {
  readonly #conn: StoreConnection;
  readonly #limit: number;

  /** `limit`: most rows any one query returns. */
  constructor(conn: StoreConnection, limit: number) {
    this.#conn = conn;
    this.#limit = limit;
  }

  /**
   * SQLite's own check of pages, indexes and records: ['ok'] when sound, else one line per
   * finding (turso returns them in one row, under a "*** in database main ***" heading).
   */
  integrity(): string[] {
    return this.#conn
      .prepare<Record<string, string>>('PRAGMA integrity_check')
      .all()
      .flatMap((r) => String(Object.values(r)[0]).split('\n'))
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(line));
  }

  hasTable(name: string): boolean {
    return (
      this.#conn
        .prepare<{ one: number }>("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(name) !== undefined
    );
  }

  root(): { mode: number } | undefined {
    return this.#conn.prepare<{ mode: number }>('SELECT mode FROM fs_inode WHERE ino = 1').get();
  }

  /** Entries whose inode does not exist. */
  danglingEntries(): EntryRow[] {
    return this.#entries(
      `SELECT d.parent_ino AS parentIno, d.name AS name, d.ino AS ino FROM fs_dentry d
       LEFT JOIN fs_inode i ON i.ino = d.ino WHERE i.ino IS NULL ORDER BY d.parent_ino, d.name LIMIT ?`,
    );
  }

  /** Entries held by an inode that does not exist or is not a directory (parentMode null: missing). */
  entriesOutsideDirectories(): (EntryRow & { parentMode: number | null })[] {
    return this.#conn
      .prepare<EntryRow & { parentMode: number | null }>(
        `SELECT d.parent_ino AS parentIno, d.name AS name, d.ino AS ino, p.mode AS parentMode FROM fs_dentry d
         LEFT JOIN fs_inode p ON p.ino = d.parent_ino
         WHERE p.ino IS NULL OR (p.mode & ${S_IFMT}) != ${S_IFDIR} ORDER BY d.parent_ino, d.name LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** Names no entry may have: empty, `.`, `..`, with `/` or NUL, over 255 bytes; and entries naming the root. */
  badEntries(): EntryRow[] {
    return this.#entries(
      `SELECT parent_ino AS parentIno, name, ino FROM fs_dentry
       WHERE name = '' OR name = '.' OR name = '..' OR instr(name, '/') > 0 OR instr(name, char(0)) > 0
          OR length(CAST(name AS BLOB)) > 255 OR ino = 1
       ORDER BY parent_ino, name LIMIT ?`,
    );
  }

  /**
   * Inodes whose link count or entries break the rules: the root must have nlink 1 and no
   * entry; any other inode needs nlink = its entry count, at least one entry unless it is an
   * open orphan (nlink 0, in agentos_orphans), and a directory exactly one.
   */
  linkProblems(hasOrphanTable: boolean): InodeLinkRow[] {
    const orphan = hasOrphanTable ? 'EXISTS (SELECT 1 FROM agentos_orphans o WHERE o.ino = i.ino)' : '0';
    return this.#conn
      .prepare<Omit<InodeLinkRow, 'orphan'> & { orphan: number }>(
        `SELECT ino, mode, nlink, entries, orphan FROM (
           SELECT i.ino AS ino, i.mode AS mode, i.nlink AS nlink,
                  (SELECT COUNT(*) FROM fs_dentry d WHERE d.ino = i.ino) AS entries, ${orphan} AS orphan
           FROM fs_inode i)
         WHERE (ino = 1 AND nlink != 1)
            OR (ino != 1 AND entries = 0 AND NOT (orphan AND nlink = 0))
            OR (entries > 0 AND nlink != entries)
            OR ((mode & ${S_IFMT}) = ${S_IFDIR} AND entries > 1)
         ORDER BY ino LIMIT ?`,
      )
      .all(this.#limit)
      .map((r) => ({ ...r, orphan: Boolean(r.orphan) }));
  }

  /** Inodes whose mode holds no valid file type. */
  badTypes(): { ino: number; mode: number }[] {
    return this.#conn
      .prepare<{ ino: number; mode: number }>(
        `SELECT ino, mode FROM fs_inode WHERE (mode & ${S_IFMT}) NOT IN (${FILE_TYPES}) ORDER BY ino LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** Every directory entry that names a directory: the edges of the tree, for reachability. */
  directoryEdges(): EntryRow[] {
    return this.#conn
      .prepare<EntryRow>(
        `SELECT d.parent_ino AS parentIno, d.name AS name, d.ino AS ino FROM fs_dentry d
         JOIN fs_inode i ON i.ino = d.ino WHERE (i.mode & ${S_IFMT}) = ${S_IFDIR}`,
      )
      .all();
  }

  /** Chunks grouped by inode, for inodes that are missing or are not regular files. */
  chunksOutsideFiles(): InodeCountRow[] {
    return this.#conn
      .prepare<InodeCountRow>(
        `SELECT d.ino AS ino, COUNT(*) AS rows, i.mode AS mode FROM fs_data d
         LEFT JOIN fs_inode i ON i.ino = d.ino
         WHERE i.ino IS NULL OR (i.mode & ${S_IFMT}) != ${S_IFREG}
         GROUP BY d.ino ORDER BY d.ino LIMIT ?`,
      )
      .all(this.#limit);
  }

  /**
   * Chunks of regular files that are not what the file's size says they must be: past the end,
   * of the wrong length (every chunk but the last is full), or not a BLOB.
   */
  badChunks(chunkSize: number): ChunkRow[] {
    return this.#conn
      .prepare<ChunkRow>(
        `SELECT d.ino AS ino, d.chunk_index AS "index", length(d.data) AS length, typeof(d.data) AS type, i.size AS size
         FROM fs_data d JOIN fs_inode i ON i.ino = d.ino
         WHERE (i.mode & ${S_IFMT}) = ${S_IFREG}
           AND (d.chunk_index < 0 OR d.chunk_index * ?1 >= i.size OR typeof(d.data) != 'blob'
                OR length(d.data) != MIN(?1, i.size - d.chunk_index * ?1))
         ORDER BY d.ino, d.chunk_index LIMIT ?2`,
      )
      .all(chunkSize, this.#limit);
  }

  /** Regular files missing some of the chunks 0 .. ceil(size / chunk_size) - 1 (holes). */
  filesWithHoles(chunkSize: number): { ino: number; size: number; present: number; expected: number }[] {
    return this.#conn
      .prepare<{ ino: number; size: number; present: number; expected: number }>(
        `SELECT ino, size, present, expected FROM (
           SELECT i.ino AS ino, i.size AS size, (i.size + ?1 - 1) / ?1 AS expected,
                  (SELECT COUNT(*) FROM fs_data d WHERE d.ino = i.ino AND d.chunk_index >= 0
                     AND d.chunk_index < (i.size + ?1 - 1) / ?1) AS present
           FROM fs_inode i WHERE (i.mode & ${S_IFMT}) = ${S_IFREG} AND i.size > 0)
         WHERE present != expected ORDER BY ino LIMIT ?2`,
      )
      .all(chunkSize, this.#limit);
  }

  /** Symlinks without a target row, or whose size is not the target's byte length. */
  badSymlinks(): { ino: number; size: number; target: string | null }[] {
    return this.#conn
      .prepare<{ ino: number; size: number; target: string | null }>(
        `SELECT i.ino AS ino, i.size AS size, s.target AS target FROM fs_inode i
         LEFT JOIN fs_symlink s ON s.ino = i.ino
         WHERE (i.mode & ${S_IFMT}) = ${S_IFLNK}
           AND (s.ino IS NULL OR i.size != length(CAST(s.target AS BLOB)))
         ORDER BY i.ino LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** fs_symlink rows of inodes that are missing or are not symlinks. */
  targetsOutsideSymlinks(): InodeCountRow[] {
    return this.#conn
      .prepare<InodeCountRow>(
        `SELECT s.ino AS ino, 1 AS rows, i.mode AS mode FROM fs_symlink s LEFT JOIN fs_inode i ON i.ino = s.ino
         WHERE i.ino IS NULL OR (i.mode & ${S_IFMT}) != ${S_IFLNK} ORDER BY s.ino LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** Rows of an extension table keyed by `ino` whose inode is gone, grouped by inode. */
  rowsOfMissingInodes(table: 'agentos_xattrs' | 'agentos_orphans'): InodeCountRow[] {
    return this.#conn
      .prepare<InodeCountRow>(
        `SELECT t.ino AS ino, COUNT(*) AS rows, NULL AS mode FROM ${table} t
         LEFT JOIN fs_inode i ON i.ino = t.ino WHERE i.ino IS NULL GROUP BY t.ino ORDER BY t.ino LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** Keys whose value is not valid JSON. */
  invalidKvValues(): string[] {
    return this.#conn
      .prepare<{ key: string }>('SELECT key FROM kv_store WHERE json_valid(value) = 0 ORDER BY key LIMIT ?')
      .all(this.#limit)
      .map((r) => r.key);
  }

  /** Tool calls with invalid JSON, or whose end fields disagree with their status. */
  badToolCalls(): { id: number; status: string; reason: string }[] {
    return this.#conn
      .prepare<{ id: number; status: string; reason: string }>(
        `SELECT id, status, CASE
           WHEN parameters IS NOT NULL AND json_valid(parameters) = 0 THEN 'parameters are not valid JSON'
           WHEN result IS NOT NULL AND json_valid(result) = 0 THEN 'result is not valid JSON'
           WHEN status = 'pending' THEN 'pending but has an end time or duration'
           WHEN status IN ('success', 'error') THEN 'finished but has no end time or duration'
           ELSE 'unknown status' END AS reason
         FROM tool_calls
         WHERE (parameters IS NOT NULL AND json_valid(parameters) = 0)
            OR (result IS NOT NULL AND json_valid(result) = 0)
            OR (status = 'pending' AND (completed_at IS NOT NULL OR duration_ms IS NOT NULL))
            OR (status IN ('success', 'error') AND (completed_at IS NULL OR duration_ms IS NULL))
            OR status NOT IN ('pending', 'success', 'error')
         ORDER BY id LIMIT ?`,
      )
      .all(this.#limit);
  }

  /** What the filesystem holds, for the summary of a healthy database. */
  totals(): Totals {
    const inodes = this.#conn
      .prepare<{
        inodes: number;
        directories: number;
        files: number;
        symlinks: number;
        bytes: number | null;
      }>(
        `SELECT COUNT(*) AS inodes,
                SUM((mode & ${S_IFMT}) = ${S_IFDIR}) AS directories,
                SUM((mode & ${S_IFMT}) = ${S_IFREG}) AS files,
                SUM((mode & ${S_IFMT}) = ${S_IFLNK}) AS symlinks,
                SUM(CASE WHEN (mode & ${S_IFMT}) = ${S_IFREG} THEN size ELSE 0 END) AS bytes
         FROM fs_inode`,
      )
      .get();
    const chunks = this.#conn.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM fs_data').get();
    return {
      inodes: inodes?.inodes ?? 0,
      directories: inodes?.directories ?? 0,
      files: inodes?.files ?? 0,
      symlinks: inodes?.symlinks ?? 0,
      chunks: chunks?.n ?? 0,
      bytes: inodes?.bytes ?? 0,
    };
  }

  /** One entry of `ino` (its parent and name), to spell a path in messages. */
  entryOf(ino: number): { parentIno: number; name: string } | undefined {
    return this.#conn
      .prepare<{ parentIno: number; name: string }>(
        'SELECT parent_ino AS parentIno, name FROM fs_dentry WHERE ino = ? ORDER BY parent_ino, name LIMIT 1',
      )
      .get(ino);
  }

  #entries(sql: string): EntryRow[] {
    return this.#conn.prepare<EntryRow>(sql).all(this.#limit);
  }
}
