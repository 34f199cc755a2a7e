import { BaseCommand } from '../../base-command.js';
import { table } from '../../format.js';

export default class FsDf extends BaseCommand {
  static override summary = 'Show how much the agent filesystem holds, and its quota.';

  static override description =
    'Prints the quota (set with `agentos init --max-size`; "none" without one), the bytes files hold (the sum of the sizes of regular files, which is what the quota limits), the bytes still available (what the quota leaves, or without a quota the free space of the host filesystem holding the database), and the number of inodes. Sizes are exact byte counts.';

  static override examples = [
    { command: '<%= config.bin %> fs df', description: 'Usage and quota' },
    { command: '<%= config.bin %> fs df --json', description: '{limit, used, available, inodes} as JSON' },
  ];

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(FsDf);
    const agent = this.openAgent(flags, { readonly: true });
    const { limit, used } = await agent.fs.quota();
    const st = await agent.fs.statfs();
    const available = limit === null ? st.bavail * st.bsize : Math.max(0, limit - used);
    const usage = { limit, used, available, inodes: st.files - st.ffree };
    if (flags.json) return this.printJson(usage);
    this.printLines(
      table(
        [
          ['limit', limit === null ? 'none' : String(limit)],
          ['used', String(used)],
          ['available', String(available)],
          ['inodes', String(usage.inodes)],
        ],
        ['left', 'right'],
      ),
    );
  }
}
