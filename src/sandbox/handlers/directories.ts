/**
 * getdents/getdents64 on placeholder descriptors of virtual directories, and getcwd in a
 * virtual working directory. The listing is a snapshot taken when reading starts at position
 * 0; the position lives in the descriptor the program and the supervisor share, so lseek,
 * rewinddir, dup and fork behave as on a real directory.
 */
import { fsError } from '../../errors.js';
import type { Call } from '../call.js';
import { packDirents, type DirectoryRecord } from '../structs.js';

export function handleDirectories(call: Call): void {
  if (call.name === 'getcwd') return getcwd(call);
  return getdents(call, call.name === 'getdents');
}

function getdents(call: Call, legacy: boolean): void {
  const id = call.fdTarget();
  if (!id) return call.continue();
  if (id.kind !== 'dir') throw fsError('ENOTDIR', call.name);
  const handle = id.handle;
  if (!handle) throw fsError('EINVAL', call.name);
  const { backing } = call.ctx;
  const position = backing.position(handle);
  if (position === 0 || !handle.entries) handle.entries = snapshot(call, handle.ino);
  const capacity = Math.min(call.long(2), 1 << 20);
  const { data, next } = packDirents(handle.entries, position, capacity, legacy);
  if (data.length === 0 && position < handle.entries.length) throw fsError('EINVAL', call.name);
  call.write(call.ptr(1), data);
  backing.setPosition(handle, next);
  call.reply(data.length);
}

/** ".", ".." and the entries of a directory, with inode numbers and types. */
function snapshot(call: Call, ino: number): DirectoryRecord[] {
  const { vfs } = call.ctx;
  const dir = vfs.inode(ino);
  if (!dir) throw fsError('ENOENT', 'getdents64');
  const parent = vfs.parentOf(ino) ?? ino;
  const entries: DirectoryRecord[] = [
    { name: '.', ino, mode: dir.mode },
    { name: '..', ino: parent, mode: dir.mode },
  ];
  for (const e of vfs.readdirInode(ino, call.caller()))
    entries.push({ name: e.name, ino: e.inode.ino, mode: e.inode.mode });
  return entries;
}

function getcwd(call: Call): void {
  const link = call.ev.bases[0]?.toString('utf8') ?? '';
  const id = call.ctx.backing.identify(link);
  if (!id || id.kind !== 'dir') return call.continue();
  if (link.endsWith(' (deleted)')) throw fsError('ENOENT', call.name);
  const path = call.ctx.vfs.pathOf(id.ino);
  if (path === undefined) throw fsError('ENOENT', call.name);
  const full = Buffer.from(`${call.ctx.mount}${path === '/' ? '' : path}\0`, 'utf8');
  if (full.length > call.long(1)) throw fsError('ERANGE', call.name);
  call.write(call.ptr(0), full);
  call.reply(full.length);
}
