/** Programs that only touch host paths behave exactly as they do without the sandbox. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostDir, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

const SCRIPT = `
set -e
cd "$1"
mkdir -p x/y && echo data > x/y/f && ln -s y/f x/link && ln x/y/f x/hard
cp -a x z && mv z/y z/w && chmod 600 z/w/f && touch -d 2020-01-01 z/w/f
tar -cf t.tar x z && mkdir u && tar -C u -xf t.tar
find . | sort
stat -c '%n %A %h %s' x/y/f x/link z/w/f u/x/hard | sort
python3 -c "import os; os.chdir('u'); print(sorted(os.listdir('.')), os.path.realpath('x/link').endswith('x/y/f'))"
rm -rf x z u t.tar; ls -A
`;

test('a host-only script prints exactly what it prints natively', () => {
  const w = workspace();
  const nativeDir = hostDir();
  const sandboxDir = hostDir();
  try {
    const native = execFileSync('bash', ['-c', SCRIPT, 'script', nativeDir], { encoding: 'utf8' });
    const r = w.run(['bash', '-c', SCRIPT, 'script', sandboxDir], { runOptions: ['--allow', sandboxDir] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(native);
    expect(native).toContain('./u/x/link');
  } finally {
    rmSync(nativeDir, { recursive: true, force: true });
    rmSync(sandboxDir, { recursive: true, force: true });
  }
});

test('host paths are untouched: /agent writes never land on the host', () => {
  const w = workspace();
  const r = w.run([
    'sh',
    '-c',
    'echo secret > /agent/only-in-db; ls /agent; test ! -e /agent-nothing && echo ok',
  ]);
  expect(r.stdout).toBe('only-in-db\nok\n');
  expect(execFileSync('sh', ['-c', 'ls -d /agent 2>/dev/null || echo absent'], { encoding: 'utf8' })).toBe(
    'absent\n',
  );
});
