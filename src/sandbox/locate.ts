/**
 * Where a path argument points: into the agent filesystem (a VFS path, relative to a VFS
 * directory when the program's cwd or dirfd is one of our placeholders) or at the host.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { fsError } from '../errors.js';
import type { BackingStore } from './backing-store.js';

/**
 * `ino` is set when the path is a /proc magic link ("/proc/self/fd/3") to one of our cache
 * objects: it names that inode itself, whatever its name is now.
 */
export type Location =
  { kind: 'vfs'; path: string; base?: number; ino?: number } | { kind: 'host'; path: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a path as UTF-8; names in the agent filesystem are UTF-8 text (EILSEQ otherwise). */
export function decodePath(raw: Buffer, syscall: string): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw fsError('EILSEQ', syscall, raw.toString('latin1'));
  }
}

export class Locator {
  readonly #mount: string;
  readonly #backing: BackingStore;

  constructor(mount: string, backing: BackingStore) {
    this.#mount = mount;
    this.#backing = backing;
  }

  get mount(): string {
    return this.#mount;
  }

  /** Locates `path`, which is relative to `base` (a readlink of the cwd or dirfd) unless absolute. */
  locate(path: string, base: string | null): Location {
    if (path.startsWith('/proc/') && base !== null) {
      const id = this.#backing.identify(base);
      if (id) return { kind: 'vfs', path, ino: id.ino };
    }
    if (path.startsWith('/')) return this.absolute(path);
    if (base !== null) {
      const id = this.#backing.identify(base);
      if (id?.kind === 'dir') return { kind: 'vfs', path, base: id.ino };
      if (id?.kind === 'file') return { kind: 'vfs', path, base: id.ino };
      return this.absolute(`${base.endsWith('/') ? base : base + '/'}${path}`);
    }
    return { kind: 'host', path };
  }

  /** The absolute host path of a relative `path` given the readlink of its base; undefined if unknown. */
  hostJoin(base: Buffer | null, path: string): string | undefined {
    if (base === null) return undefined;
    const dir = base.toString('utf8');
    return `${dir.endsWith('/') ? dir : dir + '/'}${path}`;
  }

  /** An absolute host path: inside the mount, or (after resolving host symlinks and "..") not. */
  absolute(path: string): Location {
    const inside = this.#inside(path);
    if (inside !== undefined) return { kind: 'vfs', path: inside };
    return this.#resolveHost(path);
  }

  /** The VFS path when `path` literally starts with the mount point. */
  #inside(path: string): string | undefined {
    const m = this.#mount;
    if (path === m) return '/';
    if (path.startsWith(m) && path[m.length] === '/') return path.slice(m.length) || '/';
    return undefined;
  }

  /** Walks a non-literal path component by component on the host, as the kernel would. */
  #resolveHost(path: string): Location {
    const trailing = path.endsWith('/');
    const pending = path.split('/').filter((c) => c.length > 0);
    const done: string[] = [];
    for (let hops = 0; pending.length > 0;) {
      const c = pending.shift()!;
      if (c === '.') continue;
      if (c === '..') {
        done.pop();
        continue;
      }
      done.push(c);
      const here = '/' + done.join('/');
      if (here === this.#mount) {
        const rest = pending.join('/');
        return { kind: 'vfs', path: '/' + rest + (trailing && rest ? '/' : '') };
      }
      const st = lstatSync(here, { throwIfNoEntry: false });
      if (!st) break;
      if (st.isSymbolicLink()) {
        if (++hops > 40) break;
        const target = readlinkSync(here);
        done.pop();
        if (target.startsWith('/')) done.length = 0;
        pending.unshift(...target.split('/').filter((t) => t.length > 0));
      }
    }
    return { kind: 'host', path };
  }
}
