/**
 * Path text rules: length limits, NUL bytes and splitting into components. Names are compared
 * as the exact UTF-8 bytes they are, with no normalisation.
 */
import { fsError } from '../errors.js';
import { NAME_MAX, PATH_MAX } from './constants.js';

export interface ParsedPath {
  absolute: boolean;
  components: string[];
  /** "a/b/" and "a/b/." require b to be a directory. */
  trailingSlash: boolean;
}

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Checks a path argument as the kernel does: NUL → EINVAL, empty → ENOENT, too long → ENAMETOOLONG. */
export function checkPath(path: string, syscall: string): void {
  if (typeof path !== 'string') throw fsError('EINVAL', syscall, String(path));
  if (path.includes('\0')) throw fsError('EINVAL', syscall, path.replace(/\0/g, '\\0'));
  if (path.length === 0) throw fsError('ENOENT', syscall, path);
  if (path.length * 3 >= PATH_MAX && byteLength(path) >= PATH_MAX)
    throw fsError('ENAMETOOLONG', syscall, path);
}

export function checkName(name: string, syscall: string, path: string): void {
  if (isTooLong(name)) throw fsError('ENAMETOOLONG', syscall, path);
}

/** A name over NAME_MAX bytes of UTF-8 (the length test first: most names are far shorter). */
export function isTooLong(name: string): boolean {
  return name.length * 3 > NAME_MAX && byteLength(name) > NAME_MAX;
}

const LONE_SURROGATE = /[\ud800-\udfff]/;

/**
 * A string as the bytes it becomes: UTF-8 cannot hold a lone UTF-16 surrogate, so the engine
 * stores U+FFFD instead (as Node does for file names on Linux). Names are made so before they
 * are looked up or cached, or the cache and the database would disagree about them.
 */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? Buffer.from(s, 'utf8').toString('utf8') : s;
}

export function parsePath(path: string): ParsedPath {
  const components = path.split('/').filter((c) => c.length > 0);
  return {
    absolute: path.startsWith('/'),
    components,
    trailingSlash: path.length > 1 && path.endsWith('/'),
  };
}

/** "/a/b/../c/" → "/a/c"; purely lexical, for display and for the SDK's normalised paths. */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return '/' + out.join('/');
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}
