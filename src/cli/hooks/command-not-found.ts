/** `agentos nope`: the same one-line error and usage exit code as every other usage error. */
import type { Hook } from '@oclif/core';
import { printable } from '../format.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  // oclif joins every word into the id ("nope:extra:args"); name only the topics plus the word
  // that failed, so `agentos nope x` reports 'nope' and `agentos fs nope` reports 'fs nope'.
  const topics = new Set(opts.config.topics.map((t) => t.name));
  const parts = opts.id.split(':');
  let n = 1;
  while (n < parts.length && topics.has(parts.slice(0, n).join(':'))) n++;
  const name = parts.slice(0, n).join(' ');
  process.stderr.write(`agentos: command '${printable(name)}' not found (see: agentos --help)\n`);
  this.exit(2);
};

export default hook;
