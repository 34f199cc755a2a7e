import { Flags } from '@oclif/core';
import { describeSummary } from '../../../store/sync/index.js';
import { BaseCommand } from '../../base-command.js';

export default class SyncPull extends BaseCommand {
  static override summary = "Bring the sync server's changes into this copy.";

  static override description =
    "Applies the server's changes in one transaction; processes that have the database open see them at once. Refused when this copy has changes the server does not have and the server has changes from another machine (the two cannot be merged): --discard-local takes the server's version and drops this copy's unpushed changes.";

  static override examples = [
    { command: '<%= config.bin %> sync pull', description: 'Pull into agent.db' },
    {
      command: '<%= config.bin %> sync pull --discard-local',
      description: "After a refused push: take the server's version",
    },
  ];

  static override flags = {
    'discard-local': Flags.boolean({
      description: "Take the server's version, dropping this copy's unpushed changes",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SyncPull);
    const agent = this.openAgent(flags);
    const { url, pulled } = await agent.sync.pull({ discardLocal: flags['discard-local'] });
    this.log(
      pulled.rows === 0 ? `Already up to date with ${url}` : `Pulled ${describeSummary(pulled)} from ${url}`,
    );
  }
}
