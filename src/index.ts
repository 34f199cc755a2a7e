export { AgentOS, type AgentOSOptions } from './sdk/agentos.js';
export {
  AgentFs,
  COPYFILE_EXCL,
  type TimeInput,
  type WriteFileOptions,
  type MkdirOptions,
  type RmOptions,
  type StatfsResult,
} from './sdk/fs.js';
export { FileHandle, type ReadResult, type WriteResult } from './sdk/file-handle.js';
export { Stats, Dirent } from './sdk/stats.js';
export { AgentKv, type KvEntry } from './sdk/kv.js';
export {
  AgentTools,
  type ToolCall,
  type ToolCallQuery,
  type ToolStats,
  type ToolCallStatus,
} from './sdk/tools.js';
export type { RunAuditLevel, RunOptions, RunResult } from './sdk/run.js';
export type {
  DiffOptions,
  DiffResult,
  FileChange,
  FileState,
  FileType,
  KvChange,
  LogEntry,
  LogQuery,
  OpName,
  RestoreResult,
  SnapshotOptions,
  SnapshotResult,
} from './sdk/history.js';
export { AgentOSError, type ErrnoCode } from './errors.js';
export type { CheckProblem, CheckProblemKind, CheckReport } from './vfs/check.js';
export type { QuotaUsage } from './vfs/quota.js';
export type { QueryParam, QueryValue } from './sdk/query.js';
export type { Credentials } from './vfs/permissions.js';
export { constants } from './sdk/constants.js';
export { AgentSync, type AgentSyncOptions } from './sdk/sync.js';
export {
  SyncError,
  type SyncFailure,
  type SyncStatus,
  type RemoteStatus,
  type ChangeSummary,
  type PushResult,
  type PullResult,
  type PullOptions,
} from './store/sync/index.js';
