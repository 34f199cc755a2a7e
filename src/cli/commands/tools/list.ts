import { Flags } from '@oclif/core';
import type { ToolCall } from '../../../index.js';
import { BaseCommand } from '../../base-command.js';
import { longTime, printable, table, truncate } from '../../format.js';
import { parseSince } from '../../since.js';

export default class ToolsList extends BaseCommand {
  static override summary = 'Show the tool-call timeline, newest first.';

  static override description =
    'One row per call: start time (local, to the millisecond), id, tool name, status (pending, success or error), duration, and the error message or the parameters. --json prints the calls as the SDK returns them: {id, name, status, startedAt, completedAt?, durationMs?, parameters?, result?, error?} with times in epoch seconds.';

  static override examples = [
    { command: '<%= config.bin %> tools list', description: 'Every call, newest first' },
    {
      command: '<%= config.bin %> tools list --name web_search --status error',
      description: 'Failed web searches',
    },
    {
      command: '<%= config.bin %> tools list --since 1h --limit 20',
      description: 'The last 20 calls of the past hour',
    },
    {
      command: '<%= config.bin %> tools list --since 2024-05-01T00:00:00Z --json',
      description: 'JSON since a date',
    },
  ];

  static override flags = {
    name: Flags.string({ char: 'n', description: 'Only calls of this tool', helpValue: 'NAME' }),
    status: Flags.option({
      options: ['pending', 'success', 'error'] as const,
      description: 'Only calls with this status',
    })(),
    since: Flags.custom<number>({
      description:
        'Only calls started at or after: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch seconds, or a date',
      helpValue: 'WHEN',
      parse: async (text) => parseSince(text),
    })(),
    limit: Flags.integer({ description: 'At most this many calls (the newest)', min: 0, helpValue: 'N' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(ToolsList);
    const agent = this.openAgent(flags, { readonly: true });
    const calls = await agent.tools.list({
      name: flags.name,
      status: flags.status,
      since: flags.since,
      limit: flags.limit,
    });
    if (flags.json) return this.printJson(calls);
    if (calls.length === 0) return;
    const header = ['STARTED', 'ID', 'NAME', 'STATUS', 'DURATION', 'DETAIL'];
    this.printLines(table([header, ...calls.map(row)], ['left', 'right', 'left', 'left', 'right', 'left']));
  }
}

function row(call: ToolCall): string[] {
  const detail = call.error ?? (call.parameters === undefined ? '' : JSON.stringify(call.parameters));
  return [
    longTime(call.startedAt * 1000),
    String(call.id),
    printable(call.name),
    call.status,
    call.durationMs === undefined ? '-' : `${call.durationMs} ms`,
    printable(truncate(detail, 60)),
  ];
}
