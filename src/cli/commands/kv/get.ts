import { Args } from '@oclif/core';
import { AgentOSError } from '../../../index.js';
import { BaseCommand } from '../../base-command.js';
import { showValue } from '../../kv-value.js';

export default class KvGet extends BaseCommand {
  static override summary = 'Print the value stored under a key.';

  static override description =
    'A string value prints as the text itself; any other value prints as JSON. With --json the value is always printed as JSON (a string in quotes). A missing key is an error (exit 1).';

  static override examples = [
    { command: '<%= config.bin %> kv get user:preferences', description: 'Print a value' },
    { command: '<%= config.bin %> kv get --json user:name', description: 'Print it as JSON, strings quoted' },
  ];

  static override args = {
    key: Args.string({ ignoreStdin: true, description: 'Key to read', required: true }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KvGet);
    const agent = this.openAgent(flags, { readonly: true });
    const value = await agent.kv.get(args.key);
    if (value === undefined)
      throw new AgentOSError('ENOENT', { syscall: 'kv get', path: args.key, message: 'no such key' });
    if (flags.json) this.printJson(value);
    else this.log(showValue(value));
  }
}
