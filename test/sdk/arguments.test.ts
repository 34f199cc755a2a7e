/**
 * Hostile input from JavaScript callers: wrong types and absurd values are refused before
 * anything is touched, with Node's error classes and codes (TypeError ERR_INVALID_ARG_TYPE,
 * RangeError ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE); values the kernel would refuse get its
 * errno; broken database files are AgentOSErrors when opened.
 */
import { copyFileSync, mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { AgentOS, AgentOSError } from '../../src/index.js';
import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, root, useTestVfs, expectErrno } from '../helpers/temp-db.js';

/** Loose types on purpose: these are the calls a JavaScript caller can make. */
type Loose = (...args: unknown[]) => Promise<unknown>;

describe('malformed arguments', () => {
  const t = useAgent();

  test('wrong types and out-of-range values: Node-style errors with codes, and no change', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'hello');
    const h = await agent.fs.open('/f', 'r+');
    const fs = agent.fs as unknown as Record<string, Loose>;
    const handle = h as unknown as Record<string, Loose>;
    const cases: [string, () => Promise<unknown>, string][] = [
      ['path not a string', () => fs.stat({}), 'ERR_INVALID_ARG_TYPE'],
      ['writeFile options a number', () => fs.writeFile('/g', 'x', 42), 'ERR_INVALID_ARG_TYPE'],
      ['writeFile mode a string', () => fs.writeFile('/g', 'x', { mode: 'rw' }), 'ERR_INVALID_ARG_TYPE'],
      ['writeFile mode negative', () => fs.writeFile('/g', 'x', { mode: -1 }), 'ERR_OUT_OF_RANGE'],
      ['appendFile mode too big', () => fs.appendFile('/g', 'x', { mode: 0o10000 }), 'ERR_OUT_OF_RANGE'],
      ['mkdir mode a string', () => fs.mkdir('/d', { mode: '755' }), 'ERR_INVALID_ARG_TYPE'],
      ['mkdir mode 2^40', () => fs.mkdir('/d', 2 ** 40), 'ERR_OUT_OF_RANGE'],
      ['mkdir recursive not boolean', () => fs.mkdir('/d/e', { recursive: 'yes' }), 'ERR_INVALID_ARG_TYPE'],
      ['rm options a number', () => fs.rm('/f', 5), 'ERR_INVALID_ARG_TYPE'],
      ['rm force not boolean', () => fs.rm('/f', { force: 1 }), 'ERR_INVALID_ARG_TYPE'],
      ['readdir recursive not boolean', () => fs.readdir('/', { recursive: 1 }), 'ERR_INVALID_ARG_TYPE'],
      ['truncate negative', () => fs.truncate('/f', -1), 'ERR_OUT_OF_RANGE'],
      ['truncate 2^60', () => fs.truncate('/f', 2 ** 60), 'ERR_OUT_OF_RANGE'],
      ['truncate not an integer', () => fs.truncate('/f', 1.5), 'ERR_INVALID_ARG_TYPE'],
      ['open flags 2^40', () => fs.open('/f', 2 ** 40), 'ERR_INVALID_ARG_VALUE'],
      ['open flags unknown', () => fs.open('/f', 'rw'), 'ERR_INVALID_ARG_TYPE'],
      ['utimes 1e30 seconds', () => fs.utimes('/f', 1e30, 1e30), 'ERR_OUT_OF_RANGE'],
      ['utimes 2^100 ns', () => fs.utimes('/f', 2n ** 100n, 0), 'ERR_OUT_OF_RANGE'],
      ['read position negative', () => handle.read(Buffer.alloc(4), 0, 4, -1), 'ERR_OUT_OF_RANGE'],
      ['read 2^40 bytes into 4', () => handle.read(Buffer.alloc(4), 0, 2 ** 40, 0), 'ERR_OUT_OF_RANGE'],
      ['write position 2^60', () => handle.write(Buffer.from('x'), 0, 1, 2 ** 60), 'ERR_OUT_OF_RANGE'],
      ['write position not an integer', () => handle.write('x', 0.5), 'ERR_INVALID_ARG_TYPE'],
      ['write data a number', () => handle.write(42), 'ERR_INVALID_ARG_TYPE'],
      ['ftruncate negative', () => handle.truncate(-5), 'ERR_OUT_OF_RANGE'],
      [
        'kv key empty',
        () => (agent.kv as unknown as Record<string, Loose>).set('', 1),
        'ERR_INVALID_ARG_VALUE',
      ],
      [
        'kv value a bigint',
        () => (agent.kv as unknown as Record<string, Loose>).set('k', 1n),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'query params not an array',
        () => (agent.query as unknown as Loose)('SELECT ?', 5),
        'ERR_INVALID_ARG_TYPE',
      ],
      [
        'query param an object',
        () => agent.query('SELECT ?', [{} as unknown as string]),
        'ERR_INVALID_ARG_TYPE',
      ],
    ];
    for (const [name, call, code] of cases) {
      let thrown: unknown;
      try {
        await call();
      } catch (e) {
        thrown = e;
      }
      expect({ name, code: (thrown as { code?: string } | undefined)?.code }).toEqual({ name, code });
      expect({ name, kind: thrown instanceof TypeError || thrown instanceof RangeError }).toEqual({
        name,
        kind: true,
      });
    }
    await h.close();
    expect(await agent.fs.readdir('/')).toEqual(['f']);
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('hello');
    expect(await agent.kv.list()).toEqual([]);
  });

  test('values the kernel refuses get its errno', async () => {
    const { agent } = t();
    await expectRejectErrno(agent.fs.writeFile('/a\0b', 'x'), 'EINVAL');
    await expectRejectErrno(agent.fs.symlink('x\0y', '/l'), 'EINVAL');
    await expectRejectErrno(agent.fs.writeFile('/' + 'n'.repeat(256), 'x'), 'ENAMETOOLONG');
    await agent.fs.writeFile('/' + 'é'.repeat(127) + 'x', 'x'); // 255 bytes: the longest name
    await expectRejectErrno(agent.fs.stat('/a'.repeat(2048)), 'ENAMETOOLONG'); // 4096 bytes
    await expectRejectErrno(agent.fs.mkdir('/d'.repeat(2048), { recursive: true }), 'ENAMETOOLONG');
    await expectRejectErrno(agent.fs.symlink('t'.repeat(4096), '/l'), 'ENAMETOOLONG');
    await expectRejectErrno(agent.fs.rename('/nothing', '/x', 8), 'EINVAL');
    expect(await agent.fs.readdir('/')).toEqual(['é'.repeat(127) + 'x']);
  });
});

describe('absurd sizes at the VFS', () => {
  const t = useTestVfs();

  test('a size past the largest file is EFBIG; a growth bigger than the disk ENOSPC; nothing written', () => {
    const { vfs } = t();
    const { inode } = vfs.open('/f', 0o102, 0o644, root); // O_RDWR | O_CREAT
    expectErrno(() => vfs.truncate('/f', 2 ** 60, root), 'EFBIG');
    expectErrno(() => vfs.write(inode.ino, 2 ** 60, Buffer.from('x')), 'EFBIG');
    expectErrno(() => vfs.write(inode.ino, -1, Buffer.from('x')), 'EINVAL');
    expectErrno(() => vfs.truncate('/f', 2 ** 52, root), 'ENOSPC');
    expect(vfs.stat('/f', root).size).toBe(0);
  });
});

describe('broken database files', () => {
  const t = useAgent();

  test('are AgentOSErrors with a code when opened', async () => {
    const { tmp, agent, dbPath } = t();
    for (let i = 0; i < 30; i++) await agent.fs.writeFile(`/f${i}`, 'x'.repeat(3000));
    await agent.close();
    const p = (name: string) => tmp.file(name);
    writeFileSync(p('random.db'), randomBytes(16384));
    writeFileSync(p('header.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(16384)]));
    copyFileSync(dbPath, p('truncated.db'));
    truncateSync(p('truncated.db'), Math.floor(statSync(dbPath).size / 2));
    writeFileSync(p('empty.db'), '');
    mkdirSync(p('dir.db'));
    execFileSync('mkfifo', [p('fifo.db')]);
    execFileSync('/usr/bin/sqlite3', [p('foreign.db'), 'CREATE TABLE notes (x)']);
    const expected: [string, string, RegExp][] = [
      ['random.db', 'EINVAL', /not an SQLite database \(bad file header\)/],
      ['header.db', 'EIO', /database file is corrupt: invalid page size/],
      [
        'truncated.db',
        'EIO',
        /database file is corrupt: truncated to \d+ bytes, but its header counts \d+ pages/,
      ],
      ['empty.db', 'EINVAL', /not an agent database \(it is empty\)/],
      ['dir.db', 'EISDIR', /database path is a directory/],
      ['fifo.db', 'EINVAL', /database path is not a regular file/],
      ['foreign.db', 'EINVAL', /not an agent database: it has tables notes but no fs_config/],
      ['missing.db', 'ENOENT', /no agent database/],
    ];
    for (const [name, code, message] of expected) {
      let thrown: unknown;
      try {
        new AgentOS(p(name), { create: false });
      } catch (e) {
        thrown = e;
      }
      expect({ name, isAgentOSError: thrown instanceof AgentOSError }).toEqual({
        name,
        isAgentOSError: true,
      });
      expect({ name, code: (thrown as AgentOSError).code }).toEqual({ name, code });
      expect((thrown as AgentOSError).message).toMatch(message);
    }
  });
});
