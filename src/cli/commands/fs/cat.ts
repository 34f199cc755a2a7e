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
    // In pieces: a file of any size prints with little memory (readFile stops at 2 GiB).
    const handle = await agent.fs.open(args.path, 'r');
    try {
      const buffer = Buffer.alloc(PIECE);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, PIECE);
        if (bytesRead === 0) break;
        await writeOut(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}

const PIECE = 1024 * 1024;

/** Writes to stdout, waiting while the pipe is full (a slow reader must not make us buffer it all). */
function writeOut(data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(data)) resolve();
    else process.stdout.once('drain', resolve);
  });
}
