/**
 * The x86-64 kernel structures the sandbox writes into programs' memory: struct stat, struct
 * statx, struct statfs and directory entries (linux_dirent64 and the old linux_dirent).
 */
import type { InodeRecord } from '../store/fs-store.js';
import { direntType } from '../vfs/constants.js';

/**
 * The device number the agent filesystem reports: anonymous major 0 with the highest minor,
 * which the kernel hands out last, so (st_dev, st_ino) pairs never collide with a host file.
 */
export const AGENT_DEV_MAJOR = 0;
export const AGENT_DEV_MINOR = 0xfffff;
export const AGENT_DEV = encodeDev(AGENT_DEV_MAJOR, AGENT_DEV_MINOR);
/** statfs f_type: "AGNT". */
export const AGENT_FS_MAGIC = 0x41474e54;

export function encodeDev(major: number, minor: number): bigint {
  return (
    BigInt((minor & 0xff) | ((major & 0xfff) << 8)) |
    (BigInt(minor & ~0xff) << 12n) |
    (BigInt(major & ~0xfff) << 32n)
  );
}

export function decodeDev(dev: number): { major: number; minor: number } {
  return {
    major: ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff),
    minor: (dev & 0xff) | ((dev >>> 12) & ~0xff),
  };
}

/** What a stat call reports; an inode plus the filesystem's block size. */
export type StatSource = Pick<
  InodeRecord,
  | 'ino'
  | 'mode'
  | 'nlink'
  | 'uid'
  | 'gid'
  | 'size'
  | 'rdev'
  | 'atime'
  | 'atimeNsec'
  | 'mtime'
  | 'mtimeNsec'
  | 'ctime'
  | 'ctimeNsec'
> & { dev?: bigint; blksize?: number; blocks?: number };

export const STAT_SIZE = 144;

export function encodeStat(s: StatSource, blockSize: number): Buffer {
  const b = Buffer.alloc(STAT_SIZE);
  b.writeBigUInt64LE(s.dev ?? AGENT_DEV, 0);
  b.writeBigUInt64LE(BigInt(s.ino), 8);
  b.writeBigUInt64LE(BigInt(s.nlink), 16);
  b.writeUInt32LE(s.mode >>> 0, 24);
  b.writeUInt32LE(s.uid >>> 0, 28);
  b.writeUInt32LE(s.gid >>> 0, 32);
  b.writeBigUInt64LE(BigInt(s.rdev), 40);
  b.writeBigInt64LE(BigInt(s.size), 48);
  b.writeBigInt64LE(BigInt(s.blksize ?? blockSize), 56);
  b.writeBigInt64LE(BigInt(s.blocks ?? Math.ceil(s.size / 512)), 64);
  b.writeBigInt64LE(BigInt(s.atime), 72);
  b.writeBigInt64LE(BigInt(s.atimeNsec), 80);
  b.writeBigInt64LE(BigInt(s.mtime), 88);
  b.writeBigInt64LE(BigInt(s.mtimeNsec), 96);
  b.writeBigInt64LE(BigInt(s.ctime), 104);
  b.writeBigInt64LE(BigInt(s.ctimeNsec), 112);
  return b;
}

export const STATX_SIZE = 256;
/** STATX_BASIC_STATS: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks. */
export const STATX_BASIC_STATS = 0x7ff;

export function encodeStatx(s: StatSource, blockSize: number): Buffer {
  const b = Buffer.alloc(STATX_SIZE);
  b.writeUInt32LE(STATX_BASIC_STATS, 0);
  b.writeUInt32LE(s.blksize ?? blockSize, 4);
  b.writeUInt32LE(s.nlink >>> 0, 16);
  b.writeUInt32LE(s.uid >>> 0, 20);
  b.writeUInt32LE(s.gid >>> 0, 24);
  b.writeUInt16LE(s.mode & 0xffff, 28);
  b.writeBigUInt64LE(BigInt(s.ino), 32);
  b.writeBigUInt64LE(BigInt(s.size), 40);
  b.writeBigUInt64LE(BigInt(s.blocks ?? Math.ceil(s.size / 512)), 48);
  writeTimestamp(b, 64, s.atime, s.atimeNsec);
  writeTimestamp(b, 96, s.ctime, s.ctimeNsec);
  writeTimestamp(b, 112, s.mtime, s.mtimeNsec);
  const rdev = decodeDev(s.rdev);
  b.writeUInt32LE(rdev.major, 128);
  b.writeUInt32LE(rdev.minor, 132);
  const dev =
    s.dev === undefined ? { major: AGENT_DEV_MAJOR, minor: AGENT_DEV_MINOR } : decodeDev(Number(s.dev));
  b.writeUInt32LE(dev.major, 136);
  b.writeUInt32LE(dev.minor, 140);
  return b;
}

function writeTimestamp(b: Buffer, offset: number, sec: number, nsec: number): void {
  b.writeBigInt64LE(BigInt(sec), offset);
  b.writeUInt32LE(nsec >>> 0, offset + 8);
}

export interface StatfsSource {
  type: number;
  blockSize: number;
  blocks: number;
  blocksFree: number;
  blocksAvailable: number;
  files: number;
  filesFree: number;
  nameMax: number;
}

export const STATFS_SIZE = 120;

export function encodeStatfs(s: StatfsSource): Buffer {
  const b = Buffer.alloc(STATFS_SIZE);
  b.writeBigInt64LE(BigInt(s.type), 0);
  b.writeBigInt64LE(BigInt(s.blockSize), 8);
  b.writeBigUInt64LE(BigInt(s.blocks), 16);
  b.writeBigUInt64LE(BigInt(s.blocksFree), 24);
  b.writeBigUInt64LE(BigInt(s.blocksAvailable), 32);
  b.writeBigUInt64LE(BigInt(s.files), 40);
  b.writeBigUInt64LE(BigInt(s.filesFree), 48);
  b.writeInt32LE(AGENT_DEV_MINOR, 56);
  b.writeBigInt64LE(BigInt(s.nameMax), 64);
  b.writeBigInt64LE(BigInt(s.blockSize), 72);
  return b;
}

export interface DirectoryRecord {
  name: string;
  ino: number;
  mode: number;
}

/**
 * Packs entries from `start` into at most `capacity` bytes as linux_dirent64 (or the old
 * linux_dirent with `legacy`). Each entry's d_off is the index of the entry after it, which
 * is what the directory's file position then holds. Returns the bytes and the next index.
 */
export function packDirents(
  entries: readonly DirectoryRecord[],
  start: number,
  capacity: number,
  legacy: boolean,
): { data: Buffer; next: number } {
  const parts: Buffer[] = [];
  let used = 0;
  let i = start;
  for (; i < entries.length; i++) {
    const e = entries[i];
    const name = Buffer.from(e.name, 'utf8');
    const header = legacy ? 18 : 19;
    const reclen = align8(header + name.length + (legacy ? 2 : 1));
    if (used + reclen > capacity) break;
    const rec = Buffer.alloc(reclen);
    rec.writeBigUInt64LE(BigInt(e.ino), 0);
    rec.writeBigInt64LE(BigInt(i + 1), 8);
    rec.writeUInt16LE(reclen, 16);
    if (legacy) {
      name.copy(rec, 18);
      rec.writeUInt8(direntType(e.mode), reclen - 1);
    } else {
      rec.writeUInt8(direntType(e.mode), 18);
      name.copy(rec, 19);
    }
    parts.push(rec);
    used += reclen;
  }
  return { data: Buffer.concat(parts, used), next: i };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
