import { useTestVfs, root, expectErrno } from '../helpers/temp-db.js';
import { writeFile, names } from '../helpers/vfs-files.js';
import { EscapeToHost } from '../../src/vfs/path-walk.js';
import { isDirectory, isSymlink } from '../../src/vfs/constants.js';

describe('path walk', () => {
  const t = useTestVfs();

  test('"." and ".." are resolved against the real tree, not lexically', () => {
    const { vfs } = t();
    vfs.mkdir('/x', 0o755, root);
    const y = vfs.mkdir('/x/y', 0o755, root);
    vfs.mkdir('/a', 0o755, root);
    vfs.symlink('/x/y', '/a/l', root);
    const x = vfs.stat('/x', root);
    // Lexically "/a/l/.." would be "/a"; the kernel goes to the parent of the link's target.
    expect(vfs.stat('/a/l/..', root).ino).toBe(x.ino);
    expect(vfs.stat('/a/l/.', root).ino).toBe(y.ino);
    expect(vfs.stat('/x/./y/../y/.', root).ino).toBe(y.ino);
  });

  test('".." at the root stays at the root', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    expect(vfs.stat('/..', root).ino).toBe(1);
    expect(vfs.stat('/../../d/../..', root).ino).toBe(1);
    expect(vfs.stat('/../d', root).ino).toBe(vfs.stat('/d', root).ino);
  });

  test('repeated slashes are one separator; "/" and a run of slashes name the root', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    writeFile(vfs, '/d/f', 'x');
    expect(vfs.stat('//d///f', root).size).toBe(1);
    expect(vfs.stat('/', root).ino).toBe(1);
    expect(vfs.stat('/'.repeat(4095), root).ino).toBe(1);
  });

  test('a trailing slash requires a directory', () => {
    const { vfs } = t();
    vfs.mkdir('/dir', 0o755, root);
    writeFile(vfs, '/file', 'x');
    expect(isDirectory(vfs.stat('/dir/', root).mode)).toBe(true);
    expect(isDirectory(vfs.stat('/dir/.', root).mode)).toBe(true);
    expectErrno(() => vfs.stat('/file/', root), 'ENOTDIR');
    expectErrno(() => vfs.stat('/file/.', root), 'ENOTDIR');
    expectErrno(() => vfs.stat('/file/', root, 'nofollow'), 'ENOTDIR');
  });

  test('a trailing slash makes lstat follow a symlink to a directory', () => {
    const { vfs } = t();
    vfs.mkdir('/dir', 0o755, root);
    writeFile(vfs, '/file', 'x');
    vfs.symlink('dir', '/ldir', root);
    vfs.symlink('file', '/lfile', root);
    expect(isSymlink(vfs.stat('/ldir', root, 'nofollow').mode)).toBe(true);
    expect(isDirectory(vfs.stat('/ldir/', root, 'nofollow').mode)).toBe(true);
    expectErrno(() => vfs.stat('/lfile/', root, 'nofollow'), 'ENOTDIR');
    expectErrno(() => vfs.stat('/lfile/', root), 'ENOTDIR');
  });

  test('a file used as a directory gives ENOTDIR, a missing directory ENOENT', () => {
    const { vfs } = t();
    writeFile(vfs, '/file', 'x');
    expectErrno(() => vfs.stat('/file/x', root), 'ENOTDIR');
    expectErrno(() => vfs.stat('/file/x/y', root), 'ENOTDIR');
    expectErrno(() => vfs.stat('/missing/x', root), 'ENOENT');
    expectErrno(() => vfs.stat('/missing', root), 'ENOENT');
  });

  test("relative symlink targets start at the link's directory, absolute ones at the root", () => {
    const { vfs } = t();
    vfs.mkdir('/a', 0o755, root);
    vfs.mkdir('/a/b', 0o755, root);
    writeFile(vfs, '/a/b/f', 'inner');
    writeFile(vfs, '/f', 'outer');
    vfs.symlink('b/f', '/a/rel', root);
    vfs.symlink('/f', '/a/abs', root);
    vfs.symlink('../f', '/a/up', root);
    expect(vfs.stat('/a/rel', root).size).toBe(5);
    expect(vfs.stat('/a/abs', root).size).toBe(5);
    expect(vfs.stat('/a/abs', root).ino).toBe(vfs.stat('/f', root).ino);
    expect(vfs.stat('/a/up', root).ino).toBe(vfs.stat('/f', root).ino);
  });

  test('absolute targets under the mount point name the agent filesystem itself', () => {
    const { vfs } = t();
    writeFile(vfs, '/data', 'd');
    vfs.symlink('/agent/data', '/l', root);
    expect(vfs.stat('/l', root).ino).toBe(vfs.stat('/data', root).ino);
  });

  test('symlinks in the middle of a path are followed', () => {
    const { vfs } = t();
    vfs.mkdir('/real', 0o755, root);
    writeFile(vfs, '/real/f', 'x');
    vfs.symlink('/real', '/via', root);
    vfs.symlink('via', '/via2', root);
    expect(vfs.stat('/via2/f', root).ino).toBe(vfs.stat('/real/f', root).ino);
    expect(names(vfs, '/via2')).toEqual(['f']);
  });

  test('40 symlinks in a row resolve, the 41st gives ELOOP', () => {
    const { vfs } = t();
    writeFile(vfs, '/target', 'x');
    let previous = 'target';
    for (let i = 0; i < 41; i++) {
      vfs.symlink(previous, `/l${i}`, root);
      previous = `l${i}`;
    }
    expect(vfs.stat('/l39', root).ino).toBe(vfs.stat('/target', root).ino);
    expectErrno(() => vfs.stat('/l40', root), 'ELOOP');
    // lstat does not follow the last link, so it still works.
    expect(isSymlink(vfs.stat('/l40', root, 'nofollow').mode)).toBe(true);
  });

  test('symlink loops give ELOOP wherever they are in the path', () => {
    const { vfs } = t();
    vfs.symlink('self', '/self', root);
    vfs.symlink('b', '/a', root);
    vfs.symlink('a', '/b', root);
    expectErrno(() => vfs.stat('/self', root), 'ELOOP');
    expectErrno(() => vfs.stat('/a', root), 'ELOOP');
    expectErrno(() => vfs.stat('/a/x', root), 'ELOOP');
    expectErrno(() => vfs.stat('/self/x', root, 'nofollow'), 'ELOOP');
    expect(isSymlink(vfs.stat('/self', root, 'nofollow').mode)).toBe(true);
  });

  test('a dangling symlink gives ENOENT when followed', () => {
    const { vfs } = t();
    vfs.symlink('/nowhere', '/dangling', root);
    expectErrno(() => vfs.stat('/dangling', root), 'ENOENT');
    expect(isSymlink(vfs.stat('/dangling', root, 'nofollow').mode)).toBe(true);
  });

  test('a name of 255 bytes is fine, 256 bytes give ENAMETOOLONG', () => {
    const { vfs } = t();
    expectErrno(() => vfs.stat('/' + 'a'.repeat(255), root), 'ENOENT');
    writeFile(vfs, '/' + 'a'.repeat(255), 'x');
    expect(vfs.stat('/' + 'a'.repeat(255), root).size).toBe(1);
    expectErrno(() => vfs.stat('/' + 'a'.repeat(256), root), 'ENAMETOOLONG');
    expectErrno(() => writeFile(vfs, '/' + 'a'.repeat(256), 'x'), 'ENAMETOOLONG');
    expectErrno(() => vfs.mkdir('/' + 'a'.repeat(256), 0o755, root), 'ENAMETOOLONG');
  });

  test('name length is counted in UTF-8 bytes', () => {
    const { vfs } = t();
    // 'é' is 2 bytes: 127 of them plus one ASCII byte is 255 bytes; 128 of them is 256.
    writeFile(vfs, '/' + 'é'.repeat(127) + 'a', 'x');
    expectErrno(() => writeFile(vfs, '/' + 'é'.repeat(128), 'x'), 'ENAMETOOLONG');
    // '😀' is 4 bytes (two UTF-16 units): 63 of them are 252 bytes, 64 are 256.
    writeFile(vfs, '/' + '😀'.repeat(63), 'x');
    expectErrno(() => writeFile(vfs, '/' + '😀'.repeat(64), 'x'), 'ENAMETOOLONG');
  });

  test('a path of 4095 bytes is fine, 4096 bytes give ENAMETOOLONG', () => {
    const { vfs } = t();
    const path4095 = '/' + 'a/'.repeat(2046) + 'bc';
    expect(Buffer.byteLength(path4095)).toBe(4095);
    expectErrno(() => vfs.stat(path4095, root), 'ENOENT');
    const path4096 = path4095 + 'd';
    expectErrno(() => vfs.stat(path4096, root), 'ENAMETOOLONG');
    // Multi-byte characters count as their bytes.
    const wide = '/' + 'é/'.repeat(1365);
    expect(Buffer.byteLength(wide)).toBe(4096);
    expectErrno(() => vfs.stat(wide, root), 'ENAMETOOLONG');
  });

  test('a NUL byte anywhere in a path gives EINVAL', () => {
    const { vfs } = t();
    writeFile(vfs, '/f', 'x');
    expectErrno(() => vfs.stat('/f\0', root), 'EINVAL');
    expectErrno(() => vfs.stat('/f\0/x', root), 'EINVAL');
    expectErrno(() => vfs.mkdir('/a\0b', 0o755, root), 'EINVAL');
    expectErrno(() => vfs.symlink('a\0b', '/l', root), 'EINVAL');
    expectErrno(() => vfs.rename('/f', '/g\0', root), 'EINVAL');
  });

  test('an empty path gives ENOENT', () => {
    const { vfs } = t();
    expectErrno(() => vfs.stat('', root), 'ENOENT');
    expectErrno(() => vfs.mkdir('', 0o755, root), 'ENOENT');
  });

  test('names are compared as bytes: precomposed and decomposed "é" are different names', () => {
    const { vfs } = t();
    const precomposed = '/caf\u00e9';
    const decomposed = '/cafe\u0301';
    writeFile(vfs, precomposed, 'one');
    expectErrno(() => vfs.stat(decomposed, root), 'ENOENT');
    writeFile(vfs, decomposed, 'three');
    expect(vfs.stat(precomposed, root).size).toBe(3);
    expect(vfs.stat(decomposed, root).size).toBe(5);
    expect(names(vfs, '/').sort()).toEqual(['caf\u00e9', 'cafe\u0301'].sort());
    writeFile(vfs, '/Case', 'A');
    expectErrno(() => vfs.stat('/case', root), 'ENOENT');
  });

  test("relative paths start at the caller's base directory", () => {
    const { vfs } = t();
    const dir = vfs.mkdir('/dir', 0o755, root);
    vfs.mkdir('/dir/sub', 0o755, root);
    writeFile(vfs, '/dir/sub/f', 'x');
    const caller = { cred: root.cred, base: dir.ino };
    expect(vfs.stat('sub/f', caller).ino).toBe(vfs.stat('/dir/sub/f', root).ino);
    expect(vfs.stat('..', caller).ino).toBe(1);
    expect(vfs.stat('.', caller).ino).toBe(dir.ino);
    // An absolute path ignores the base.
    expect(vfs.stat('/dir', caller).ino).toBe(dir.ino);
  });

  test('resolve reports a missing last component with its parent', () => {
    const { vfs } = t();
    const dir = vfs.mkdir('/dir', 0o755, root);
    const r = vfs.resolve('/dir/new', root);
    expect(r.inode).toBeUndefined();
    expect(r.parent.ino).toBe(dir.ino);
    expect(r.name).toBe('new');
    expect(vfs.resolve('/', root).lastKind).toBe('root');
    expect(vfs.resolve('/dir/.', root).lastKind).toBe('dot');
    expect(vfs.resolve('/dir/..', root).lastKind).toBe('dotdot');
  });
});

describe('path walk in the sandbox (paths may leave the agent filesystem)', () => {
  const t = useTestVfs({ mountPoint: '/agent', escapes: true });

  function escapeOf(fn: () => unknown): string {
    try {
      fn();
    } catch (e) {
      if (e instanceof EscapeToHost) return e.hostPath;
      throw e;
    }
    throw new Error('expected the path to escape to the host');
  }

  test('".." above the root leaves for the host directory holding the mount point', () => {
    const { vfs } = t();
    expect(escapeOf(() => vfs.stat('/..', root))).toBe('/');
    expect(escapeOf(() => vfs.stat('/../etc/passwd', root))).toBe('/etc/passwd');
  });

  test('an absolute symlink target outside the mount point is a host path', () => {
    const { vfs } = t();
    vfs.mkdir('/d', 0o755, root);
    vfs.symlink('/etc', '/d/etc', root);
    vfs.symlink('/agent/d', '/inside', root);
    expect(escapeOf(() => vfs.stat('/d/etc/passwd', root))).toBe('/etc/passwd');
    expect(vfs.stat('/inside', root).ino).toBe(vfs.stat('/d', root).ino);
  });
});

describe('names that are not valid UTF-16', () => {
  const t = useTestVfs();

  test('a lone surrogate is stored as U+FFFD (what Node writes to Linux), and the cache agrees', () => {
    const { vfs } = t();
    writeFile(vfs, '/\ud800', 'x');
    expect(names(vfs, '/')).toEqual(['\ufffd']);
    // Looked up after the listing filled the cache: the same name, the same file.
    expect(vfs.stat('/\ud800', root).size).toBe(1);
    expect(vfs.stat('/\ufffd', root).size).toBe(1);
    expect(vfs.stat('/\udc00', root).ino).toBe(vfs.stat('/\ud800', root).ino);
    vfs.symlink('/\ud800', '/link', root);
    expect(vfs.readlink('/link', root)).toBe('/\ufffd');
    expect(vfs.stat('/link', root, 'nofollow').size).toBe(4);
    expect(t().reopen().vfs.readlink('/link', root)).toBe('/\ufffd');
  });
});
