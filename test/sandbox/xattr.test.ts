/** Extended attributes (user.*) on /agent files, stored in the database. */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

test('user.* attributes behave as on a local filesystem and are stored in the database', async () => {
  const w = workspace();
  const r = w.run([
    'python3',
    '-c',
    `
import os, errno
os.chdir('/agent'); open('f', 'w').write('x'); os.mkdir('d'); os.symlink('f', 'l')
os.setxattr('f', 'user.color', b'blue'); os.setxattr('d', 'user.tag', b'1')
os.setxattr('f', 'user.bin', bytes(range(256)))
print(sorted(os.listxattr('f')), os.getxattr('f', 'user.color'), len(os.getxattr('f', 'user.bin')))
def err(fn):
    try:
        fn(); return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
print(err(lambda: os.setxattr('f', 'user.color', b'red', os.XATTR_CREATE)),
      err(lambda: os.setxattr('f', 'user.none', b'x', os.XATTR_REPLACE)),
      err(lambda: os.getxattr('f', 'user.missing')),
      err(lambda: os.setxattr('l', 'user.x', b'1', follow_symlinks=False)),
      err(lambda: os.removexattr('f', 'user.missing')),
      err(lambda: os.getxattr('f', 'user.' + 'a' * 300)),
      err(lambda: os.setxattr('f', 'user.big', b'x' * 70000)))
os.removexattr('f', 'user.bin')
fd = os.open('f', os.O_RDONLY); print(os.listxattr(fd), os.getxattr(fd, 'user.color')); os.close(fd)
print(os.listxattr('l', follow_symlinks=False))
`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    "['user.bin', 'user.color'] b'blue' 256\nEEXIST ENODATA ENODATA EPERM ENODATA ERANGE E2BIG\n['user.color'] b'blue'\n[]\n",
  );
  const agent = w.open();
  try {
    const rows = await agent.query('SELECT name, hex(value) AS v FROM agentos_xattrs ORDER BY name');
    expect(rows).toEqual([
      { name: 'user.color', v: '626C7565' },
      { name: 'user.tag', v: '31' },
    ]);
  } finally {
    await agent.close();
  }
});

test('attributes survive across runs and go away with their file', () => {
  const w = workspace();
  w.run(['python3', '-c', "import os; open('/agent/k','w'); os.setxattr('/agent/k', 'user.keep', b'v')"]);
  expect(w.run(['python3', '-c', "import os; print(os.getxattr('/agent/k', 'user.keep'))"]).stdout).toBe(
    "b'v'\n",
  );
  w.run(['rm', '/agent/k']);
  const r = w.run(['python3', '-c', "import os; open('/agent/k','w'); print(os.listxattr('/agent/k'))"]);
  expect(r.stdout).toBe('[]\n');
});
