import { posix } from 'node:path';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class FsMv extends BaseCommand {
  static override summary = 'Move or rename a file, symlink or directory.';

  static override description =
    'Move or rename a file, symlink or directory. When DST is an existing directory, SRC moves into it (as mv does); otherwise SRC is renamed to DST, atomically replacing a file or an empty directory there.';

  static override examples = [
    { command: '<%= config.bin %> fs mv draft.txt final.txt', description: 'Rename' },
    { command: '<%= config.bin %> fs mv final.txt /archive', description: 'Move into an existing directory' },
  ];

  static override args = {
    src: Args.string({ ignoreStdin: true, description: 'Path to move', required: true }),
    dst: Args.string({
      ignoreStdin: true,
      description: 'New path, or an existing directory to move into',
      required: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsMv);
    const agent = this.openAgent(flags);
    let dst = args.dst;
    const into = await agent.fs.stat(dst).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (into) dst = posix.join(dst, posix.basename(posix.resolve('/', args.src)));
    await agent.fs.rename(args.src, dst);
  }
}
