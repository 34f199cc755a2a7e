/**
 * Calls whose path leaves the agent filesystem half-way (`..` above /agent, or a symlink in
 * it pointing at a host path). The kernel never sees such a path (it would resolve the
 * /agent prefix itself), so the supervisor performs the host operation on the resolved host
 * path and answers with its result.
 */
import {
  accessSync,
  chmodSync,
  closeSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  rmdirSync,
  statSync,
  statfsSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import { AgentOSError, codeForErrno, fsError, type ErrnoCode } from '../errors.js';
import { O_CLOEXEC, O_CREAT, O_TMPFILE, PERMISSION_BITS } from '../vfs/constants.js';
import type { Call } from './call.js';
import { AT_SYMLINK_NOFOLLOW } from './at-flags.js';
import { encodeStat, encodeStatfs, encodeStatx, type StatSource } from './structs.js';

/** Performs `call` on `hostPath` (the escaped form of its first path argument). */
export function performOnHost(call: Call, hostPath: string): void {
  try {
    run(call, hostPath);
  } catch (e) {
    if (e instanceof AgentOSError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const errno = (e as NodeJS.ErrnoException).errno;
    throw fsError((code as ErrnoCode) ?? codeForErrno(errno ?? 5) ?? 'EIO', call.name, hostPath);
  }
}

function run(call: Call, path: string): void {
  const umask = call.info().umask;
  switch (call.name) {
    case 'open':
    case 'openat':
    case 'creat': {
      const flagsArg = call.name === 'openat' ? 2 : 1;
      const flags = call.name === 'creat' ? 0o1101 : call.int(flagsArg);
      const creating = (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
      const mode = creating ? call.int(call.name === 'openat' ? 3 : call.name === 'creat' ? 1 : 2) & PERMISSION_BITS & ~umask : 0;
      const fd = openSync(path, flags & ~O_CLOEXEC, mode);
      try {
        call.replyFd(fd, (flags & O_CLOEXEC) !== 0);
      } finally {
        closeSync(fd);
      }
      return;
    }
    case 'stat':
    case 'lstat':
    case 'newfstatat':
    case 'statx': {
      const flags = call.name === 'newfstatat' ? call.int(3) : call.name === 'statx' ? call.int(2) : 0;
      const nofollow = call.name === 'lstat' || (flags & AT_SYMLINK_NOFOLLOW) !== 0;
      const st = nofollow ? lstatSync(path, { bigint: true }) : statSync(path, { bigint: true });
      const source = statSource(st);
      const out = call.name === 'statx' ? encodeStatx(source, Number(st.blksize)) : encodeStat(source, Number(st.blksize));
      call.write(call.ptr(call.name === 'statx' ? 4 : call.name === 'newfstatat' ? 2 : 1), out);
      return call.reply();
    }
    case 'access':
    case 'faccessat':
    case 'faccessat2':
      accessSync(path, call.int(call.name === 'access' ? 1 : 2));
      return call.reply();
    case 'readlink':
    case 'readlinkat': {
      const data = Buffer.from(readlinkSync(path), 'utf8').subarray(0, call.long(call.name === 'readlink' ? 2 : 3));
      call.write(call.ptr(call.name === 'readlink' ? 1 : 2), data);
      return call.reply(data.length);
    }
    case 'mkdir':
    case 'mkdirat':
      mkdirSync(path, call.int(call.name === 'mkdir' ? 1 : 2) & 0o1777 & ~umask);
      return call.reply();
    case 'unlink':
    case 'unlinkat':
      if (call.name === 'unlinkat' && call.int(2) & 0x200) rmdirSync(path);
      else unlinkSync(path);
      return call.reply();
    case 'rmdir':
      rmdirSync(path);
      return call.reply();
    case 'symlink':
    case 'symlinkat':
      symlinkSync(call.readString(0), path);
      return call.reply();
    case 'chmod':
    case 'fchmodat':
      chmodSync(path, call.int(call.name === 'chmod' ? 1 : 2));
      return call.reply();
    case 'chown':
    case 'lchown':
      lchownSync(path, call.int(1), call.int(2));
      return call.reply();
    case 'truncate':
      truncateSync(path, call.long(1));
      return call.reply();
    case 'statfs': {
      const s = statfsSync(path);
      const out = encodeStatfs({
        type: s.type,
        blockSize: s.bsize,
        blocks: s.blocks,
        blocksFree: s.bfree,
        blocksAvailable: s.bavail,
        files: s.files,
        filesFree: s.ffree,
        nameMax: 255,
      });
      call.write(call.ptr(1), out);
      return call.reply();
    }
    default:
      // Renames and links that leave the agent filesystem cross filesystems.
      throw fsError(call.name.startsWith('rename') || call.name.startsWith('link') ? 'EXDEV' : 'ENOTSUP', call.name, path);
  }
}

function statSource(st: BigIntStats): StatSource {
  const sec = (ns: bigint) => Number(ns / 1_000_000_000n);
  const nsec = (ns: bigint) => Number(ns % 1_000_000_000n);
  return {
    dev: st.dev,
    ino: Number(st.ino),
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    rdev: Number(st.rdev),
    blksize: Number(st.blksize),
    blocks: Number(st.blocks),
    atime: sec(st.atimeNs),
    atimeNsec: nsec(st.atimeNs),
    mtime: sec(st.mtimeNs),
    mtimeNsec: nsec(st.mtimeNs),
    ctime: sec(st.ctimeNs),
    ctimeNsec: nsec(st.ctimeNs),
  };
}

