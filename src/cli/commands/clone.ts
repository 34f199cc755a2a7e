import { Args, Flags } from '@oclif/core';
import { cloneRemote, describeSummary, TOKEN_ENV } from '../../store/sync/index.js';
import { BaseCommand } from '../base-command.js';

export default class Clone extends BaseCommand {
  static override summary = 'Create a local agent database from a remote one.';

  static override description =
    'Downloads the agent database at URL (a Turso sync URL: Turso Cloud, or `turso DB --sync-server HOST:PORT`) into a new file, PATH (default: the --db value, agent.db), remembering the URL and the auth token for `agentos sync push` and `pull`. The token is never printed. The clone can push only if nobody else pushes meanwhile: one writer per agent database.';

  static override examples = [
    { command: '<%= config.bin %> clone http://127.0.0.1:8080', description: 'Clone into agent.db' },
    {
      command: '<%= config.bin %> clone libsql://agent-myorg.turso.io copy.db --auth-token "$TOKEN"',
      description: 'Clone a Turso Cloud database into copy.db',
    },
  ];

  static override args = {
    url: Args.string({
      ignoreStdin: true,
      required: true,
      description: 'Sync URL of the remote agent database',
    }),
    path: Args.string({
      ignoreStdin: true,
      description: 'Database file to create (default: the --db value, agent.db)',
    }),
  };

  static override flags = {
    'auth-token': Flags.string({
      description: `Auth token for the sync server (else ${TOKEN_ENV}); remembered beside the database, never printed`,
      helpValue: 'TOKEN',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clone);
    const path = args.path ?? flags.db;
    const { pulled } = await cloneRemote(args.url, path, {
      authToken: flags['auth-token'],
      busyTimeoutMs: flags['busy-timeout'],
    });
    this.log(`Cloned ${args.url} into ${path} (${describeSummary(pulled)})`);
  }
}
