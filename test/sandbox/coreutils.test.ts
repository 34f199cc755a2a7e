/** Everyday shell work inside /agent with coreutils, findutils, grep and sed; checked through the SDK. */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

const SCRIPT = (root: string) => `
set -e
mkdir -p ${root}/a/b/c
echo one > ${root}/a/b/c/f1
echo two >> ${root}/a/b/c/f1
cp -r ${root}/a ${root}/copy
mv ${root}/copy ${root}/moved
sed -i s/one/ONE/ ${root}/a/b/c/f1
ln -s b/c/f1 ${root}/a/link
mkdir ${root}/gone && echo x > ${root}/gone/y && rm -rf ${root}/gone
ls -la ${root}/a | awk '{print $1, $NF}' | tail -n +2
echo ---; find ${root} | sort
echo ---; grep -r two ${root} | sort
echo ---; cat ${root}/a/link
`;

test('absolute paths: every command works and the database has the result', async () => {
  const w = workspace();
  const r = w.run(['bash', '-c', SCRIPT('/agent')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const [ls, find, grep, cat] = r.stdout.split('---\n');
  expect(ls).toMatch(/^drwxr-xr-x \.\n/);
  expect(ls).toMatch(/lrwxrwxrwx b\/c\/f1\n/);
  expect(find.trim().split('\n')).toEqual([
    '/agent',
    '/agent/a',
    '/agent/a/b',
    '/agent/a/b/c',
    '/agent/a/b/c/f1',
    '/agent/a/link',
    '/agent/moved',
    '/agent/moved/b',
    '/agent/moved/b/c',
    '/agent/moved/b/c/f1',
  ]);
  expect(grep).toBe('/agent/a/b/c/f1:two\n/agent/moved/b/c/f1:two\n');
  expect(cat).toBe('ONE\ntwo\n');
  const agent = w.open();
  try {
    expect(await agent.fs.readFile('/a/b/c/f1', 'utf8')).toBe('ONE\ntwo\n');
    expect(await agent.fs.readFile('/moved/b/c/f1', 'utf8')).toBe('one\ntwo\n');
    expect(await agent.fs.exists('/gone')).toBe(false);
    expect(await agent.fs.readlink('/a/link')).toBe('b/c/f1');
  } finally {
    await agent.close();
  }
});

test('after cd /agent: relative paths, pwd, getcwd and cd back out', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    `cd /agent\npwd\n/bin/pwd -P\n${SCRIPT('.')}\ncd a/b\n/bin/pwd\ncd ../..\nls\ncd /\n/bin/pwd`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toBe('/agent');
  expect(lines[1]).toBe('/agent');
  expect(r.stdout).toContain('/agent/a/b\na\nmoved\n/\n');
});

test('a child process and a thread inherit a working directory inside /agent', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    'mkdir -p /agent/w && cd /agent/w && (echo from-subshell > s.txt) && sh -c "pwd; cat s.txt"',
  ]);
  expect(r.stdout).toBe('/agent/w\nfrom-subshell\n');
});
