/**
 * What a synced agent database remembers on this machine, beside the database file:
 *
 *   agent.db-sync/config.json   the sync URL and the auth token (mode 0600, never printed)
 *   agent.db-sync/state.json    where the last push and pull left things
 *   agent.db-sync/replica-N.db  the turso sync engine's replica (plus its -wal, -info, ... files)
 *   agent.db-sync/lock          held while a push, pull or clone runs
 *
 * None of it lives inside agent.db: a copy of the file (`cp agent.db fork.db`) is a plain,
 * unsynced agent database that cannot push as the original, and the token never travels to
 * the server or to other machines with the data.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentOSError } from '../../errors.js';

export const SYNC_DIR_SUFFIX = '-sync';
/** Environment variable that supplies (and overrides the remembered) auth token. */
export const TOKEN_ENV = 'AGENTOS_SYNC_TOKEN';

export interface SyncConfig {
  url: string;
  authToken?: string;
}

export interface SyncState {
  /** File name (inside the sync directory) of the current replica; a reset starts a new one. */
  replica: string;
  /** The remote's lineage head this copy was last in step with (null before the first push). */
  baseHead: string | null;
  /** agent.db's change generation when it last matched the replica; same value means no local changes. */
  syncedGeneration: number | null;
  /** Changes were staged in the replica but the server has not confirmed them yet. */
  pendingPush: boolean;
  /** What the staged changes hold, for messages and status. */
  pendingRows?: { files: number; kv: number; toolCalls: number; other: number; rows: number };
  /** The server refused a push: this copy and the remote have both changed since they were in step. */
  diverged: boolean;
  lastPushAt: number | null;
  lastPullAt: number | null;
}

export function syncDirOf(dbPath: string): string {
  return dbPath + SYNC_DIR_SUFFIX;
}

export function isSynced(dbPath: string): boolean {
  return existsSync(join(syncDirOf(dbPath), 'config.json'));
}

export function readSyncConfig(dbPath: string): SyncConfig | undefined {
  const file = join(syncDirOf(dbPath), 'config.json');
  if (!existsSync(file)) return undefined;
  const parsed = readJson(file) as Partial<SyncConfig>;
  if (typeof parsed.url !== 'string') {
    throw new AgentOSError('EINVAL', { syscall: 'sync', path: file, message: 'sync config has no url' });
  }
  return { url: parsed.url, authToken: typeof parsed.authToken === 'string' ? parsed.authToken : undefined };
}

/** Writes the config readable by the owner only: it may hold a credential. */
export function writeSyncConfig(dbPath: string, config: SyncConfig): void {
  const dir = syncDirOf(dbPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body: SyncConfig = { url: config.url };
  if (config.authToken) body.authToken = config.authToken;
  writeAtomically(join(dir, 'config.json'), JSON.stringify(body, null, 2) + '\n', 0o600);
}

export function readSyncState(dbPath: string): SyncState {
  const file = join(syncDirOf(dbPath), 'state.json');
  const fallback: SyncState = {
    replica: 'replica-1.db',
    baseHead: null,
    syncedGeneration: null,
    pendingPush: false,
    diverged: false,
    lastPushAt: null,
    lastPullAt: null,
  };
  if (!existsSync(file)) return fallback;
  return { ...fallback, ...(readJson(file) as Partial<SyncState>) };
}

export function writeSyncState(dbPath: string, state: SyncState): void {
  writeAtomically(join(syncDirOf(dbPath), 'state.json'), JSON.stringify(state, null, 2) + '\n', 0o600);
}

/** The token to use: one given now, else AGENTOS_SYNC_TOKEN, else the remembered one. */
export function resolveToken(config: SyncConfig | undefined, given?: string): string | undefined {
  return given || process.env[TOKEN_ENV] || config?.authToken || undefined;
}

/** Removes the sync directory (replica, config, state): used by `init --force` and failed clones. */
export function removeSyncDir(dbPath: string): void {
  rmSync(syncDirOf(dbPath), { recursive: true, force: true });
}

/** Accepts http(s) URLs and Turso's libsql:// form; anything else is a usage error. */
export function checkSyncUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AgentOSError('EINVAL', { syscall: 'sync', message: `not a URL: '${url}'` });
  }
  if (!['http:', 'https:', 'libsql:'].includes(parsed.protocol)) {
    throw new AgentOSError('EINVAL', {
      syscall: 'sync',
      message: `unsupported sync URL scheme '${parsed.protocol}' (use http://, https:// or libsql://)`,
    });
  }
  if (parsed.username || parsed.password) {
    throw new AgentOSError('EINVAL', {
      syscall: 'sync',
      message:
        "put credentials in --auth-token (the SDK's authToken option) or AGENTOS_SYNC_TOKEN, not in the URL",
    });
  }
  return url.replace(/\/+$/, '');
}

/** The URL the HTTP client talks to (libsql:// means https://). */
export function httpUrlOf(url: string): string {
  return url.replace(/^libsql:\/\//, 'https://');
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AgentOSError('EINVAL', {
      syscall: 'sync',
      path: file,
      message: `unreadable sync file (${(e as Error).message})`,
    });
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
