import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { printable } from '../../format.js';

export default class KvList extends BaseCommand {
  static override summary = 'List keys and values, in key order.';

  static override description =
    'One line per entry: the key, a tab, and the value as compact JSON. PREFIX is matched literally (_ and % are ordinary characters). --json prints an array of {key, value, createdAt, updatedAt} with times in epoch seconds.';

  static override examples = [
    { command: '<%= config.bin %> kv list', description: 'Everything' },
    { command: '<%= config.bin %> kv list user:', description: 'Keys starting with "user:"' },
    { command: '<%= config.bin %> kv list --json', description: 'JSON array' },
  ];

  static override args = {
    prefix: Args.string({ ignoreStdin: true, description: 'Only keys starting with this text', default: '' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KvList);
    const agent = this.openAgent(flags, { readonly: true });
    const entries = await agent.kv.list(args.prefix);
    if (flags.json) return this.printJson(entries);
    this.printLines(entries.map((e) => `${printable(e.key)}\t${JSON.stringify(e.value)}`));
  }
}
