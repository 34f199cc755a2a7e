#!/usr/bin/env node
// Each command runs in a child process watched by this one, so a crash of the native database
// engine still ends in one line on stderr (see src/cli/supervisor.ts). `agentos run` runs
// directly: the programs it starts need this process's real stderr.
import { fileURLToPath } from 'node:url';

if (process.env.AGENTOS_SUPERVISED === '1' || process.argv[2] === 'run') {
  delete process.env.AGENTOS_SUPERVISED;
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
} else {
  const { supervise } = await import('../dist/cli/supervisor.js');
  supervise(fileURLToPath(import.meta.url), process.argv.slice(2));
}
