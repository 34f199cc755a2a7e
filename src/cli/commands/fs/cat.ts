import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class FsCat extends BaseCommand {
  static override summary = 'Print a file of the agent filesystem.';

  static override description =
    'The content goes to stdout byte for byte (binary-safe, no newline added). Symlinks are followed.';

  static override examples = [
    {
      command: '<%= config.bin %> fs cat hello.txt',
      description: 'Relative paths start at the root: this is /hello.txt',
    },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'File to print', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsCat);
    const agent = this.openAgent(flags, { readonly: true });
    process.stdout.write(await agent.fs.readFile(args.path));
  }
}
