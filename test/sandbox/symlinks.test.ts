/** Symlinks across the mount boundary, in both directions, resolved as on a real mount. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let host: string;

beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), 'agentos-links-'));
  writeFileSync(join(host, 'file'), 'host-data\n');
});
afterEach(() => rmSync(host, { recursive: true, force: true }));

test('symlinks in /agent pointing at host paths, absolute and relative, and .. above /agent', () => {
  const w = workspace();
  const rel = `..${host}/file`;
  const r = w.run(
    [
      'bash',
      '-c',
      `cd /agent && ln -s ${host}/file to-file && ln -s ${host} to-dir && ln -s ${rel} rel
    cat to-file to-dir/file rel /agent/..${host}/file
    echo appended >> to-file; stat -c %F to-file to-dir/file
    cd to-dir && /bin/pwd -P`,
    ],
    { runOptions: ['--allow', host] },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`host-data\nhost-data\nhost-data\nhost-data\nsymbolic link\nregular file\n${host}\n`);
  expect(readFileSync(join(host, 'file'), 'utf8')).toBe('host-data\nappended\n');
});

test('host symlinks made during the run that point into /agent', () => {
  const w = workspace();
  const r = w.run(
    [
      'bash',
      '-c',
      `echo in-agent > /agent/target && mkdir /agent/dir && echo deep > /agent/dir/deep
    ln -s /agent/target ${host}/into && cat ${host}/into && echo more >> ${host}/into
    ln -s /agent ${host}/mount && ls ${host}/mount/ && cat ${host}/mount/dir/deep
    cd ${host} && ln -s ${'../'.repeat(host.split('/').length - 1)}agent/dir reldir && cat reldir/deep
    cat /agent/target`,
    ],
    { runOptions: ['--allow', host] },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('in-agent\ndir\ntarget\ndeep\ndeep\nin-agent\nmore\n');
});

test('a symlink opened with O_PATH|O_NOFOLLOW, again and again: readlinkat(fd, "") and fstat see the link', () => {
  const w = workspace();
  const script = `import os, stat
os.symlink("target-here", "/agent/lnk")
for _ in range(50):
    fd = os.open("/agent/lnk", os.O_PATH | os.O_NOFOLLOW)
    assert os.readlink("", dir_fd=fd) == "target-here"
    assert stat.S_ISLNK(os.stat(fd).st_mode)
    os.close(fd)
print("ok")`;
  const r = w.run(['python3', '-c', script]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('ok\n');
});
