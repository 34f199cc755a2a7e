import { describeSummary } from '../../../store/sync/index.js';
import { BaseCommand } from '../../base-command.js';

export default class SyncPush extends BaseCommand {
  static override summary = "Send this copy's changes to the sync server.";

  static override description =
    'Sends every change made since the last push (files, kv, tool calls). Refused, with nothing changed on either side, when another machine pushed since this copy last synced: one writer per agent database. When the server cannot be reached the changes stay local and the next push sends them. The auth token comes from AGENTOS_SYNC_TOKEN or the one remembered by init/clone; AGENTOS_SYNC_TIMEOUT sets the per-request timeout in ms.';

  static override examples = [
    { command: '<%= config.bin %> sync push', description: 'Push agent.db' },
    { command: '<%= config.bin %> sync push --db work.db', description: 'Push another database' },
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(SyncPush);
    const agent = this.openAgent(flags, { readonly: true });
    const { url, pushed } = await agent.sync.push();
    this.log(
      pushed.rows === 0
        ? `Nothing to push: ${url} is up to date`
        : `Pushed ${describeSummary(pushed)} to ${url}`,
    );
  }
}
