/** Open files in /agent: unlinked while open, O_TMPFILE + linkat, mmap, locks, /proc/self/fd. */
import { compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;

beforeAll(() => {
  binary = compileFixture('open-files');
});

test('open-file edge cases behave as on a real filesystem and reach the database', async () => {
  const w = workspace();
  const r = w.run([binary]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    [
      'exists after unlink: 0',
      'read unlinked: still here',
      'and more',
      'fstat nlink=0 size=20',
      'linkat tmpfile: 0 ',
      'proc fd link: /agent/mapped',
      'child flock while parent holds: Resource temporarily unavailable',
      'child F_GETLK: rc=0 type=WRLCK pid-is-parent=1',
      '',
    ].join('\n'),
  );
  const agent = w.open();
  try {
    expect((await agent.fs.readFile('/mapped')).subarray(0, 21).toString()).toBe('written through mmap\n');
    expect(await agent.fs.readFile('/named-tmpfile', 'utf8')).toBe('tmpfile content\n');
    expect(await agent.fs.exists('/doomed')).toBe(false);
    expect((await agent.fs.readdir('/')).sort()).toEqual(['lockfile', 'mapped', 'named-tmpfile']);
  } finally {
    await agent.close();
  }
});
