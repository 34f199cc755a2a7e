/** Linux values for file types, open flags and limits, shared by the VFS, the SDK and the sandbox. */

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const PERMISSION_BITS = 0o7777;

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;

export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const RENAME_WHITEOUT = 4;

export const NAME_MAX = 255;
/** PATH_MAX counts the terminating NUL, so a path may hold 4095 bytes. */
export const PATH_MAX = 4096;
export const SYMLOOP_MAX = 40;
/** Largest file size we accept: the kernel's MAX_LFS_FILESIZE for 64-bit. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;

/** d_type values of getdents64 and readdir. */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

export function fileType(mode: number): number {
  return mode & S_IFMT;
}

export type FileTypeName =
  'file' | 'directory' | 'symlink' | 'fifo' | 'character-device' | 'block-device' | 'socket' | 'unknown';

const TYPE_NAMES: Record<number, FileTypeName> = {
  [S_IFREG]: 'file',
  [S_IFDIR]: 'directory',
  [S_IFLNK]: 'symlink',
  [S_IFIFO]: 'fifo',
  [S_IFCHR]: 'character-device',
  [S_IFBLK]: 'block-device',
  [S_IFSOCK]: 'socket',
};

/** A mode's file type by name, as JSON output and diffs show it. */
export function fileTypeName(mode: number): FileTypeName {
  return TYPE_NAMES[mode & S_IFMT] ?? 'unknown';
}
export function isDirectory(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
export function isRegular(mode: number): boolean {
  return (mode & S_IFMT) === S_IFREG;
}
export function isSymlink(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

/** The d_type of a mode, for directory listings. */
export function direntType(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return DT_REG;
    case S_IFDIR:
      return DT_DIR;
    case S_IFLNK:
      return DT_LNK;
    case S_IFIFO:
      return DT_FIFO;
    case S_IFCHR:
      return DT_CHR;
    case S_IFBLK:
      return DT_BLK;
    case S_IFSOCK:
      return DT_SOCK;
    default:
      return DT_UNKNOWN;
  }
}
