import { Args } from '@oclif/core';
import type { QueryValue } from '../../index.js';
import { BaseCommand } from '../base-command.js';
import { printable, table } from '../format.js';

export default class Sql extends BaseCommand {
  static override summary = 'Run a read-only SQL query on the agent database.';

  static override description =
    "The database is opened read-only, without taking the write lock, so queries are safe while `agentos run` or an SDK program is using it; they see the last committed state. Only one read-only statement is accepted (SELECT, WITH … SELECT, VALUES, EXPLAIN, or a reporting PRAGMA such as table_info); anything that could write (INSERT, UPDATE, DELETE, CREATE, PRAGMA x = y, several statements, …) is rejected. Rows print as aligned columns under a header, NULL as NULL and BLOBs as x'hex'; --json prints an array of row objects (BLOBs as the same x'hex' text). The tables are described in SPEC.md.";

  static override examples = [
    {
      command: `<%= config.bin %> sql "SELECT name, COUNT(*) AS calls FROM tool_calls GROUP BY name"`,
      description: 'Tool usage',
    },
    {
      command: `<%= config.bin %> sql "SELECT key, value FROM kv_store WHERE key LIKE 'user:%'"`,
      description: 'Key-value entries',
    },
    {
      command: `<%= config.bin %> sql --json "SELECT * FROM fs_inode WHERE mtime > unixepoch() - 3600"`,
      description: 'Inodes changed in the last hour, as JSON',
    },
  ];

  static override args = {
    query: Args.string({ ignoreStdin: true, description: 'One read-only SQL statement', required: true }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Sql);
    const agent = this.openAgent(flags, { readonly: true });
    const rows = await agent.query(args.query);
    if (flags.json) return this.printJson(rows.map((r) => mapValues(r, jsonValue)));
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const cells = rows.map((r) => columns.map((c) => textValue(r[c])));
    this.printLines(table([columns.map(printable), ...cells]));
  }
}

function mapValues(row: Record<string, QueryValue>, fn: (v: QueryValue) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, fn(v)]));
}

function blob(v: Buffer): string {
  return `x'${v.toString('hex')}'`;
}

function jsonValue(v: QueryValue): unknown {
  if (Buffer.isBuffer(v)) return blob(v);
  // JSON numbers cannot carry every 64-bit integer; print those as strings.
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function textValue(v: QueryValue): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return blob(v);
  return printable(String(v));
}
