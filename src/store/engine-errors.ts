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
  { pattern: /database is locked|busy/i, code: 'EBUSY', message: 'database is locked by another process' },
  {
    pattern: /Corrupt database|file is not a database|malformed|short read|invalid page size|checksum/i,
    code: 'EIO',
    message: 'database file is corrupt or is not an SQLite database',
  },
  { pattern: /no space left|disk full|database or disk is full|ENOSPC/i, code: 'ENOSPC', message: 'disk full' },
  { pattern: /read-?only/i, code: 'EROFS', message: 'database is read-only' },
  { pattern: /permission denied|EACCES/i, code: 'EACCES', message: 'permission denied' },
  { pattern: /entity not found|No such file/i, code: 'ENOENT', message: 'database file not found' },
];

/** Classifies an engine error; `context` names what was being done ("open", "query"). */
export function translateEngineError(error: unknown, path: string, context: string): AgentOSError {
  if (error instanceof AgentOSError) return error;
  const text = error instanceof Error ? error.message : String(error);
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
    .trim();
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
}

export function isLockingConflict(error: unknown): boolean {
  return error instanceof Error && /already open without experimental multiprocess WAL/i.test(error.message);
}
