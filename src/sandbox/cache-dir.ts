/**
 * The run's private cache directory: `f/<ino>` holds the materialized content of open files,
 * `d/` holds empty placeholder directories standing in for virtual directories (open
 * descriptors and working directories). It must allow exec, because files the agent built
 * are executed from here, so noexec mounts are skipped, and it must lie outside every path
 * programs may write. Runs killed before cleaning up leave their directory (and the private
 * temporary directory recorded with it) behind; the next run removes those whose owner is gone.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  accessSync,
  constants,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AgentOSError } from '../errors.js';
import { processStartTime } from '../vfs/orphans.js';

export interface CacheDir {
  root: string;
  files: string;
  dirs: string;
  remove(): void;
}

const OWNER_FILE = 'owner';
const RUN_PREFIX = 'run-';
/** A cache directory being made: renamed to run-* once it has its owner file. */
const MAKING_PREFIX = 'new-';
const MAKING_GRACE_MS = 60_000;

/** Who made a cache directory, for which database, and what else of the run's goes when it does. */
interface Owner {
  pid: number;
  start: string;
  companions?: string[];
  db?: string;
}

export interface CacheDirOptions {
  /** Directories the cache must stay out of (the paths programs may write). */
  avoid?: readonly string[];
  /** Removed with the cache if the run dies without cleaning up. */
  companions?: string[];
  /** The run's database (absolute), whose pending content may live in the cache. */
  db?: string;
  /**
   * Lets a dead run's database take back the content it left pending in its cache (see
   * src/vfs/pending-content.ts); false while that cannot happen yet (the database is busy),
   * which keeps the directory for a later run.
   */
  recover?: (db: string) => boolean;
}

function mountOptionsOf(path: string): string[] | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
  let best: { point: string; options: string[] } | undefined;
  for (const line of table.split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) continue;
    const point = f[4].replace(/\\040/g, ' ');
    const inside = path === point || path.startsWith(point.endsWith('/') ? point : point + '/');
    if (inside && (!best || point.length > best.point.length)) best = { point, options: f[5].split(',') };
  }
  return best?.options;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

function usable(dir: string, avoid: readonly string[]): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    const real = realpathSync(dir);
    if (avoid.some((writable) => inside(real, writable))) return false;
    return !(mountOptionsOf(real) ?? []).includes('noexec');
  } catch {
    return false;
  }
}

/**
 * Memory-backed places first: the cache is private to one run, and creating a file costs
 * ~7 µs on tmpfs against 25-100 µs on this VM's ext4 (tar creates thousands).
 */
function candidates(): string[] {
  const list = [
    process.env.AGENTOS_CACHE_DIR,
    process.env.XDG_RUNTIME_DIR,
    '/dev/shm',
    tmpdir(),
    join(homedir(), '.cache'),
  ];
  return list.filter((d): d is string => typeof d === 'string' && d.length > 0);
}

/** Removes cache directories of earlier runs whose process is gone, once their content is safe. */
export function removeAbandonedCaches(base: string, recover?: (db: string) => boolean): void {
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return;
  }
  for (const name of entries) {
    const making = name.startsWith(MAKING_PREFIX);
    if (!name.startsWith(RUN_PREFIX) && !making) continue;
    const dir = join(base, name);
    let owner: Owner | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
    } catch {
      owner = undefined;
    }
    if (owner && processStartTime(owner.pid) === owner.start) continue;
    // Being made by a live run that has not written its owner file yet (a killed one's goes later).
    if (!owner && making && !olderThan(dir, MAKING_GRACE_MS)) continue;
    if (owner?.db && recover && !recover(owner.db)) continue;
    for (const companion of owner?.companions ?? []) {
      if (typeof companion === 'string' && companion.startsWith('/'))
        rmSync(companion, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the run's cache directory (see CacheDirOptions), after clearing away dead runs' ones. */
export function createCacheDir(options: CacheDirOptions = {}): CacheDir {
  const parent = candidates().find((dir) => usable(dir, options.avoid ?? []));
  if (!parent) {
    throw new AgentOSError('EACCES', {
      message:
        'no directory for the sandbox cache that allows exec and lies outside the paths programs may write; set AGENTOS_CACHE_DIR',
    });
  }
  const base = join(parent, `agentos-${process.getuid?.() ?? 0}`);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  removeAbandonedCaches(base, options.recover);
  // Made complete under another name, then renamed: another run clearing away dead runs' caches
  // must never see a run- directory without its owner file (it would take it for abandoned).
  const making = realpathSync(mkdtempSync(join(base, MAKING_PREFIX)));
  mkdirSync(join(making, 'f'), { mode: 0o700 });
  mkdirSync(join(making, 'd'), { mode: 0o700 });
  const owner: Owner = {
    pid: process.pid,
    start: processStartTime(process.pid) ?? '0',
    companions: options.companions ?? [],
    db: options.db,
  };
  writeFileSync(join(making, OWNER_FILE), JSON.stringify(owner));
  const root = join(dirname(making), RUN_PREFIX + basename(making).slice(MAKING_PREFIX.length));
  renameSync(making, root);
  return {
    root,
    files: join(root, 'f'),
    dirs: join(root, 'd'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}
