import { Flags } from '@oclif/core';
import { describeSummary, type SyncStatus } from '../../../store/sync/index.js';
import { BaseCommand } from '../../base-command.js';

export default class SyncStatusCommand extends BaseCommand {
  static override summary = 'Show what is waiting to be pushed and when this copy last synced.';

  static override description =
    'Lists the sync URL, whether an auth token is set (never the token), the last push and pull, the local changes not yet on the server, and (unless --offline) whether the server has changes this copy has not pulled.';

  static override examples = [
    { command: '<%= config.bin %> sync status', description: 'Status of agent.db' },
    { command: '<%= config.bin %> sync status --json', description: 'As JSON' },
    { command: '<%= config.bin %> sync status --offline', description: 'Without asking the server' },
  ];

  static override flags = {
    offline: Flags.boolean({ description: 'Do not ask the server' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(SyncStatusCommand);
    const agent = this.openAgent(flags, { readonly: true });
    const status = await agent.sync.status({ remote: !flags.offline });
    if (flags.json) this.printJson(status);
    else this.printLines(describeStatus(status));
  }
}

function describeStatus(s: SyncStatus): string[] {
  const lines = [
    `URL:        ${s.url}`,
    `Auth token: ${s.authToken ? 'set (not shown)' : 'none'}`,
    `Last push:  ${when(s.lastPushAt)}`,
    `Last pull:  ${when(s.lastPullAt)}`,
    `Pending:    ${s.pending.rows === 0 ? 'nothing' : `${describeSummary(s.pending)} (${s.pending.rows} rows)`}`,
  ];
  if (s.diverged)
    lines.push('Conflict:   a push was refused: another machine pushed first (see agentos sync pull --help)');
  else if (s.pushIncomplete)
    lines.push('Note:       the last push did not complete; agentos sync push retries it');
  if (s.remote) {
    if (!s.remote.reachable) lines.push(`Remote:     unreachable (${s.remote.error})`);
    else if (s.remote.changed)
      lines.push(
        `Remote:     has changes not pulled yet (pushed by ${s.remote.pushedBy}, ${when(s.remote.pushedAt ?? null)})`,
      );
    else lines.push('Remote:     no changes since this copy last synced');
  }
  return lines;
}

function when(d: Date | null): string {
  return d === null
    ? 'never'
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}
