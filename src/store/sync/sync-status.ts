/** `agentos sync status`: what is pending locally, when this copy last synced, and how the remote stands. */
import { agentGeneration } from './agent-side.js';
import { summarize, type ChangeSummary } from './change-set.js';
import { remoteHead } from './guard.js';
import { Replica } from './replica.js';
import { withSyncLock } from './sync-lock.js';
import { diffAgainstReplica, NOTHING, openSession, replicaPath, type SyncContext } from './sync-service.js';

export interface RemoteStatus {
  reachable: boolean;
  /** The server has changes this copy has not pulled. */
  changed?: boolean;
  /** Who pushed last, and when. */
  pushedBy?: string;
  pushedAt?: Date;
  /** Why the server could not be asked. */
  error?: string;
}

export interface SyncStatus {
  url: string;
  /** Whether an auth token is configured (the token itself is never shown). */
  authToken: boolean;
  lastPushAt: Date | null;
  lastPullAt: Date | null;
  /** Local changes the server does not have yet. */
  pending: ChangeSummary;
  /** Changes staged by a push that did not complete (included in `pending`). */
  pushIncomplete: boolean;
  /** A push was refused: the server and this copy have both changed. */
  diverged: boolean;
  /** Only when the server was asked (`remote: true`). */
  remote?: RemoteStatus;
}

export async function syncStatus(ctx: SyncContext, options: { remote?: boolean } = {}): Promise<SyncStatus> {
  const { config, state, remote } = openSession(ctx);
  const pending = await withSyncLock(ctx.dbPath, ctx.busyTimeoutMs ?? 5000, async () => {
    const generation = ctx.conn.read(() => agentGeneration(ctx.conn));
    if (generation === state.syncedGeneration && !state.pendingPush) return NOTHING;
    // Opening an existing replica needs no network.
    const replica = await Replica.open({ path: replicaPath(ctx.dbPath, state), ...remote }, 'status');
    try {
      const local = summarize((await diffAgainstReplica(ctx.conn, replica)).changes);
      const staged = state.pendingRows ?? NOTHING;
      return {
        files: local.files + staged.files,
        kv: local.kv + staged.kv,
        toolCalls: local.toolCalls + staged.toolCalls,
        other: local.other + staged.other,
        rows: local.rows + staged.rows,
      };
    } finally {
      await replica.close();
    }
  });
  const status: SyncStatus = {
    url: config.url,
    authToken: remote.authToken !== undefined,
    lastPushAt: state.lastPushAt === null ? null : new Date(state.lastPushAt),
    lastPullAt: state.lastPullAt === null ? null : new Date(state.lastPullAt),
    pending,
    pushIncomplete: state.pendingPush,
    diverged: state.diverged,
  };
  if (options.remote) {
    try {
      const head = await remoteHead({ ...remote, timeoutMs: Math.min(remote.timeoutMs, 10_000) }, 'status');
      status.remote = {
        reachable: true,
        changed:
          (head?.head ?? null) !== state.baseHead &&
          !(state.pendingPush && !state.diverged && head?.base === state.baseHead),
        pushedBy: head?.pushedBy,
        pushedAt: head ? new Date(head.pushedAt) : undefined,
      };
    } catch (e) {
      status.remote = {
        reachable: false,
        error: (e as Error).message.replace(/^E[A-Z]+: status failed: /, ''),
      };
    }
  }
  return status;
}
