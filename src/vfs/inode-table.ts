/**
 * Inodes, directory entries and symlink targets, cached in memory in front of the store.
 * Every change goes through here, so the cache and the database change together; when
 * another process commits (or a transaction of ours rolls back) the whole cache is dropped.
 * Cached records are shared: treat them as read-only and save changed copies.
 */
import type { FsStore, InodeRecord } from '../store/fs-store.js';
import { isDirectory, isRegular } from './constants.js';

/** Beyond this many cached objects the cache starts over, bounding memory on huge trees. */
const MAX_CACHED = 200_000;
const MISSING = 0;

export class InodeTable {
  readonly #store: FsStore;
  #inodes = new Map<number, InodeRecord>();
  /** parent ino → (name → ino, or MISSING for a known absence). */
  #entries = new Map<number, Map<string, number>>();
  /** Directories whose every entry is in #entries, so absences need no query. */
  #complete = new Set<number>();
  #parents = new Map<number, number>();
  #symlinks = new Map<number, string>();
  #size = 0;
  /**
   * Sum of the sizes of regular files (what the quota limits), kept up to date by save() and
   * destroy() once counted; undefined until asked, or when a change could not be accounted for.
   * Counting is one aggregate over fs_inode (~5 ms for 20,000 files), too slow for every write.
   */
  #fileBytes: number | undefined;

  constructor(store: FsStore) {
    this.#store = store;
    store.conn.onExternalChange(() => this.clear());
  }

  clear(): void {
    this.#inodes.clear();
    this.#entries.clear();
    this.#complete.clear();
    this.#parents.clear();
    this.#symlinks.clear();
    this.#size = 0;
    this.#fileBytes = undefined;
  }

  /** Bytes of all regular files' content, counted once and then maintained with every change. */
  fileBytes(): number {
    this.#fileBytes ??= this.#store.fileBytes();
    return this.#fileBytes;
  }

  get(ino: number): Readonly<InodeRecord> | undefined {
    let inode = this.#inodes.get(ino);
    if (!inode) {
      inode = this.#store.getInode(ino);
      if (inode) this.#remember(inode);
    }
    return inode;
  }

  lookup(parentIno: number, name: string): number | undefined {
    let entries = this.#entries.get(parentIno);
    const cached = entries?.get(name);
    if (cached !== undefined) return cached === MISSING ? undefined : cached;
    if (this.#complete.has(parentIno)) return undefined;
    const ino = this.#store.lookup(parentIno, name);
    if (!entries) {
      entries = new Map();
      this.#entries.set(parentIno, entries);
    }
    entries.set(name, ino ?? MISSING);
    this.#size++;
    this.#grow();
    return ino;
  }

  /** All entries of a directory with their inodes, sorted by name (by code point, as SQLite sorts UTF-8). */
  list(dirIno: number): { name: string; inode: Readonly<InodeRecord> }[] {
    const cached = this.#cachedListing(dirIno);
    if (cached) return cached;
    const listing = this.#store.listDirectory(dirIno);
    const entries = new Map<string, number>();
    for (const { name, inode } of listing) {
      entries.set(name, inode.ino);
      this.#remember(inode);
      if (isDirectory(inode.mode)) this.#parents.set(inode.ino, dirIno);
    }
    this.#entries.set(dirIno, entries);
    this.#complete.add(dirIno);
    this.#size += listing.length;
    this.#grow();
    return listing;
  }

  /** A complete directory's listing from the cache, or undefined when an inode has to be read. */
  #cachedListing(dirIno: number): { name: string; inode: Readonly<InodeRecord> }[] | undefined {
    if (!this.#complete.has(dirIno)) return undefined;
    const listing: { name: string; inode: Readonly<InodeRecord> }[] = [];
    for (const [name, ino] of this.#entries.get(dirIno)!) {
      if (ino === MISSING) continue;
      const inode = this.#inodes.get(ino);
      if (!inode) return undefined;
      listing.push({ name, inode });
    }
    return listing.sort((a, b) => compareCodePoints(a.name, b.name));
  }

  hasChildren(dirIno: number): boolean {
    if (this.#complete.has(dirIno)) {
      for (const ino of this.#entries.get(dirIno)!.values()) if (ino !== MISSING) return true;
      return false;
    }
    return this.#store.hasChildren(dirIno);
  }

  /** The parent of a directory (directories have exactly one entry); the root is its own parent. */
  parentOf(dirIno: number): number | undefined {
    if (dirIno === 1) return 1;
    let parent = this.#parents.get(dirIno);
    if (parent === undefined) {
      parent = this.#store.parentOf(dirIno)?.parentIno;
      if (parent !== undefined) this.#parents.set(dirIno, parent);
    }
    return parent;
  }

  /** One name of an inode within its parent, for turning an inode back into a path. */
  nameOf(ino: number): { parentIno: number; name: string } | undefined {
    return this.#store.parentOf(ino);
  }

  symlinkTarget(ino: number): string | undefined {
    let target = this.#symlinks.get(ino);
    if (target === undefined) {
      target = this.#store.getSymlinkTarget(ino);
      if (target !== undefined) this.#symlinks.set(ino, target);
    }
    return target;
  }

  create(record: Omit<InodeRecord, 'ino'>): Readonly<InodeRecord> {
    const ino = this.#store.createInode(record);
    const inode = { ...record, ino };
    this.#account(undefined, inode);
    this.#remember(inode);
    return inode;
  }

  save(inode: InodeRecord): Readonly<InodeRecord> {
    this.#store.saveInode(inode);
    this.#account(this.#inodes.get(inode.ino) ?? null, inode);
    this.#inodes.set(inode.ino, inode);
    return inode;
  }

  setSymlinkTarget(ino: number, target: string): void {
    this.#store.setSymlinkTarget(ino, target);
    this.#symlinks.set(ino, target);
  }

  /** Deletes an inode with its content. */
  destroy(ino: number): void {
    this.#store.deleteInode(ino);
    this.#account(this.#inodes.get(ino) ?? null, undefined);
    this.#inodes.delete(ino);
    this.#symlinks.delete(ino);
    this.#parents.delete(ino);
    this.#entries.delete(ino);
    this.#complete.delete(ino);
  }

  addEntry(parentIno: number, name: string, inode: Readonly<InodeRecord>): void {
    this.#store.addDentry(parentIno, name, inode.ino);
    this.#setEntry(parentIno, name, inode.ino);
    if (isDirectory(inode.mode)) this.#parents.set(inode.ino, parentIno);
  }

  removeEntry(parentIno: number, name: string): void {
    this.#store.removeDentry(parentIno, name);
    this.#setEntry(parentIno, name, MISSING);
  }

  moveEntry(
    parentIno: number,
    name: string,
    newParentIno: number,
    newName: string,
    inode: Readonly<InodeRecord>,
  ): void {
    this.#store.moveDentry(parentIno, name, newParentIno, newName);
    this.#setEntry(parentIno, name, MISSING);
    this.#setEntry(newParentIno, newName, inode.ino);
    if (isDirectory(inode.mode)) this.#parents.set(inode.ino, newParentIno);
  }

  retargetEntry(parentIno: number, name: string, inode: Readonly<InodeRecord>): void {
    this.#store.retargetDentry(parentIno, name, inode.ino);
    this.#setEntry(parentIno, name, inode.ino);
    if (isDirectory(inode.mode)) this.#parents.set(inode.ino, parentIno);
  }

  #setEntry(parentIno: number, name: string, ino: number): void {
    let entries = this.#entries.get(parentIno);
    if (!entries) {
      entries = new Map();
      this.#entries.set(parentIno, entries);
    }
    entries.set(name, ino);
  }

  /**
   * Moves the file-bytes count from `before` to `after` (undefined: no inode). A `before` of
   * null is an inode this cache does not hold, whose old size is unknown: count again later.
   */
  #account(before: Readonly<InodeRecord> | null | undefined, after: Readonly<InodeRecord> | undefined): void {
    if (this.#fileBytes === undefined) return;
    if (before === null) this.#fileBytes = undefined;
    else this.#fileBytes += contentBytes(after) - contentBytes(before);
  }

  #remember(inode: InodeRecord): void {
    if (!this.#inodes.has(inode.ino)) this.#size++;
    this.#inodes.set(inode.ino, inode);
    this.#grow();
  }

  #grow(): void {
    if (this.#size > MAX_CACHED) this.clear();
  }
}

function contentBytes(inode: Readonly<InodeRecord> | undefined): number {
  return inode && isRegular(inode.mode) ? inode.size : 0;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code point order, which is UTF-8 byte order (SQLite's BINARY collation on names). */
function compareCodePoints(a: string, b: string): number {
  // Without surrogates, UTF-16 code unit order is code point order.
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}
