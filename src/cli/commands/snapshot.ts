import { Args, Flags } from '@oclif/core';
import { AgentOSError } from '../../index.js';
import { BaseCommand } from '../base-command.js';
import { printable } from '../format.js';
import { startProgress, type Progress } from '../transfer/progress.js';

export default class Snapshot extends BaseCommand {
  static override summary = 'Write a consistent copy of the agent database to a new file.';

  static override description =
    'Copies every table as of one moment (one read transaction), while runs and SDK programs go on writing, into OUT, which then is an agent database of its own: open it with --db, compare it with agentos diff, bring files back from it with agentos restore. OUT is written beside its final name and renamed into place when complete. A progress bar is shown on stderr when it is a terminal.';

  static override examples = [
    { command: '<%= config.bin %> snapshot before.db', description: 'Snapshot agent.db' },
    {
      command: '<%= config.bin %> snapshot --db work.db --force nightly.db',
      description: 'Replace an older snapshot',
    },
  ];

  static override args = {
    out: Args.string({ ignoreStdin: true, description: 'File to write', required: true }),
  };

  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Replace OUT if it exists' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Snapshot);
    const agent = this.openAgent(flags, { readonly: true });
    let progress: Progress | undefined;
    let shown = 0;
    let result;
    try {
      result = await agent.snapshot(args.out, {
        overwrite: flags.force,
        onProgress: (done, total) => {
          progress ??= startProgress('Snapshot', total);
          for (; shown < done; shown++) progress.tick();
        },
      });
    } catch (e) {
      // The SDK's hint names its option; a CLI user needs the flag.
      if (e instanceof AgentOSError && e.code === 'EEXIST' && e.syscall === 'snapshot') {
        throw new AgentOSError('EEXIST', {
          syscall: 'snapshot',
          path: e.path,
          message: 'file exists (use --force to replace it)',
        });
      }
      throw e;
    } finally {
      progress?.stop();
    }
    if (flags.json) return this.printJson(result);
    const kib = (result.bytes / 1024).toFixed(0);
    this.log(
      `Snapshot of ${printable(flags.db)} written to ${printable(args.out)}: ${result.tables} tables, ${result.rows} rows, ${kib} KiB in ${result.durationMs} ms`,
    );
  }
}
