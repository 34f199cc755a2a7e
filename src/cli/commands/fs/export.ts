import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { printable } from '../../format.js';
import { describeCounts } from '../../transfer/counts.js';
import { exportTree } from '../../transfer/export.js';

export default class FsExport extends BaseCommand {
  static override summary = 'Copy a directory of the agent filesystem to the host.';

  static override description =
    "Recreates the contents of SRC (default /) under HOSTDIR (created if missing), with each entry's permission bits, access and modification times to the nanosecond, symlinks (with their exact targets) and hard links. Existing host files and symlinks at the same paths are replaced, never written through; existing directories are merged into. Ownership is not copied. Sub-microsecond times are set with GNU touch, since Node can only set microseconds. The database is opened read-only. A progress bar is shown on stderr when it is a terminal; a summary line is printed at the end.";

  static override examples = [
    { command: '<%= config.bin %> fs export ./snapshot', description: 'Everything, into ./snapshot' },
    { command: '<%= config.bin %> fs export /output ./out', description: 'Only /output, into ./out' },
  ];

  static override args = {
    src: Args.string({
      ignoreStdin: true,
      description: 'Agent directory to copy (default /); a lone argument is HOSTDIR',
      required: true,
    }),
    hostdir: Args.string({ ignoreStdin: true, description: 'Host directory to copy into' }),
  };

  static override usage = '<%= command.id %> [SRC] HOSTDIR';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsExport);
    // oclif has no optional first argument: one argument is HOSTDIR, two are SRC HOSTDIR.
    const [src, hostdir] = args.hostdir === undefined ? ['/', args.src] : [args.src, args.hostdir];
    const agent = this.openAgent(flags, { readonly: true });
    const counts = await exportTree(agent, src, hostdir);
    for (const rel of counts.skipped)
      process.stderr.write(`agentos: skipped ${printable(rel)}: not a file, directory or symlink\n`);
    this.log(`Exported ${describeCounts(counts)} from ${printable(src)} to ${printable(hostdir)}`);
  }
}
