import { BaseCommand } from '../../base-command.js';
import { printable, table } from '../../format.js';

export default class ToolsStats extends BaseCommand {
  static override summary = 'Summarise tool calls per tool.';

  static override description =
    'One row per tool, most-called first: number of calls, successes, errors, calls still pending, and the average duration of completed calls in milliseconds. --json prints [{name, count, successes, failures, pending, avgDurationMs}].';

  static override examples = [
    { command: '<%= config.bin %> tools stats', description: 'A table per tool' },
    { command: '<%= config.bin %> tools stats --json', description: 'JSON array' },
  ];

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(ToolsStats);
    const agent = this.openAgent(flags, { readonly: true });
    const stats = await agent.tools.stats();
    if (flags.json) return this.printJson(stats);
    if (stats.length === 0) return;
    const rows = stats.map((s) => [
      printable(s.name),
      String(s.count),
      String(s.successes),
      String(s.failures),
      String(s.pending),
      s.avgDurationMs === null ? '-' : s.avgDurationMs.toFixed(1),
    ]);
    const header = ['NAME', 'CALLS', 'SUCCESS', 'ERROR', 'PENDING', 'AVG MS'];
    this.printLines(table([header, ...rows], ['left', 'right', 'right', 'right', 'right', 'right']));
  }
}
