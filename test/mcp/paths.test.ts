/** Client paths (Workspace) and glob patterns, without a server. */
import { Workspace } from '../../src/mcp/workspace.js';
import { globToRegExp } from '../../src/mcp/glob.js';
import { AgentOSError } from '../../src/errors.js';

describe('Workspace', () => {
  const ws = new Workspace('/agent');

  test.each([
    ['notes/a.txt', '/notes/a.txt'],
    ['/agent/notes/a.txt', '/notes/a.txt'],
    ['/agent', '/'],
    ['/agent/', '/'],
    ['.', '/'],
    ['a/./b//c/', '/a/b/c'],
    ['a/../b', '/b'],
    ['/agent/a/..', '/'],
  ])('%s is %s', (given, expected) => {
    expect(ws.resolve(given)).toBe(expected);
  });

  test.each(['/etc/passwd', '/agentx', '/', '..', 'a/../../b', '/agent/../etc'])('%s is outside', (given) => {
    expect(() => ws.resolve(given)).toThrow(/outside the agent filesystem/);
  });

  test('empty paths and NUL bytes', () => {
    expect(() => ws.resolve('')).toThrow(/must not be empty/);
    expect(() => ws.resolve('a\0b')).toThrow(/NUL/);
  });

  test('errors name paths the way the client gave them', () => {
    expect(ws.show('/')).toBe('/agent');
    expect(ws.show('/a/b')).toBe('/agent/a/b');
    const e = new AgentOSError('ENOENT', { syscall: 'rename', path: '/a', dest: '/b' });
    expect(ws.describe(e)).toBe("ENOENT: no such file or directory, rename '/agent/a' -> '/agent/b'");
    expect(new Workspace('/work').show('/x')).toBe('/work/x');
  });
});

describe('globToRegExp', () => {
  const matches = (pattern: string, path: string) => globToRegExp(pattern).test(path);

  test('a pattern without a slash matches names at any depth', () => {
    expect(matches('*.py', 'main.py')).toBe(true);
    expect(matches('*.py', 'src/lib/util.py')).toBe(true);
    expect(matches('*.py', 'main.pyc')).toBe(false);
    expect(matches('util.?y', 'src/util.py')).toBe(true);
  });

  test('* and ? stay within a component; ** spans any number', () => {
    expect(matches('src/*.ts', 'src/a.ts')).toBe(true);
    expect(matches('src/*.ts', 'src/x/a.ts')).toBe(false);
    expect(matches('src/**/*.ts', 'src/a.ts')).toBe(true);
    expect(matches('src/**/*.ts', 'src/x/y/a.ts')).toBe(true);
    expect(matches('src/**', 'src/x/y')).toBe(true);
    expect(matches('**/test/*', 'a/b/test/c')).toBe(true);
    expect(matches('a?c/x', 'a/c/x')).toBe(false);
  });

  test('classes, alternatives, escapes and leading ./', () => {
    expect(matches('file[0-9].txt', 'file7.txt')).toBe(true);
    expect(matches('file[!0-9].txt', 'file7.txt')).toBe(false);
    expect(matches('file[!0-9].txt', 'filex.txt')).toBe(true);
    expect(matches('*.{md,txt}', 'docs/readme.md')).toBe(true);
    expect(matches('*.{md,txt}', 'docs/readme.rst')).toBe(false);
    expect(matches('./src/*.c', 'src/a.c')).toBe(true);
    expect(matches('a+b(c).txt', 'a+b(c).txt')).toBe(true);
    expect(matches('\\*.txt', '*.txt')).toBe(true);
    expect(matches('\\*.txt', 'a.txt')).toBe(false);
  });

  test('bad patterns', () => {
    expect(() => globToRegExp('')).toThrow(/must not be empty/);
    expect(() => globToRegExp('{a,b')).toThrow(/unclosed/);
  });
});
