import { existsSync, copyFileSync, writeFileSync } from 'node:fs';
import { useTempDir, expectErrno, sqlite3 } from '../helpers/temp-db.js';
import { holdSqliteLock, stop } from '../helpers/child.js';
import { AgentOS } from '../../src/index.js';
import {
  coordinationFileOf,
  isHeldByLiveProcess,
  removeStaleCoordinationFile,
} from '../../src/store/coordination.js';
import { locksOn, processName } from '../../src/store/file-locks.js';

async function makeAgentDb(path: string): Promise<void> {
  const agent = new AgentOS(path);
  await agent.fs.writeFile('/docs/a.txt', 'from agentos');
  await agent.kv.set('owner', 'agentos');
  await agent.close();
}

describe('sharing the file with stock sqlite3', () => {
  const tmp = useTempDir();

  test('after close, sqlite3 reads the database and a plain copy of it', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    expect(sqlite3(path, 'PRAGMA integrity_check;').trim()).toBe('ok');
    copyFileSync(path, tmp().file('backup.db'));
    expect(sqlite3(tmp().file('backup.db'), "SELECT value FROM kv_store WHERE key = 'owner';").trim()).toBe(
      '"agentos"',
    );
    expect(sqlite3(tmp().file('backup.db'), 'SELECT data FROM fs_data;').trim()).toBe('from agentos');
  });

  test('agentos opens the file fine after sqlite3 has written to it (stale coordination file)', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    expect(existsSync(coordinationFileOf(path))).toBe(true);
    // sqlite3 writes, checkpoints and deletes the WAL: the -tshm left by agentos is now stale.
    sqlite3(
      path,
      `INSERT INTO kv_store (key, value) VALUES ('writer', '"sqlite3"');
                   UPDATE kv_store SET value = '"changed"' WHERE key = 'owner';`,
    );
    const agent = new AgentOS(path);
    expect(await agent.kv.get('writer')).toBe('sqlite3');
    expect(await agent.kv.get('owner')).toBe('changed');
    expect(await agent.fs.readFile('/docs/a.txt', 'utf8')).toBe('from agentos');
    await agent.fs.writeFile('/docs/b.txt', 'after sqlite3');
    await agent.close();
    expect(sqlite3(path, 'PRAGMA integrity_check; SELECT COUNT(*) FROM fs_dentry;').trim()).toBe('ok\n3');
  });

  test('the two can take turns many times', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    for (let i = 0; i < 3; i++) {
      sqlite3(path, `INSERT INTO kv_store (key, value) VALUES ('s${i}', '${i}');`);
      const agent = new AgentOS(path);
      await agent.kv.set(`a${i}`, i);
      expect(await agent.kv.get(`s${i}`)).toBe(i);
      await agent.close();
    }
    expect(sqlite3(path, 'SELECT COUNT(*) FROM kv_store;').trim()).toBe('7');
  });

  test('a coordination file held by no live process is removed; one held is kept', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    const tshm = coordinationFileOf(path);
    expect(isHeldByLiveProcess(path)).toBe(false);
    removeStaleCoordinationFile(path);
    expect(existsSync(tshm)).toBe(false);
    const agent = new AgentOS(path);
    expect(isHeldByLiveProcess(path)).toBe(true);
    removeStaleCoordinationFile(path);
    expect(existsSync(tshm)).toBe(true);
    await agent.close();
    // A missing file is not an error.
    removeStaleCoordinationFile(tmp().file('nothing.db'));
  });
});

describe('a database locked by a foreign program', () => {
  const tmp = useTempDir();

  test('gives EBUSY after the busy timeout, naming the program, instead of hanging', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    const holder = holdSqliteLock(path);
    try {
      await holder.ready;
      const e = expectErrno(() => new AgentOS(path, { busyTimeoutMs: 300 }), 'EBUSY');
      expect(e.message).toMatch(
        new RegExp(`locked by python3 \\(pid ${holder.child.pid}\\).*without AgentOS`),
      );
      expect(e.path).toBe(path);
    } finally {
      await stop(holder.child);
    }
    // Once the program is gone the database opens, with nothing lost.
    const agent = new AgentOS(path, { busyTimeoutMs: 300 });
    expect(await agent.kv.get('owner')).toBe('agentos');
    await agent.close();
  });

  test('a reader without a transaction is locked out the same way', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    const holder = holdSqliteLock(path, 'BEGIN DEFERRED');
    try {
      await holder.ready;
      expectErrno(() => new AgentOS(path, { busyTimeoutMs: 200 }), 'EBUSY');
    } finally {
      await stop(holder.child);
    }
  });
});

describe('file locks', () => {
  const tmp = useTempDir();

  test('locksOn lists the locks a program holds; processName names it', async () => {
    const path = tmp().file('agent.db');
    await makeAgentDb(path);
    const holder = holdSqliteLock(path);
    try {
      await holder.ready;
      const pids = new Set([...locksOn(path), ...locksOn(`${path}-shm`)].map((l) => l.pid));
      expect(pids.has(holder.child.pid!)).toBe(true);
      expect(processName(holder.child.pid!)).toBe('python3');
    } finally {
      await stop(holder.child);
    }
    expect(locksOn(tmp().file('missing'))).toEqual([]);
    writeFileSync(tmp().file('plain'), 'x');
    expect(locksOn(tmp().file('plain'))).toEqual([]);
    expect(processName(2 ** 22 + 4321)).toBeUndefined();
  });
});
