import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { listLong, listNames, type LongEntry } from '../../listing.js';
import { modeString, printable, shortTime, statJson, table, typeLetter } from '../../format.js';
import { fileTypeName } from '../../../vfs/constants.js';

export default class FsLs extends BaseCommand {
  static override summary = 'List a directory of the agent filesystem.';

  static override description =
    'One line per entry, sorted by name: a type letter (f file, d directory, l symlink; p, c, b, s for FIFOs, devices and sockets) and the name. All entries are listed, including names starting with a dot. Control characters and backslashes in names are printed escaped (\\n, \\x1b, \\\\); --json prints names exactly.';

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
        'Long form: mode, links, uid, gid, size, mtime (local time), name and `-> target` for symlinks; with --json, every stat field',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsLs);
    const agent = this.openAgent(flags, { readonly: true });
    if (flags.long) {
      const entries = await listLong(agent.fs, args.path);
      if (flags.json)
        return this.printJson(entries.map((e) => ({ name: e.name, ...statJson(e.stats, e.target) })));
      return this.printLines(longListing(entries));
    }
    const entries = await listNames(agent.fs, args.path);
    if (flags.json) return this.printJson(entries.map((e) => ({ name: e.name, type: fileTypeName(e.mode) })));
    this.printLines(entries.map((e) => `${typeLetter(e.mode)} ${printable(e.name)}`));
  }
}

function longListing(entries: LongEntry[]): string[] {
  const rows = entries.map(({ stats, name, target }) => [
    modeString(stats.mode),
    String(stats.nlink),
    String(stats.uid),
    String(stats.gid),
    String(stats.size),
    shortTime(stats.mtimeMs),
    printable(name) + (target === undefined ? '' : ` -> ${printable(target)}`),
  ]);
  return table(rows, ['left', 'right', 'right', 'right', 'right', 'left', 'left']);
}
