/**
 * `agentos snapshot`: a consistent copy of an agent database while other processes write to
 * it. VACUUM INTO is not usable for this in turso 0.7: it copies table by table outside any
 * snapshot (under a concurrent writer it fails with UNIQUE constraint errors or copies a torn
 * state) and refuses to run inside a transaction. So the copy is made by hand: every table is
 * read inside one read transaction (one snapshot of the WAL) and written to a new database
 * file, which replaces OUT only once complete.
 *
 * Files that a live `agentos run` has closed but not yet written back (agentos_pending_content)
 * get their content from the run's cache file, as recovery would: a snapshot holds every file
 * closed before it. The pending rows themselves are not copied (they belong to that run).
 */
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AgentOSError } from '../errors.js';
import { StoreConnection } from '../store/connection.js';
import { openAgentDatabase } from '../store/agent-database.js';
import { HistoryStore, type SchemaObject } from '../store/history-store.js';
import { PendingContentStore, type PendingContent } from '../store/pending-content-store.js';
import { restorePendingFile } from '../vfs/pending-content.js';
import { Vfs } from '../vfs/vfs.js';

export interface SnapshotOptions {
  /** Replace OUT when it exists (default: EEXIST). */
  overwrite?: boolean;
  /** Told after every batch of rows: rows copied so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface SnapshotResult {
  path: string;
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
}

const PAGE_ROWS = 256;
/** The copy commits in pieces of about this many rows, bounding its memory. */
const COMMIT_ROWS = 8192;
/** Files the engine keeps beside a database. */
const SIDE_FILES = ['-wal', '-tshm', '-shm', '-journal'];
/** Copied without its rows: they name one run's cache files. */
const PENDING_TABLE = 'agentos_pending_content';

/** Copies the database behind `source` to `out` as of one moment. */
export function snapshotDatabase(
  source: StoreConnection,
  out: string,
  options: SnapshotOptions = {},
): SnapshotResult {
  const started = Date.now();
  const target = resolve(out);
  checkTarget(source.path, target, options.overwrite ?? false);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  removeDatabaseFiles(tmp);
  let copied = { tables: 0, rows: 0 };
  let pending: PendingContent[] = [];
  const dest = StoreConnection.open(tmp, { create: true });
  try {
    dest.setBatching(true);
    copied = source.read(() => {
      const history = new HistoryStore(source);
      const schema = history.schema();
      if (schema.some((o) => o.type === 'table' && o.name === PENDING_TABLE))
        pending = new PendingContentStore(source).list();
      return copyAll(history, schema, dest, options.onProgress);
    });
    dest.setBatching(false);
  } catch (e) {
    dest.close();
    removeDatabaseFiles(tmp);
    throw e;
  }
  dest.close();
  try {
    bringInPending(tmp, pending);
  } catch (e) {
    removeDatabaseFiles(tmp);
    throw e;
  }
  if (options.overwrite) removeDatabaseFiles(target);
  renameSync(tmp, target);
  removeDatabaseFiles(tmp);
  return { path: target, ...copied, bytes: statSync(target).size, durationMs: Date.now() - started };
}

/** Writes pending files' content (from their cache files) into the finished copy. */
function bringInPending(copy: string, pending: readonly PendingContent[]): void {
  if (pending.length === 0) return;
  const { conn, chunkSize } = openAgentDatabase(copy, { create: false });
  try {
    const vfs = new Vfs(conn, chunkSize);
    for (const entry of pending) restorePendingFile(vfs, entry.ino, entry.path);
  } finally {
    conn.close();
  }
}

function checkTarget(sourcePath: string, target: string, overwrite: boolean): void {
  if (existsSync(target)) {
    if (realpathSync(target) === realpathSync(sourcePath)) {
      throw new AgentOSError('EINVAL', {
        syscall: 'snapshot',
        path: target,
        message: 'the snapshot would overwrite the database itself',
      });
    }
    if (!overwrite)
      throw new AgentOSError('EEXIST', {
        syscall: 'snapshot',
        path: target,
        message: 'file exists (pass { overwrite: true } to replace it)',
      });
    if (statSync(target).isDirectory())
      throw new AgentOSError('EISDIR', { syscall: 'snapshot', path: target });
  }
  if (!existsSync(dirname(target)))
    throw new AgentOSError('ENOENT', { syscall: 'snapshot', path: target, message: 'no such directory' });
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(path + suffix, { force: true });
}

/** Tables the engine creates and fills itself, copied by replacing the rows it made. */
function isInternal(name: string): boolean {
  return name.startsWith('sqlite_') || name.startsWith('__turso_internal');
}

function copyAll(
  src: HistoryStore,
  schema: readonly SchemaObject[],
  dest: StoreConnection,
  onProgress: SnapshotOptions['onProgress'],
): { tables: number; rows: number } {
  let tables = schema.filter((o) => o.type === 'table' && o.sql !== null);
  const destStore = new HistoryStore(dest);
  for (const t of tables) if (!isInternal(t.name)) dest.exec(t.sql as string);
  dest.flush();
  // AUTOINCREMENT tables brought their engine-made companions; create any that are still missing.
  const present = new Set(destStore.schema().map((o) => o.name));
  for (const t of tables)
    if (isInternal(t.name) && !present.has(t.name) && t.name !== 'sqlite_sequence')
      dest.exec(t.sql as string);
  // turso keeps AUTOINCREMENT state in __turso_internal tables of its own, which may not be
  // written to: inserting the rows (with their ids) brings them up to date.
  tables = tables.filter((t) => !t.name.startsWith('__turso_internal'));
  const counts = tables.map((t) => (t.name === PENDING_TABLE ? 0 : src.count(t.name)));
  const total = counts.reduce((a, b) => a + b, 0);
  let done = 0;
  let sinceCommit = 0;
  onProgress?.(0, total);
  for (const t of tables) {
    const columns = src.columns(t.name);
    const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(t.sql ?? '');
    if (t.name === PENDING_TABLE) continue;
    for (let after: number | null = withoutRowid ? null : Number.MIN_SAFE_INTEGER; ;) {
      const page = src.page(t.name, columns, after, PAGE_ROWS);
      if (page.length === 0) break;
      dest.write(() =>
        destStore.insertTyped(
          t.name,
          columns,
          page.map((r) => r.values),
          isInternal(t.name),
        ),
      );
      done += page.length;
      sinceCommit += page.length;
      if (sinceCommit >= COMMIT_ROWS) {
        dest.flush();
        sinceCommit = 0;
      }
      onProgress?.(done, total);
      if (after === null) break;
      after = page[page.length - 1].rowid;
    }
  }
  createRest(dest, schema);
  dest.flush();
  return { tables: tables.filter((t) => !isInternal(t.name)).length, rows: done };
}

/** Indexes (after the rows: faster than updating them row by row), views and triggers. */
function createRest(dest: StoreConnection, schema: readonly SchemaObject[]): void {
  for (const type of ['index', 'view', 'trigger'] as const) {
    for (const o of schema) if (o.type === type && o.sql !== null) dest.exec(o.sql);
  }
}
