/**
 * The SDK's own changes in the operation log (`new AgentOS(path, { audit: true })`): a VFS that
 * records every change it makes, with this process as the actor and no run (call_id NULL), or
 * for the duration of withLog(), as part of a tool call (a restore).
 * Each entry is inserted in the transaction of the change it describes; content writes through
 * an open FileHandle are summed and logged once, when the handle is closed, like the
 * sandbox's write-backs.
 */
import type { StoreConnection } from '../store/connection.js';
import type { InodeRecord } from '../store/fs-store.js';
import { OplogBuffer, nowNs, type BufferedOp, type ProcessRef } from '../store/oplog-store.js';
import type { TimeSpec } from '../vfs/attributes.js';
import { O_ACCMODE, O_RDONLY, O_TMPFILE, O_TRUNC, isRegular } from '../vfs/constants.js';
import type { Caller } from '../vfs/context.js';
import type { OpenResult } from '../vfs/open.js';
import { normalize } from '../vfs/path.js';
import type { LastComponent, MountConfig } from '../vfs/path-walk.js';
import type { RenameOptions } from '../vfs/rename.js';
import type { ContentUpdate } from '../vfs/content-sync.js';
import { DEFAULT_MOUNT, Vfs } from '../vfs/vfs.js';

type Entry = Omit<BufferedOp, 'timeNs' | 'process'>;

export class AuditedVfs extends Vfs {
  /** Where entries go; null while not recording. */
  #log: OplogBuffer | null;
  #process: ProcessRef;
  /** Open handles per inode, and bytes written through them not yet logged. */
  #handles = new Map<number, { count: number; bytes: number; writes: number }>();
  /** Bytes of a content update applied in several pieces, until its final piece. */
  #applied = new Map<number, number>();

  constructor(
    conn: StoreConnection,
    chunkSize: number,
    options: { record?: boolean; mount?: MountConfig } = {},
  ) {
    super(conn, chunkSize, options.mount ?? DEFAULT_MOUNT);
    this.#log = options.record ? new OplogBuffer(conn, null) : null;
    this.#process = processRef(null);
  }

  /** Runs `fn` with every change logged as part of tool call `callId`, whatever the default is. */
  withLog<T>(callId: number, fn: () => T): T {
    const saved = { log: this.#log, process: this.#process };
    this.#log = new OplogBuffer(this.conn, callId);
    this.#process = processRef(callId);
    try {
      return fn();
    } finally {
      this.#log = saved.log;
      this.#process = saved.process;
    }
  }

  override mkdir(path: string, mode: number, caller: Caller): Readonly<InodeRecord> {
    return this.#logged(
      () => super.mkdir(path, mode, caller),
      (i) => ({ op: 'mkdir', path: at(path), ino: i.ino, mode: i.mode }),
    );
  }

  override mknod(path: string, mode: number, rdev: number, caller: Caller): Readonly<InodeRecord> {
    return this.#logged(
      () => super.mknod(path, mode, rdev, caller),
      (i) => ({ op: 'mknod', path: at(path), ino: i.ino, mode: i.mode }),
    );
  }

  override rmdir(path: string, caller: Caller): void {
    this.#logged(
      () => super.rmdir(path, caller),
      () => ({ op: 'rmdir', path: at(path) }),
    );
  }

  override unlink(path: string, caller: Caller): void {
    this.#logged(
      () => super.unlink(path, caller),
      () => ({ op: 'unlink', path: at(path) }),
    );
  }

  override link(
    existingPath: string,
    newPath: string,
    caller: Caller,
    options?: { newBase?: number; followExisting?: boolean },
  ) {
    return this.#logged(
      () => super.link(existingPath, newPath, caller, options),
      () => ({ op: 'link', path: at(existingPath), path2: at(newPath) }),
    );
  }

  override linkInode(ino: number, newPath: string, caller: Caller): Readonly<InodeRecord> {
    return this.#logged(
      () => super.linkInode(ino, newPath, caller),
      () => ({ op: 'link', path: null, path2: at(newPath), ino }),
    );
  }

  override symlink(target: string, path: string, caller: Caller): Readonly<InodeRecord> {
    return this.#logged(
      () => super.symlink(target, path, caller),
      (i) => ({ op: 'symlink', path: at(path), path2: target, ino: i.ino }),
    );
  }

  override rename(oldPath: string, newPath: string, caller: Caller, options?: RenameOptions): void {
    this.#logged(
      () => super.rename(oldPath, newPath, caller, options),
      () => ({ op: 'rename', path: at(oldPath), path2: at(newPath), flags: options?.flags ?? null }),
    );
  }

  override chmod(
    path: string,
    mode: number,
    caller: Caller,
    last: LastComponent = 'follow',
  ): Readonly<InodeRecord> {
    return this.#logged(
      () => super.chmod(path, mode, caller, last),
      (i) => ({ op: 'chmod', path: at(path), ino: i.ino, mode: mode & 0o7777 }),
    );
  }

  override chmodInode(ino: number, mode: number, caller: Caller, path = ''): Readonly<InodeRecord> {
    return this.#logged(
      () => super.chmodInode(ino, mode, caller, path),
      () => ({ op: 'chmod', path: this.#name(ino, path), ino, mode: mode & 0o7777 }),
    );
  }

  override chown(
    path: string,
    uid: number,
    gid: number,
    caller: Caller,
    last: LastComponent = 'follow',
  ): Readonly<InodeRecord> {
    return this.#logged(
      () => super.chown(path, uid, gid, caller, last),
      (i) => ({ op: 'chown', path: at(path), ino: i.ino }),
    );
  }

  override chownInode(
    ino: number,
    uid: number,
    gid: number,
    caller: Caller,
    path = '',
  ): Readonly<InodeRecord> {
    return this.#logged(
      () => super.chownInode(ino, uid, gid, caller, path),
      () => ({ op: 'chown', path: this.#name(ino, path), ino }),
    );
  }

  override utimens(
    path: string,
    atime: TimeSpec,
    mtime: TimeSpec,
    caller: Caller,
    last: LastComponent = 'follow',
  ) {
    return this.#logged(
      () => super.utimens(path, atime, mtime, caller, last),
      (i) => ({ op: 'utimes', path: at(path), ino: i.ino }),
    );
  }

  override utimensInode(
    ino: number,
    atime: TimeSpec,
    mtime: TimeSpec,
    caller: Caller,
    path = '',
  ): Readonly<InodeRecord> {
    return this.#logged(
      () => super.utimensInode(ino, atime, mtime, caller, path),
      () => ({ op: 'utimes', path: this.#name(ino, path), ino }),
    );
  }

  // truncate and write commit large changes in bounded steps themselves: logged right after.
  override truncate(path: string, size: number, caller: Caller): Readonly<InodeRecord> {
    const inode = super.truncate(path, size, caller);
    this.#record({ op: 'truncate', path: at(path), ino: inode.ino, size });
    return inode;
  }

  override truncateInode(ino: number, size: number, caller: Caller, path = ''): Readonly<InodeRecord> {
    const inode = super.truncateInode(ino, size, caller, path);
    this.#record({ op: 'truncate', path: this.#name(ino, path), ino, size });
    return inode;
  }

  override open(path: string, flags: number, mode: number, caller: Caller): OpenResult {
    const result = super.open(path, flags, mode, caller);
    const tmpfile = (flags & O_TMPFILE) === O_TMPFILE;
    const { inode, created } = result;
    if (created && !tmpfile)
      this.#record({ op: 'create', path: at(path), ino: inode.ino, mode: inode.mode, flags });
    else if (!created && flags & O_TRUNC && (flags & O_ACCMODE) !== O_RDONLY && isRegular(inode.mode)) {
      this.#record({ op: 'truncate', path: at(path), ino: inode.ino, size: 0, flags });
    }
    return result;
  }

  override setXattr(
    ino: number,
    name: string,
    value: Buffer,
    flags: number,
    caller: Caller,
    path = '',
  ): void {
    this.#logged(
      () => super.setXattr(ino, name, value, flags, caller, path),
      () => ({ op: 'setxattr', path: this.#name(ino, path), path2: name, ino, bytes: value.length }),
    );
  }

  override removeXattr(ino: number, name: string, caller: Caller, path = ''): void {
    this.#logged(
      () => super.removeXattr(ino, name, caller, path),
      () => ({ op: 'removexattr', path: this.#name(ino, path), path2: name, ino }),
    );
  }

  override write(ino: number, offset: number, data: Buffer): Readonly<InodeRecord> {
    const inode = super.write(ino, offset, data);
    const handle = this.#handles.get(ino);
    if (handle) {
      handle.bytes += data.length;
      handle.writes++;
    } else {
      this.#record({ op: 'write', path: this.#name(ino, ''), ino, size: inode.size, bytes: data.length });
    }
    return inode;
  }

  override applyContent(ino: number, update: ContentUpdate): Readonly<InodeRecord> | undefined {
    const inode = super.applyContent(ino, update);
    if (!this.#log || !inode) return inode;
    const bytes = (this.#applied.get(ino) ?? 0) + update.chunks.reduce((n, c) => n + c.data.length, 0);
    if (!update.final) this.#applied.set(ino, bytes);
    else {
      this.#applied.delete(ino);
      this.#record({ op: 'write', path: this.#name(ino, ''), ino, size: inode.size, bytes });
    }
    return inode;
  }

  override retain(ino: number): void {
    super.retain(ino);
    const handle = this.#handles.get(ino);
    if (handle) handle.count++;
    else this.#handles.set(ino, { count: 1, bytes: 0, writes: 0 });
  }

  override release(ino: number): void {
    const handle = this.#handles.get(ino);
    if (handle && --handle.count === 0) {
      this.#handles.delete(ino);
      if (handle.writes > 0 && !this.conn.closed) {
        const size = this.inode(ino)?.size ?? null;
        this.#record({ op: 'write', path: this.#name(ino, ''), ino, size, bytes: handle.bytes });
      }
    }
    super.release(ino);
  }

  /** Runs a change and logs it in the same transaction. */
  #logged<T>(change: () => T, entry: (result: T) => Entry): T {
    if (!this.#log) return change();
    return this.conn.write(() => {
      const result = change();
      this.#record(entry(result));
      return result;
    });
  }

  #record(entry: Entry): void {
    if (!this.#log) return;
    this.#log.push({ ...entry, timeNs: nowNs(), process: this.#process });
    this.#log.drain();
  }

  #name(ino: number, path: string): string | null {
    return path !== '' ? at(path) : (this.pathOf(ino) ?? null);
  }
}

function processRef(callId: number | null): ProcessRef {
  return {
    callId,
    pid: process.pid,
    argv: [process.argv0, ...process.argv.slice(1)],
    seenNs: nowNs(),
    id: null,
  };
}

/** SDK paths are absolute in the agent filesystem; relative ones start at its root. */
function at(path: string): string {
  return normalize(path.startsWith('/') ? path : `/${path}`);
}
