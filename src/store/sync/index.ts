export {
  pushAgent,
  pullAgent,
  type SyncContext,
  type PushResult,
  type PullResult,
  type PullOptions,
} from './sync-service.js';
export { syncStatus, type SyncStatus, type RemoteStatus } from './sync-status.js';
export { attachToRemote, cloneRemote, prepareSynced, type SetupOptions } from './sync-setup.js';
export { describeSummary, type ChangeSummary } from './change-set.js';
export { SyncError, type SyncFailure } from './sync-errors.js';
export {
  isSynced,
  readSyncConfig,
  removeSyncDir,
  syncDirOf,
  TOKEN_ENV,
  SYNC_DIR_SUFFIX,
} from './local-config.js';
export { DEFAULT_SYNC_TIMEOUT_MS } from './remote.js';
