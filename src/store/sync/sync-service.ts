/**
 * Push, pull and status of a synced agent database: the agent database, the replica and the
 * server, and the rules that keep one writer per database.
 *
 * A push stages agent.db's changes in the replica (one transaction that starts by moving the
 * lineage head, guard.ts) and lets the engine send them; a refused or failed push leaves them
 * staged, and agent.db is never touched, so nothing local is lost. A pull lets the engine
 * fast-forward the replica and copies the result into agent.db in one transaction. Merging is
 * never attempted: the server refuses a push based on an old head, and a pull refuses to
 * overwrite unpushed local changes, so the filesystem is always one machine's consistent state.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOSError } from '../../errors.js';
import type { StoreConnection } from '../connection.js';
import { AGENTOS_SCHEMA_VERSION, SPEC_VERSION } from '../schema.js';
import {
  agentDigests,
  agentGeneration,
  agentSchema,
  applyToAgent,
  diffAgentToReplica,
  type AgentDiff,
} from './agent-side.js';
import { describeSummary, isEmpty, rowCount, summarize, type ChangeSummary } from './change-set.js';
import { guardStatement, installRemoteGuard, remoteHead, type GuardRow } from './guard.js';
import {
  readSyncConfig,
  readSyncState,
  resolveToken,
  syncDirOf,
  writeSyncState,
  type SyncConfig,
  type SyncState,
} from './local-config.js';
import { defaultSyncTimeout, type RemoteOptions } from './remote.js';
import { Replica } from './replica.js';
import { SyncError } from './sync-errors.js';
import { withSyncLock } from './sync-lock.js';

export interface SyncContext {
  dbPath: string;
  conn: StoreConnection;
  /** Overrides AGENTOS_SYNC_TOKEN and the remembered token for this call. */
  authToken?: string;
  /** Per HTTP request (default 30 s). */
  timeoutMs?: number;
  /** How long to wait for another sync of the same database (default 5 s). */
  busyTimeoutMs?: number;
}

export interface PushResult {
  url: string;
  /** What the server received (nothing when there was nothing to push). */
  pushed: ChangeSummary;
}

export interface PullResult {
  url: string;
  /** What changed in the agent database. */
  pulled: ChangeSummary;
}

export const NOTHING: ChangeSummary = { files: 0, kv: 0, toolCalls: 0, other: 0, rows: 0 };

interface Session {
  config: SyncConfig;
  state: SyncState;
  remote: RemoteOptions;
}

export function openSession(ctx: SyncContext): Session {
  const config = readSyncConfig(ctx.dbPath);
  if (!config) {
    throw new AgentOSError('EINVAL', {
      syscall: 'sync',
      path: ctx.dbPath,
      message:
        'not a synced agent database; create one with `agentos init --sync-url URL` or `agentos clone URL`',
    });
  }
  const remote = {
    url: config.url,
    authToken: resolveToken(config, ctx.authToken),
    timeoutMs: ctx.timeoutMs ?? defaultSyncTimeout(),
  };
  return { config, state: readSyncState(ctx.dbPath), remote };
}

export function replicaPath(dbPath: string, state: SyncState): string {
  return join(syncDirOf(dbPath), state.replica);
}

/** Sends the agent database's changes to the server. */
export async function pushAgent(ctx: SyncContext): Promise<PushResult> {
  const session = openSession(ctx);
  return withSyncLock(ctx.dbPath, ctx.busyTimeoutMs ?? 5000, async () => {
    const { state, remote } = session;
    ctx.conn.flush();
    const replica = await Replica.open({ path: replicaPath(ctx.dbPath, state), ...remote }, 'push');
    try {
      let head = await ensureGuard(replica, remote, state);
      const unchanged = ctx.conn.read(() => agentGeneration(ctx.conn)) === state.syncedGeneration;
      if (unchanged && !state.pendingPush) {
        // Nothing committed since the last sync: no need to compare the whole database.
        if ((head?.head ?? null) !== state.baseHead) throw behindError(remote);
        return { url: remote.url, pushed: NOTHING };
      }
      const { changes, generation } = await diffAgainstReplica(ctx.conn, replica);
      const staged = state.pendingRows ?? NOTHING;
      if (!state.pendingPush && (head?.head ?? null) !== state.baseHead) {
        // The replica has server changes agent.db has not taken: an earlier pull was refused.
        throw rowCount(changes) > 0
          ? await conflictError(remote, summarize(changes), 'push')
          : behindError(remote);
      }
      if (isEmpty(changes) && !state.pendingPush) {
        saveState(ctx.dbPath, { ...state, syncedGeneration: generation });
        return { url: remote.url, pushed: NOTHING };
      }
      const pushed = addSummaries(staged, summarize(changes));
      if (!isEmpty(changes)) {
        // Recorded before the replica changes: a crash in between leaves a harmless flag.
        saveState(ctx.dbPath, { ...state, pendingPush: true, pendingRows: pushed });
        await replica.apply(changes, guardStatement(head));
      }
      try {
        await replica.push('push');
      } catch (e) {
        if (e instanceof SyncError && e.reason === 'conflict') {
          saveState(ctx.dbPath, { ...readSyncState(ctx.dbPath), diverged: true });
          throw await conflictError(remote, pushed, 'push');
        }
        throw e;
      }
      head = await replica.head();
      saveState(ctx.dbPath, {
        ...readSyncState(ctx.dbPath),
        pendingPush: false,
        pendingRows: undefined,
        diverged: false,
        baseHead: head?.head ?? null,
        syncedGeneration: generation,
        lastPushAt: Date.now(),
      });
      await compact(replica);
      return { url: remote.url, pushed };
    } finally {
      await replica.close();
    }
  });
}

export interface PullOptions {
  /** Take the server's version even if this copy has unpushed changes (they are dropped). */
  discardLocal?: boolean;
}

/** Brings the server's changes into the agent database. */
export async function pullAgent(ctx: SyncContext, options: PullOptions = {}): Promise<PullResult> {
  const session = openSession(ctx);
  return withSyncLock(ctx.dbPath, ctx.busyTimeoutMs ?? 5000, async () => {
    let { state } = session;
    const { remote } = session;
    ctx.conn.flush();
    if (state.pendingPush || state.diverged) {
      if (!options.discardLocal) {
        if (state.diverged) throw await conflictError(remote, state.pendingRows ?? NOTHING, 'pull');
        throw new SyncError(
          'EAGAIN',
          'local-changes',
          `pull refused: an earlier push of ${describeSummary(state.pendingRows ?? NOTHING)} did not complete; push first (agentos sync push)`,
        );
      }
      state = resetReplica(ctx.dbPath, state);
    }
    const replica = await Replica.open({ path: replicaPath(ctx.dbPath, state), ...remote }, 'pull');
    try {
      let local = NOTHING;
      const generation = ctx.conn.read(() => agentGeneration(ctx.conn));
      if (!options.discardLocal && generation !== state.syncedGeneration) {
        local = summarize((await diffAgainstReplica(ctx.conn, replica)).changes);
      }
      const moved = await replica.pull('pull');
      const head = await replica.head();
      const ahead = moved || (head?.head ?? null) !== state.baseHead || options.discardLocal === true;
      if (!ahead) {
        saveState(ctx.dbPath, {
          ...state,
          lastPullAt: Date.now(),
          syncedGeneration: local.rows === 0 ? generation : state.syncedGeneration,
        });
        return { url: remote.url, pulled: NOTHING };
      }
      if (local.rows > 0) throw await conflictError(remote, local, 'pull');
      const pulled = await copyReplicaToAgent(ctx.conn, replica);
      saveState(ctx.dbPath, {
        ...state,
        baseHead: head?.head ?? null,
        syncedGeneration: ctx.conn.read(() => agentGeneration(ctx.conn)),
        lastPullAt: Date.now(),
      });
      await replica.checkpoint();
      return { url: remote.url, pulled };
    } finally {
      await replica.close();
    }
  });
}

/** Makes agent.db equal to the replica, in one transaction; returns what changed. */
export async function copyReplicaToAgent(conn: StoreConnection, replica: Replica): Promise<ChangeSummary> {
  await checkVersions(conn.path, replica);
  const schema = await replica.schema();
  const mine = agentDigests(conn, schema);
  const changes = await replica.diffToAgent(schema, mine);
  if (isEmpty(changes) && changes.createIndexes.length === 0) return NOTHING;
  applyToAgent(conn, changes, mine.generation, mine.orphans);
  conn.invalidateCaches();
  return summarize(changes);
}

/** agent.db's changes relative to the replica (push direction), with the generation they were read at. */
export async function diffAgainstReplica(conn: StoreConnection, replica: Replica): Promise<AgentDiff> {
  const mine = conn.read(() => agentSchema(conn));
  const schema = await replica.schema();
  const digests = await replica.digests(schema, (name) => mine.tables.get(name)?.columns);
  return diffAgentToReplica(conn, { schema, digests });
}

/**
 * After a push, fast-forward the replica to the server's own pages (nothing is pending, so this
 * cannot merge): the engine then drops the change log it kept of the pushed rows, which
 * otherwise grows with every push, and checkpoints its WAL. Best effort: a failure here only
 * postpones the clean-up to the next sync.
 */
async function compact(replica: Replica): Promise<void> {
  try {
    await replica.pull('push');
  } catch {
    return;
  }
  await replica.checkpoint();
}

/** The guard must exist in the replica before a push can move the head; a remote set up by other tools lacks it. */
async function ensureGuard(
  replica: Replica,
  remote: RemoteOptions,
  state: SyncState,
): Promise<GuardRow | undefined> {
  if (!(await replica.hasGuard())) {
    await installRemoteGuard(remote, 'push');
    if (!state.pendingPush) await replica.pull('push');
  }
  return replica.head();
}

async function checkVersions(path: string, replica: Replica): Promise<void> {
  const spec = await replica.configValue('fs_config', 'schema_version');
  const ext = Number((await replica.configValue('agentos_meta', 'schema_version')) ?? 0);
  const newer =
    (spec !== undefined && spec.localeCompare(SPEC_VERSION, undefined, { numeric: true }) > 0) ||
    ext > AGENTOS_SCHEMA_VERSION;
  if (newer) {
    throw new AgentOSError('ENOTSUP', {
      syscall: 'sync',
      path,
      message: `the remote agent database was written by a newer AgentOS (schema ${spec}/${ext}); upgrade AgentOS`,
    });
  }
}

async function conflictError(
  remote: RemoteOptions,
  mine: ChangeSummary,
  what: 'push' | 'pull',
): Promise<SyncError> {
  let who = 'another machine';
  try {
    const head = await remoteHead({ ...remote, timeoutMs: Math.min(remote.timeoutMs, 5000) }, what);
    if (head) who = `another machine (${head.pushedBy}, at ${new Date(head.pushedAt).toISOString()})`;
  } catch {
    // The message is complete without the details.
  }
  const ours = mine.rows > 0 ? ` (${describeSummary(mine)})` : '';
  return new SyncError(
    'EAGAIN',
    'conflict',
    `${what} refused: ${who} pushed to ${remote.url} after this copy last synced, and this copy has changes of its own${ours}; ` +
      'an agent database has one writer at a time, so the two cannot be merged, and nothing was changed. ' +
      `Pull first to take the remote version (agentos sync pull --discard-local drops this copy's changes), ` +
      `or clone the remote to a new name to keep both (agentos clone ${remote.url} NEW.db)`,
  );
}

function behindError(remote: RemoteOptions): SyncError {
  return new SyncError(
    'EAGAIN',
    'conflict',
    `nothing to push, but ${remote.url} has changes this copy has not taken yet; pull first (agentos sync pull)`,
  );
}

/** Starts a fresh replica (a new file: the engine caches open databases by path within a process). */
function resetReplica(dbPath: string, state: SyncState): SyncState {
  const old = state.replica;
  const n = Number(/replica-(\d+)\.db$/.exec(old)?.[1] ?? 0) + 1;
  const next: SyncState = {
    ...state,
    replica: `replica-${n}.db`,
    pendingPush: false,
    pendingRows: undefined,
    diverged: false,
    baseHead: null,
    syncedGeneration: null,
  };
  saveState(dbPath, next);
  for (const f of readdirSync(syncDirOf(dbPath))) {
    if (f === old || f.startsWith(`${old}-`)) rmSync(join(syncDirOf(dbPath), f), { force: true });
  }
  return next;
}

function addSummaries(a: ChangeSummary, b: ChangeSummary): ChangeSummary {
  return {
    files: a.files + b.files,
    kv: a.kv + b.kv,
    toolCalls: a.toolCalls + b.toolCalls,
    other: a.other + b.other,
    rows: a.rows + b.rows,
  };
}

function saveState(dbPath: string, state: SyncState): void {
  writeSyncState(dbPath, state);
}
