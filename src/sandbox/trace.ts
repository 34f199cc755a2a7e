/**
 * Answers the exec helper's tracer for execve, execveat and chdir naming the agent
 * filesystem: the kernel needs a real file or directory, so the call is pointed at the
 * materialized file (or, for a `#!` script, at its interpreter with the argv the kernel would
 * have built, so the script still sees its /agent path as $0) or at a placeholder directory.
 */
import { AgentOSError, errnoOf, fsError } from '../errors.js';
import { X_OK, isDirectory, isRegular, isSymlink } from '../vfs/constants.js';
import { EscapeToHost } from '../vfs/path-walk.js';
import type { SandboxContext } from './call.js';
import { decodePath, type Location } from './locate.js';
import type { TraceEvent } from './native.js';
import { processInfo } from './process-info.js';
import { AT_SYMLINK_NOFOLLOW } from './at-flags.js';

const SYS_CHDIR = 80;
const SHEBANG_MAX = 256;
/** The kernel allows an interpreter to be a script itself, to this depth. */
const MAX_INTERPRETER_DEPTH = 4;

export function handleTrace(ev: TraceEvent, ctx: SandboxContext): void {
  let strings: string[];
  try {
    const path = decodePath(ev.path, ev.nr === SYS_CHDIR ? 'chdir' : 'execve');
    const loc = ctx.locator.locate(path, ev.base.length > 0 ? ev.base.toString('utf8') : null);
    strings = ev.nr === SYS_CHDIR ? chdirTarget(ctx, ev, loc, path) : execTarget(ctx, ev, loc, path, 0);
    ctx.audit?.traced(ev, loc);
  } catch (e) {
    if (e instanceof EscapeToHost) {
      strings = [e.hostPath];
    } else {
      const code = e instanceof AgentOSError ? e.code : 'EIO';
      if (!(e instanceof AgentOSError))
        process.stderr.write(
          `agentos: internal error in ${ev.nr === SYS_CHDIR ? 'chdir' : 'exec'}: ${(e as Error).stack}\n`,
        );
      ctx.supervisor.traceReply(ev.requestId, errnoOf(code), []);
      return;
    }
  }
  ctx.supervisor.traceReply(ev.requestId, 0, strings);
}

function chdirTarget(ctx: SandboxContext, ev: TraceEvent, loc: Location, path: string): string[] {
  if (loc.kind === 'host') return [loc.path];
  const caller = { cred: processInfo(ev.pid).cred, base: loc.base };
  const inode = ctx.vfs.stat(loc.path, caller);
  if (!isDirectory(inode.mode)) throw fsError('ENOTDIR', 'chdir', path);
  ctx.vfs.accessInode(inode.ino, X_OK, caller, path);
  ctx.supervisor.markVirtualBases();
  return [ctx.backing.workingDirectory(inode.ino)];
}

function execTarget(
  ctx: SandboxContext,
  ev: TraceEvent,
  loc: Location,
  path: string,
  depth: number,
): string[] {
  if (loc.kind === 'host') return [loc.path];
  const caller = { cred: processInfo(ev.pid).cred, base: loc.base };
  const inode = ctx.vfs.stat(loc.path, caller, ev.flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow');
  if (isSymlink(inode.mode)) throw fsError('ELOOP', 'execve', path);
  if (!isRegular(inode.mode)) throw fsError('EACCES', 'execve', path);
  ctx.vfs.accessInode(inode.ino, X_OK, caller, path);
  const live = ctx.backing.live(inode);
  const head = ctx.backing.readHead(inode, Math.min(SHEBANG_MAX, live.size));
  if (head[0] === 0x23 && head[1] === 0x21) return scriptTarget(ctx, ev, head, path, depth);
  return [ctx.backing.materializedPath(inode)];
}

/** A `#!` line as binfmt_script reads it: the interpreter and at most one argument. */
function scriptTarget(
  ctx: SandboxContext,
  ev: TraceEvent,
  head: Buffer,
  path: string,
  depth: number,
): string[] {
  if (depth >= MAX_INTERPRETER_DEPTH) throw fsError('ELOOP', 'execve', path);
  const end = head.indexOf(0x0a);
  const line = head
    .subarray(2, end < 0 ? head.length : end)
    .toString('utf8')
    .replace(/[ \t\r]+$/, '');
  const m = /^[ \t]*([^ \t]+)(?:[ \t]+(.*))?$/.exec(line);
  if (!m) throw fsError('ENOEXEC', 'execve', path);
  const interpreter = m[1];
  const argument = m[2];
  const interpreterLoc = ctx.locator.locate(
    interpreter,
    ev.base.length > 0 ? ev.base.toString('utf8') : null,
  );
  const [hostInterpreter] = execTarget(ctx, ev, interpreterLoc, interpreter, depth + 1);
  return argument === undefined
    ? [hostInterpreter, interpreter, path]
    : [hostInterpreter, interpreter, argument, path];
}
