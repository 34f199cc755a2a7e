import { useAgent } from '../helpers/agent.js';
import { expectRejectErrno, queryOnce } from '../helpers/temp-db.js';
import { constants, FileHandle } from '../../src/index.js';

describe('FileHandle', () => {
  const t = useAgent();

  test('read at explicit positions does not move the file position; null or omitted reads on from it', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', '0123456789');
    const h = await agent.fs.open('/f', 'r');
    expect(h).toBeInstanceOf(FileHandle);
    const buf = Buffer.alloc(4);
    expect(await h.read(buf, 0, 4, 6)).toEqual({ bytesRead: 4, buffer: buf });
    expect(buf.toString()).toBe('6789');
    await h.read(buf, 0, 3, null);
    expect(buf.subarray(0, 3).toString()).toBe('012');
    await h.read(buf, 0, 3);
    expect(buf.subarray(0, 3).toString()).toBe('345');
    // Short read at the end, then zero.
    const rest = Buffer.alloc(10);
    expect((await h.read(rest, 0, 10)).bytesRead).toBe(4);
    expect((await h.read(rest, 0, 10)).bytesRead).toBe(0);
    expect((await h.read(rest, 0, 10, 100)).bytesRead).toBe(0);
    await h.close();
  });

  test('read into an offset of the buffer, with an options object, into a typed array, or into a new buffer', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'abcdef');
    const h = await agent.fs.open('/f');
    const buf = Buffer.alloc(6, '.');
    await h.read(buf, 2, 3, 0);
    expect(buf.toString()).toBe('..abc.');
    const u8 = new Uint8Array(2);
    const r = await h.read({ buffer: u8, position: 4 });
    expect(r.bytesRead).toBe(2);
    expect(Buffer.from(u8).toString()).toBe('ef');
    const fresh = await h.read();
    expect(fresh.buffer.subarray(0, fresh.bytesRead).toString()).toBe('abcdef');
    await h.close();
  });

  test('write a buffer slice or a string at positions; sparse writes read back zeros', async () => {
    const { agent } = t();
    const h = await agent.fs.open('/f', 'w+');
    expect((await h.write(Buffer.from('XXhelloXX'), 2, 5, 0)).bytesWritten).toBe(5);
    expect(await h.write('!', 5)).toMatchObject({ bytesWritten: 1, buffer: '!' });
    await h.write('end', 10);
    expect(await h.readFile('utf8')).toBe('hello!\0\0\0\0end');
    // Without a position, writes go on from the current position.
    const h2 = await agent.fs.open('/g', 'w');
    await h2.write('one ');
    await h2.write('two');
    await h2.write(Buffer.from(' three'));
    await h2.close();
    expect(await agent.fs.readFile('/g', 'utf8')).toBe('one two three');
    await h.write('é', 0, 'latin1');
    expect((await h.readFile()).subarray(0, 1)).toEqual(Buffer.from([0xe9]));
    await h.close();
  });

  test('append mode writes every write at the end, whatever the position', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/log', 'start\n');
    const h = await agent.fs.open('/log', 'a');
    await h.write('one\n', 0);
    await h.write(Buffer.from('two\n'), 0, 4, 1);
    await h.close();
    expect(await agent.fs.readFile('/log', 'utf8')).toBe('start\none\ntwo\n');
    const rw = await agent.fs.open('/log', 'a+');
    const buf = Buffer.alloc(5);
    await rw.read(buf, 0, 5, 0);
    expect(buf.toString()).toBe('start');
    await rw.write('three\n');
    await rw.close();
    expect(await agent.fs.readFile('/log', 'utf8')).toBe('start\none\ntwo\nthree\n');
  });

  test('open flags: "r" needs the file, "wx" refuses it, "w" truncates, "r+" keeps it, numbers work too', async () => {
    const { agent } = t();
    await expectRejectErrno(agent.fs.open('/missing'), 'ENOENT');
    await agent.fs.writeFile('/f', 'content');
    await expectRejectErrno(agent.fs.open('/f', 'wx'), 'EEXIST');
    const rplus = await agent.fs.open('/f', 'r+');
    await rplus.write('C', 0);
    await rplus.close();
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('Content');
    await (await agent.fs.open('/f', 'w')).close();
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('');
    const n = await agent.fs.open('/num', constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o600);
    await n.close();
    expect((await agent.fs.stat('/num')).mode & 0o777).toBe(0o600);
    await expect(agent.fs.open('/f', 'bogus')).rejects.toThrow(TypeError);
    await expect(agent.fs.open('/f', -1)).rejects.toThrow(RangeError);
    await expect(agent.fs.open('/f', 'r', 0o70000)).rejects.toThrow(RangeError);
  });

  test('stat, truncate, sync and datasync on a handle', async () => {
    const { agent } = t();
    const h = await agent.fs.open('/f', 'w+');
    await h.write('0123456789');
    expect((await h.stat()).size).toBe(10);
    await h.truncate(4);
    expect((await h.stat()).size).toBe(4);
    await h.truncate();
    expect((await h.stat()).size).toBe(0);
    await h.sync();
    await h.datasync();
    await expect(h.truncate(-1)).rejects.toThrow(RangeError);
    await h.close();
  });

  test('readFile and writeFile on a handle work on the whole content', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'a fairly long original text');
    const h = await agent.fs.open('/f', 'r+');
    expect(await h.readFile({ encoding: 'utf8' })).toBe('a fairly long original text');
    await h.writeFile('short');
    expect(await h.readFile('utf8')).toBe('short');
    await h.write('!');
    expect(await h.readFile('utf8')).toBe('short!');
    await h.close();
  });

  test("a handle's mode limits it: EBADF to read a write-only handle or write a read-only one", async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    const ro = await agent.fs.open('/f', 'r');
    await expectRejectErrno(ro.write('y', 0), 'EBADF');
    await expectRejectErrno(ro.writeFile('y'), 'EBADF');
    await expectRejectErrno(ro.truncate(0), 'EINVAL');
    await ro.close();
    const wo = await agent.fs.open('/f', 'w');
    await expectRejectErrno(wo.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
    await expectRejectErrno(wo.readFile(), 'EBADF');
    await wo.close();
    // Access mode 3 (Linux: checked for read and write, usable for neither).
    const neither = await agent.fs.open('/f', 3);
    await expectRejectErrno(neither.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
    await expectRejectErrno(neither.write('z', 0), 'EBADF');
    await neither.close();
    expect(await agent.fs.readFile('/f', 'utf8')).toBe('');
  });

  test('a directory opens for reading, but reading it is EISDIR and opening it for writing is EISDIR', async () => {
    const { agent } = t();
    await agent.fs.mkdir('/d');
    const h = await agent.fs.open('/d');
    expect((await h.stat()).isDirectory()).toBe(true);
    await expectRejectErrno(h.read(Buffer.alloc(1), 0, 1, 0), 'EISDIR');
    await h.close();
    await expectRejectErrno(agent.fs.open('/d', 'r+'), 'EISDIR');
    await expectRejectErrno(agent.fs.open('/d', 'w'), 'EISDIR');
  });

  test('after close every call is EBADF; close twice is fine; handles have distinct fds', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    const a = await agent.fs.open('/f');
    const b = await agent.fs.open('/f');
    expect(a.fd).not.toBe(b.fd);
    expect(a.path).toBe('/f');
    await a.close();
    await a.close();
    await expectRejectErrno(a.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
    await expectRejectErrno(a.write('x'), 'EBADF');
    await expectRejectErrno(a.stat(), 'EBADF');
    await expectRejectErrno(a.truncate(0), 'EBADF');
    await expectRejectErrno(a.sync(), 'EBADF');
    await expectRejectErrno(a.readFile(), 'EBADF');
    await b.close();
  });

  test('await using closes the handle', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'x');
    let handle: FileHandle | undefined;
    {
      await using h = await agent.fs.open('/f');
      handle = h;
    }
    await expectRejectErrno(handle!.stat(), 'EBADF');
  });

  test('bad arguments: negative or fractional offsets and lengths past the buffer are RangeErrors or TypeErrors', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/f', 'abc');
    const h = await agent.fs.open('/f', 'r+');
    const buf = Buffer.alloc(4);
    await expect(h.read(buf, -1, 1, 0)).rejects.toThrow(RangeError);
    await expect(h.read(buf, 0, 5, 0)).rejects.toThrow(RangeError);
    await expect(h.read(buf, 0, 1, -5)).rejects.toThrow(RangeError);
    await expect(h.read(buf, 0.5, 1, 0)).rejects.toThrow(TypeError);
    await expect(h.write(buf, 0, 1, -1)).rejects.toThrow(RangeError);
    await expect(h.write(buf, 5)).rejects.toThrow(RangeError);
    await expect(h.write('x', -2)).rejects.toThrow(RangeError);
    await expect(h.write('x', 2 ** 60)).rejects.toThrow(RangeError);
    await expect(h.write(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(h.truncate(2 ** 60)).rejects.toThrow(RangeError);
    await expectRejectErrno(h.write('x', 2 ** 52), 'ENOSPC');
    expect(await h.readFile('utf8')).toBe('abc');
    await h.close();
  });

  test('a file unlinked while open stays readable through the handle until it is closed', async () => {
    const { agent, dbPath } = t();
    await agent.fs.writeFile('/tmp.dat', 'keep me around');
    const h = await agent.fs.open('/tmp.dat', 'r+');
    await agent.fs.unlink('/tmp.dat');
    expect(await agent.fs.exists('/tmp.dat')).toBe(false);
    const count = (sql: string) => queryOnce<{ n: number }>(dbPath, sql)[0].n;
    expect(count('SELECT COUNT(*) AS n FROM agentos_orphans')).toBe(1);
    expect(await h.readFile('utf8')).toBe('keep me around');
    await h.write('KEEP', 0);
    expect((await h.stat()).nlink).toBe(0);
    expect(await h.readFile('utf8')).toBe('KEEP me around');
    // A new file with the same name is a different file.
    await agent.fs.writeFile('/tmp.dat', 'new');
    expect(await h.readFile('utf8')).toBe('KEEP me around');
    const ino = (await h.stat()).ino;
    await h.close();
    expect(count(`SELECT COUNT(*) AS n FROM fs_inode WHERE ino = ${ino}`)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM fs_data WHERE ino = ' + ino)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM agentos_orphans')).toBe(0);
    expect(await agent.fs.readFile('/tmp.dat', 'utf8')).toBe('new');
  });

  test('a file replaced by rename while open stays readable through the handle', async () => {
    const { agent } = t();
    await agent.fs.writeFile('/config', 'v1');
    const h = await agent.fs.open('/config');
    await agent.fs.writeFile('/config.new', 'v2');
    await agent.fs.rename('/config.new', '/config');
    expect(await h.readFile('utf8')).toBe('v1');
    expect(await agent.fs.readFile('/config', 'utf8')).toBe('v2');
    await h.close();
  });

  test('handles still open when the agent closes fail cleanly afterwards', async () => {
    const { agent, tmp } = t();
    const { AgentOS } = await import('../../src/index.js');
    const other = new AgentOS(tmp.file('second.db'));
    await other.fs.writeFile('/f', 'x');
    const h = await other.fs.open('/f');
    await other.close();
    await expectRejectErrno(h.read(Buffer.alloc(1), 0, 1, 0), 'EBADF');
    await h.close();
    expect(await agent.fs.readdir('/')).toEqual([]);
  });
});
