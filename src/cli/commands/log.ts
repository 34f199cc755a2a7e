import { Flags } from '@oclif/core';
import type { LogEntry, OpName } from '../../index.js';
import { ALL_OPS } from '../../store/oplog-store.js';
import { BaseCommand } from '../base-command.js';
import { isoNanos, longTime, octalMode, printable, table, truncate } from '../format.js';
import { parseSince } from '../since.js';

export default class Log extends BaseCommand {
  static override summary = 'Show the operation log: what runs did to the agent filesystem, oldest first.';

  static override description = `One row per operation: time (local, to the millisecond), the run (tool call id), the process (pid and command line), the operation, the path and details (bytes written, new path, mode). Runs log changes by default (agentos run --audit=changes): ${ALL_OPS.slice(0, 16).join(', ')}; with --audit=all also ${ALL_OPS.slice(16).join(', ')}. SDK programs opened with { audit: true } and agentos restore log theirs too. --json prints every field, with the time as an ISO-8601 string to the nanosecond and as epoch nanoseconds (a string).`;

  static override examples = [
    { command: '<%= config.bin %> log --run 3', description: 'Everything run 3 did' },
    { command: '<%= config.bin %> log --path /src --op unlink,rmdir', description: 'Deletions under /src' },
    {
      command: '<%= config.bin %> log --op create --since 1h',
      description: 'Files created in the last hour',
    },
    { command: '<%= config.bin %> log --limit 20 --json', description: 'The last 20 operations as JSON' },
  ];

  static override flags = {
    run: Flags.integer({
      description: 'Only operations of this run (its tool call id)',
      min: 1,
      helpValue: 'ID',
    }),
    path: Flags.string({ description: 'Only operations on this path or below it', helpValue: 'PREFIX' }),
    op: Flags.option({
      options: ALL_OPS,
      multiple: true,
      delimiter: ',',
      description: 'Only these operations (comma-separated)',
    })(),
    since: Flags.custom<number>({
      description:
        'Only operations at or after: a duration back from now (30s, 15m, 2h, 7d, 1w), epoch seconds, or a date',
      helpValue: 'WHEN',
      parse: async (text) => parseSince(text),
    })(),
    limit: Flags.integer({
      description: 'At most this many operations (the newest)',
      min: 0,
      helpValue: 'N',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Log);
    const agent = this.openAgent(flags, { readonly: true });
    const entries = await agent.log({
      run: flags.run,
      path: flags.path,
      op: flags.op as OpName[] | undefined,
      since: flags.since,
      limit: flags.limit,
    });
    if (flags.json) return this.printJson(entries.map((e) => ({ ...e, time: isoNanos(e.timeNs) })));
    if (entries.length === 0) return;
    const header = ['TIME', 'RUN', 'PID', 'COMMAND', 'OP', 'PATH', 'DETAIL'];
    this.printLines(
      table([header, ...entries.map(row)], ['left', 'right', 'right', 'left', 'left', 'left', 'left']),
    );
  }
}

function row(e: LogEntry): string[] {
  return [
    longTime(Number(e.timeNs / 1_000_000n)),
    e.run === null ? '-' : String(e.run),
    e.pid === null ? '-' : String(e.pid),
    printable(truncate(e.argv?.join(' ') ?? '', 30)),
    e.op,
    printable(e.path ?? '?'),
    printable(detail(e)),
  ];
}

function detail(e: LogEntry): string {
  switch (e.op) {
    case 'write':
      return `${e.bytes ?? 0} bytes changed, size ${e.size ?? '?'}`;
    case 'truncate':
      return `size ${e.size ?? '?'}`;
    case 'rename':
    case 'link':
      return `-> ${e.path2 ?? '?'}`;
    case 'symlink':
      return `-> ${e.path2 ?? ''}`;
    case 'create':
    case 'chmod':
      return e.mode === null ? '' : `mode ${octalMode(e.mode)}`;
    case 'setxattr':
    case 'removexattr':
      return e.path2 ?? '';
    default:
      return '';
  }
}
