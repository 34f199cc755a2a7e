/**
 * The one error type of AgentOS. Every failure that a filesystem, the store or the sandbox can
 * report carries a POSIX code, the operation ("syscall") and the path, shaped like Node's own
 * `fs` errors (`err.code === 'ENOENT'`, `err.errno === -2`), so callers can handle AgentOS and
 * Node errors with the same code.
 */

/** Linux errno values for every code AgentOS reports. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EPROTO: 71,
  EOVERFLOW: 75,
  EILSEQ: 84,
  ENOTSUP: 95,
  EAFNOSUPPORT: 97,
  ETIMEDOUT: 110,
  EDQUOT: 122,
  ECANCELED: 125,
} as const;

export type ErrnoCode = keyof typeof ERRNO;

const DESCRIPTIONS: Record<ErrnoCode, string> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ESRCH: 'no such process',
  EINTR: 'interrupted system call',
  EIO: 'i/o error',
  ENXIO: 'no such device or address',
  E2BIG: 'argument list too long',
  ENOEXEC: 'exec format error',
  EBADF: 'bad file descriptor',
  ECHILD: 'no child processes',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'not enough memory',
  EACCES: 'permission denied',
  EFAULT: 'bad address',
  EBUSY: 'resource busy or locked',
  EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted',
  ENODEV: 'no such device',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  ENFILE: 'file table overflow',
  EMFILE: 'too many open files',
  ENOTTY: 'inappropriate ioctl for device',
  ETXTBSY: 'text file is busy',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  ESPIPE: 'invalid seek',
  EROFS: 'read-only file system',
  EMLINK: 'too many links',
  ERANGE: 'result too large',
  EDEADLK: 'resource deadlock avoided',
  ENAMETOOLONG: 'name too long',
  ENOLCK: 'no locks available',
  ENOSYS: 'function not implemented',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  ENODATA: 'no data available',
  EPROTO: 'protocol error',
  EOVERFLOW: 'value too large for defined data type',
  EILSEQ: 'illegal byte sequence',
  ENOTSUP: 'operation not supported',
  EAFNOSUPPORT: 'address family not supported',
  ETIMEDOUT: 'operation timed out',
  EDQUOT: 'disk quota exceeded',
  ECANCELED: 'operation canceled',
};

export interface ErrorDetails {
  syscall?: string;
  path?: string;
  dest?: string;
  /** Replaces the generic description, for errors that need to say more (e.g. "database is locked by sqlite3"). */
  message?: string;
  cause?: unknown;
}

export class AgentOSError extends Error {
  readonly code: ErrnoCode;
  /** Negative, as in Node's `fs` errors; the sandbox returns the positive value to the program. */
  readonly errno: number;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;

  constructor(code: ErrnoCode, details: ErrorDetails = {}) {
    super(formatMessage(code, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AgentOSError';
    this.code = code;
    this.errno = -ERRNO[code];
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.path !== undefined) this.path = details.path;
    if (details.dest !== undefined) this.dest = details.dest;
  }
}

function formatMessage(code: ErrnoCode, d: ErrorDetails): string {
  let message = `${code}: ${d.message ?? DESCRIPTIONS[code]}`;
  if (d.syscall) message += `, ${d.syscall}`;
  if (d.path !== undefined) message += ` '${d.path}'`;
  if (d.dest !== undefined) message += ` -> '${d.dest}'`;
  return message;
}

/** Builds an error; `fsError('ENOENT', 'open', '/a')` reads like the kernel's answer. */
export function fsError(code: ErrnoCode, syscall: string, path?: string, dest?: string): AgentOSError {
  return new AgentOSError(code, { syscall, path, dest });
}

export function isAgentOSError(e: unknown, code?: ErrnoCode): e is AgentOSError {
  return e instanceof AgentOSError && (code === undefined || e.code === code);
}

/** The positive errno for an error code, as the kernel returns it to a program. */
export function errnoOf(code: ErrnoCode): number {
  return ERRNO[code];
}

export function describeErrno(code: ErrnoCode): string {
  return DESCRIPTIONS[code];
}

const CODES_BY_ERRNO = new Map<number, ErrnoCode>(
  Object.entries(ERRNO).map(([code, n]) => [n, code as ErrnoCode]),
);

/** The code for a positive errno value, when AgentOS knows it. */
export function codeForErrno(errno: number): ErrnoCode | undefined {
  return CODES_BY_ERRNO.get(Math.abs(errno));
}
