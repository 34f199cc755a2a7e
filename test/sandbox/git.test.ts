/** git init, add, commit, status, log and diff in a repository under /agent. */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

test('a git repository lives in /agent', async () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    `set -e
    mkdir /agent/repo && cd /agent/repo
    git init -q . && git config user.email agent@example.com && git config user.name agent
    echo hello > README && mkdir src && echo 'int main(void){return 0;}' > src/main.c
    git add -A && git commit -qm first
    echo more >> README
    git status --short
    git diff --stat
    git commit -qam second
    git log --format=%s
    git fsck --strict 2>&1 | grep -c error || true`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(' M README\n README | 1 +\n 1 file changed, 1 insertion(+)\nsecond\nfirst\n0\n');
  const agent = w.open();
  try {
    expect(await agent.fs.readFile('/repo/README', 'utf8')).toBe('hello\nmore\n');
    expect((await agent.fs.readdir('/repo/.git')).includes('objects')).toBe(true);
  } finally {
    await agent.close();
  }
});

test('git works with the repository opened by absolute path (git -C)', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    'git init -q /agent/r2 && echo x > /agent/r2/f && git -C /agent/r2 add f && git -C /agent/r2 -c user.name=a -c user.email=a@b commit -qm c && git -C /agent/r2 log --format=%s',
  ]);
  expect(r.stdout).toBe('c\n');
});
