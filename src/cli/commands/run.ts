import { Args, Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { AgentOSError } from '../../errors.js';
import { runSandbox } from '../../sandbox/run.js';
import { BaseCommand } from '../base-command.js';
import { pullBeforeRun, pushAfterRun } from '../run-sync.js';

/**
 * Options come before the command; everything from the first word that is not an option on
 * belongs to the command (`agentos run ls -la` runs `ls -la`), as with env(1) or sudo(8).
 */
const VALUE_FLAGS = new Set([
  '--db',
  '--busy-timeout',
  '--mount',
  '--grace-ms',
  '--audit',
  '--allow',
  '--cwd',
]);

export default class Run extends BaseCommand {
  static override summary = 'Run a program with the agent filesystem mounted at /agent (no root, no FUSE).';

  static override description =
    "The program and everything it starts see the agent filesystem at /agent (or --mount) and the host everywhere else; they may change the host only in /agent, their private $TMPDIR, terminals, /dev/null and the --allow paths (unless --allow-host-writes). The exit code is the program's (128 + the signal number when a signal ended it, 127 when it was not found). Options come before the program; everything from the first word that is not an option on is the program and its arguments (`--` ends the options explicitly). The run is recorded as a `run` tool call, and what it did under /agent in the operation log (see agentos log).";

  static override examples = [
    { command: '<%= config.bin %> run /bin/bash', description: 'An interactive shell in the sandbox' },
    {
      command: '<%= config.bin %> run python3 /agent/analyze.py',
      description: 'A script stored in the agent filesystem',
    },
    {
      command: '<%= config.bin %> run --db work.db --mount /work -- make -C /work',
      description: 'Another database, mounted at /work',
    },
    {
      command: '<%= config.bin %> run --wait -- sh -c "daemon &"',
      description: 'Wait for background processes instead of ending them',
    },
    {
      command: '<%= config.bin %> run --allow ./build --no-network -- make',
      description: 'Also let it write ./build on the host; no network',
    },
    {
      command: '<%= config.bin %> run --cwd /agent/project -- git status',
      description: 'Start in a directory of the agent filesystem',
    },
  ];

  static override strict = false;

  static override args = {
    command: Args.string({
      description: 'Program to run, then its arguments (default: $SHELL or /bin/bash)',
      ignoreStdin: true,
    }),
  };

  static override flags = {
    mount: Flags.string({
      description: 'Where the agent filesystem appears',
      default: '/agent',
      helpValue: 'PATH',
    }),
    wait: Flags.boolean({
      description: 'Wait for background processes that outlive the program instead of ending them',
    }),
    'no-ptrace': Flags.boolean({
      description:
        'Do not trace the programs, so strace and gdb work inside; running files from the agent filesystem and cd into it then fail',
    }),
    'grace-ms': Flags.integer({
      description: 'When the program exits, how long leftover processes get between SIGTERM and SIGKILL',
      default: 2000,
      min: 0,
      helpValue: 'MS',
    }),
    cwd: Flags.string({
      description:
        'Working directory of the program: a host directory, or one in the agent filesystem (default: the current one)',
      helpValue: 'DIR',
    }),
    allow: Flags.string({
      description:
        'Also let programs write beneath this host path (repeatable); by default they write only to /agent, their private $TMPDIR, terminals and /dev/null',
      multiple: true,
      helpValue: 'PATH',
    }),
    'allow-host-writes': Flags.boolean({
      description: 'Do not restrict writes to the host at all (no Landlock policy)',
    }),
    'no-network': Flags.boolean({
      description:
        'Refuse new internet sockets (AF_INET, AF_INET6) and raw packet sockets: socket() fails with EACCES',
    }),
    sync: Flags.boolean({
      description: 'Pull from the sync server before the program starts and push its results after it ends',
    }),
    audit: Flags.option({
      options: ['off', 'changes', 'all'] as const,
      default: 'changes' as const,
      env: 'AGENTOS_AUDIT',
      description:
        'What the operation log keeps (see agentos log): off, changes (creates, writes, renames, deletes, chmods, execs), or all (also opens, stats, access checks, readlinks, chdirs)',
    })(),
  };

  async run(): Promise<void> {
    const split = splitArgv(this.argv);
    const { flags } = await this.parse(
      { flags: Run.flags, baseFlags: Run.baseFlags, args: {}, strict: true },
      split.options,
    );
    if (!existsSync(flags.db)) {
      const init = flags.db === 'agent.db' ? 'agentos init' : `agentos init ${flags.db}`;
      throw new AgentOSError('ENOENT', {
        message: `no agent database at '${flags.db}'; create one with: ${init}`,
      });
    }
    if (flags.sync) await pullBeforeRun(flags.db, flags['busy-timeout']);
    // The seed's interactive session greets the user; scripts and pipes get no banner.
    if (process.stdin.isTTY && process.stderr.isTTY) process.stderr.write('Welcome to AgentOS!\n\n');
    const result = await runSandbox({
      db: flags.db,
      command: split.command,
      mount: flags.mount,
      waitForDescendants: flags.wait,
      noPtrace: flags['no-ptrace'],
      graceMs: flags['grace-ms'],
      busyTimeoutMs: flags['busy-timeout'],
      audit: flags.audit,
      cwd: flags.cwd,
      allow: flags.allow,
      allowHostWrites: flags['allow-host-writes'],
      noNetwork: flags['no-network'],
    });
    this.exit(
      flags.sync ? await pushAfterRun(flags.db, flags['busy-timeout'], result.exitCode) : result.exitCode,
    );
  }
}

function splitArgv(argv: string[]): { options: string[]; command: string[] } {
  const options: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    options.push(a);
    if (VALUE_FLAGS.has(a) && i + 1 < argv.length) options.push(argv[++i]);
  }
  return { options, command: argv.slice(i) };
}
