/**
 * Turso reports every failure as a generic Error whose message names the cause. This module is
 * the one place that reads those messages and turns them into AgentOSErrors with POSIX codes.
 */
import { AgentOSError, type ErrnoCode } from '../errors.js';

interface Rule {
  pattern: RegExp;
  code: ErrnoCode;
  message: string;
}

const RULES: Rule[] = [
  // First: the rest of such a message quotes the SQL's own names, which may contain any word.
  {
    pattern: /^(prepare failed: )?(Parse error:|near ".*": syntax error)/i,
    code: 'EINVAL',
    message: 'invalid SQL',
  },
  { pattern: /database is locked|busy/i, code: 'EBUSY', message: 'database is locked by another process' },
  {
    pattern: /Corrupt database|file is not a database|malformed|short read|invalid page size|checksum/i,
    code: 'EIO',
    message: 'database file is corrupt or is not an SQLite database',
  },
  // The disk is full: turso names the I/O error by its kind ("I/O error (pwrite): no storage space").
  {
    pattern: /no storage space|no space left|disk full|database (or disk )?is full|ENOSPC/i,
    code: 'ENOSPC',
    message: 'no space left on device for the database',
  },
  // EFBIG: the database (or its WAL) reached a file size limit (RLIMIT_FSIZE, the filesystem's
  // largest file); the program gets SIGXFSZ unless it ignores it. To the agent filesystem that
  // is a full device.
  {
    pattern: /file too large|EFBIG/i,
    code: 'ENOSPC',
    message: 'the database file cannot grow: a file size limit was reached',
  },
  { pattern: /quota exceeded|EDQUOT/i, code: 'EDQUOT', message: 'disk quota exceeded where the database is' },
  { pattern: /read-?only/i, code: 'EROFS', message: 'database is read-only' },
  { pattern: /permission denied|EACCES/i, code: 'EACCES', message: 'permission denied' },
  { pattern: /entity not found|No such file/i, code: 'ENOENT', message: 'database file not found' },
];

/**
 * The message of an engine error. Not `instanceof Error`: errors made by the native addon
 * belong to the realm that loaded it, which is not the caller's under vm contexts (jest runs
 * every test file in one), and the check would fail there.
 */
export function engineMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return String(error);
}

/** Classifies an engine error; `context` names what was being done ("open", "query"). */
export function translateEngineError(error: unknown, path: string, context: string): AgentOSError {
  if (error instanceof AgentOSError) return error;
  const text = engineMessage(error);
  for (const rule of RULES) {
    if (rule.pattern.test(text)) {
      return new AgentOSError(rule.code, {
        syscall: context,
        path,
        message: `${rule.message} (${cleanEngineMessage(text)})`,
        cause: error,
      });
    }
  }
  return new AgentOSError('EIO', { syscall: context, path, message: cleanEngineMessage(text), cause: error });
}

/** Strips turso's "step failed: Runtime error:" prefixes so messages read as one clear line. */
export function cleanEngineMessage(text: string): string {
  return text
    .replace(/^(step failed|prepare failed|failed to open database [^:]*):\s*/i, '')
    .replace(/^(Runtime error|Parse error|I\/O error|Locking error):\s*/i, '')
    .replace(/^I\/O error \(\w+\):\s*/i, '')
    .trim();
}

/**
 * Whether the engine failed to write or read the file itself (disk full, a file size limit, a
 * quota, an I/O error), as opposed to refusing a statement (constraints, triggers, locks).
 */
export function isStorageFailure(error: unknown): boolean {
  return /I\/O error|no storage space|no space left|file too large|quota exceeded|database (or disk )?is full/i.test(
    engineMessage(error),
  );
}

export function isUniqueViolation(error: unknown): boolean {
  return /UNIQUE constraint failed/i.test(engineMessage(error));
}

export function isLockingConflict(error: unknown): boolean {
  return /already open without experimental multiprocess WAL/i.test(engineMessage(error));
}
