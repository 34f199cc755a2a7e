import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { describe } from '../../listing.js';
import { isoNanos, modeString, octalMode, printable, statJson } from '../../format.js';
import { fileTypeName } from '../../../vfs/constants.js';

export default class FsStat extends BaseCommand {
  static override summary = 'Show the metadata of a path.';

  static override description =
    'Show the metadata of a path: type, size, mode, owner, links, inode and times to the nanosecond. A symlink is described itself unless -L is given.';

  static override examples = [
    { command: '<%= config.bin %> fs stat hello.txt', description: 'Human-readable' },
    {
      command: '<%= config.bin %> fs stat --json hello.txt',
      description: 'JSON; times are ISO-8601 UTC with nanoseconds',
    },
    { command: '<%= config.bin %> fs stat -L /latest', description: 'Describe the file a symlink points to' },
  ];

  static override args = {
    path: Args.string({ ignoreStdin: true, description: 'Path to describe', required: true }),
  };

  static override flags = {
    dereference: Flags.boolean({ char: 'L', description: 'Follow a symlink and describe its target' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(FsStat);
    const agent = this.openAgent(flags, { readonly: true });
    const entry = await describe(agent.fs, args.path, args.path);
    const st = flags.dereference ? await agent.fs.stat(args.path) : entry.stats;
    const target = flags.dereference ? undefined : entry.target;
    if (flags.json) {
      this.printJson({ path: args.path, ...statJson(st, target) });
      return;
    }
    this.printLines([
      `  File: ${printable(args.path)}${target === undefined ? '' : ` -> ${printable(target)}`}`,
      `  Type: ${fileTypeName(st.mode)}`,
      `  Size: ${st.size}  Blocks: ${st.blocks}  Inode: ${st.ino}  Links: ${st.nlink}`,
      `Access: (${octalMode(st.mode)}/${modeString(st.mode)})  Uid: ${st.uid}  Gid: ${st.gid}`,
      `Access: ${isoNanos(st.atimeNs)}`,
      `Modify: ${isoNanos(st.mtimeNs)}`,
      `Change: ${isoNanos(st.ctimeNs)}`,
    ]);
  }
}
