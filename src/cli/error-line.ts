/**
 * Every failure the CLI reports becomes one line on stderr and an exit code: 2 for usage
 * errors found by oclif's parser (as most Unix tools do), 1 for everything else.
 */
import { printable } from './format.js';

interface OclifError {
  oclif?: { exit?: number | false };
}

/** The exit code for an error thrown while a command ran. */
export function exitCodeOf(err: unknown): number {
  const exit = (err as OclifError | null)?.oclif?.exit;
  return typeof exit === 'number' && exit > 0 ? exit : 1;
}

/**
 * One line describing `err`. AgentOSError and Node's own fs errors already read like the
 * kernel's answer (`ENOENT: no such file or directory, stat '/missing'`); oclif's usage errors
 * span several lines and are folded into one, pointing at the command's help.
 */
export function errorLine(err: unknown, commandId?: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err as OclifError | null)?.oclif) {
    // Paths in messages are user data: control characters must not break the one line.
    // eslint-disable-next-line no-control-regex
    return message.replace(/[\u0000-\u001f\u007f]/g, printable);
  }
  const line = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'See more help with --help')
    .join(' ')
    .replace(/\s+/g, ' ');
  const usage =
    exitCodeOf(err) === 2 && commandId ? ` (see: agentos ${commandId.replace(/:/g, ' ')} --help)` : '';
  return line + usage;
}
