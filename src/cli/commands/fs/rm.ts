import { Args, Flags } from '@oclif/core';
import { AgentOSError } from '../../../index.js';
import { BaseCommand } from '../../base-command.js';

export default class FsRm extends BaseCommand {
  static override summary = 'Remove a file, a symlink, or a directory tree.';

  static override description =
    'A symlink is removed itself, never its target. Directories need -r, which removes everything in them.';

  static override examples = [
    { command: '<%= config.bin %> fs rm /tmp/scratch.txt', description: 'Remove a file' },
    { command: '<%= config.bin %> fs rm -r /build', description: 'Remove a directory tree' },
    { command: '<%= config.bin %> fs rm -rf /maybe-missing', description: 'No error if it does not exist' },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'Path to remove', required: true }),
  };

  static override flags = {
    recursive: Flags.boolean({ char: 'r', description: 'Remove directories and their contents' }),
    force: Flags.boolean({ char: 'f', description: 'Ignore a missing path' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsRm);
    const agent = this.openAgent(flags);
    try {
      await agent.fs.rm(args.path, { recursive: flags.recursive, force: flags.force });
    } catch (e) {
      // The SDK's hint names its option; a CLI user needs the flag.
      if (e instanceof AgentOSError && e.code === 'EISDIR' && !flags.recursive) {
        throw new AgentOSError('EISDIR', {
          syscall: 'rm',
          path: args.path,
          message: 'is a directory (use -r)',
        });
      }
      throw e;
    }
  }
}
