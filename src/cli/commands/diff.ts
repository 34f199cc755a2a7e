import { Args, Flags } from '@oclif/core';
import type { DiffResult, FileChange, FileState } from '../../index.js';
import { BaseCommand } from '../base-command.js';
import { octalMode, printable } from '../format.js';

export default class Diff extends BaseCommand {
  static override summary = 'Show what changed between two agent databases (a snapshot and now).';

  static override description =
    "Lists the changes from A to B (default: the --db database), one per line in path order: A added, D deleted, M modified (content: how many chunks differ; mode, owner, symlink target), T type changed (a file became a directory...); then key-value changes (kv A, kv D, kv M). Directories end in '/'. Content is compared chunk by chunk, except for files with the same inode, size, mtime and ctime in both, which are the same version. --patch adds unified diffs of changed text files (git style: 'Binary files ... differ' for others). Both databases are opened read-only.";

  static override examples = [
    {
      command: '<%= config.bin %> diff before.db',
      description: 'What changed in agent.db since the snapshot',
    },
    {
      command: '<%= config.bin %> diff --patch before.db after.db',
      description: 'Between two snapshots, with text diffs',
    },
    { command: '<%= config.bin %> diff before.db --json', description: 'As JSON' },
  ];

  static override args = {
    a: Args.string({
      ignoreStdin: true,
      description: 'The older database (e.g. a snapshot)',
      required: true,
    }),
    b: Args.string({ ignoreStdin: true, description: 'The newer database (default: --db)' }),
  };

  static override flags = {
    patch: Flags.boolean({ char: 'p', description: 'Also print unified diffs of changed text files' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const agent = this.openAgent({ ...flags, db: args.b ?? flags.db }, { readonly: true });
    const result = await agent.diff(args.a, { patch: flags.patch });
    if (flags.json) return this.printJson(result);
    this.printLines(describe(result));
    const patches = result.files.map((f) => f.patch).filter((p): p is string => p !== undefined);
    if (patches.length > 0) process.stdout.write(`\n${patches.join('')}`);
  }
}

/** The listing: one line per changed path, then per changed key. */
export function describe(result: DiffResult): string[] {
  const lines = result.files.map((f) => {
    const letter = { added: 'A', deleted: 'D', modified: 'M', 'type-changed': 'T' }[f.change];
    const details = detailsOf(f);
    return `${letter}  ${printable(shown(f))}${details ? `  ${printable(details)}` : ''}`;
  });
  for (const k of result.kv)
    lines.push(`kv ${{ added: 'A', deleted: 'D', modified: 'M' }[k.change]}  ${printable(k.key)}`);
  return lines;
}

/** The path as ls -F would mark it, with the target of an added or deleted symlink. */
function shown(f: FileChange): string {
  const state = f.after ?? f.before!;
  if (f.change === 'type-changed') return f.path;
  if (state.type === 'directory') return f.path === '/' ? '/' : `${f.path}/`;
  if (state.type === 'symlink' && f.change !== 'modified') return `${f.path} -> ${state.target ?? ''}`;
  return f.path;
}

function detailsOf(f: FileChange): string {
  if (f.change === 'type-changed') return `${f.before!.type} -> ${f.after!.type}`;
  const parts: string[] = [];
  if (f.content) {
    const sizes = f.before!.size === f.after!.size ? '' : `, ${f.before!.size} -> ${f.after!.size} bytes`;
    parts.push(
      `content: ${f.content.changedChunks} of ${Math.max(f.content.chunks, f.content.changedChunks)} chunks${sizes}`,
    );
  }
  if (f.mode) parts.push(`mode ${octalMode(f.mode.before)} -> ${octalMode(f.mode.after)}`);
  if (f.owner) parts.push(`owner ${owner(f.before!)} -> ${owner(f.after!)}`);
  if (f.target) parts.push(`target ${f.target.before} -> ${f.target.after}`);
  return parts.join('; ');
}

function owner(s: FileState): string {
  return `${s.uid}:${s.gid}`;
}
