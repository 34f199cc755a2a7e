export { AgentOS, type AgentOSOptions } from './sdk/agentos.js';
export { AgentFs, COPYFILE_EXCL, type WriteFileOptions, type MkdirOptions, type RmOptions, type StatfsResult } from './sdk/fs.js';
export { FileHandle, type ReadResult, type WriteResult } from './sdk/file-handle.js';
export { Stats, Dirent } from './sdk/stats.js';
export { AgentKv, type KvEntry } from './sdk/kv.js';
export { AgentTools, type ToolCall, type ToolCallQuery, type ToolStats, type ToolCallStatus } from './sdk/tools.js';
export { AgentOSError, type ErrnoCode } from './errors.js';
export type { Credentials } from './vfs/permissions.js';
export { constants } from './sdk/constants.js';
