/** Executing files that live in /agent: scripts, ELF binaries built there, PATH lookup, errors. */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

const SETUP = `
mkdir -p /agent/bin
printf '#!/bin/bash\\necho bash-script $0 $1\\n' > /agent/bin/s1 && chmod +x /agent/bin/s1
printf '#!/usr/bin/env python3\\nimport sys; print("py-script", sys.argv)\\n' > /agent/bin/s2 && chmod +x /agent/bin/s2
printf 'echo no-shebang $0\\n' > /agent/bin/s3 && chmod +x /agent/bin/s3
printf '#!/bin/sh\\necho never\\n' > /agent/bin/s4
printf '#!/agent/bin/s1\\n' > /agent/bin/s5 && chmod +x /agent/bin/s5
printf '\\177ELF-not-really' > /agent/bin/s6 && chmod +x /agent/bin/s6
printf '#include <stdio.h>\\n#include <unistd.h>\\nint main(int c, char **v) { char b[256] = {0}; readlink("/proc/self/exe", b, 255); printf("elf argv0=%%s exe=%%s\\\\n", v[0], b); return 0; }\\n' > /agent/hello.c
gcc -w -o /agent/hello /agent/hello.c
`;

test('#! scripts (bash, env python3), a script without #! from bash, and an ELF built in /agent', () => {
  const w = workspace();
  const r = w.run([
    'bash',
    '-c',
    `${SETUP}
    /agent/bin/s1 abs; /agent/bin/s2 x; /agent/bin/s3; /agent/hello
    cd /agent && bin/s1 rel && ./hello
    cd bin && ./s1 here
    PATH=/agent/bin:$PATH s1 viapath`,
  ]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    [
      'bash-script /agent/bin/s1 abs',
      "py-script ['/agent/bin/s2', 'x']",
      'no-shebang /agent/bin/s3',
      'elf argv0=/agent/hello exe=/agent/hello',
      'bash-script bin/s1 rel',
      'elf argv0=./hello exe=/agent/hello',
      'bash-script ./s1 here',
      'bash-script /agent/bin/s1 viapath',
      '',
    ].join('\n'),
  );
});

test("the exec bit is honoured, and errors are the kernel's", () => {
  const w = workspace();
  const r = w.run([
    'python3',
    '-c',
    `
import os, errno, subprocess
subprocess.run(['bash', '-c', ${JSON.stringify(SETUP)}], check=True)
for path in ['/agent/bin/s4', '/agent/missing', '/agent/bin', '/agent/bin/s6', '/agent/bin/s5']:
    try:
        os.execv(path, [path]) if path == '' else subprocess.run([path], check=True, capture_output=True)
        print(path, 'ran')
    except OSError as e:
        print(path, errno.errorcode[e.errno])
    except subprocess.CalledProcessError as e:
        print(path, 'exit', e.returncode, e.stdout.decode().strip())
`,
  ]);
  expect(r.stdout).toBe(
    [
      '/agent/bin/s4 EACCES',
      '/agent/missing ENOENT',
      '/agent/bin EACCES',
      '/agent/bin/s6 ENOEXEC',
      '/agent/bin/s5 ran',
      '',
    ].join('\n'),
  );
});

test('without ptrace, other calls work and exec from /agent fails with a clear message', () => {
  const w = workspace();
  const r = w.run(
    [
      'bash',
      '-c',
      "printf '#!/bin/sh\\necho hi\\n' > /agent/s && chmod +x /agent/s && cat /agent/s && /agent/s; echo exit=$?",
    ],
    {
      runOptions: ['--no-ptrace'],
    },
  );
  expect(r.stdout).toBe('#!/bin/sh\necho hi\nexit=126\n');
  expect(r.stderr).toContain('agentos: cannot execute /agent/s: the sandbox runs without ptrace\n');
});
