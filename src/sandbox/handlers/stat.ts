/**
 * stat, lstat, fstat, newfstatat, statx, statfs and fstatfs. By path and by descriptor the
 * answer is the same inode (same st_dev/st_ino, which tools like fts and shutil.rmtree
 * compare), with the live size and mtime of a file still being written.
 */
import { fsError } from '../../errors.js';
import type { Call } from '../call.js';
import { AT_EMPTY_PATH, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW } from '../at-flags.js';
import { AGENT_FS_MAGIC, encodeStat, encodeStatfs, encodeStatx } from '../structs.js';
import { fdInode, resolveTarget } from '../target.js';

export function handleStat(call: Call): void {
  const blockSize = call.ctx.vfs.chunkSize;
  switch (call.name) {
    case 'stat':
    case 'lstat': {
      const t = resolveTarget(call, 0, call.name === 'stat' ? 'follow' : 'nofollow', false);
      if (t.kind === 'host') return call.continue();
      call.write(call.ptr(1), encodeStat(t.inode, blockSize));
      return call.reply();
    }
    case 'fstat':
      call.write(call.ptr(1), encodeStat(fdInode(call), blockSize));
      return call.reply();
    case 'newfstatat': {
      const flags = call.int(3);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        throw fsError('EINVAL', call.name);
      const t = resolveTarget(
        call,
        0,
        flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow',
        (flags & AT_EMPTY_PATH) !== 0,
      );
      if (t.kind === 'host') return call.continue();
      call.write(call.ptr(2), encodeStat(t.inode, blockSize));
      return call.reply();
    }
    case 'statx': {
      const flags = call.int(2);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) {
        throw fsError('EINVAL', call.name);
      }
      if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) throw fsError('EINVAL', call.name);
      const t = resolveTarget(
        call,
        0,
        flags & AT_SYMLINK_NOFOLLOW ? 'nofollow' : 'follow',
        (flags & AT_EMPTY_PATH) !== 0,
      );
      if (t.kind === 'host') return call.continue();
      call.write(call.ptr(4), encodeStatx(t.inode, blockSize));
      return call.reply();
    }
    case 'statfs':
    case 'fstatfs': {
      if (call.name === 'statfs') {
        const t = resolveTarget(call, 0, 'follow', false);
        if (t.kind === 'host') return call.continue();
      } else {
        fdInode(call);
      }
      call.write(call.ptr(1), encodeStatfs({ type: AGENT_FS_MAGIC, ...call.ctx.vfs.statfs() }));
      return call.reply();
    }
  }
}
