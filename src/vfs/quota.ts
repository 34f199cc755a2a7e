/**
 * The quota of the agent filesystem (`agentos init --max-size`): the most bytes that regular
 * files may hold together, counted as the sum of their sizes (which AgentOS stores in full, so
 * it is also the bytes in fs_data). Metadata is not counted: names, directories, symlinks,
 * extended attributes, the key-value store and the audit trail. An operation that would grow
 * the content past the limit fails with EDQUOT before it changes anything; shrinking and
 * rewriting in place are always allowed, so a full filesystem can be cleaned up.
 */
import { AgentOSError } from '../errors.js';
import type { FsStore } from '../store/fs-store.js';
import type { InodeTable } from './inode-table.js';

export interface QuotaUsage {
  /** The limit in bytes, or null when the filesystem has none. */
  limit: number | null;
  /** Bytes of content stored now: the sum of the sizes of regular files, open orphans included. */
  used: number;
}

export class Quota {
  readonly #store: FsStore;
  readonly #inodes: InodeTable;
  /** Cached until another process commits (it may have changed the limit); undefined: not read yet. */
  #limit: number | null | undefined;

  constructor(store: FsStore, inodes: InodeTable) {
    this.#store = store;
    this.#inodes = inodes;
    store.conn.onExternalChange(() => (this.#limit = undefined));
  }

  limit(): number | null {
    if (this.#limit === undefined) this.#limit = this.#store.maxSize();
    return this.#limit;
  }

  usage(): QuotaUsage {
    return { limit: this.limit(), used: this.#inodes.fileBytes() };
  }

  /** Throws EDQUOT when adding `growth` bytes of content would pass the limit. */
  require(growth: number, syscall: string, path?: string): void {
    if (growth <= 0) return;
    const limit = this.limit();
    if (limit === null) return;
    const used = this.#inodes.fileBytes();
    if (used + growth <= limit) return;
    throw new AgentOSError('EDQUOT', {
      syscall,
      path: path || undefined,
      message: `disk quota exceeded (the agent filesystem holds at most ${limit} bytes; ${used} are used and this needs ${growth} more)`,
    });
  }

  /** Sets (or with null, removes) the limit; the caller runs this in a write transaction. */
  set(limit: number | null): void {
    this.#store.setMaxSize(limit);
    this.#limit = limit;
  }
}
