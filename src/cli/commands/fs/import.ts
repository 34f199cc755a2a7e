import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { printable } from '../../format.js';
import { describeCounts } from '../../transfer/counts.js';
import { importTree } from '../../transfer/import.js';

export default class FsImport extends BaseCommand {
  static override summary = 'Copy a host directory tree into the agent filesystem.';

  static override description =
    "Copies the contents of HOSTDIR into DEST (created if missing; default /), keeping each entry's permission bits, access and modification times to the nanosecond, symlinks (targets stored exactly as they are) and hard links. Existing files and symlinks at the same paths are replaced; existing directories are merged into. FIFOs, sockets and devices are skipped with a warning. Files are owned by the importing user. A progress bar is shown on stderr when it is a terminal; a summary line is printed at the end.";

  static override examples = [
    { command: '<%= config.bin %> fs import ./workspace', description: 'Copy ./workspace/* to /' },
    { command: '<%= config.bin %> fs import ./data /input', description: 'Copy ./data/* to /input' },
  ];

  static override args = {
    hostdir: Args.string({ ignoreStdin: true, description: 'Host directory to copy from', required: true }),
    dest: Args.string({ ignoreStdin: true, description: 'Agent directory to copy into', default: '/' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsImport);
    const agent = this.openAgent(flags);
    const counts = await importTree(agent, args.hostdir, args.dest);
    for (const rel of counts.skipped)
      process.stderr.write(`agentos: skipped ${printable(rel)}: not a file, directory or symlink\n`);
    this.log(
      `Imported ${describeCounts(counts)} from ${printable(args.hostdir)} into ${printable(args.dest)}`,
    );
  }
}
