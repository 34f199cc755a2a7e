/** Node-compatible Stats and Dirent objects built from VFS inodes. */
import type { InodeRecord } from '../store/fs-store.js';
import { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK } from '../vfs/constants.js';
import { toMilliseconds } from '../vfs/clock.js';

/** A device number for the agent filesystem, so tools comparing st_dev see one filesystem. */
export const AGENT_DEV = 0x4147;

class FileTypeMethods {
  declare readonly mode: number;
  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }
  isSocket(): boolean {
    return (this.mode & S_IFMT) === S_IFSOCK;
  }
}

export class Stats extends FileTypeMethods {
  readonly dev: number;
  readonly ino: number;
  override readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize: number;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  /** Nanoseconds since the epoch, exactly as stored. */
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;

  constructor(inode: Readonly<InodeRecord>, blockSize: number) {
    super();
    this.dev = AGENT_DEV;
    this.ino = inode.ino;
    this.mode = inode.mode;
    this.nlink = inode.nlink;
    this.uid = inode.uid;
    this.gid = inode.gid;
    this.rdev = inode.rdev;
    this.size = inode.size;
    this.blksize = blockSize;
    this.blocks = Math.ceil(inode.size / 512);
    this.atimeMs = toMilliseconds(inode.atime, inode.atimeNsec);
    this.mtimeMs = toMilliseconds(inode.mtime, inode.mtimeNsec);
    this.ctimeMs = toMilliseconds(inode.ctime, inode.ctimeNsec);
    this.birthtimeMs = this.ctimeMs;
    this.atimeNs = BigInt(inode.atime) * 1_000_000_000n + BigInt(inode.atimeNsec);
    this.mtimeNs = BigInt(inode.mtime) * 1_000_000_000n + BigInt(inode.mtimeNsec);
    this.ctimeNs = BigInt(inode.ctime) * 1_000_000_000n + BigInt(inode.ctimeNsec);
  }

  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }
}

export class Dirent extends FileTypeMethods {
  readonly name: string;
  /** The directory the entry is in, as passed to readdir. */
  readonly parentPath: string;
  override readonly mode: number;

  constructor(name: string, parentPath: string, mode: number) {
    super();
    this.name = name;
    this.parentPath = parentPath;
    this.mode = mode;
  }
}
