import { AgentOSError } from '../../index.js';
import { BaseCommand } from '../base-command.js';
import { printable } from '../format.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

export default class Check extends BaseCommand {
  static override summary = 'Check the database and the filesystem invariants.';

  static override description =
    "Runs SQLite's integrity check and verifies every consistency rule of the agent filesystem (SPEC.md): every directory entry names an existing inode inside a directory, nlink equals the number of entries, every inode but the root has an entry (or is a file still open after unlink), directories are reachable from the root, chunks match file sizes, no chunks, symlink targets, extended attributes or orphan records belong to missing inodes, and key-value values and tool calls hold valid JSON. Prints one line per problem (kind: message) and exits 1, or prints a one-line summary and exits 0. The database is opened read-only, so it is safe while agents use it; --json prints the problems as a JSON array ([] when there are none).";

  static override examples = [
    { command: '<%= config.bin %> check', description: 'Check agent.db' },
    { command: '<%= config.bin %> check --db project.db --json', description: 'Problems as a JSON array' },
  ];

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const agent = this.openAgent(flags, { readonly: true });
    const report = await agent.check();
    if (flags.json) this.printJson(report.problems);
    else if (report.ok) {
      const t = report.totals;
      this.log(
        `ok: ${printable(flags.db)}: ${t.inodes} inodes (${t.directories} directories, ${t.files} files, ${t.symlinks} symlinks), ${t.bytes} bytes in ${t.chunks} chunks`,
      );
    } else {
      // Names in messages may hold control characters: escaped, each problem stays on one line.
      this.printLines(report.problems.map((p) => `${p.kind}: ${p.message.replace(CONTROL, printable)}`));
    }
    if (!report.ok) {
      const n = report.problems.length;
      throw new AgentOSError('EIO', {
        syscall: 'check',
        path: flags.db,
        message: `${n} ${n === 1 ? 'problem' : 'problems'} found`,
      });
    }
  }
}
