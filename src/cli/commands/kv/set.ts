import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { parseValue, stdinText } from '../../kv-value.js';

export default class KvSet extends BaseCommand {
  static override summary = 'Store a value under a key, replacing any previous value.';

  static override description =
    'VALUE is parsed as JSON when it is valid JSON (42, true, null, {"theme":"dark"}, "quoted") and stored as a plain string otherwise (alice, hello world, 02139). Integers too large to be exact as numbers are kept as strings. Use --string to store the text as a string even when it is valid JSON. Without VALUE, the value is read from stdin and parsed the same way.';

  static override examples = [
    {
      command: `<%= config.bin %> kv set user:preferences '{"theme":"dark"}'`,
      description: 'Store a JSON object',
    },
    {
      command: '<%= config.bin %> kv set user:name alice',
      description: 'Not JSON, so stored as the string "alice"',
    },
    {
      command: '<%= config.bin %> kv set --string enabled true',
      description: 'Store the string "true", not the boolean',
    },
    { command: '<%= config.bin %> kv set config < config.json', description: 'Read the value from stdin' },
  ];

  static override args = {
    key: Args.string({ ignoreStdin: true, description: 'Key to write', required: true }),
    value: Args.string({
      ignoreStdin: true,
      description: 'Value: JSON, or else a string (default: read stdin)',
    }),
  };

  static override flags = {
    string: Flags.boolean({ char: 's', description: 'Store VALUE as a string even if it is valid JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KvSet);
    const text = args.value ?? stdinText(await this.readStdin());
    const agent = this.openAgent(flags);
    await agent.kv.set(args.key, parseValue(text, flags.string));
  }
}
