import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { listDirectory, type Entry } from '../../listing.js';
import { modeString, printable, shortTime, statJson, table, typeLetter, typeName } from '../../format.js';

export default class FsLs extends BaseCommand {
  static override description = `List a directory of the agent filesystem.

One line per entry, sorted by name: a type letter (f file, d directory, l symlink; p, c, b, s for
FIFOs, devices and sockets) and the name. Control characters and backslashes in names are
printed escaped (\\n, \\x1b, \\\\); --json prints names exactly.`;

  static override examples = [
    { command: '<%= config.bin %> fs ls', description: 'List the root directory' },
    {
      command: '<%= config.bin %> fs ls -l /output',
      description: 'Long form: mode, links, owner, group, size, mtime',
    },
    { command: '<%= config.bin %> fs ls --json /output', description: 'JSON array of {name, type}' },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'Directory (or file) to list', default: '/' }),
  };

  static override flags = {
    long: Flags.boolean({
      char: 'l',
      description:
        'Long form: mode, links, uid, gid, size, mtime (local time), name and `-> target` for symlinks',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsLs);
    const agent = this.openAgent(flags, { readonly: true });
    const entries = await listDirectory(agent.fs, args.path);
    if (flags.json) {
      this.printJson(
        entries.map((e) =>
          flags.long
            ? { name: e.name, ...statJson(e.stats, e.target) }
            : { name: e.name, type: typeName(e.stats.mode) },
        ),
      );
    } else if (flags.long) {
      this.printLines(longListing(entries));
    } else {
      this.printLines(entries.map((e) => `${typeLetter(e.stats.mode)} ${printable(e.name)}`));
    }
  }
}

function longListing(entries: Entry[]): string[] {
  const rows = entries.map((e) => [
    modeString(e.stats.mode),
    String(e.stats.nlink),
    String(e.stats.uid),
    String(e.stats.gid),
    String(e.stats.size),
    shortTime(e.stats.mtimeMs),
    printable(e.name) + (e.target === undefined ? '' : ` -> ${printable(e.target)}`),
  ]);
  return table(rows, ['left', 'right', 'right', 'right', 'right', 'left', 'left']);
}
