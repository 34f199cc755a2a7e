import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';

export default class FsWrite extends BaseCommand {
  static override summary = 'Write a file of the agent filesystem.';

  static override description =
    'Write a file of the agent filesystem, replacing its content (or appending with --append). The content is the CONTENT argument exactly as given (no newline is added), or stdin when CONTENT is omitted. Missing parent directories are created.';

  static override examples = [
    { command: '<%= config.bin %> fs write notes/todo.txt "buy milk"', description: 'Write a string' },
    {
      command: 'cat report.pdf | <%= config.bin %> fs write /output/report.pdf',
      description: 'Write stdin (any bytes)',
    },
    { command: '<%= config.bin %> fs write --append log.txt "one more line"', description: 'Append' },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'File to write', required: true }),
    content: Args.string({ ignoreStdin: true, description: 'Content to write (default: read stdin)' }),
  };

  static override flags = {
    append: Flags.boolean({ char: 'a', description: 'Append to the file instead of replacing it' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsWrite);
    const data = args.content === undefined ? await this.readStdin() : Buffer.from(args.content);
    const agent = this.openAgent(flags);
    if (flags.append) await agent.fs.appendFile(args.path, data);
    else await agent.fs.writeFile(args.path, data);
  }
}
