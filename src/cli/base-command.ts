/**
 * What every `agentos` command shares: the --db and --busy-timeout flags, opening the SDK,
 * closing it however the command ends, JSON printing, stdin, and the one-line error report.
 */
import { Command, Errors, Flags } from '@oclif/core';
import { AgentOS, AgentOSError } from '../index.js';
import { errorLine, exitCodeOf } from './error-line.js';

export interface DbFlags {
  db: string;
  'busy-timeout': number;
}

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    db: Flags.string({
      description: 'Agent database file',
      default: 'agent.db',
      env: 'AGENTOS_DB',
      helpGroup: 'GLOBAL',
      helpValue: 'PATH',
    }),
    'busy-timeout': Flags.integer({
      description: "Milliseconds to wait while another process holds the database's write lock",
      default: 5000,
      min: 0,
      env: 'AGENTOS_BUSY_TIMEOUT',
      helpGroup: 'GLOBAL',
      helpValue: 'MS',
    }),
  };

  #agent?: AgentOS;

  override async init(): Promise<void> {
    await super.init();
    // `agentos fs cat big | head` closes the pipe early: that is success, not a crash.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }

  /**
   * Opens the agent database; read-only opens never take the write lock, so they work while a
   * run or an SDK user is writing, and even while a foreign program holds the lock.
   */
  protected openAgent(flags: DbFlags, options: { readonly?: boolean } = {}): AgentOS {
    try {
      this.#agent = new AgentOS(flags.db, {
        create: false,
        readonly: options.readonly ?? false,
        busyTimeoutMs: flags['busy-timeout'],
      });
    } catch (e) {
      if (e instanceof AgentOSError && e.code === 'ENOENT' && e.syscall === 'open') {
        const init = flags.db === 'agent.db' ? 'agentos init' : `agentos init ${quote(flags.db)}`;
        throw new AgentOSError('ENOENT', {
          message: `no agent database at '${flags.db}'; create one with: ${init}`,
        });
      }
      throw e;
    }
    return this.#agent;
  }

  /** JSON on stdout and nothing else, so `| jq` always works; bigints become strings. */
  protected printJson(value: unknown): void {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
    process.stdout.write(`${text ?? 'null'}\n`);
  }

  protected printLines(lines: string[]): void {
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
  }

  /**
   * Raw bytes of stdin. Every argument is declared with `ignoreStdin: true`: otherwise oclif
   * fills a missing argument from piped stdin, line-decoded, trimmed and only if it arrives
   * within 10 ms, which would corrupt binary input and make `echo x | agentos fs ls` list /x.
   */
  protected async readStdin(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** One line on stderr, no stack trace (set AGENTOS_DEBUG=1 for one), and a non-zero exit. */
  protected override async catch(err: Error): Promise<never> {
    if (err instanceof Errors.ExitError) throw err;
    process.stderr.write(`agentos: ${errorLine(err, this.id)}\n`);
    if (process.env.AGENTOS_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    this.exit(exitCodeOf(err));
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    const agent = this.#agent;
    this.#agent = undefined;
    try {
      await agent?.close();
    } catch (e) {
      // A failed close must still be reported, but never hide the command's own error.
      if (!err) process.stderr.write(`agentos: ${errorLine(e)}\n`);
      process.exitCode = 1;
    }
    await super.finally(err);
  }
}

function quote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
