import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { printable } from '../format.js';

export default class Restore extends BaseCommand {
  static override summary = 'Bring files (or the whole tree) back from a snapshot.';

  static override description =
    "Under each PATH (default: /, everything), the agent filesystem becomes what it is in SNAPSHOT: files the snapshot has are recreated or changed back (content, only the chunks that differ; symlink targets, permissions, owner and times), files it does not have are deleted, and missing parent directories are recreated. A PATH the snapshot does not have is an error (ENOENT). Key-value entries and extended attributes are not touched. The restore is recorded as a tool call named 'restore', and every change it makes is in the operation log (agentos log --run ID).";

  static override examples = [
    { command: '<%= config.bin %> restore before.db', description: 'The whole tree as it was' },
    {
      command: '<%= config.bin %> restore before.db /src /notes.txt',
      description: 'Only /src and /notes.txt',
    },
  ];

  static override strict = false;

  static override usage = '<%= command.id %> SNAPSHOT [PATH...] [--json]';

  static override args = {
    snapshot: Args.string({ ignoreStdin: true, description: 'The snapshot to restore from', required: true }),
    path: Args.string({
      ignoreStdin: true,
      description: 'Paths to restore (default: /); several may follow',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Restore);
    const paths = (argv as string[]).slice(1);
    const agent = this.openAgent(flags);
    const result = await agent.restore(args.snapshot, paths);
    if (flags.json) return this.printJson(result);
    const what = paths.length === 0 ? 'everything' : paths.map(printable).join(', ');
    this.log(
      `Restored ${what} from ${printable(args.snapshot)}: ${result.restored.length} paths restored, ${result.deleted.length} deleted, ${result.bytesWritten} bytes written (tool call ${result.callId})`,
    );
  }
}
