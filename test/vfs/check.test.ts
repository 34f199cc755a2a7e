/**
 * agentos check: a database built through the SDK passes; each consistency rule, broken on
 * purpose with raw SQL, is reported as exactly the problems it causes, naming the inode and
 * (when it has one) its path.
 */
import { execFileSync } from 'node:child_process';
import { AgentOS } from '../../src/index.js';
import { openAgentDatabase } from '../../src/store/agent-database.js';
import { checkDatabase, type CheckProblem } from '../../src/vfs/check.js';
import { useTempDir } from '../helpers/temp-db.js';

const tmp = useTempDir();

/** A database with some of everything, built through the SDK; returns inode numbers by path. */
async function build(path: string): Promise<Record<string, number>> {
  const agent = new AgentOS(path);
  await agent.fs.mkdir('/dir/sub', { recursive: true });
  await agent.fs.writeFile('/small', 'hello');
  await agent.fs.writeFile('/dir/big', Buffer.alloc(10000, 7));
  await agent.fs.writeFile('/empty', '');
  await agent.fs.link('/small', '/dir/hard');
  await agent.fs.symlink('/dir/big', '/link');
  const inos: Record<string, number> = {};
  for (const p of ['/dir', '/dir/sub', '/small', '/dir/big', '/empty', '/link'])
    inos[p] = (await agent.fs.lstat(p)).ino;
  await agent.close();
  return inos;
}

/** Runs raw SQL on the database (as a buggy writer would), then checks it. */
function corruptAndCheck(path: string, sql: string): CheckProblem[] {
  const { conn, chunkSize } = openAgentDatabase(path);
  try {
    conn.write(() => conn.exec(sql));
    return checkDatabase(conn, chunkSize).problems;
  } finally {
    conn.close();
  }
}

/** The facts a problem states, without the wording of its message. */
function facts(problems: CheckProblem[]): { kind: string; ino?: number; path?: string }[] {
  return problems.map(({ kind, ino, path }) => ({ kind, ino, path }));
}

async function setUp(): Promise<{ db: string; ino: Record<string, number> }> {
  const db = tmp().file('agent.db');
  return { db, ino: await build(db) };
}

test('a database after many SDK operations passes, with totals of what it holds', async () => {
  const db = tmp().file('agent.db');
  const agent = new AgentOS(db);
  for (let i = 0; i < 40; i++)
    await agent.fs.writeFile(`/d${i % 5}/f${i}`, Buffer.alloc((i * 997) % 9000, i));
  await agent.fs.truncate('/d0/f5', 12000); // grows with zero chunks
  await agent.fs.truncate('/d1/f6', 10);
  const h = await agent.fs.open('/d1/f11', 'r+');
  await h.write(Buffer.alloc(100, 1), 0, 100, 20000); // past the end: a stored gap
  await h.close();
  await agent.fs.rename('/d3', '/d4/moved');
  await agent.fs.rename('/d0/f0', '/d4/f4'); // over an existing file
  await agent.fs.link('/d0/f10', '/hard');
  await agent.fs.symlink('d0/f10', '/rel');
  await agent.fs.rm('/d2', { recursive: true });
  // A file unlinked while open is an orphan: allowed while it is open.
  await agent.fs.writeFile('/open', 'still here');
  const open = await agent.fs.open('/open');
  await agent.fs.unlink('/open');
  let bytes = 10;
  const seen = new Set<number>();
  for (const name of await agent.fs.readdir('/', { recursive: true })) {
    const st = await agent.fs.lstat('/' + name);
    if (st.isFile() && !seen.has(st.ino)) bytes += st.size;
    seen.add(st.ino);
  }
  await agent.kv.set('k', { a: [1, 2] });
  const call = await agent.tools.start('search', { q: 'x' });
  await agent.tools.success(call, { hits: 3 });
  await agent.tools.start('pending-tool');

  const report = await agent.check();
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.totals.bytes).toBe(bytes);
  expect(report.totals.symlinks).toBe(1);
  await open.close();
  await agent.close();
});

test('an entry naming a deleted inode: the entry dangles and the chunks are strays', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(db, `DELETE FROM fs_inode WHERE ino = ${ino['/dir/big']}`);
  expect(facts(problems)).toEqual([
    { kind: 'dangling-entry', ino: ino['/dir/big'], path: '/dir/big' },
    { kind: 'stray-chunks', ino: ino['/dir/big'], path: '/dir/big' },
  ]);
  expect(problems[0].message).toMatch(/'big' in \/dir names inode \d+, which does not exist/);
  expect(problems[1].message).toMatch(/^3 chunks of inode \d+, which does not exist$/);
});

test('entries held by a file or by a missing inode have a bad parent', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(
    db,
    `INSERT INTO fs_dentry (name, parent_ino, ino) VALUES ('inside', ${ino['/small']}, ${ino['/empty']});
     UPDATE fs_inode SET nlink = 2 WHERE ino = ${ino['/empty']};
     UPDATE fs_dentry SET parent_ino = 99999 WHERE ino = ${ino['/link']};`,
  );
  expect(facts(problems)).toEqual([
    { kind: 'bad-parent', ino: ino['/empty'], path: '/empty' },
    { kind: 'bad-parent', ino: ino['/link'], path: undefined },
  ]);
  expect(problems.map((p) => p.message)).toEqual([
    expect.stringMatching(/^entry 'inside' of inode \d+, which is not a directory \(mode 0o100644\)/),
    expect.stringMatching(/^entry 'link' of inode 99999, which does not exist/),
  ]);
});

test('nlink must equal the entry count; an inode without entries must be an open orphan', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(
    db,
    `UPDATE fs_inode SET nlink = 3 WHERE ino = ${ino['/small']};
     DELETE FROM fs_dentry WHERE ino = ${ino['/empty']};
     UPDATE fs_inode SET nlink = 0 WHERE ino = ${ino['/link']};
     DELETE FROM fs_dentry WHERE ino = ${ino['/link']};
     INSERT INTO fs_inode (mode, nlink, size, atime, mtime, ctime) VALUES (33188, 0, 0, 0, 0, 0);
     INSERT INTO agentos_orphans (ino, pid, pid_start) VALUES (last_insert_rowid(), 1, '1');`,
  );
  expect(facts(problems)).toEqual([
    { kind: 'nlink', ino: ino['/small'], path: '/small' },
    { kind: 'unlinked', ino: ino['/empty'], path: undefined },
    { kind: 'unlinked', ino: ino['/link'], path: undefined },
  ]);
  expect(problems[0].message).toMatch(/has nlink 3, but 2 entries name it/);
  expect(problems[1].message).toMatch(/\(file\) has no directory entry and is not an open file/);
  expect(problems[2].message).toMatch(/\(symlink\) has no directory entry/);
});

test('a directory with two entries, and directories that form a cycle away from the root', async () => {
  const { db, ino } = await setUp();
  const twice = corruptAndCheck(
    db,
    `INSERT INTO fs_dentry (name, parent_ino, ino) VALUES ('again', 1, ${ino['/dir/sub']});
     UPDATE fs_inode SET nlink = 2 WHERE ino = ${ino['/dir/sub']};`,
  );
  expect(facts(twice)).toEqual([{ kind: 'directory-links', ino: ino['/dir/sub'], path: '/again' }]);

  const { db: db2, ino: ino2 } = await (async () => {
    const other = tmp().file('cycle.db');
    return { db: other, ino: await build(other) };
  })();
  // /dir moves under its own child: neither can be reached from the root any more.
  const cycle = corruptAndCheck(
    db2,
    `UPDATE fs_dentry SET parent_ino = ${ino2['/dir/sub']} WHERE ino = ${ino2['/dir']}`,
  );
  expect(facts(cycle).sort((a, b) => a.ino! - b.ino!)).toEqual([
    { kind: 'unreachable', ino: ino2['/dir'], path: undefined },
    { kind: 'unreachable', ino: ino2['/dir/sub'], path: undefined },
  ]);
  expect(cycle[0].message).toMatch(/cannot be reached from the root: its parents form a cycle/);
});

test('names that no entry may have, and entries naming the root', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(
    db,
    `UPDATE fs_dentry SET name = 'a/b' WHERE ino = ${ino['/small']} AND parent_ino = 1;
     UPDATE fs_dentry SET name = '..' WHERE ino = ${ino['/empty']};
     UPDATE fs_dentry SET name = '${'n'.repeat(256)}' WHERE ino = ${ino['/link']};
     INSERT INTO fs_dentry (name, parent_ino, ino) VALUES ('root', ${ino['/dir']}, 1);`,
  );
  expect(facts(problems).sort((a, b) => a.ino! - b.ino!)).toEqual([
    { kind: 'root', ino: 1, path: '/' },
    { kind: 'bad-name', ino: ino['/small'], path: '/a/b' },
    { kind: 'bad-name', ino: ino['/empty'], path: '/..' },
    { kind: 'bad-name', ino: ino['/link'], path: `/${'n'.repeat(256)}` },
  ]);
});

test('the root must exist and be a directory; every mode needs a file type', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(db, `UPDATE fs_inode SET mode = ${0o170644} WHERE ino = ${ino['/empty']}`);
  expect(facts(problems)).toEqual([{ kind: 'bad-type', ino: ino['/empty'], path: '/empty' }]);
  expect(problems[0].message).toMatch(/has mode 0o170644, which is no file type/);

  const db2 = tmp().file('noroot.db');
  new AgentOS(db2).close();
  expect(facts(corruptAndCheck(db2, 'UPDATE fs_inode SET mode = 33188 WHERE ino = 1'))).toEqual([
    { kind: 'root', ino: 1, path: '/' },
  ]);
  expect(facts(corruptAndCheck(db2, 'DELETE FROM fs_inode WHERE ino = 1'))).toEqual([
    { kind: 'root', ino: 1, path: '/' },
  ]);
});

test('chunks must match the size: none past the end, full but the last, BLOBs, no holes', async () => {
  const { db, ino } = await setUp();
  const big = ino['/dir/big']; // 10000 bytes: chunks of 4096, 4096, 1808
  const small = ino['/small']; // 5 bytes
  const problems = corruptAndCheck(
    db,
    `INSERT INTO fs_data (ino, chunk_index, data) VALUES (${small}, 3, x'00');
     UPDATE fs_data SET data = substr(data, 1, 4000) WHERE ino = ${big} AND chunk_index = 0;
     DELETE FROM fs_data WHERE ino = ${big} AND chunk_index = 1;
     UPDATE fs_data SET data = 'hello' WHERE ino = ${small} AND chunk_index = 0;`,
  );
  expect(facts(problems)).toEqual([
    { kind: 'chunk', ino: small, path: '/small' },
    { kind: 'chunk', ino: small, path: '/small' },
    { kind: 'chunk', ino: big, path: '/dir/big' },
    { kind: 'hole', ino: big, path: '/dir/big' },
  ]);
  expect(problems.map((p) => p.message)).toEqual([
    expect.stringMatching(/^chunk 0 of inode \d+ \(\/small\) \(size 5\) is text, not a BLOB$/),
    expect.stringMatching(/^chunk 3 .* lies past the end of the file$/),
    expect.stringMatching(/^chunk 0 .* holds 4000 bytes where the size says 4096$/),
    expect.stringMatching(/of size 10000 lacks 1 chunk of the 3 it needs/),
  ]);
});

test('a size larger or smaller than the stored bytes', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(
    db,
    `UPDATE fs_inode SET size = 5000 WHERE ino = ${ino['/small']};
     UPDATE fs_inode SET size = 9000 WHERE ino = ${ino['/dir/big']};`,
  );
  expect(facts(problems)).toEqual([
    { kind: 'chunk', ino: ino['/small'], path: '/small' },
    { kind: 'chunk', ino: ino['/dir/big'], path: '/dir/big' },
    { kind: 'hole', ino: ino['/small'], path: '/small' },
  ]);
  expect(problems[0].message).toMatch(/chunk 0 .* holds 5 bytes where the size says 4096/);
  expect(problems[1].message).toMatch(/chunk 2 .* holds 1808 bytes where the size says 808/);
  expect(problems[2].message).toMatch(/of size 5000 lacks 1 chunk of the 2 it needs/);
});

test('chunks, symlink targets, xattrs and orphan records of missing or wrong inodes', async () => {
  const { db, ino } = await setUp();
  const problems = corruptAndCheck(
    db,
    `INSERT INTO fs_data (ino, chunk_index, data) VALUES (77777, 0, x'0102');
     INSERT INTO fs_data (ino, chunk_index, data) VALUES (${ino['/dir']}, 0, x'01');
     INSERT INTO fs_symlink (ino, target) VALUES (${ino['/small']}, '/x');
     INSERT INTO fs_symlink (ino, target) VALUES (88888, '/y');
     INSERT INTO agentos_xattrs (ino, name, value) VALUES (66666, 'user.a', x'00'), (66666, 'user.b', x'00');
     INSERT INTO agentos_orphans (ino, pid, pid_start) VALUES (55555, 1, '1');`,
  );
  expect(facts(problems)).toEqual([
    { kind: 'stray-chunks', ino: ino['/dir'], path: '/dir' },
    { kind: 'stray-chunks', ino: 77777, path: undefined },
    { kind: 'stray-target', ino: ino['/small'], path: '/small' },
    { kind: 'stray-target', ino: 88888, path: undefined },
    { kind: 'stray-xattrs', ino: 66666, path: undefined },
    { kind: 'stray-orphan', ino: 55555, path: undefined },
  ]);
  expect(problems[0].message).toBe(
    `1 chunk of inode ${ino['/dir']}, which is a directory, not a regular file`,
  );
  expect(problems[4].message).toBe('2 extended attributes of inode 66666, which does not exist');
});

test('symlinks need their target, and a size equal to its byte length', async () => {
  const { db, ino } = await setUp();
  const db2 = tmp().file('other.db');
  await build(db2);
  expect(facts(corruptAndCheck(db, `DELETE FROM fs_symlink WHERE ino = ${ino['/link']}`))).toEqual([
    { kind: 'symlink', ino: ino['/link'], path: '/link' },
  ]);
  const sized = corruptAndCheck(db2, `UPDATE fs_inode SET size = 3 WHERE ino = ${ino['/link']}`);
  expect(sized.map((p) => p.message)).toEqual([
    `symlink inode ${ino['/link']} (/link) has size 3, but its target is 8 bytes`,
  ]);
});

test('key-value values and tool calls must be valid JSON with a status that fits', async () => {
  const { db } = await setUp();
  const problems = corruptAndCheck(
    db,
    `INSERT INTO kv_store (key, value) VALUES ('good', '{"a":1}'), ('bad', 'not json');
     INSERT INTO tool_calls (name, parameters, status, started_at) VALUES ('t', '{oops', 'pending', 1);
     INSERT INTO tool_calls (name, status, started_at, completed_at) VALUES ('t', 'success', 1, 2);`,
  );
  expect(problems).toEqual([
    { kind: 'kv', message: "the value of key 'bad' is not valid JSON" },
    { kind: 'tool-call', message: 'tool call 1 (pending): parameters are not valid JSON' },
    { kind: 'tool-call', message: 'tool call 2 (success): finished but has no end time or duration' },
  ]);
});

test("SQLite's integrity check: pages no table owns", async () => {
  const { db } = await setUp();
  // A foreign tool drops an index from the schema but leaves its pages behind.
  execFileSync('/usr/bin/sqlite3', [
    db,
    "PRAGMA writable_schema = ON; DELETE FROM sqlite_master WHERE name = 'idx_kv_store_created_at'; PRAGMA writable_schema = OFF;",
  ]);
  const { conn, chunkSize } = openAgentDatabase(db, { readonly: true });
  try {
    const problems = checkDatabase(conn, chunkSize).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.kind).toBe('integrity');
      expect(p.message).toMatch(/^Page \d+: never used$/);
    }
  } finally {
    conn.close();
  }
});
