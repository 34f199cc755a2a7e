/**
 * `agentos check`: SQLite's integrity check plus the filesystem invariants of SPEC.md
 * ("Consistency rules"), read in one snapshot so it is safe while agents write. Every broken
 * rule becomes one problem with a kind a program can branch on and a message a person can
 * read; a healthy database has none.
 */
import { CheckStore, type EntryRow, type InodeCountRow, type Totals } from '../store/check-store.js';
import type { StoreConnection } from '../store/connection.js';
import { ROOT_INO } from './path-walk.js';
import { isDirectory } from './constants.js';

export type CheckProblemKind =
  /** PRAGMA integrity_check: pages, indexes or records of the file itself. */
  | 'integrity'
  /** Inode 1 is missing, not a directory, has a link count other than 1, or an entry names it. */
  | 'root'
  /** A directory entry names an inode that does not exist. */
  | 'dangling-entry'
  /** A directory entry is held by an inode that does not exist or is not a directory. */
  | 'bad-parent'
  /** An entry name that is empty, `.`, `..`, has `/` or NUL, or is over 255 bytes. */
  | 'bad-name'
  /** nlink differs from the number of entries naming the inode. */
  | 'nlink'
  /** An inode (not the root) that no entry names and that is not open (not an orphan). */
  | 'unlinked'
  /** A directory named by more than one entry. */
  | 'directory-links'
  /** A directory that cannot be reached from the root (a cycle of directories). */
  | 'unreachable'
  /** A mode with no valid file type. */
  | 'bad-type'
  /** A chunk past the file's end, of the wrong length, or not a BLOB. */
  | 'chunk'
  /** Chunks missing below the file's size (they read as zeros). */
  | 'hole'
  /** Chunks of an inode that does not exist or is not a regular file. */
  | 'stray-chunks'
  /** A symlink without a target row, or whose size is not its target's length. */
  | 'symlink'
  /** A symlink target row of an inode that does not exist or is not a symlink. */
  | 'stray-target'
  /** Extended attributes of an inode that does not exist. */
  | 'stray-xattrs'
  /** An agentos_orphans row of an inode that does not exist. */
  | 'stray-orphan'
  /** A key-value entry whose value is not JSON. */
  | 'kv'
  /** A tool call with invalid JSON or a status its other columns contradict. */
  | 'tool-call';

export interface CheckProblem {
  kind: CheckProblemKind;
  /** One line: what is wrong, naming the inode and, when it has one, a path. */
  message: string;
  ino?: number;
  path?: string;
}

export interface CheckReport {
  /** No problem found. */
  ok: boolean;
  problems: CheckProblem[];
  /** What the database holds (regular files' bytes and chunks). */
  totals: Totals;
}

/** Problems reported per rule at most; a database broken everywhere still gives a readable report. */
export const MAX_PROBLEMS_PER_RULE = 1000;

/** Runs every check in one read snapshot. */
export function checkDatabase(conn: StoreConnection, chunkSize: number): CheckReport {
  return conn.read(() => {
    const checker = new Checker(new CheckStore(conn, MAX_PROBLEMS_PER_RULE), chunkSize);
    checker.run();
    return { ok: checker.problems.length === 0, problems: checker.problems, totals: checker.totals() };
  });
}

class Checker {
  readonly problems: CheckProblem[] = [];
  readonly #store: CheckStore;
  readonly #chunkSize: number;
  /** Paths already spelled, by inode (undefined: it has none). */
  readonly #paths = new Map<number, string | undefined>();

  constructor(store: CheckStore, chunkSize: number) {
    this.#store = store;
    this.#chunkSize = chunkSize;
  }

  totals(): Totals {
    return this.#store.totals();
  }

  run(): void {
    const integrity = this.#store.integrity();
    if (!(integrity.length === 1 && integrity[0] === 'ok')) {
      for (const line of integrity) this.#add('integrity', line);
    }
    this.#checkRoot();
    this.#checkEntries();
    this.#checkLinks();
    this.#checkReachable();
    this.#checkContent();
    this.#checkSymlinks();
    this.#checkExtensions();
    this.#checkRecords();
  }

  #checkRoot(): void {
    const root = this.#store.root();
    if (!root) this.#add('root', 'the root directory (inode 1) is missing', ROOT_INO);
    else if (!isDirectory(root.mode))
      this.#add('root', `the root (inode 1) is not a directory (mode ${octal(root.mode)})`, ROOT_INO);
  }

  #checkEntries(): void {
    for (const e of this.#store.danglingEntries()) {
      this.#add(
        'dangling-entry',
        `entry ${this.#entry(e)} names inode ${e.ino}, which does not exist`,
        e.ino,
      );
    }
    for (const e of this.#store.entriesOutsideDirectories()) {
      const why =
        e.parentMode === null ? 'does not exist' : `is not a directory (mode ${octal(e.parentMode)})`;
      this.#add(
        'bad-parent',
        `entry '${e.name}' of inode ${e.parentIno}, which ${why}, names inode ${e.ino}`,
        e.ino,
      );
    }
    for (const e of this.#store.badEntries()) {
      if (e.ino === ROOT_INO) this.#add('root', `entry ${this.#entry(e)} names the root directory`, ROOT_INO);
      else this.#add('bad-name', `entry '${e.name}' in inode ${e.parentIno} is not a valid name`, e.ino);
    }
    for (const r of this.#store.badTypes())
      this.#add(
        'bad-type',
        `inode ${r.ino}${this.#at(r.ino)} has mode ${octal(r.mode)}, which is no file type`,
        r.ino,
      );
  }

  #checkLinks(): void {
    for (const r of this.#store.linkProblems(this.#store.hasTable('agentos_orphans'))) {
      const at = this.#at(r.ino);
      if (r.ino === ROOT_INO) {
        if (r.nlink !== 1) this.#add('root', `the root directory has nlink ${r.nlink}, not 1`, r.ino);
        continue;
      }
      if (r.entries === 0) {
        const open = r.orphan ? `listed as open but has nlink ${r.nlink}` : 'and is not an open file';
        this.#add('unlinked', `inode ${r.ino} (${typeWord(r.mode)}) has no directory entry ${open}`, r.ino);
        continue;
      }
      if (r.nlink !== r.entries) {
        this.#add(
          'nlink',
          `inode ${r.ino}${at} has nlink ${r.nlink}, but ${plural(r.entries, 'entry names', 'entries name')} it`,
          r.ino,
        );
      }
      if (isDirectory(r.mode) && r.entries > 1) {
        this.#add(
          'directory-links',
          `directory inode ${r.ino}${at} has ${r.entries} entries; a directory has exactly one`,
          r.ino,
        );
      }
    }
  }

  /** Directories whose chain of parents never reaches the root; missing or non-directory parents are reported above. */
  #checkReachable(): void {
    const edges = this.#store.directoryEdges();
    const children = new Map<number, number[]>();
    for (const e of edges) {
      const list = children.get(e.parentIno);
      if (list) list.push(e.ino);
      else children.set(e.parentIno, [e.ino]);
    }
    const reached = new Set<number>([ROOT_INO]);
    const queue = [ROOT_INO];
    while (queue.length > 0) {
      for (const child of children.get(queue.pop()!) ?? []) {
        if (reached.has(child)) continue;
        reached.add(child);
        queue.push(child);
      }
    }
    const directories = new Set(edges.map((e) => e.ino));
    const reported = new Set<number>();
    for (const e of edges) {
      if (reached.has(e.ino) || reported.has(e.ino) || !directories.has(e.parentIno)) continue;
      reported.add(e.ino);
      this.#add(
        'unreachable',
        `directory inode ${e.ino} ('${e.name}' in inode ${e.parentIno}) cannot be reached from the root: its parents form a cycle`,
        e.ino,
      );
      if (this.#countOf('unreachable') >= MAX_PROBLEMS_PER_RULE) break;
    }
  }

  #checkContent(): void {
    const cs = this.#chunkSize;
    for (const c of this.#store.badChunks(cs)) {
      const at = `chunk ${c.index} of inode ${c.ino}${this.#at(c.ino)} (size ${c.size})`;
      let why: string;
      if (c.index < 0 || c.index * cs >= c.size) why = 'lies past the end of the file';
      else if (c.type !== 'blob') why = `is ${c.type}, not a BLOB`;
      else why = `holds ${c.length} bytes where the size says ${Math.min(cs, c.size - c.index * cs)}`;
      this.#add('chunk', `${at} ${why}`, c.ino);
    }
    for (const f of this.#store.filesWithHoles(cs)) {
      const missing = f.expected - f.present;
      this.#add(
        'hole',
        `inode ${f.ino}${this.#at(f.ino)} of size ${f.size} lacks ${plural(missing, 'chunk', 'chunks')} of the ${f.expected} it needs (read as zeros)`,
        f.ino,
      );
    }
    for (const r of this.#store.chunksOutsideFiles()) {
      this.#add(
        'stray-chunks',
        `${plural(r.rows, 'chunk', 'chunks')} of inode ${r.ino}, which ${this.#notA(r, 'regular file')}`,
        r.ino,
      );
    }
  }

  #checkSymlinks(): void {
    for (const s of this.#store.badSymlinks()) {
      const at = `symlink inode ${s.ino}${this.#at(s.ino)}`;
      if (s.target === null) this.#add('symlink', `${at} has no target`, s.ino);
      else
        this.#add(
          'symlink',
          `${at} has size ${s.size}, but its target is ${Buffer.byteLength(s.target)} bytes`,
          s.ino,
        );
    }
    for (const r of this.#store.targetsOutsideSymlinks()) {
      this.#add(
        'stray-target',
        `a symlink target is stored for inode ${r.ino}, which ${this.#notA(r, 'symlink')}`,
        r.ino,
      );
    }
  }

  #checkExtensions(): void {
    if (this.#store.hasTable('agentos_xattrs')) {
      for (const r of this.#store.rowsOfMissingInodes('agentos_xattrs')) {
        this.#add(
          'stray-xattrs',
          `${plural(r.rows, 'extended attribute', 'extended attributes')} of inode ${r.ino}, which does not exist`,
          r.ino,
        );
      }
    }
    if (this.#store.hasTable('agentos_orphans')) {
      for (const r of this.#store.rowsOfMissingInodes('agentos_orphans')) {
        this.#add('stray-orphan', `inode ${r.ino} is listed as open after unlink but does not exist`, r.ino);
      }
    }
  }

  #checkRecords(): void {
    for (const key of this.#store.invalidKvValues())
      this.#add('kv', `the value of key '${key}' is not valid JSON`);
    for (const c of this.#store.badToolCalls())
      this.#add('tool-call', `tool call ${c.id} (${c.status}): ${c.reason}`);
  }

  #add(kind: CheckProblemKind, message: string, ino?: number): void {
    const problem: CheckProblem = { kind, message };
    if (ino !== undefined) {
      problem.ino = ino;
      const path = this.#pathOf(ino);
      if (path !== undefined) problem.path = path;
    }
    this.problems.push(problem);
  }

  #countOf(kind: CheckProblemKind): number {
    return this.problems.filter((p) => p.kind === kind).length;
  }

  /** " (/a/b)" when the inode has a path from the root, else "". */
  #at(ino: number): string {
    const path = this.#pathOf(ino);
    return path === undefined ? '' : ` (${path})`;
  }

  /** `'name' in /dir` for an entry, with the parent's path when it has one. */
  #entry(e: EntryRow): string {
    const parent = e.parentIno === ROOT_INO ? '/' : this.#pathOf(e.parentIno);
    return `'${e.name}' in ${parent ?? `inode ${e.parentIno}`}`;
  }

  #notA(r: InodeCountRow, what: string): string {
    return r.mode === null ? 'does not exist' : `is a ${typeWord(r.mode)}, not a ${what}`;
  }

  /** A path from the root to `ino` through the entries, if there is one (bounded: the tree may loop). */
  #pathOf(ino: number): string | undefined {
    if (this.#paths.has(ino)) return this.#paths.get(ino);
    const names: string[] = [];
    const seen = new Set<number>();
    let cur = ino;
    let path: string | undefined;
    while (!seen.has(cur) && seen.size < 4096) {
      if (cur === ROOT_INO) {
        path = '/' + names.reverse().join('/');
        break;
      }
      seen.add(cur);
      const entry = this.#store.entryOf(cur);
      if (!entry) break;
      names.push(entry.name);
      cur = entry.parentIno;
    }
    this.#paths.set(ino, path);
    return path;
  }
}

function octal(mode: number): string {
  return '0o' + mode.toString(8);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const TYPE_WORDS: Record<number, string> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
  0o010000: 'FIFO',
  0o020000: 'character device',
  0o060000: 'block device',
  0o140000: 'socket',
};

function typeWord(mode: number): string {
  return TYPE_WORDS[mode & 0o170000] ?? `mode ${octal(mode)}`;
}
