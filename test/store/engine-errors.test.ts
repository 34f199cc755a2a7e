import { runInNewContext } from 'node:vm';
import {
  cleanEngineMessage,
  isLockingConflict,
  isStorageFailure,
  isUniqueViolation,
  translateEngineError,
} from '../../src/store/engine-errors.js';
import { AgentOSError } from '../../src/errors.js';

const code = (message: string) => translateEngineError(new Error(message), '/db', 'query').code;

describe('engine errors', () => {
  test('turso messages become POSIX codes', () => {
    expect(code('step failed: Runtime error: database is locked')).toBe('EBUSY');
    expect(code('step failed: Corrupt database: short read on page 9')).toBe('EIO');
    expect(code('file is not a database')).toBe('EIO');
    expect(code('I/O error: No space left on device')).toBe('ENOSPC');
    // What turso 0.7 reports for ENOSPC, EFBIG (RLIMIT_FSIZE) and EDQUOT from its writes.
    expect(code('I/O error (pwrite): no storage space')).toBe('ENOSPC');
    expect(code('I/O error (pwritev): file too large')).toBe('ENOSPC');
    expect(code('Database is full: no more pages')).toBe('ENOSPC');
    expect(code('I/O error (pwritev): filesystem quota exceeded')).toBe('EDQUOT');
    expect(code('attempt to write a readonly database')).toBe('EROFS');
    expect(code('I/O error (open): entity not found')).toBe('ENOENT');
    expect(code('something nobody expected')).toBe('EIO');
  });

  test('failures of the file itself are told apart from refused statements', () => {
    expect(isStorageFailure(new Error('step failed: I/O error (pwrite): no storage space'))).toBe(true);
    expect(isStorageFailure(new Error('step failed: I/O error (pwritev): file too large'))).toBe(true);
    expect(isStorageFailure(new Error('step failed: Runtime error: forbidden name'))).toBe(false);
    expect(isStorageFailure(new Error('UNIQUE constraint failed: fs_dentry.name'))).toBe(false);
    expect(isStorageFailure(new Error('database is locked'))).toBe(false);
  });

  test('invalid SQL is EINVAL, whatever names it quotes', () => {
    expect(code('prepare failed: Parse error: no such table: nope')).toBe('EINVAL');
    expect(code('prepare failed: Parse error: no such table: busy_things')).toBe('EINVAL');
    expect(code('prepare failed: near "FROM": syntax error')).toBe('EINVAL');
    expect(code('prepare failed: Parse error: no such column: readonly_flag')).toBe('EINVAL');
  });

  test('the message is one clean line with the path and operation', () => {
    const e = translateEngineError(
      new Error('step failed: Runtime error: database is locked'),
      '/x/agent.db',
      'open',
    );
    expect(e.message).toBe(
      "EBUSY: database is locked by another process (database is locked), open '/x/agent.db'",
    );
    expect(cleanEngineMessage('prepare failed: Parse error: no such table: t')).toBe('no such table: t');
    expect(
      translateEngineError(new Error('I/O error (pwritev): file too large'), '/db', 'query').message,
    ).toBe(
      "ENOSPC: the database file cannot grow: a file size limit was reached (file too large), query '/db'",
    );
    const same = new AgentOSError('ENOENT');
    expect(translateEngineError(same, '/db', 'query')).toBe(same);
  });

  test('errors from another realm (a vm context, a native addon) are classified the same', () => {
    const foreign = runInNewContext(
      'new Error("Database is already open without experimental multiprocess WAL in another process")',
    );
    expect(foreign instanceof Error).toBe(false);
    expect(isLockingConflict(foreign)).toBe(true);
    expect(isUniqueViolation(runInNewContext('new Error("UNIQUE constraint failed: fs_dentry.name")'))).toBe(
      true,
    );
    expect(
      translateEngineError(runInNewContext('new Error("database is locked")'), '/db', 'query').code,
    ).toBe('EBUSY');
    expect(translateEngineError('a bare string', '/db', 'query').message).toMatch(/a bare string/);
    expect(isLockingConflict(undefined)).toBe(false);
  });
});
