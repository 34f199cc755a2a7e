/**
 * The host policy of a run: programs read the whole host but write only to /agent, to a
 * private per-run temporary directory (their TMPDIR), to terminals and harmless devices, and
 * beneath the paths given with --allow. Landlock enforces it in the kernel, both for the
 * programs (in the exec helper) and for host calls the supervisor performs for them (on the
 * host-operations thread). The agent database must stay out of every writable path, and the
 * cache directory is placed outside them too, so neither can be changed from inside.
 */
import { mkdtempSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { AgentOSError } from '../errors.js';
import type { NativeAddon, NativeHostOps } from './native.js';

export interface HostPolicyOptions {
  /** Extra writable paths (files or directories, with everything beneath). */
  allow?: string[];
  /** No restriction on host writes (and no Landlock needed). */
  allowHostWrites?: boolean;
  /** Refuse internet sockets (AF_INET, AF_INET6) and raw packet sockets. */
  noNetwork?: boolean;
}

/** Devices every program may write: the bit bucket, randomness, terminals. */
const DEVICES = [
  '/dev/null',
  '/dev/zero',
  '/dev/full',
  '/dev/random',
  '/dev/urandom',
  '/dev/tty',
  '/dev/ptmx',
  '/dev/pts',
];

export class HostPolicy {
  /** Whether Landlock holds programs to the policy. */
  readonly enforced: boolean;
  /** Writable host paths (real paths), as given to Landlock. */
  readonly writable: readonly string[];
  /** The run's private temporary directory, the programs' TMPDIR. */
  readonly privateTmp: string;
  readonly noNetwork: boolean;
  /** Where the cache directory may not go: every writable directory. */
  readonly avoid: readonly string[];

  private constructor(enforced: boolean, writable: string[], privateTmp: string, noNetwork: boolean) {
    this.enforced = enforced;
    this.writable = writable;
    this.privateTmp = privateTmp;
    this.noNetwork = noNetwork;
    this.avoid = enforced ? writable.filter(isDirectory) : [];
  }

  /**
   * Works out the policy for a run on `db`. Fails with ENOTSUP when the kernel cannot enforce
   * it, ENOENT for an --allow path that does not exist, EACCES when an --allow path would
   * make the database writable.
   */
  static create(options: HostPolicyOptions, db: string, addon: NativeAddon): HostPolicy {
    const enforced = !options.allowHostWrites;
    if (enforced) {
      const abi = addon.landlockAbi();
      if (abi < 0) {
        throw new AgentOSError('ENOTSUP', {
          message:
            'this kernel does not offer Landlock (Linux 5.13+ with "landlock" among its LSMs), so agentos run cannot keep programs from writing to the host; pass --allow-host-writes to run without that protection',
        });
      }
    }
    const allowed = (options.allow ?? []).map(realAllowedPath);
    if (enforced) refuseWritableDatabase(db, allowed);
    const privateTmp = mkdtempSync(join(tmpdir(), 'agentos-tmp-'));
    const writable = [privateTmp, ...existing(DEVICES), ...terminalsOfStdio(), ...allowed];
    return new HostPolicy(enforced, [...new Set(writable)], privateTmp, options.noNetwork === true);
  }

  /** The exec helper's options for this policy. */
  helperArgs(): string[] {
    const args = this.enforced ? ['--host-policy', ...this.writable.flatMap((p) => ['--allow', p])] : [];
    if (this.noNetwork) args.push('--no-network');
    return args;
  }

  /** The thread that performs host calls for programs, held to this policy. */
  startHostOps(addon: NativeAddon): NativeHostOps {
    try {
      return new addon.HostOps(this.enforced ? [...this.writable] : null, this.noNetwork);
    } catch (e) {
      throw new AgentOSError('EPERM', { message: `cannot apply the host policy: ${(e as Error).message}` });
    }
  }

  remove(): void {
    rmSync(this.privateTmp, { recursive: true, force: true });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realAllowedPath(path: string): string {
  if (path.includes('\0'))
    throw new AgentOSError('EINVAL', { message: '--allow: the path contains a NUL byte' });
  try {
    return realpathSync(resolve(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
    throw new AgentOSError(code, {
      message: `--allow ${path}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
    });
  }
}

function existing(paths: string[]): string[] {
  const found: string[] = [];
  for (const p of paths) {
    try {
      found.push(realpathSync(p));
    } catch {
      // A device this machine lacks needs no rule.
    }
  }
  return found;
}

/** The terminal the run was started from, which may be a console rather than a pty. */
function terminalsOfStdio(): string[] {
  const found: string[] = [];
  for (const fd of [0, 1, 2]) {
    if (!isatty(fd)) continue;
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('/dev/')) found.push(target);
    } catch {
      // No /proc: the device list above still covers ptys.
    }
  }
  return found;
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** The database, its WAL and shared-memory files live in one directory; none may be writable. */
function refuseWritableDatabase(db: string, allowed: string[]): void {
  const dbPath = join(realpathSync(dirname(resolve(db))), basename(db));
  for (const dir of allowed) {
    // The directory holding the database, or one of its files (agent.db, agent.db-wal, ...).
    if (!inside(dbPath, dir) && dir !== dbPath && !dir.startsWith(dbPath + '-')) continue;
    throw new AgentOSError('EACCES', {
      message: `--allow ${dir} would let programs write the agent database ${dbPath}; keep the database outside the paths you allow, or pass --allow-host-writes`,
    });
  }
}
