/**
 * Calls that add, remove or move names: mkdir(at), mknod(at), unlink(at), rmdir,
 * rename/renameat/renameat2, link(at) and symlink(at). A rename or link between the agent
 * filesystem and the host is EXDEV, as between two mounts.
 */
import { fsError } from '../../errors.js';
import { PERMISSION_BITS, S_IFMT, S_ISVTX } from '../../vfs/constants.js';
import type { Call } from '../call.js';
import { AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW } from '../at-flags.js';
import { fdInode } from '../target.js';
import { normalize } from '../../vfs/path.js';

export function handleNames(call: Call): void {
  switch (call.name) {
    case 'mkdir':
      return mkdir(call, call.int(1));
    case 'mkdirat':
      return mkdir(call, call.int(2));
    case 'mknod':
      return mknod(call, call.int(1), call.long(2));
    case 'mknodat':
      return mknod(call, call.int(2), call.long(3));
    case 'unlink':
      return remove(call, false);
    case 'rmdir':
      return remove(call, true);
    case 'unlinkat': {
      const flags = call.int(2);
      if (flags & ~AT_REMOVEDIR) throw fsError('EINVAL', call.name);
      return remove(call, (flags & AT_REMOVEDIR) !== 0);
    }
    case 'rename':
      return rename(call, 0);
    case 'renameat':
      return rename(call, 0);
    case 'renameat2':
      return rename(call, call.int(4));
    case 'link':
      return link(call, 0);
    case 'linkat':
      return link(call, call.int(4));
    case 'symlink':
      return symlink(call, 0);
    case 'symlinkat':
      return symlink(call, 0);
  }
}

function mkdir(call: Call, mode: number): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  const perm = mode & (PERMISSION_BITS & ~0o6000) & ~call.info().umask;
  call.ctx.vfs.mkdir(loc.path, perm | (mode & S_ISVTX), call.caller(loc.base));
  call.reply();
}

function mknod(call: Call, mode: number, dev: number): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  const perm = mode & PERMISSION_BITS & ~call.info().umask;
  call.ctx.vfs.mknod(loc.path, (mode & S_IFMT) | perm, dev, call.caller(loc.base));
  call.reply();
}

function remove(call: Call, directory: boolean): void {
  const loc = call.location(0);
  if (loc.kind === 'host') return call.continue();
  if (directory) call.ctx.vfs.rmdir(loc.path, call.caller(loc.base));
  else call.ctx.vfs.unlink(loc.path, call.caller(loc.base));
  call.reply();
}

function rename(call: Call, flags: number): void {
  const from = call.location(0);
  const to = call.location(1);
  if (from.kind === 'host' && to.kind === 'host') return call.continue();
  if (from.kind === 'host' || to.kind === 'host') throw fsError('EXDEV', 'rename');
  call.ctx.vfs.rename(from.path, to.path, call.caller(from.base), { flags, newBase: to.base });
  call.reply();
}

function link(call: Call, flags: number): void {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw fsError('EINVAL', call.name);
  const to = call.location(1);
  const raw = call.ev.paths[0];
  if (raw !== null && raw.length === 0 && flags & AT_EMPTY_PATH) {
    // linkat(fd, "", dir, name, AT_EMPTY_PATH): name an open file (e.g. one made with O_TMPFILE).
    if (to.kind === 'host') throw fsError(call.ev.fdLink === null ? 'ENOENT' : 'EXDEV', call.name);
    call.ctx.vfs.linkInode(fdInode(call).ino, to.path, call.caller(to.base));
    return call.reply();
  }
  const from = call.location(0);
  if (from.kind === 'host' && to.kind === 'host') return call.continue();
  if (from.kind === 'host' || to.kind === 'host') throw fsError('EXDEV', 'link');
  call.ctx.vfs.link(from.path, to.path, call.caller(from.base), {
    newBase: to.base,
    followExisting: (flags & AT_SYMLINK_FOLLOW) !== 0,
  });
  call.reply();
}

function symlink(call: Call, targetArg: number): void {
  const loc = call.location(0);
  const target = call.readString(targetArg);
  if (loc.kind === 'host') return hostSymlink(call, loc.path, target);
  call.ctx.vfs.symlink(target, loc.path, call.caller(loc.base));
  call.reply();
}

/**
 * A symlink on the host: the kernel creates it, but if it leads into the mount it is
 * registered first, so paths through it reach the agent filesystem as on a real mount.
 */
function hostSymlink(call: Call, linkPath: string, target: string): void {
  const absolute = linkPath.startsWith('/')
    ? linkPath
    : call.ctx.locator.hostJoin(call.ev.bases[0], linkPath);
  if (absolute !== undefined) {
    const resolvedTarget = target.startsWith('/')
      ? target
      : `${absolute.slice(0, absolute.lastIndexOf('/')) || '/'}/${target}`;
    if (call.ctx.locator.absolute(resolvedTarget).kind === 'vfs')
      call.ctx.supervisor.addHostLink(normalize(absolute));
  }
  call.continue();
}
