/**
 * Every failure the CLI reports becomes one line on stderr and an exit code: 2 for usage
 * errors (bad flags or arguments, as most Unix tools do), 1 for everything else.
 */
import { AgentOSError } from '../index.js';
import { isArgumentError } from '../sdk/validate.js';
import { printable } from './format.js';

interface Reported {
  oclif?: { exit?: number | false };
  syscall?: unknown;
}

/** oclif reports a flag whose value failed to parse as a plain Error with this prefix. */
const FLAG_PARSE = /^Parsing (--\S+)\s*/;

/** The exit code for an error thrown while a command ran. */
export function exitCodeOf(err: unknown): number {
  const exit = (err as Reported | null)?.oclif?.exit;
  if (typeof exit === 'number' && exit > 0) return exit;
  // The SDK refused an argument the command passed on from the user: a usage error.
  if (isArgumentError(err)) return 2;
  return err instanceof Error && FLAG_PARSE.test(err.message) ? 2 : 1;
}

/**
 * One line describing `err`. AgentOSError and Node's own fs errors already read like the
 * kernel's answer (`ENOENT: no such file or directory, stat '/missing'`); their paths are user
 * data, so control characters in them are escaped. oclif's usage errors span several lines
 * and are folded into one that points at the command's help.
 */
export function errorLine(err: unknown, commandId?: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof AgentOSError || (err as Reported | null)?.syscall !== undefined) {
    // eslint-disable-next-line no-control-regex
    return message.replace(/[\u0000-\u001f\u007f]/g, printable);
  }
  if (isArgumentError(err)) {
    const help = commandId ? ` (see: agentos ${commandId.replace(/:/g, ' ')} --help)` : '';
    // eslint-disable-next-line no-control-regex
    return `EINVAL: ${message.replace(/[\u0000-\u001f\u007f]/g, printable)}${help}`;
  }
  const line = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'See more help with --help')
    .join(' ')
    .replace(FLAG_PARSE, '$1: ')
    .replace(/\s+/g, ' ');
  const usage =
    exitCodeOf(err) === 2 && commandId ? ` (see: agentos ${commandId.replace(/:/g, ' ')} --help)` : '';
  return line + usage;
}
