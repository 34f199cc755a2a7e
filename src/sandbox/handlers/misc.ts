/**
 * readlink(at) (including /proc/<pid>/{fd/N,cwd,exe} pointing into the cache, shown as their
 * /agent paths), fsync/fdatasync/syncfs/sync as durability points, and the calls the agent
 * filesystem does not support: inotify watches and file handles.
 */
import { readlinkSync } from 'node:fs';
import { fsError } from '../../errors.js';
import type { Call } from '../call.js';
import { fdInode } from '../target.js';

export function handleMisc(call: Call): void {
  switch (call.name) {
    case 'readlink':
      return readlink(call, 1, 2);
    case 'readlinkat':
      return readlink(call, 2, 3);
    case 'fsync':
    case 'fdatasync':
      return fsync(call);
    case 'syncfs':
    case 'sync':
      call.ctx.backing.writeBackAll();
      call.ctx.vfs.conn.flush(true);
      if (call.name === 'sync') call.ctx.addon.hostSync();
      return call.reply();
    case 'inotify_add_watch':
    case 'name_to_handle_at':
      return unsupported(call);
    default:
      return call.continue();
  }
}

function unsupported(call: Call): void {
  const loc = call.ev.paths[0] === null ? undefined : call.location(0);
  if (loc?.kind === 'host') return call.continue();
  throw fsError('ENOTSUP', call.name);
}

function readlink(call: Call, bufArg: number, sizeArg: number): void {
  const size = call.long(sizeArg);
  if (size <= 0) throw fsError('EINVAL', call.name);
  const path = call.path(0);
  let target: string;
  if (path === '') {
    const id = call.fdTarget();
    if (!id) return call.continue();
    if (id.kind !== 'symlink') throw fsError('ENOENT', call.name);
    target = call.ctx.vfs.readlinkInode(id.ino, '');
  } else if (path.startsWith('/proc/')) {
    target = procLink(call, path);
  } else {
    const loc = call.location(0);
    if (loc.kind === 'host') return call.continue();
    target = call.ctx.vfs.readlink(loc.path, call.caller(loc.base));
  }
  const data = Buffer.from(target, 'utf8').subarray(0, size);
  call.write(call.ptr(bufArg), data);
  call.reply(data.length);
}

/** The value of a /proc link of the calling process, with cache paths shown as /agent paths. */
function procLink(call: Call, path: string): string {
  const own = path
    .replace(/^\/proc\/self\//, `/proc/${call.pid}/`)
    .replace(/^\/proc\/thread-self\//, `/proc/${call.pid}/task/${call.pid}/`);
  let target: string;
  try {
    target = readlinkSync(own);
  } catch (e) {
    throw fsError(((e as NodeJS.ErrnoException).code as 'ENOENT') ?? 'ENOENT', call.name, path);
  }
  const id = call.ctx.backing.identify(target);
  if (!id) return target;
  const vfsPath = call.ctx.vfs.pathOf(id.ino);
  if (vfsPath === undefined) return `${call.ctx.mount} (deleted)`;
  return `${call.ctx.mount}${vfsPath === '/' ? '' : vfsPath}${target.endsWith(' (deleted)') ? ' (deleted)' : ''}`;
}

function fsync(call: Call): void {
  const inode = fdInode(call);
  call.ctx.backing.writeBack(inode.ino);
  call.ctx.vfs.conn.flush(true);
  call.reply();
}
