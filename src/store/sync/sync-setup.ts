/**
 * Making an agent database synced: a new one on an empty remote (`init --sync-url`), an
 * existing local one on an empty remote (the SDK's `AgentOS.open(path, { syncUrl })`), or a
 * local copy of a remote one (`clone`).
 */
import { lstatSync, rmSync } from 'node:fs';
import { AgentOSError } from '../../errors.js';
import { openAgentDatabase } from '../agent-database.js';
import { agentGeneration } from './agent-side.js';
import { inspectRemote, installRemoteGuard } from './guard.js';
import {
  checkSyncUrl,
  readSyncConfig,
  readSyncState,
  removeSyncDir,
  resolveToken,
  writeSyncConfig,
  writeSyncState,
} from './local-config.js';
import { defaultSyncTimeout, type RemoteOptions } from './remote.js';
import { Replica } from './replica.js';
import { SyncError } from './sync-errors.js';
import { withSyncLock } from './sync-lock.js';
import {
  copyReplicaToAgent,
  pushAgent,
  replicaPath,
  type PullResult,
  type PushResult,
} from './sync-service.js';

export interface SetupOptions {
  authToken?: string;
  timeoutMs?: number;
  busyTimeoutMs?: number;
  /** Called once the local database exists, before the first push. */
  onCreated?: () => void;
}

/** Database files that belong to an agent database besides the directory of sync state. */
const DATABASE_SUFFIXES = ['', '-wal', '-shm', '-tshm'];

/**
 * Connects an agent database (created here when missing) to an empty remote, then pushes it.
 * The remote is checked before anything is created locally.
 */
export async function attachToRemote(
  dbPath: string,
  url: string,
  options: SetupOptions = {},
): Promise<PushResult> {
  url = checkSyncUrl(url);
  const remote = remoteOptions(url, options);
  const inventory = await inspectRemote(remote, 'init');
  if (inventory.isAgentDatabase) {
    throw new SyncError(
      'EEXIST',
      'remote-contents',
      `${url} already holds an agent database; clone it instead: agentos clone ${url} ${dbPath}`,
    );
  }
  if (inventory.tables.length > 0) {
    throw new SyncError(
      'EEXIST',
      'remote-contents',
      `${url} is not empty (tables ${inventory.tables.slice(0, 5).join(', ')}); use an empty database`,
    );
  }
  await installRemoteGuard(remote, 'init');
  removeSyncDir(dbPath);
  const { conn } = openAgentDatabase(dbPath, { create: true, busyTimeoutMs: options.busyTimeoutMs });
  try {
    writeSyncConfig(dbPath, { url, authToken: remote.authToken });
    options.onCreated?.();
    return await pushAgent({
      dbPath,
      conn,
      authToken: options.authToken,
      timeoutMs: options.timeoutMs,
      busyTimeoutMs: options.busyTimeoutMs,
    });
  } finally {
    conn.close();
  }
}

/** A new local agent database holding a remote one. */
export async function cloneRemote(
  url: string,
  dbPath: string,
  options: SetupOptions = {},
): Promise<PullResult> {
  url = checkSyncUrl(url);
  if (pathExists(dbPath)) {
    throw new AgentOSError('EEXIST', {
      syscall: 'clone',
      path: dbPath,
      message: 'already exists; choose another name',
    });
  }
  const remote = remoteOptions(url, options);
  removeSyncDir(dbPath);
  writeSyncConfig(dbPath, { url, authToken: remote.authToken });
  let created = false;
  try {
    return await withSyncLock(dbPath, options.busyTimeoutMs ?? 5000, async () => {
      const state = readSyncState(dbPath);
      const replica = await Replica.open({ path: replicaPath(dbPath, state), ...remote }, 'clone');
      try {
        const schema = await replica.schema();
        if (!['fs_config', 'fs_inode', 'fs_dentry'].every((t) => schema.tables.has(t))) {
          const what = schema.tables.size === 0 ? 'is empty' : 'is not an agent database';
          throw new SyncError(
            'ENOENT',
            'remote-contents',
            `${url} ${what}; create one there with: agentos init --sync-url ${url}`,
          );
        }
        const head = await replica.head();
        created = true;
        const { conn } = openAgentDatabase(dbPath, { create: true, busyTimeoutMs: options.busyTimeoutMs });
        try {
          const pulled = await copyReplicaToAgent(conn, replica);
          writeSyncState(dbPath, {
            ...state,
            baseHead: head?.head ?? null,
            syncedGeneration: conn.read(() => agentGeneration(conn)),
            lastPullAt: Date.now(),
          });
          return { url, pulled };
        } finally {
          conn.close();
        }
      } finally {
        await replica.close();
      }
    });
  } catch (e) {
    // A failed clone leaves nothing behind: there was nothing local to keep.
    if (created) removeDatabaseFiles(dbPath);
    removeSyncDir(dbPath);
    throw e;
  }
}

/**
 * For `AgentOS.open(path, { syncUrl })`: clones when the file is missing and the remote holds
 * an agent database, creates and pushes when the remote is empty, attaches an unsynced local
 * database to an empty remote, and otherwise checks the URL matches (remembering a new token).
 */
export async function prepareSynced(dbPath: string, url: string, options: SetupOptions = {}): Promise<void> {
  url = checkSyncUrl(url);
  const config = readSyncConfig(dbPath);
  if (config && pathExists(dbPath)) {
    if (config.url !== url) {
      throw new AgentOSError('EINVAL', {
        syscall: 'open',
        path: dbPath,
        message: `already synced with ${config.url}, not ${url}; clone ${url} to another file instead`,
      });
    }
    if (options.authToken && options.authToken !== config.authToken)
      writeSyncConfig(dbPath, { url, authToken: options.authToken });
    return;
  }
  if (pathExists(dbPath)) {
    await attachToRemote(dbPath, url, options);
    return;
  }
  const inventory = await inspectRemote(remoteOptions(url, options), 'open');
  if (inventory.isAgentDatabase) await cloneRemote(url, dbPath, options);
  else await attachToRemote(dbPath, url, options);
}

function remoteOptions(url: string, options: SetupOptions): RemoteOptions {
  return {
    url,
    authToken: resolveToken(undefined, options.authToken),
    timeoutMs: options.timeoutMs ?? defaultSyncTimeout(),
  };
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeDatabaseFiles(dbPath: string): void {
  for (const suffix of DATABASE_SUFFIXES) rmSync(dbPath + suffix, { force: true });
}
