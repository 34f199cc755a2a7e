/**
 * Paths as an MCP client sees them. `run_command` runs in `/agent`, so the file tools speak the
 * same language: a path is relative to `/agent` or absolute under it, and every path in a
 * result is shown under `/agent`. Anything else (an absolute host path, `..` climbing out of
 * the tree) is refused before it reaches the filesystem.
 */
import { AgentOSError } from '../errors.js';
import { ToolError } from './tool-error.js';
import { DEFAULT_MOUNT } from '../sdk/run.js';

export class Workspace {
  /** Where the agent filesystem appears to the client and in the sandbox (e.g. `/agent`). */
  readonly mount: string;

  constructor(mount = DEFAULT_MOUNT) {
    this.mount = mount;
  }

  /** The agent filesystem path ('/notes/a.txt') for a client's path ('notes/a.txt' or '/agent/notes/a.txt'). */
  resolve(path: string, argument = 'path'): string {
    if (path.includes('\0')) throw new ToolError(`${argument} must not contain NUL characters`);
    if (path.trim() === '')
      throw new ToolError(`${argument} must not be empty (use "${this.mount}" for the workspace root)`);
    let rest: string;
    if (!path.startsWith('/')) rest = path;
    else if (path === this.mount || path.startsWith(this.mount + '/')) rest = path.slice(this.mount.length);
    else throw this.#outside(path, argument);
    const parts: string[] = [];
    for (const part of rest.split('/')) {
      if (part === '' || part === '.') continue;
      if (part !== '..') parts.push(part);
      else if (parts.pop() === undefined) throw this.#outside(path, argument);
    }
    return '/' + parts.join('/');
  }

  /** The client's view of an agent filesystem path: '/notes/a.txt' → '/agent/notes/a.txt'. */
  show(agentPath: string): string {
    return agentPath === '/' || agentPath === ''
      ? this.mount
      : this.mount + (agentPath.startsWith('/') ? agentPath : '/' + agentPath);
  }

  /** An error's message with the paths it names shown the client's way. */
  describe(error: unknown): string {
    if (!(error instanceof AgentOSError)) return error instanceof Error ? error.message : String(error);
    let message = error.message;
    if (error.path !== undefined) message = message.replace(`'${error.path}'`, `'${this.show(error.path)}'`);
    if (error.dest !== undefined) message = message.replace(`'${error.dest}'`, `'${this.show(error.dest)}'`);
    return message;
  }

  #outside(path: string, argument: string): ToolError {
    return new ToolError(
      `${argument} '${path}' is outside the agent filesystem: give a path relative to ${this.mount} or an absolute path under it`,
    );
  }
}
