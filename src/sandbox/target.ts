/**
 * What a trapped call acts on: an inode of the agent filesystem named by a path, an fd, or an
 * AT_EMPTY_PATH dirfd; or a host path the kernel can handle itself.
 */
import { fsError } from '../errors.js';
import type { InodeRecord } from '../store/fs-store.js';
import type { LastComponent } from '../vfs/path-walk.js';
import type { Call } from './call.js';

export type Target =
  { kind: 'vfs'; inode: Readonly<InodeRecord>; path: string; base?: number } | { kind: 'host' };

/** The inode behind the call's fd argument (or AT_EMPTY_PATH dirfd); EBADF if it is not ours. */
export function fdInode(call: Call): Readonly<InodeRecord> {
  const id = call.fdTarget();
  if (!id) throw fsError('EBADF', call.name);
  const inode = call.ctx.vfs.inode(id.ino);
  if (!inode) throw fsError('ENOENT', call.name);
  return call.ctx.backing.live(inode);
}

/**
 * Resolves path slot `slot`: an empty path with AT_EMPTY_PATH (or a NULL path where allowed)
 * means the dirfd itself.
 */
export function resolveTarget(call: Call, slot: number, last: LastComponent, emptyMeansFd: boolean): Target {
  const raw = call.ev.paths[slot];
  if (raw === null || (raw.length === 0 && emptyMeansFd)) {
    if (call.ev.fdLink === null) return { kind: 'host' };
    return { kind: 'vfs', inode: fdInode(call), path: '' };
  }
  const loc = call.location(slot);
  if (loc.kind === 'host') return { kind: 'host' };
  if (loc.ino !== undefined) {
    const inode = call.ctx.vfs.inode(loc.ino);
    if (!inode) throw fsError('ENOENT', call.name);
    return { kind: 'vfs', inode: call.ctx.backing.live(inode), path: '' };
  }
  const inode = call.ctx.vfs.stat(loc.path, call.caller(loc.base), last);
  return { kind: 'vfs', inode: call.ctx.backing.live(inode), path: loc.path, base: loc.base };
}
