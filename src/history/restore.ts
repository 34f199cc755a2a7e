/**
 * `agentos restore`: brings paths (or the whole tree) of a snapshot back into the live
 * database. Under each path the live tree is made equal to the snapshot's: what the snapshot
 * lacks is deleted, what it has is created or changed (content chunk by chunk, only the
 * chunks that differ; type, symlink target, permissions, owner, and the times of what was
 * restored). Missing parent directories come back too. The restore is a tool call
 * (`restore`) and each change is in the operation log under it.
 */
import { AgentOSError, fsError } from '../errors.js';
import type { InodeRecord } from '../store/fs-store.js';
import { ToolStore } from '../store/tool-store.js';
import { O_CREAT, O_EXCL, O_WRONLY, isDirectory, isRegular, isSymlink } from '../vfs/constants.js';
import type { Caller } from '../vfs/context.js';
import { normalize } from '../vfs/path.js';
import { ROOT } from '../vfs/permissions.js';
import { MAX_TRANSACTION_BYTES, type Vfs } from '../vfs/vfs.js';
import type { ChunkRecord } from '../store/fs-store.js';
import { compareContent, diffDatabases, type FileChange } from './diff.js';
import type { AuditedVfs } from './sdk-audit.js';
import { comparePaths, isWithin, loadTree, type TreeNode } from './tree.js';

export interface RestoreResult {
  /** The `restore` tool call. */
  callId: number;
  /** Paths created or changed, in path order. */
  restored: string[];
  /** Paths deleted because the snapshot does not have them. */
  deleted: string[];
  /** Bytes of content chunks written. */
  bytesWritten: number;
}

const root: Caller = { cred: ROOT };
const PATHS_PER_COMMIT = 256;

/**
 * Restores `paths` (default: the whole tree) of the snapshot opened as `snapshot` into
 * `live`. The caller batches the commits; this flushes after every ~8 MiB of content.
 */
export function restoreSnapshot(
  live: AuditedVfs,
  snapshot: Vfs,
  snapshotPath: string,
  paths: readonly string[],
): RestoreResult {
  const prefixes =
    paths.length === 0 ? ['/'] : [...new Set(paths.map((p) => normalize(p.startsWith('/') ? p : `/${p}`)))];
  const snap = snapshot.conn.read(() => loadTree(snapshot.conn));
  for (const p of prefixes)
    if (!snap.has(p))
      throw new AgentOSError('ENOENT', { syscall: 'restore', path: p, message: 'not in the snapshot' });
  const changes = diffDatabases({ vfs: live }, { vfs: snapshot }, { paths: prefixes, kv: false }).files;
  const callId = startCall(live, snapshotPath, prefixes);
  const result: RestoreResult = { callId, restored: [], deleted: [], bytesWritten: 0 };
  try {
    live.withLog(callId, () => apply(live, snapshot, snap, prefixes, changes, result));
    live.conn.write(() =>
      new ToolStore(live.conn).complete(callId, 'success', JSON.stringify(summary(result)), null, Date.now()),
    );
  } catch (e) {
    live.conn.write(() =>
      new ToolStore(live.conn).complete(
        callId,
        'error',
        JSON.stringify(summary(result)),
        (e as Error).message,
        Date.now(),
      ),
    );
    throw e;
  }
  return result;
}

function summary(r: RestoreResult): object {
  return { restored: r.restored.length, deleted: r.deleted.length, bytesWritten: r.bytesWritten };
}

function startCall(live: Vfs, snapshotPath: string, prefixes: string[]): number {
  const id = live.conn.write(() =>
    new ToolStore(live.conn).insertPending(
      'restore',
      JSON.stringify({ snapshot: snapshotPath, paths: prefixes }),
    ),
  );
  live.conn.flush();
  return id;
}

function apply(
  live: AuditedVfs,
  snapshot: Vfs,
  snap: Map<string, TreeNode>,
  prefixes: string[],
  changes: FileChange[],
  result: RestoreResult,
): void {
  const restorer = new Restorer(live, snapshot, snap, result);
  for (const p of prefixes) restorer.ensureParents(p);
  // Deletions deepest first, so directories are empty when they go.
  const doomed = changes
    .filter((c) => c.change === 'deleted' || c.change === 'type-changed')
    .map((c) => c.path);
  for (const path of doomed.sort(comparePaths).reverse()) restorer.remove(path);
  const targets = changes.filter((c) => c.change !== 'deleted').sort((a, b) => comparePaths(a.path, b.path));
  for (const c of targets) restorer.restore(c);
  // Attributes last and deepest first: creating entries changes a directory's times.
  for (const c of [...targets].reverse()) restorer.attributes(c.path);
  // Directories whose entries changed get the snapshot's times back too (those within the
  // restored paths, and parents the restore had to create).
  const dirs = new Set(restorer.parents);
  for (const c of changes) {
    const parent = c.path.slice(0, c.path.lastIndexOf('/')) || '/';
    if (c.path !== '/' && prefixes.some((p) => isWithin(parent, p)) && snap.has(parent)) dirs.add(parent);
  }
  for (const dir of [...dirs].sort(comparePaths).reverse()) restorer.attributes(dir);
}

class Restorer {
  readonly #live: AuditedVfs;
  readonly #snapshot: Vfs;
  readonly #snap: Map<string, TreeNode>;
  readonly #result: RestoreResult;
  /** Snapshot inode → the live path it was restored at, to restore hard links as links. */
  #linked = new Map<number, string>();
  #sinceFlush = 0;
  #paths = 0;
  /** Parent directories created so that restored paths have a place. */
  readonly parents: string[] = [];

  constructor(live: AuditedVfs, snapshot: Vfs, snap: Map<string, TreeNode>, result: RestoreResult) {
    this.#live = live;
    this.#snapshot = snapshot;
    this.#snap = snap;
    this.#result = result;
  }

  /** Recreates missing parent directories of `path` from the snapshot. */
  ensureParents(path: string): void {
    const parts = path.split('/').filter((c) => c.length > 0);
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      const found = this.#live.resolve(dir, root, 'nofollow');
      if (found.inode) {
        if (!isDirectory(found.inode.mode)) throw fsError('ENOTDIR', 'restore', dir);
        continue;
      }
      this.#create(this.#snap.get(dir)!);
      this.parents.push(dir);
    }
  }

  remove(path: string): void {
    const found = this.#live.resolve(path, root, 'nofollow');
    if (!found.inode) return;
    if (isDirectory(found.inode.mode)) this.#live.rmdir(path, root);
    else this.#live.unlink(path, root);
    this.#result.deleted.push(path);
    this.#step();
  }

  restore(change: FileChange): void {
    const node = this.#snap.get(change.path)!;
    if (change.change === 'added' || change.change === 'type-changed') {
      if (change.path !== '/') this.#create(node);
    } else {
      if (change.target) {
        this.#live.unlink(change.path, root);
        this.#create(node);
      } else if (change.content) {
        const live = this.#live.resolve(change.path, root, 'nofollow').inode!;
        this.#content(live.ino, live, node.inode);
      }
    }
    this.#result.restored.push(change.path);
    this.#step();
  }

  /** Owner, permissions and times of the snapshot's node at `path`. */
  attributes(path: string): void {
    const node = this.#snap.get(path);
    const live = this.#live.resolve(path, root, 'nofollow').inode;
    if (!node || !live) return;
    const want = node.inode;
    if (live.uid !== want.uid || live.gid !== want.gid)
      this.#live.chownInode(live.ino, want.uid, want.gid, root, path);
    const after = this.#live.inode(live.ino)!;
    if (!isSymlink(want.mode) && (after.mode & 0o7777) !== (want.mode & 0o7777))
      this.#live.chmodInode(live.ino, want.mode & 0o7777, root, path);
    this.#live.utimensInode(
      live.ino,
      { sec: want.atime, nsec: want.atimeNsec },
      { sec: want.mtime, nsec: want.mtimeNsec },
      root,
      path,
    );
  }

  #create(node: TreeNode): void {
    const { path, inode } = node;
    const earlier = this.#linked.get(inode.ino);
    if (earlier !== undefined && !isDirectory(inode.mode)) {
      this.#live.link(earlier, path, root);
      return;
    }
    if (isDirectory(inode.mode)) this.#live.mkdir(path, inode.mode & 0o1777, root);
    else if (isSymlink(inode.mode)) this.#live.symlink(node.target ?? '', path, root);
    else if (isRegular(inode.mode)) {
      const created = this.#live.open(path, O_CREAT | O_EXCL | O_WRONLY, inode.mode & 0o777, root).inode;
      this.#content(created.ino, undefined, inode);
    } else this.#live.mknod(path, inode.mode, inode.rdev, root);
    if (inode.nlink > 1) this.#linked.set(inode.ino, path);
  }

  /** Writes the chunks of the snapshot's `want` that differ from the live content, then its size. */
  #content(ino: number, live: InodeRecord | undefined, want: InodeRecord): void {
    const cs = this.#live.chunkSize;
    const perGroup = Math.max(1, Math.floor(MAX_TRANSACTION_BYTES / cs));
    let group: ChunkRecord[] = [];
    let reached = live?.size ?? 0;
    const push = () => {
      if (group.length === 0) return;
      const last = group[group.length - 1];
      reached = Math.max(reached, last.index * cs + last.data.length);
      this.#live.applyContent(ino, { chunks: group, size: reached });
      this.#count(group.reduce((n, c) => n + c.data.length, 0));
      group = [];
      this.#live.conn.flush();
    };
    compareContent(this.#live, live, this.#snapshot, want, {
      chunkSize: cs,
      onChunk: (index, data) => {
        group.push({ index, data: Buffer.from(data) });
        if (group.length >= perGroup) push();
      },
    });
    const chunks = group;
    this.#live.applyContent(ino, {
      chunks,
      size: want.size,
      final: { mtime: { sec: want.mtime, nsec: want.mtimeNsec } },
    });
    this.#count(chunks.reduce((n, c) => n + c.data.length, 0));
  }

  /** Commits every PATHS_PER_COMMIT paths, so other writers never wait long for the lock. */
  #step(): void {
    if (++this.#paths % PATHS_PER_COMMIT === 0) this.#live.conn.flush();
  }

  #count(bytes: number): void {
    this.#result.bytesWritten += bytes;
    this.#sinceFlush += bytes;
    if (this.#sinceFlush >= MAX_TRANSACTION_BYTES) {
      this.#live.conn.flush();
      this.#sinceFlush = 0;
    }
  }
}
