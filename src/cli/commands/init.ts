import { lstatSync, unlinkSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { AgentOS, AgentOSError } from '../../index.js';
import { BaseCommand } from '../base-command.js';
import { attachToRemote, removeSyncDir } from '../../store/sync/index.js';
import { parseSize } from '../size.js';

/** The database file and the files SQLite and turso keep beside it. */
const DATABASE_SUFFIXES = ['', '-wal', '-shm', '-tshm'];

export default class Init extends BaseCommand {
  static override summary = 'Create an empty agent database.';

  static override description =
    'The database holds the agent filesystem, the key-value store and the tool-call audit trail. PATH defaults to the --db value (agent.db, or AGENTOS_DB). An existing file is never overwritten unless --force is given. Prints `Created agent filesystem: PATH`, with PATH as given.';

  static override examples = [
    { command: '<%= config.bin %> init', description: 'Create agent.db in the current directory' },
    { command: '<%= config.bin %> init project.db', description: 'Create project.db' },
    {
      command: '<%= config.bin %> init --force',
      description: 'Replace an existing agent.db with an empty one',
    },
    {
      command: '<%= config.bin %> init --max-size 500M',
      description: 'Limit the content of files to 500 MiB in all (writes beyond fail with EDQUOT)',
    },
  ];

  static override args = {
    path: Args.string({
      ignoreStdin: true,
      description: 'Database file to create (default: the --db value, agent.db)',
    }),
  };

  static override flags = {
    force: Flags.boolean({
      char: 'f',
      description: 'Replace an existing file, removing it and its -wal, -shm and -tshm companions',
    }),
    'max-size': Flags.custom<number>({
      description:
        'Quota: the most bytes all files may hold together (1048576, 512K, 100M, 2G, 1GiB, 1GB); writes beyond it fail with EDQUOT',
      helpValue: 'BYTES',
      exclusive: ['sync-url'],
      parse: async (text) => parseSize(text),
    })(),
    'sync-url': Flags.string({
      description: 'Sync with this (empty) Turso sync server database: create, then push (see agentos sync)',
      helpValue: 'URL',
    }),
    'auth-token': Flags.string({
      description:
        'Auth token for --sync-url (else AGENTOS_SYNC_TOKEN); remembered beside the database, never printed',
      helpValue: 'TOKEN',
      dependsOn: ['sync-url'],
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    const path = args.path ?? flags.db;
    if (exists(path)) {
      if (!flags.force) {
        throw new AgentOSError('EEXIST', { message: `'${path}' already exists; use --force to replace it` });
      }
      removeDatabase(path);
      removeSyncDir(path);
    }
    if (flags['sync-url'] !== undefined) {
      const { url } = await attachToRemote(path, flags['sync-url'], {
        authToken: flags['auth-token'],
        busyTimeoutMs: flags['busy-timeout'],
        onCreated: () => this.log(`Created agent filesystem: ${path}`),
      });
      this.log(`Pushed to ${url}`);
      return;
    }
    const agent = new AgentOS(path, { create: true, busyTimeoutMs: flags['busy-timeout'] });
    try {
      if (flags['max-size'] !== undefined) await agent.fs.setQuota(flags['max-size']);
    } finally {
      await agent.close();
    }
    this.log(`Created agent filesystem: ${path}`);
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function removeDatabase(path: string): void {
  for (const suffix of DATABASE_SUFFIXES) {
    try {
      unlinkSync(path + suffix);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
