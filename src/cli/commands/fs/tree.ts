import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { buildTree, countTree, drawTree, summary } from '../../tree.js';

export default class FsTree extends BaseCommand {
  static override summary = 'Show a directory tree of the agent filesystem.';

  static override description =
    'Show a directory tree of the agent filesystem, like tree(1), with a count of directories, files and symlinks. Symlinks are shown with their targets and not followed.';

  static override examples = [
    { command: '<%= config.bin %> fs tree', description: 'The whole filesystem' },
    { command: '<%= config.bin %> fs tree -L 1 /output', description: 'One level below /output' },
    {
      command: '<%= config.bin %> fs tree --json',
      description: 'Nested JSON: {name, type, target?, children?}',
    },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'Directory to show', default: '/' }),
  };

  static override flags = {
    level: Flags.integer({
      char: 'L',
      description: 'Descend at most this many levels',
      min: 1,
      helpValue: 'N',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsTree);
    const agent = this.openAgent(flags, { readonly: true });
    const root = await buildTree(agent.fs, args.path, flags.level ?? Infinity);
    if (flags.json) return this.printJson(root);
    this.printLines([...drawTree(root), '', summary(countTree(root))]);
  }
}
