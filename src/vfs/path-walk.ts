/**
 * Path resolution, component by component as the kernel's link_path_walk does: `.` and `..`
 * are resolved against the real tree (not lexically), symlinks are followed with ELOOP after
 * 40 hops, a file used as a directory gives ENOTDIR, and every directory passed needs search
 * permission. In the sandbox a path can leave the agent filesystem (`..` above its root, or a
 * symlink to an absolute host path); the walk then reports the host path to use instead.
 */
import { fsError, AgentOSError } from '../errors.js';
import { SYMLOOP_MAX, X_OK, isDirectory, isSymlink } from './constants.js';
import { checkName, checkPath, isTooLong, parsePath, wellFormed } from './path.js';
import { mayAccess, type Credentials } from './permissions.js';
import type { InodeTable } from './inode-table.js';
import type { InodeRecord } from '../store/fs-store.js';

export const ROOT_INO = 1;

/** How absolute symlink targets and `..` at the root are interpreted. */
export interface MountConfig {
  /** Where the agent filesystem appears to programs, e.g. "/agent". */
  mountPoint: string;
  /**
   * true in the sandbox: paths leaving the tree become host paths (EscapeToHost). false in the
   * SDK: the tree is the whole world; `..` at the root stays there and absolute targets start
   * at the root (with the mount point prefix, if present, removed).
   */
  escapes: boolean;
}

export type LastKind = 'normal' | 'dot' | 'dotdot' | 'root';

export interface WalkResult {
  /** The directory holding the last component. */
  parent: Readonly<InodeRecord>;
  /** The last component, after following symlinks ('' for the root, '.' or '..'). */
  name: string;
  /** The final inode, when it exists. */
  inode?: Readonly<InodeRecord>;
  lastKind: LastKind;
  /** The path ended in '/', so its target must be a directory. */
  trailingSlash: boolean;
  /** With `deferLastName`: the last name is over NAME_MAX (never looked up; the caller answers ENAMETOOLONG). */
  nameTooLong?: boolean;
}

/**
 * How the last component is treated:
 * - 'follow': symlinks are followed (stat, open); a trailing slash requires a directory.
 * - 'nofollow': a symlink is returned itself (lstat, readlink), unless a trailing slash forces
 *   following it; a trailing slash requires a directory.
 * - 'raw': never followed and no trailing-slash check: mkdir, rmdir, unlink, rename, link and
 *   symlink targets decide themselves, as the kernel's create and delete paths do.
 * - 'create': followed, but no trailing-slash check: open with O_CREAT answers a trailing slash
 *   with EISDIR whatever the path names (the kernel's open_last_lookups), so it decides itself.
 */
export type LastComponent = 'follow' | 'nofollow' | 'raw' | 'create';

export interface WalkOptions {
  syscall: string;
  cred: Credentials;
  last: LastComponent;
  /** Directory that a relative path starts from (default: the root). */
  base?: number;
  /**
   * Do not fail on a last name longer than NAME_MAX: report it (`nameTooLong`) for the caller to
   * answer ENAMETOOLONG where the kernel looks the name up, after checks that come first (the
   * trailing slash of open(O_CREAT), the other path of rename).
   */
  deferLastName?: boolean;
}

/** Thrown (never returned) when a sandbox path resolves outside the agent filesystem. */
export class EscapeToHost {
  constructor(readonly hostPath: string) {}
}

export class PathWalker {
  readonly #inodes: InodeTable;
  readonly #mount: MountConfig;
  readonly #mountComponents: string[];

  constructor(inodes: InodeTable, mount: MountConfig) {
    this.#inodes = inodes;
    this.#mount = mount;
    this.#mountComponents = parsePath(mount.mountPoint).components;
  }

  get mount(): MountConfig {
    return this.#mount;
  }

  walk(path: string, opts: WalkOptions): WalkResult {
    checkPath(path, opts.syscall);
    const parsed = parsePath(wellFormed(path));
    let dir = this.#inode(parsed.absolute ? ROOT_INO : (opts.base ?? ROOT_INO), opts, path);
    let trailingSlash = parsed.trailingSlash;
    // Components still to walk, in reverse so pop() yields the next one.
    const pending = parsed.components.reverse();
    let hops = 0;
    if (pending.length === 0) return this.#self(dir, parsed.absolute ? 'root' : 'dot', trailingSlash);

    while (pending.length > 0) {
      const name = pending.pop()!;
      const isLast = pending.length === 0;
      if (!isDirectory(dir.mode)) throw fsError('ENOTDIR', opts.syscall, path);
      if (!mayAccess(dir, X_OK, opts.cred)) throw fsError('EACCES', opts.syscall, path);
      if (isLast && opts.deferLastName && isTooLong(name))
        return { parent: dir, name, lastKind: 'normal', trailingSlash, nameTooLong: true };
      checkName(name, opts.syscall, path);

      if (name === '.' || name === '..') {
        if (name === '..') dir = this.#parentDir(dir, pending, trailingSlash, opts, path);
        if (isLast) return this.#self(dir, name === '.' ? 'dot' : 'dotdot', trailingSlash);
        continue;
      }

      const ino = this.#inodes.lookup(dir.ino, name);
      if (ino === undefined) {
        if (isLast) return { parent: dir, name, lastKind: 'normal', trailingSlash };
        throw fsError('ENOENT', opts.syscall, path);
      }
      const child = this.#inode(ino, opts, path);

      // open(O_CREAT) answers a trailing slash with EISDIR before it looks at the last
      // component (open_last_lookups), so a symlink there is not followed: a loop or a
      // dangling target must not turn that EISDIR into ELOOP or ENOENT.
      const followHere =
        !isLast ||
        opts.last === 'follow' ||
        (opts.last === 'create' && !trailingSlash) ||
        (opts.last === 'nofollow' && trailingSlash);
      if (isSymlink(child.mode) && followHere) {
        if (++hops > SYMLOOP_MAX) throw fsError('ELOOP', opts.syscall, path);
        const start = this.#followSymlink(child, dir, pending, trailingSlash, opts, path);
        dir = start.dir;
        if (isLast) trailingSlash = trailingSlash || start.trailingSlash;
        if (pending.length === 0) return this.#self(dir, start.absolute ? 'root' : 'dot', trailingSlash);
        continue;
      }

      if (isLast) {
        const checkSlash = opts.last === 'follow' || opts.last === 'nofollow';
        if (trailingSlash && checkSlash && !isDirectory(child.mode))
          throw fsError('ENOTDIR', opts.syscall, path);
        return { parent: dir, name, inode: child, lastKind: 'normal', trailingSlash };
      }
      dir = child;
    }
    throw new Error('unreachable: path walk ended without a result');
  }

  /** The result for a path whose last step names a directory itself ("/", ".", ".."). */
  #self(dir: Readonly<InodeRecord>, lastKind: LastKind, trailingSlash: boolean): WalkResult {
    const parentIno = this.#inodes.parentOf(dir.ino) ?? ROOT_INO;
    const parent = this.#inodes.get(parentIno) ?? dir;
    return {
      parent,
      name: lastKind === 'root' ? '' : lastKind === 'dot' ? '.' : '..',
      inode: dir,
      lastKind,
      trailingSlash,
    };
  }

  #parentDir(
    dir: Readonly<InodeRecord>,
    pending: string[],
    trailingSlash: boolean,
    opts: WalkOptions,
    path: string,
  ): Readonly<InodeRecord> {
    if (dir.ino === ROOT_INO) {
      if (this.#mount.escapes) {
        const above = this.#mountComponents.slice(0, -1);
        throw new EscapeToHost(hostPath(above, pending, trailingSlash));
      }
      return dir;
    }
    const parentIno = this.#inodes.parentOf(dir.ino);
    if (parentIno === undefined) throw fsError('ENOENT', opts.syscall, path);
    return this.#inode(parentIno, opts, path);
  }

  /** Queues a symlink's target for walking and returns the directory it starts from. */
  #followSymlink(
    link: Readonly<InodeRecord>,
    dir: Readonly<InodeRecord>,
    pending: string[],
    trailingSlash: boolean,
    opts: WalkOptions,
    path: string,
  ): { dir: Readonly<InodeRecord>; absolute: boolean; trailingSlash: boolean } {
    const target = this.#inodes.symlinkTarget(link.ino);
    if (target === undefined || target === '') throw fsError('ENOENT', opts.syscall, path);
    const parsed = parsePath(target);
    let components = parsed.components;
    let start = dir;
    if (parsed.absolute) {
      const inside = startsWithComponents(components, this.#mountComponents);
      if (inside) components = components.slice(this.#mountComponents.length);
      else if (this.#mount.escapes) throw new EscapeToHost(hostPath(components, pending, trailingSlash));
      start = this.#inode(ROOT_INO, opts, path);
    }
    for (let i = components.length - 1; i >= 0; i--) pending.push(components[i]);
    return { dir: start, absolute: parsed.absolute, trailingSlash: parsed.trailingSlash };
  }

  #inode(ino: number, opts: WalkOptions, path: string): Readonly<InodeRecord> {
    const inode = this.#inodes.get(ino);
    if (!inode) {
      throw new AgentOSError('EIO', {
        syscall: opts.syscall,
        path,
        message: `directory entry points to missing inode ${ino}`,
      });
    }
    return inode;
  }
}

function startsWithComponents(components: string[], prefix: string[]): boolean {
  if (prefix.length === 0 || components.length < prefix.length) return false;
  return prefix.every((c, i) => components[i] === c);
}

function hostPath(prefix: string[], pendingReversed: string[], trailingSlash: boolean): string {
  const rest = [...pendingReversed].reverse();
  const path = '/' + [...prefix, ...rest].join('/');
  return trailingSlash && rest.length > 0 ? path + '/' : path;
}
