/**
 * Routes a trapped call to its handler and turns every outcome into exactly one answer: a
 * result, an errno (AgentOSError), the host operation for a path that left the agent
 * filesystem (EscapeToHost), or EIO for a bug, so a program is never left waiting.
 */
import { AgentOSError } from '../errors.js';
import { EscapeToHost } from '../vfs/path-walk.js';
import type { Call } from './call.js';
import { handleOpen } from './handlers/open.js';
import { handleStat } from './handlers/stat.js';
import { handleNames } from './handlers/names.js';
import { handleAttributes } from './handlers/attributes.js';
import { handleDirectories } from './handlers/directories.js';
import { handleMisc } from './handlers/misc.js';
import { handleXattr } from './handlers/xattr.js';
import { handleClose } from './handlers/close.js';
import { performOnHost } from './host-fallback.js';

type Handler = (call: Call) => void;

const HANDLERS: Record<string, Handler> = {};
function register(handler: Handler, ...names: string[]): void {
  for (const name of names) HANDLERS[name] = handler;
}
register(handleOpen, 'open', 'openat', 'openat2', 'creat');
register(handleStat, 'stat', 'lstat', 'fstat', 'newfstatat', 'statx', 'statfs', 'fstatfs');
register(handleNames, 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'unlink', 'unlinkat', 'rmdir');
register(handleNames, 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat');
register(
  handleAttributes,
  'chmod',
  'fchmod',
  'fchmodat',
  'fchmodat2',
  'chown',
  'lchown',
  'fchown',
  'fchownat',
);
register(handleAttributes, 'utime', 'utimes', 'utimensat', 'futimesat', 'truncate', 'ftruncate');
register(handleAttributes, 'access', 'faccessat', 'faccessat2');
register(handleDirectories, 'getdents', 'getdents64', 'getcwd');
register(
  handleMisc,
  'readlink',
  'readlinkat',
  'fsync',
  'fdatasync',
  'syncfs',
  'sync',
  'inotify_add_watch',
  'name_to_handle_at',
);
register(handleXattr, 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr');
register(handleXattr, 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr');
register(handleXattr, 'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat');
register(handleClose, 'close', 'dup2', 'dup3', 'close_range');
register(refuseUntraced, 'execve', 'execveat', 'chdir');

/** Without ptrace, exec and chdir into the agent filesystem cannot be redirected. */
function refuseUntraced(call: Call): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  process.stderr.write(
    `agentos: cannot ${call.name === 'chdir' ? 'change directory into' : 'execute'} ${call.path(0)}: the sandbox runs without ptrace\n`,
  );
  call.fail('EACCES');
}

export function dispatch(call: Call): void {
  try {
    const handler = HANDLERS[call.name];
    if (handler) {
      call.ctx.audit?.before(call);
      handler(call);
      call.ctx.audit?.after(call);
    } else call.continue();
  } catch (e) {
    if (call.answered) return;
    if (e instanceof AgentOSError) return call.fail(e.code);
    if (e instanceof EscapeToHost) return escape(call, e.hostPath);
    process.stderr.write(`agentos: internal error handling ${call.name}: ${(e as Error).stack ?? e}\n`);
    call.fail('EIO');
  }
  if (!call.answered) call.fail('ENOSYS');
}

function escape(call: Call, hostPath: string): void {
  try {
    performOnHost(call, hostPath);
  } catch (e) {
    if (call.answered) return;
    call.fail(e instanceof AgentOSError ? e.code : 'EIO');
  }
}
