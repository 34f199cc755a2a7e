/**
 * Every kind of process working in /agent: threads, fork, vfork, clone with and without
 * CLONE_FS, posix_spawn, pipelines, background jobs, subshells, xargs -P4 and make -j4.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;
let project: string;

beforeAll(() => {
  binary = compileFixture('processes');
  project = mkdtempSync(join(tmpdir(), 'agentos-make-'));
  mkdirSync(join(project, 'src'));
  writeFileSync(
    join(project, 'Makefile'),
    'OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))\napp: $(OBJS)\n\t$(CC) -o $@ $^\n%.o: %.c\n\t$(CC) -c -O1 -o $@ $<\n',
  );
  for (let i = 1; i <= 8; i++)
    writeFileSync(join(project, 'src', `f${i}.c`), `int f${i}(void){return ${i};}\n`);
  writeFileSync(
    join(project, 'src', 'main.c'),
    'int f1(void);int f2(void);\nint main(void){return f1()+f2()-3;}\n',
  );
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

test('threads, vfork, posix_spawn and clone with and without CLONE_FS', async () => {
  const w = workspace();
  const r = w.run(['sh', '-c', `mkdir /agent/th && ${binary} /agent/th`]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    'vfork status 0\nposix_spawn status 0\nafter CLONE_FS child chdir: /agent/th/sub (status 0)\nafter plain clone child chdir: /agent/th\n',
  );
  const agent = w.open();
  try {
    const names = await agent.fs.readdir('/th');
    expect(names.filter((n) => n.startsWith('t')).length).toBe(200);
    expect(await agent.fs.readFile('/th/t3-49', 'utf8')).toBe('thread 3 file 49\n');
    expect(await agent.fs.readFile('/th/vf', 'utf8')).toBe('vforked\n');
    expect(await agent.fs.readFile('/th/ps', 'utf8')).toBe('spawned\n');
  } finally {
    await agent.close();
  }
});

test('make -j4 builds a C project inside /agent', async () => {
  const w = workspace();
  const r = w.run([
    'sh',
    '-c',
    `cp -r ${project} /agent/proj && make -s -j4 -C /agent/proj && /agent/proj/app; echo "app exit $?"`,
  ]);
  expect(r.stdout).toBe('app exit 0\n');
  const agent = w.open();
  try {
    expect((await agent.fs.readdir('/proj/src')).filter((n) => n.endsWith('.o')).length).toBe(9);
    expect((await agent.fs.stat('/proj/app')).mode & 0o111).not.toBe(0);
  } finally {
    await agent.close();
  }
});

test('pipelines, subshells, background jobs and xargs -P4', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    `seq 1 40 | xargs -P4 -I{} sh -c 'echo {} > /agent/x{}'
    ls /agent | grep -c '^x'
    cat /agent/x7 | tr 7 S | cat > /agent/piped; cat /agent/piped
    (cd /agent && echo sub > s && pwd); case $(pwd) in /agent*) echo inside;; *) echo outside;; esac
    for i in 1 2 3; do (echo bg$i > /agent/bg$i) & done; wait; cat /agent/bg1 /agent/bg2 /agent/bg3`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('40\nS\n/agent\noutside\nbg1\nbg2\nbg3\n');
});

test('a storm of short-lived children ends with the run (their exits may be seen before their fork events)', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    'for i in $(seq 300); do (exit 0) & /bin/true & done; wait; echo storm-done',
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('storm-done\n');
  expect(r.status).toBe(0);
});
