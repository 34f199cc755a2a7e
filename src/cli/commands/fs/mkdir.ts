import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class FsMkdir extends BaseCommand {
  static override summary = 'Create a directory in the agent filesystem.';

  static override description = 'New directories get mode 0777 minus the umask 022 (0755).';

  static override examples = [
    {
      command: '<%= config.bin %> fs mkdir /output',
      description: 'Create one directory (its parent must exist)',
    },
    {
      command: '<%= config.bin %> fs mkdir -p /a/b/c',
      description: 'Create parents as needed; no error if it exists',
    },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'Directory to create', required: true }),
  };

  static override flags = {
    parents: Flags.boolean({
      char: 'p',
      description: 'Create missing parent directories; an existing directory is not an error',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsMkdir);
    const agent = this.openAgent(flags);
    await agent.fs.mkdir(args.path, { recursive: flags.parents });
  }
}
