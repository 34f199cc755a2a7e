import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, queryOnce, sqlite3 } from '../helpers/temp-db.js';
import { storeNlink } from '../helpers/vfs-files.js';
import { openAgentDatabase } from '../../src/store/agent-database.js';
import { AgentOSError, COPYFILE_EXCL, constants, type ErrnoCode } from '../../src/index.js';

describe('agent.fs: files', () => {
  const t = useAgent({ umask: 0o022 });

  test('writeFile and readFile round-trip a Buffer, a string, and typed arrays', async () => {
    const { agent } = t();
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await agent.fs.writeFile('/bin.dat', bytes);
    expect(await agent.fs.readFile('/bin.dat')).toEqual(bytes);
    await agent.fs.writeFile('/text.txt', 'héllo wörld');
    expect(await agent.fs.readFile('/text.txt', 'utf8')).toBe('héllo wörld');
    expect(await agent.fs.readFile('/text.txt', { encoding: 'utf8' })).toBe('héllo wörld');
    expect((await agent.fs.readFile('/text.txt')).toString('hex')).toBe(
      Buffer.from('héllo wörld').toString('hex'),
    );
    await agent.fs.writeFile('/u8', new Uint8Array([9, 8, 7]));
    expect([...(await agent.fs.readFile('/u8'))]).toEqual([9, 8, 7]);
    await agent.fs.writeFile('/u16', new Uint16Array([0x0102]));
    expect((await agent.fs.readFile('/u16')).length).toBe(2);
    await agent.fs.writeFile('/b64', 'aGVsbG8=', 'base64');
    expect(await agent.fs.readFile('/b64', 'utf8')).toBe('hello');
    expect(await agent.fs.readFile('/b64', 'base64')).toBe('aGVsbG8=');
  });

  test('writeFile replaces content, creates parent directories and applies mode and umask', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/deep/er/f.txt', 'a long first version');
    await agent.fs.writeFile('/deep/er/f.txt', 'short');
    expect(await agent.fs.readFile('/deep/er/f.txt', 'utf8')).toBe('short');
    expect((await agent.fs.stat('/deep/er')).isDirectory()).toBe(true);
    expect((await agent.fs.stat('/deep/er/f.txt')).mode & 0o777).toBe(0o644);
    await agent.fs.writeFile('/private', 'x', { mode: 0o600 });
    expect((await agent.fs.stat('/private')).mode & 0o777).toBe(0o600);
    await agent.fs.writeFile('/empty', '');
    expect((await agent.fs.stat('/empty')).size).toBe(0);
  });

  test('writeFile with flag "wx" refuses an existing file; "a" appends', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'one');
    await expectRejectErrno(agent.fs.writeFile('/f', 'two', { flag: 'wx' }), 'EEXIST');
    await agent.fs.writeFile('/f', '+more', { flag: 'a' });
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('one+more');
  });

  test('appendFile appends and creates', async () => {
    const { agent } = t();
    await agent.fs.appendFile('/log/app.log', 'line 1\n');
    await agent.fs.appendFile('/log/app.log', 'line 2\n');
    await agent.fs.appendFile('/log/app.log', Buffer.from('line 3\n'));
    expect(await agent.fs.readFile('/log/app.log', 'utf8')).toBe('line 1\nline 2\nline 3\n');
  });

  test('large files round-trip across many chunks and transactions', async () => {
    const { agent } = t();
    const big = Buffer.alloc(20 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 1000) big[i] = i % 251;
    await agent.fs.writeFile('/big', big);
    expect((await agent.fs.stat('/big')).size).toBe(big.length);
    expect((await agent.fs.readFile('/big')).equals(big)).toBe(true);
    await agent.fs.appendFile('/big', big.subarray(0, 9 * 1024 * 1024));
    expect((await agent.fs.stat('/big')).size).toBe(big.length + 9 * 1024 * 1024);
  });

  test("reading a missing file is ENOENT, shaped like Node's fs errors", async () => {
    const { agent } = t();
    const e = await expectRejectErrno(agent.fs.readFile('/nope.txt'), 'ENOENT');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AgentOSError);
    expect(e.errno).toBe(-2);
    expect(e.syscall).toBe('open');
    expect(e.path).toBe('/nope.txt');
    expect(e.message).toBe("ENOENT: no such file or directory, open '/nope.txt'");
  });

  test('reading or writing a directory is EISDIR', async () => {
    const { agent } = t();
    await agent.fs.mkdir('/dir');
    await expectRejectErrno(agent.fs.readFile('/dir'), 'EISDIR');
    await expectRejectErrno(agent.fs.writeFile('/dir', 'x'), 'EISDIR');
    await expectRejectErrno(agent.fs.appendFile('/dir', 'x'), 'EISDIR');
    await expectRejectErrno(agent.fs.writeFile('/', 'x'), 'EISDIR');
  });

  test('a file used as a directory is ENOTDIR', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await expectRejectErrno(agent.fs.writeFile('/f/g', 'x'), 'ENOTDIR');
    await expectRejectErrno(agent.fs.readFile('/f/g'), 'ENOTDIR');
    await expectRejectErrno(agent.fs.mkdir('/f/d', { recursive: true }), 'ENOTDIR');
  });

  test('too-long names and paths are ENAMETOOLONG; NUL bytes are EINVAL', async () => {
    const { agent } = t();
    await expectRejectErrno(agent.fs.writeFile('/' + 'n'.repeat(256), 'x'), 'ENAMETOOLONG');
    await expectRejectErrno(agent.fs.readFile('/' + 'n'.repeat(256)), 'ENAMETOOLONG');
    await expectRejectErrno(agent.fs.mkdir('/' + 'd/'.repeat(2100), { recursive: true }), 'ENAMETOOLONG');
    await agent.fs.writeFile('/' + 'n'.repeat(255), 'ok');
    const nul = await expectRejectErrno(agent.fs.writeFile('/a\0b', 'x'), 'EINVAL');
    expect(nul.path).toBe('/a\\0b');
    await expectRejectErrno(agent.fs.readFile('/a\0b'), 'EINVAL');
    await expectRejectErrno(agent.fs.stat('\0'), 'EINVAL');
    await expectRejectErrno(agent.fs.mkdir('/x\0', { recursive: true }), 'EINVAL');
    expect(await agent.fs.readdir('/')).toEqual(['n'.repeat(255)]);
  });

  test('paths are absolute within the agent filesystem; relative ones start at its root', async () => {
    const { agent } = t();
    await agent.fs.writeFile('rel.txt', 'r');
    expect(await agent.fs.readFile('/rel.txt', 'utf8')).toBe('r');
    await agent.fs.writeFile('/a/./b/../c.txt', 'c');
    expect(await agent.fs.readdir('/a')).toEqual(['b', 'c.txt']);
  });

  test('non-string paths and bad data are TypeErrors, before anything is touched', async () => {
    const { agent } = t();
    const fs = agent.fs as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const method of [
      'readFile',
      'stat',
      'lstat',
      'readdir',
      'unlink',
      'rmdir',
      'rm',
      'readlink',
      'exists',
      'realpath',
      'open',
      'access',
    ]) {
      await expect(fs[method](42)).rejects.toThrow(TypeError);
      await expect(fs[method](undefined)).rejects.toThrow(TypeError);
    }
    await expect(agent.fs.writeFile(Buffer.from('/x') as unknown as string, 'x')).rejects.toThrow(TypeError);
    await expect(agent.fs.writeFile('/x', 42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(agent.fs.writeFile('/x', { a: 1 } as unknown as string)).rejects.toThrow(TypeError);
    await expect(agent.fs.rename('/a', null as unknown as string)).rejects.toThrow(TypeError);
    expect(await agent.fs.readdir('/')).toEqual([]);
  });
});

describe('agent.fs: directories', () => {
  const t = useAgent();

  test('readdir lists names sorted; withFileTypes gives Dirents; recursive walks the tree', async () => {
    const { agent } = t();
    await agent.fs.mkdir('/out/sub/deeper', { recursive: true });
    await agent.fs.writeFile('/out/b.txt', 'b');
    await agent.fs.writeFile('/out/sub/a.txt', 'a');
    await agent.fs.writeFile('/out/sub/deeper/z', 'z');
    await agent.fs.symlink('b.txt', '/out/link');
    expect(await agent.fs.readdir('/out')).toEqual(['b.txt', 'link', 'sub']);
    const dirents = await agent.fs.readdir('/out', { withFileTypes: true });
    expect(
      dirents.map((d) => [d.name, d.isFile(), d.isDirectory(), d.isSymbolicLink(), d.parentPath]),
    ).toEqual([
      ['b.txt', true, false, false, '/out'],
      ['link', false, false, true, '/out'],
      ['sub', false, true, false, '/out'],
    ]);
    expect(await agent.fs.readdir('/out', { recursive: true })).toEqual([
      'b.txt',
      'link',
      'sub',
      'sub/a.txt',
      'sub/deeper',
      'sub/deeper/z',
    ]);
    const deep = await agent.fs.readdir('/out', { recursive: true, withFileTypes: true });
    expect(deep.map((d) => `${d.parentPath}|${d.name}`)).toContain('/out/sub/deeper|z');
    expect(await agent.fs.readdir('/out/', { recursive: true })).toHaveLength(6);
    expect(await agent.fs.readdir('/', { recursive: true })).toContain('out/sub/deeper/z');
  });

  test('readdir of a file is ENOTDIR, of a missing path ENOENT', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await expectRejectErrno(agent.fs.readdir('/f'), 'ENOTDIR');
    await expectRejectErrno(agent.fs.readdir('/missing'), 'ENOENT');
  });

  test('mkdir: EEXIST without recursive; recursive returns the first directory created, or undefined', async () => {
    const { agent } = t();
    expect(await agent.fs.mkdir('/a')).toBeUndefined();
    await expectRejectErrno(agent.fs.mkdir('/a'), 'EEXIST');
    await expectRejectErrno(agent.fs.mkdir('/missing/b'), 'ENOENT');
    expect(await agent.fs.mkdir('/a/b/c', { recursive: true })).toBe('/a/b');
    expect(await agent.fs.mkdir('/a/b/c', { recursive: true })).toBeUndefined();
    expect(await agent.fs.mkdir('/x/y', { recursive: true, mode: 0o700 })).toBe('/x');
    expect((await agent.fs.stat('/x/y')).mode & 0o777).toBe(0o700);
    expect((await agent.fs.stat('/a')).mode & 0o777).toBe(0o755);
    await agent.fs.writeFile('/file', 'x');
    await expectRejectErrno(agent.fs.mkdir('/file', { recursive: true }), 'EEXIST');
    await agent.fs.mkdir('/m', 0o750);
    expect((await agent.fs.stat('/m')).mode & 0o777).toBe(0o750);
  });

  test('mkdir recursive through a symlink to a directory', async () => {
    const { agent } = t();
    await agent.fs.mkdir('/real');
    await agent.fs.symlink('/real', '/via');
    expect(await agent.fs.mkdir('/via/new/deeper', { recursive: true })).toBe('/via/new');
    expect(await agent.fs.readdir('/real/new')).toEqual(['deeper']);
  });

  test('rmdir removes an empty directory; ENOTEMPTY, ENOTDIR and ENOENT otherwise', async () => {
    const { agent } = t();
    await agent.fs.mkdir('/d/e', { recursive: true });
    await agent.fs.writeFile('/f', 'x');
    await expectRejectErrno(agent.fs.rmdir('/d'), 'ENOTEMPTY');
    await expectRejectErrno(agent.fs.rmdir('/f'), 'ENOTDIR');
    await expectRejectErrno(agent.fs.rmdir('/missing'), 'ENOENT');
    await expectRejectErrno(agent.fs.rmdir('/'), 'EBUSY');
    await agent.fs.rmdir('/d/e');
    await agent.fs.rmdir('/d');
    expect(await agent.fs.readdir('/')).toEqual(['f']);
  });

  test('rm removes files and symlinks; directories only with recursive; force ignores missing paths', async () => {
    const { agent, dbPath } = t();
    await agent.fs.writeFile('/tree/a/b/c.txt', 'c');
    await agent.fs.writeFile('/tree/top.txt', 't');
    await agent.fs.symlink('/tree', '/tree-link');
    await agent.fs.writeFile('/lonely', 'l');
    await agent.fs.rm('/lonely');
    await expectRejectErrno(agent.fs.rm('/tree'), 'EISDIR');
    await expectRejectErrno(agent.fs.rm('/missing'), 'ENOENT');
    await agent.fs.rm('/missing', { force: true });
    await agent.fs.rm('/missing/deeper', { force: true, recursive: true });
    // Removing the symlink leaves the tree it points to.
    await agent.fs.rm('/tree-link', { recursive: true });
    expect(await agent.fs.readdir('/tree')).toEqual(['a', 'top.txt']);
    await agent.fs.rm('/tree', { recursive: true });
    expect(await agent.fs.readdir('/')).toEqual([]);
    expect(sqlite3(dbPath, 'SELECT COUNT(*) FROM fs_inode;').trim()).toBe('1');
  });

  test('rm recursive deletes directories another implementation stored with nlink = 2 + subdirectories', async () => {
    const { agent, dbPath } = t();
    await agent.fs.writeFile('/tree/a/b/c.txt', 'c');
    await agent.fs.mkdir('/tree/empty');
    const nlinks: Record<number, number> = {};
    for (const [path, n] of [
      ['/tree', 4],
      ['/tree/a', 3],
      ['/tree/a/b', 2],
      ['/tree/empty', 2],
    ] as const)
      nlinks[(await agent.fs.stat(path)).ino] = n;
    const { conn } = openAgentDatabase(dbPath);
    try {
      storeNlink(conn, nlinks);
    } finally {
      conn.close();
    }
    await agent.fs.rm('/tree', { recursive: true });
    expect(queryOnce(dbPath, 'SELECT ino FROM fs_inode')).toEqual([{ ino: 1 }]);
  });

  test('errors name the path as given: no slash added, not a prefix of it', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f.txt', 'x');
    await agent.fs.symlink('/loop', '/loop');
    const long = 'x'.repeat(256);
    const cases: [() => Promise<unknown>, ErrnoCode, string, string][] = [
      [() => agent.fs.readdir('/f.txt'), 'ENOTDIR', 'scandir', '/f.txt'],
      [() => agent.fs.readdir('/f.txt', { recursive: true }), 'ENOTDIR', 'scandir', '/f.txt'],
      [() => agent.fs.readdir('missing'), 'ENOENT', 'scandir', 'missing'],
      [() => agent.fs.mkdir('/loop/a/b', { recursive: true }), 'ELOOP', 'mkdir', '/loop/a/b'],
      [() => agent.fs.mkdir(`/${long}/b`, { recursive: true }), 'ENAMETOOLONG', 'mkdir', `/${long}/b`],
      [() => agent.fs.writeFile('/loop/a/b.txt', 'x'), 'ELOOP', 'open', '/loop/a/b.txt'],
      [() => agent.fs.appendFile(`${long}/b.txt`, 'x'), 'ENAMETOOLONG', 'open', `${long}/b.txt`],
    ];
    for (const [call, code, syscall, path] of cases) {
      const e = await expectRejectErrno(call(), code);
      expect({ syscall: e.syscall, path: e.path }).toEqual({ syscall, path });
      expect(e.message.endsWith(`, ${syscall} '${path}'`)).toBe(true);
    }
  });

  test('rm of a file through a path with a trailing slash is ENOTDIR', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await expectRejectErrno(agent.fs.rm('/f/'), 'ENOTDIR');
    await expectRejectErrno(agent.fs.unlink('/f/'), 'ENOTDIR');
  });

  test('unlink removes a file; EISDIR for a directory, ENOENT when missing', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await agent.fs.mkdir('/d');
    await agent.fs.unlink('/f');
    expect(await agent.fs.exists('/f')).toBe(false);
    await expectRejectErrno(agent.fs.unlink('/d'), 'EISDIR');
    await expectRejectErrno(agent.fs.unlink('/f'), 'ENOENT');
  });
});

describe('agent.fs: names, links and metadata', () => {
  const t = useAgent();

  test('rename moves and replaces; flags RENAME_NOREPLACE and RENAME_EXCHANGE', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/a.txt', 'A');
    await agent.fs.writeFile('/b.txt', 'B');
    await agent.fs.mkdir('/dir');
    await agent.fs.rename('/a.txt', '/dir/a.txt');
    expect(await agent.fs.readdir('/dir')).toEqual(['a.txt']);
    await agent.fs.rename('/dir/a.txt', '/b.txt');
    expect(await agent.fs.readFile('/b.txt', 'utf8')).toBe('A');
    await agent.fs.writeFile('/c.txt', 'C');
    await expectRejectErrno(agent.fs.rename('/c.txt', '/b.txt', constants.RENAME_NOREPLACE), 'EEXIST');
    await agent.fs.rename('/c.txt', '/b.txt', constants.RENAME_EXCHANGE);
    expect(await agent.fs.readFile('/b.txt', 'utf8')).toBe('C');
    expect(await agent.fs.readFile('/c.txt', 'utf8')).toBe('A');
    await expectRejectErrno(agent.fs.rename('/dir', '/dir/inside'), 'EINVAL');
    await expectRejectErrno(agent.fs.rename('/b.txt', '/dir'), 'EISDIR');
    await expectRejectErrno(agent.fs.rename('/missing', '/x'), 'ENOENT');
    await expect(agent.fs.rename('/b.txt', '/x', -1)).rejects.toThrow(RangeError);
  });

  test('copyFile copies content and permissions; COPYFILE_EXCL refuses an existing destination', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/src.bin', Buffer.alloc(10000, 3), { mode: 0o640 });
    await agent.fs.writeFile('/dest.bin', 'old and longer than nothing');
    await agent.fs.copyFile('/src.bin', '/dest.bin');
    expect((await agent.fs.readFile('/dest.bin')).equals(Buffer.alloc(10000, 3))).toBe(true);
    await agent.fs.copyFile('/src.bin', '/copy.bin');
    expect((await agent.fs.stat('/copy.bin')).mode & 0o777).toBe(0o640);
    expect((await agent.fs.stat('/copy.bin')).ino).not.toBe((await agent.fs.stat('/src.bin')).ino);
    await expectRejectErrno(agent.fs.copyFile('/src.bin', '/copy.bin', COPYFILE_EXCL), 'EEXIST');
    await expectRejectErrno(agent.fs.copyFile('/missing', '/x'), 'ENOENT');
    await agent.fs.mkdir('/d');
    await expectRejectErrno(agent.fs.copyFile('/d', '/x'), 'EISDIR');
    await expectRejectErrno(agent.fs.copyFile('/src.bin', '/d'), 'EISDIR');
    await expect(agent.fs.copyFile('/src.bin', '/y', 99)).rejects.toThrow(RangeError);
    expect(constants.COPYFILE_EXCL).toBe(COPYFILE_EXCL);
  });

  test('copyFile onto itself (or a hard link of itself) leaves the file intact, as Node does', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/same', 'precious');
    await agent.fs.copyFile('/same', '/same');
    expect(await agent.fs.readFile('/same', 'utf8')).toBe('precious');
    await agent.fs.link('/same', '/alias');
    await agent.fs.copyFile('/same', '/alias');
    expect(await agent.fs.readFile('/same', 'utf8')).toBe('precious');
  });

  test('symlink, readlink, lstat vs stat, and dangling links', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/data/latest.csv', 'a,b\n');
    await agent.fs.symlink('/data/latest.csv', '/latest');
    expect(await agent.fs.readlink('/latest')).toBe('/data/latest.csv');
    expect((await agent.fs.lstat('/latest')).isSymbolicLink()).toBe(true);
    expect((await agent.fs.stat('/latest')).isFile()).toBe(true);
    expect((await agent.fs.stat('/latest')).size).toBe(4);
    expect(await agent.fs.readFile('/latest', 'utf8')).toBe('a,b\n');
    await agent.fs.symlink('nowhere', '/dangling');
    expect(await agent.fs.exists('/dangling')).toBe(false);
    expect((await agent.fs.lstat('/dangling')).isSymbolicLink()).toBe(true);
    await expectRejectErrno(agent.fs.stat('/dangling'), 'ENOENT');
    await expectRejectErrno(agent.fs.readlink('/data/latest.csv'), 'EINVAL');
    await expectRejectErrno(agent.fs.symlink('x', '/latest'), 'EEXIST');
    // Writing through a dangling link creates its target.
    await agent.fs.writeFile('/dangling', 'made');
    expect(await agent.fs.readFile('/nowhere', 'utf8')).toBe('made');
  });

  test('link makes another name for the same inode; EPERM for directories', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/a.txt', 'same');
    await agent.fs.link('/a.txt', '/also-a.txt');
    const [a, b] = [await agent.fs.stat('/a.txt'), await agent.fs.stat('/also-a.txt')];
    expect(a.ino).toBe(b.ino);
    expect(a.nlink).toBe(2);
    await agent.fs.writeFile('/also-a.txt', 'changed');
    expect(await agent.fs.readFile('/a.txt', 'utf8')).toBe('changed');
    await agent.fs.mkdir('/d');
    await expectRejectErrno(agent.fs.link('/d', '/d2'), 'EPERM');
    await expectRejectErrno(agent.fs.link('/a.txt', '/also-a.txt'), 'EEXIST');
  });

  test('stat returns Node-like Stats', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'hello');
    const st = await agent.fs.stat('/f');
    expect(st.isFile()).toBe(true);
    expect(st.isDirectory()).toBe(false);
    expect(st.isFIFO() || st.isSocket() || st.isCharacterDevice() || st.isBlockDevice()).toBe(false);
    expect(st.size).toBe(5);
    expect(st.blksize).toBe(4096);
    expect(st.blocks).toBe(1);
    expect(st.nlink).toBe(1);
    expect(st.mode).toBe(constants.S_IFREG | 0o644);
    expect(st.uid).toBe(process.getuid!());
    expect(st.mtime).toBeInstanceOf(Date);
    expect(Math.abs(st.mtimeMs - Date.now())).toBeLessThan(60_000);
    expect(st.mtimeNs / 1_000_000n).toBe(BigInt(Math.floor(st.mtimeMs)));
    expect((await agent.fs.stat('/')).isDirectory()).toBe(true);
    expect((await agent.fs.stat('/')).ino).toBe(1);
    expect(st.dev).toBe((await agent.fs.stat('/')).dev);
  });

  test('chmod, chown and utimes', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    await agent.fs.chmod('/f', 0o755);
    expect((await agent.fs.stat('/f')).mode & 0o7777).toBe(0o755);
    await agent.fs.chown('/f', 1234, 5678);
    expect([(await agent.fs.stat('/f')).uid, (await agent.fs.stat('/f')).gid]).toEqual([1234, 5678]);
    await agent.fs.chown('/f', -1, 42);
    expect([(await agent.fs.stat('/f')).uid, (await agent.fs.stat('/f')).gid]).toEqual([1234, 42]);
    await agent.fs.utimes('/f', new Date('2020-01-01T00:00:00.123Z'), 1_600_000_000.5);
    let st = await agent.fs.stat('/f');
    expect(st.atimeMs).toBe(Date.parse('2020-01-01T00:00:00.123Z'));
    expect(st.mtimeMs).toBe(1_600_000_000_500);
    expect(st.mtimeNs).toBe(1_600_000_000_500_000_000n);
    await agent.fs.utimes('/f', '1000', '2000.25');
    st = await agent.fs.stat('/f');
    expect([st.atimeMs, st.mtimeMs]).toEqual([1_000_000, 2_000_250]);
    await expect(agent.fs.chmod('/f', -1)).rejects.toThrow(RangeError);
    await expect(agent.fs.chmod('/f', 0o10000)).rejects.toThrow(RangeError);
    await expect(agent.fs.chmod('/f', '755' as unknown as number)).rejects.toThrow(TypeError);
    await expect(agent.fs.chown('/f', -2, 0)).rejects.toThrow(RangeError);
    await expect(agent.fs.utimes('/f', 'soon', 1)).rejects.toThrow(TypeError);
    await expect(agent.fs.utimes('/f', new Date(NaN), 1)).rejects.toThrow(RangeError);
    await expect(agent.fs.utimes('/f', Infinity, 1)).rejects.toThrow(RangeError);
    await expectRejectErrno(agent.fs.chmod('/missing', 0o600), 'ENOENT');
  });

  test("chmod, chown and utimes follow the permission rules for the SDK's credentials", async () => {
    const { tmp } = t();
    const { AgentOS } = await import('../../src/index.js');
    const path = tmp.file('creds.db');
    const owner = new AgentOS(path);
    await owner.fs.writeFile('/theirs', 'x');
    await owner.fs.chmod('/theirs', 0o644);
    await owner.fs.chown('/theirs', 2000, 2000);
    await owner.close();
    const stranger = new AgentOS(path, { credentials: { uid: 1000, gid: 1000, groups: [] } });
    await expectRejectErrno(stranger.fs.chmod('/theirs', 0o777), 'EPERM');
    await expectRejectErrno(stranger.fs.chown('/theirs', 1000, -1), 'EPERM');
    await expectRejectErrno(stranger.fs.utimes('/theirs', 1, 1), 'EPERM');
    await expectRejectErrno(stranger.fs.writeFile('/theirs', 'y'), 'EACCES');
    await expectRejectErrno(stranger.fs.writeFile('/mine', 'y'), 'EACCES');
    await expectRejectErrno(stranger.fs.access('/theirs', constants.W_OK), 'EACCES');
    await stranger.fs.access('/theirs', constants.R_OK);
    expect(await stranger.fs.readFile('/theirs', 'utf8')).toBe('x');
    await stranger.close();
  });

  test('truncate cuts and extends; EISDIR for directories; bad lengths are RangeErrors', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'hello world');
    await agent.fs.truncate('/f', 5);
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('hello');
    await agent.fs.truncate('/f', 7);
    expect(await agent.fs.readFile('/f')).toEqual(Buffer.from('hello\0\0'));
    await agent.fs.truncate('/f');
    expect((await agent.fs.stat('/f')).size).toBe(0);
    await agent.fs.mkdir('/d');
    await expectRejectErrno(agent.fs.truncate('/d', 0), 'EISDIR');
    await expect(agent.fs.truncate('/f', -1)).rejects.toThrow(RangeError);
    await expect(agent.fs.truncate('/f', 1.5)).rejects.toThrow(TypeError);
    await expect(agent.fs.truncate('/f', 2 ** 60)).rejects.toThrow(RangeError);
    await expectRejectErrno(agent.fs.truncate('/f', 2 ** 52), 'ENOSPC');
  });

  test('access checks mode bits; exists answers yes or no', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x', { mode: 0o644 });
    await agent.fs.access('/f');
    await agent.fs.access('/f', constants.R_OK | constants.W_OK);
    await expectRejectErrno(agent.fs.access('/f', constants.X_OK), 'EACCES');
    await expectRejectErrno(agent.fs.access('/missing'), 'ENOENT');
    await expect(agent.fs.access('/f', 8)).rejects.toThrow(RangeError);
    expect(await agent.fs.exists('/f')).toBe(true);
    expect(await agent.fs.exists('/missing')).toBe(false);
    expect(await agent.fs.exists('/f/x')).toBe(false);
    expect(await agent.fs.exists('/bad\0')).toBe(false);
    expect(await agent.fs.exists('/')).toBe(true);
  });

  test('realpath resolves symlinks and dots to the canonical path', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/real/dir/file', 'x');
    await agent.fs.symlink('/real/dir', '/shortcut');
    await agent.fs.symlink('shortcut/file', '/chain');
    expect(await agent.fs.realpath('/chain')).toBe('/real/dir/file');
    expect(await agent.fs.realpath('/shortcut')).toBe('/real/dir');
    expect(await agent.fs.realpath('/shortcut/../dir/./file')).toBe('/real/dir/file');
    expect(await agent.fs.realpath('/')).toBe('/');
    expect(await agent.fs.realpath('/real/.')).toBe('/real');
    expect(await agent.fs.realpath('/real/dir/..')).toBe('/real');
    await expectRejectErrno(agent.fs.realpath('/missing'), 'ENOENT');
    await agent.fs.symlink('nowhere', '/dangling');
    await expectRejectErrno(agent.fs.realpath('/dangling'), 'ENOENT');
  });

  test('statfs reports usage in blocks of the chunk size', async () => {
    const { agent } = t();
    const s = await agent.fs.statfs();
    expect(s.bsize).toBe(4096);
    expect(s.blocks).toBeGreaterThan(0);
    expect(s.bfree).toBeLessThanOrEqual(s.blocks);
    expect(s.bavail).toBeLessThanOrEqual(s.bfree);
    expect(s.files).toBeGreaterThan(s.ffree);
  });
});
