/**
 * `agent.sync`: replicating an agent database through a Turso sync server (Turso Cloud or
 * `turso --sync-server`). One machine writes at a time; any number can clone and pull.
 * MANUAL.md ("Sync") describes the model; src/store/sync/ implements it.
 */
import { AgentOSError } from '../errors.js';
import type { StoreConnection } from '../store/connection.js';
import {
  isSynced,
  pullAgent,
  pushAgent,
  readSyncConfig,
  syncStatus,
  type PullOptions,
  type PullResult,
  type PushResult,
  type SyncStatus,
} from '../store/sync/index.js';

export interface AgentSyncOptions {
  /** Overrides AGENTOS_SYNC_TOKEN and the remembered token for this agent's sync calls. */
  authToken?: string;
  /** Per HTTP request (default 30 000 ms). */
  timeoutMs?: number;
  busyTimeoutMs?: number;
}

export class AgentSync {
  readonly #path: string;
  readonly #conn: StoreConnection;
  readonly #options: AgentSyncOptions;

  constructor(path: string, conn: StoreConnection, options: AgentSyncOptions = {}) {
    this.#path = path;
    this.#conn = conn;
    this.#options = options;
  }

  /** Whether this database is synced (created by `init --sync-url`, `clone`, or `AgentOS.open` with `syncUrl`). */
  get enabled(): boolean {
    return isSynced(this.#path);
  }

  /** The sync URL, when synced. */
  get url(): string | undefined {
    return readSyncConfig(this.#path)?.url;
  }

  /**
   * Sends this copy's changes to the server. Rejects with a SyncError whose `reason` is
   * 'conflict' when another machine pushed since this copy last synced (nothing is changed on
   * either side), or 'network' / 'timeout' / 'auth' when the server cannot take them (they stay
   * staged locally, and the next push sends them).
   * @example const { pushed } = await agent.sync.push(); console.log(pushed.files, 'files sent');
   */
  async push(): Promise<PushResult> {
    return pushAgent(this.#context());
  }

  /**
   * Brings the server's changes into this copy, in one transaction. Rejects with reason
   * 'conflict' when this copy has unpushed changes and the server has others; pass
   * `{ discardLocal: true }` to take the server's version anyway.
   * @example const { pulled } = await agent.sync.pull();
   */
  async pull(options: PullOptions = {}): Promise<PullResult> {
    return pullAgent(this.#context(), options);
  }

  /**
   * What is pending locally and when this copy last synced; with `{ remote: true }` also asks
   * the server whether it has changes this copy has not pulled.
   * @example const s = await agent.sync.status({ remote: true }); if (s.pending.rows) await agent.sync.push();
   */
  async status(options: { remote?: boolean } = {}): Promise<SyncStatus> {
    return syncStatus(this.#context(), options);
  }

  #context() {
    return {
      dbPath: this.#path,
      conn: this.#conn,
      authToken: this.#options.authToken,
      timeoutMs: this.#options.timeoutMs,
      busyTimeoutMs: this.#options.busyTimeoutMs,
    };
  }
}

/** `new AgentOS(path, { syncUrl })` cannot reach the network: the database must already be synced with that URL. */
export function checkSyncedOpen(path: string, syncUrl: string, conn: StoreConnection): void {
  const config = readSyncConfig(path);
  if (config?.url === syncUrl.replace(/\/+$/, '')) return;
  conn.close();
  throw new AgentOSError('EINVAL', {
    syscall: 'open',
    path,
    message: config
      ? `synced with ${config.url}, not ${syncUrl}`
      : 'not synced yet: use `await AgentOS.open(path, { syncUrl })`, which can clone or create it',
  });
}
