import { Args, Flags } from '@oclif/core';
import { AgentOSError } from '../../../index.js';
import { BaseCommand } from '../../base-command.js';

export default class KvDelete extends BaseCommand {
  static override summary = 'Delete a key and its value.';

  static override description =
    'Deleting a key that does not exist is an error (exit 1) unless --force is given.';

  static override examples = [
    { command: '<%= config.bin %> kv delete session', description: 'Delete a key' },
    { command: '<%= config.bin %> kv delete -f session', description: 'No error if it is already gone' },
  ];

  static override args = {
    key: Args.string({ ignoreStdin: true, description: 'Key to delete', required: true }),
  };

  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Ignore a missing key' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KvDelete);
    const agent = this.openAgent(flags);
    const existed = await agent.kv.delete(args.key);
    if (!existed && !flags.force) {
      throw new AgentOSError('ENOENT', { syscall: 'kv delete', path: args.key, message: 'no such key' });
    }
  }
}
