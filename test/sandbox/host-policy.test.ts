/**
 * The host policy: programs read the host but change it only in /agent, their private TMPDIR,
 * devices and --allow paths; the kernel (Landlock) enforces it, the supervisor closes what
 * Landlock leaves open (attribute changes), and neither the database nor the supervisor nor
 * the cache directory can be touched from inside.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let host: string;

/** Runs each command and prints "allowed: CMD" or "denied: CMD" (stderr silenced). */
const TRY = `try() { if sh -c "$1" 2>/dev/null; then echo "allowed: $1"; else echo "denied: $1"; fi; }`;

beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), 'agentos-policy-'));
  writeFileSync(join(host, 'file'), 'original\n');
  mkdirSync(join(host, 'dir'));
});
afterEach(() => rmSync(host, { recursive: true, force: true }));

function snapshot(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => {
      const p = join(e.parentPath, e.name);
      const st = statSync(p);
      return `${p} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${st.isFile() ? readFileSync(p, 'utf8') : ''}`;
    })
    .sort()
    .join('\n');
}

const CHANGES = (dir: string) => [
  `echo changed > ${dir}/file`,
  `echo new > ${dir}/new`,
  `rm ${dir}/file`,
  `mv ${dir}/file ${dir}/moved`,
  `mkdir ${dir}/newdir`,
  `rmdir ${dir}/dir`,
  `ln -s file ${dir}/symlink`,
  `ln ${dir}/file ${dir}/hardlink`,
  `truncate -s 0 ${dir}/file`,
  `mkfifo ${dir}/fifo`,
  `chmod 600 ${dir}/file`,
  `chown 1:1 ${dir}/file`,
  `touch -d 2001-01-01 ${dir}/file`,
  `setfattr -n user.mark -v 1 ${dir}/file`,
  `chattr +d ${dir}/file`,
];

test('programs read the host but cannot change it outside /agent, TMPDIR and devices', () => {
  const w = workspace();
  const before = snapshot(host);
  const script = [
    TRY,
    `cat ${host}/file`,
    ...CHANGES(host).map((c) => `try '${c}'`),
    `try 'echo ok > /agent/ok && echo ok > "$TMPDIR/ok" && echo ok > /dev/null'`,
  ].join('\n');
  const r = w.run(['bash', '-c', script]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    [
      'original',
      ...CHANGES(host).map((c) => `denied: ${c}`),
      `allowed: echo ok > /agent/ok && echo ok > "$TMPDIR/ok" && echo ok > /dev/null`,
      '',
    ].join('\n'),
  );
  expect(snapshot(host)).toBe(before);
});

test('--allow PATH opens a host path for writing; --allow-host-writes lifts the policy', () => {
  const w = workspace();
  const allowed = w.run(
    [
      'bash',
      '-c',
      [
        TRY,
        ...CHANGES(host)
          .slice(0, 2)
          .map((c) => `try '${c}'`),
      ].join('\n'),
    ],
    {
      runOptions: ['--allow', host],
    },
  );
  expect(allowed.stdout).toBe(
    CHANGES(host)
      .slice(0, 2)
      .map((c) => `allowed: ${c}\n`)
      .join(''),
  );
  expect(readFileSync(join(host, 'new'), 'utf8')).toBe('new\n');
  const unrestricted = w.run(['sh', '-c', `chmod 600 ${host}/file && echo free > ${host}/free`], {
    runOptions: ['--allow-host-writes'],
  });
  expect(unrestricted.status).toBe(0);
  expect(statSync(join(host, 'file')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(host, 'free'), 'utf8')).toBe('free\n');
  const missing = w.run(['true'], { runOptions: ['--allow', join(host, 'absent')] });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toBe(
    `agentos: ENOENT: --allow ${join(host, 'absent')}: no such file or directory\n`,
  );
});

test('TMPDIR is a private directory per run, removed when the run ends; /tmp itself is read-only', () => {
  const w = workspace();
  const script = `${TRY}\necho "$TMPDIR"; try 'echo x > "$TMPDIR/x" && mkdir "$TMPDIR/d"'; try 'echo x > /tmp/agentos-policy-shared-$$'`;
  const first = w.run(['bash', '-c', script]);
  const second = w.run(['bash', '-c', script]);
  const [dirA, ...restA] = first.stdout.trim().split('\n');
  const [dirB] = second.stdout.trim().split('\n');
  expect(dirA).toMatch(/^\/.*agentos-tmp-/);
  expect(dirA).not.toBe(dirB);
  expect(restA[0]).toBe(`allowed: echo x > "$TMPDIR/x" && mkdir "$TMPDIR/d"`);
  expect(restA[1]).toMatch(/^denied: echo x > \/tmp\/agentos-policy-shared-/);
  expect(existsSync(dirA)).toBe(false);
  expect(existsSync(dirB)).toBe(false);
});

test('the database cannot be written, truncated, removed or re-moded from inside', async () => {
  const w = workspace();
  const db = w.db;
  const attacks = [
    `echo junk >> ${db}`,
    `truncate -s 0 ${db}`,
    `rm -f ${db}`,
    `mv ${db} ${db}.moved`,
    `chmod 000 ${db}`,
    `cp /dev/null ${db}-wal`,
  ];
  const r = w.run([
    'bash',
    '-c',
    [TRY, 'echo kept > /agent/kept', ...attacks.map((a) => `try '${a}'`)].join('\n'),
  ]);
  expect(r.stdout).toBe(attacks.map((a) => `denied: ${a}\n`).join(''));
  const agent = w.open();
  try {
    expect(await agent.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await agent.fs.readFile('/kept', 'utf8')).toBe('kept\n');
  } finally {
    await agent.close();
  }
  const refused = w.run(['true'], { runOptions: ['--allow', w.dir] });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`--allow ${w.dir} would let programs write the agent database ${db}`);
});

test('symlinks and .. in /agent never reach a host file the policy forbids', () => {
  const w = workspace();
  const before = snapshot(host);
  const up = '../'.repeat(host.split('/').length);
  const attacks = [
    `echo x > /agent/to-file`,
    `echo x > /agent/to-dir/new`,
    `echo x > /agent/up${host}/file`,
    `echo x > /agent/..${host}/file`,
    `chmod 600 /agent/to-file`,
    `touch -d 2001-01-01 /agent/to-dir/file`,
    `mkdir /agent/to-dir/sub`,
    `rm /agent/to-dir/file`,
  ];
  const script = [
    TRY,
    `ln -s ${host}/file /agent/to-file && ln -s ${host} /agent/to-dir && ln -s ${up} /agent/up && cat /agent/to-file`,
    ...attacks.map((a) => `try '${a}'`),
  ].join('\n');
  const r = w.run(['bash', '-c', script]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(['original', ...attacks.map((a) => `denied: ${a}`), ''].join('\n'));
  expect(snapshot(host)).toBe(before);
});

test('the supervisor process is out of reach: no reading its memory or fds, no signals, no writes', () => {
  const w = workspace();
  // The program's parent is the exec helper; the helper's parent is the supervisor.
  const script = `${TRY}
sup=$(awk '/^PPid:/ {print $2}' /proc/$PPID/status)
[ "$sup" -gt 1 ] && echo "supervisor found"
for c in "cat /proc/$sup/environ" "readlink /proc/$sup/fd/0" "ls /proc/$sup/cwd/" "cat /proc/$sup/mem" "echo x > /proc/$sup/comm" "echo 1000 > /proc/$sup/oom_score_adj" "kill -STOP $sup" "kill -TERM $sup"; do try "$c"; done
echo still running`;
  const r = w.run(['bash', '-c', script]);
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('supervisor found');
  expect(lines.slice(1, -1)).toHaveLength(8);
  for (const line of lines.slice(1, -1)) expect(line).toMatch(/^denied: /);
  expect(lines.at(-1)).toBe('still running');
});

test('the cache directory is invisible by path and cannot be written by any path', () => {
  const w = workspace();
  const cacheParent = mkdtempSync(join(tmpdir(), 'agentos-cacheparent-'));
  try {
    const base = join(cacheParent, `agentos-${process.getuid?.() ?? 0}`);
    const script = `${TRY}
echo content > /agent/f && exec 3</agent/f
ls ${cacheParent}
try 'ls ${base}'
try 'cat ${base}/run-*/f/*'
ln -s ${cacheParent} "$TMPDIR/c"
try 'touch "$TMPDIR"/c/agentos-*/run-*/f/planted'
try 'echo overwrite > "$(ls -d "$TMPDIR"/c/agentos-*/run-*/f/* | head -n1)"'
try 'rm -rf "$TMPDIR"/c/agentos-*/run-*'
cat /agent/f`;
    const r = w.run(['bash', '-c', script], { env: { AGENTOS_CACHE_DIR: cacheParent } });
    expect(r.stdout).toBe(
      [
        `agentos-${process.getuid?.() ?? 0}`,
        `denied: ls ${base}`,
        `denied: cat ${base}/run-*/f/*`,
        `denied: touch "$TMPDIR"/c/agentos-*/run-*/f/planted`,
        `denied: echo overwrite > "$(ls -d "$TMPDIR"/c/agentos-*/run-*/f/* | head -n1)"`,
        `denied: rm -rf "$TMPDIR"/c/agentos-*/run-*`,
        'content',
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(cacheParent, { recursive: true, force: true });
  }
});

test('--no-network refuses internet and raw sockets with EACCES; unix sockets still work', () => {
  const w = workspace();
  const probe = `import socket
for name in ("AF_INET", "AF_INET6", "AF_PACKET", "AF_UNIX"):
    try:
        socket.socket(getattr(socket, name), socket.SOCK_DGRAM).close()
        print(name, "ok")
    except OSError as e:
        print(name, e.errno)`;
  const open = w.run(['python3', '-c', probe]);
  expect(open.stdout).toMatch(/^AF_INET ok\nAF_INET6 (ok|97)\nAF_PACKET (ok|1)\nAF_UNIX ok\n$/);
  const closed = w.run(['python3', '-c', probe], { runOptions: ['--no-network'] });
  expect(closed.stdout).toBe('AF_INET 13\nAF_INET6 13\nAF_PACKET 13\nAF_UNIX ok\n');
});

test('on a kernel without Landlock, agentos run refuses unless --allow-host-writes is given', () => {
  const w = workspace();
  const withoutLandlock = compileFixture('without-landlock');
  const run = (extra: string[]) =>
    spawnSync(
      withoutLandlock,
      [process.execPath, BIN, 'run', '--db', w.db, ...extra, '--', 'sh', '-c', `echo written > ${host}/new`],
      {
        encoding: 'utf8',
      },
    );
  const refused = run([]);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(
    'agentos: ENOTSUP: this kernel does not offer Landlock (Linux 5.13+ with "landlock" among its LSMs), so agentos run cannot keep programs from writing to the host; pass --allow-host-writes to run without that protection\n',
  );
  expect(existsSync(join(host, 'new'))).toBe(false);
  const allowed = run(['--allow-host-writes']);
  expect(allowed.status).toBe(0);
  expect(readFileSync(join(host, 'new'), 'utf8')).toBe('written\n');
});

(process.getuid?.() === 0 ? test : test.skip)(
  'root inside keeps ordinary powers but not those that reach around the policy',
  () => {
    const w = workspace();
    const script = `${TRY}
try 'touch "$TMPDIR/f" && chown 1:1 "$TMPDIR/f" && chmod 4755 "$TMPDIR/f"'
try 'python3 -c "import os; os.chroot(\\"/\\")"'
try 'python3 -c "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); assert libc.mount(b\\"none\\", b\\"${host}/dir\\", b\\"tmpfs\\", 0, None) == 0"'
try 'python3 -c "import ctypes; libc = ctypes.CDLL(None, use_errno=True); assert libc.iopl(3) == 0"'`;
    const r = w.run(['bash', '-c', script]);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `allowed: touch "$TMPDIR/f" && chown 1:1 "$TMPDIR/f" && chmod 4755 "$TMPDIR/f"`,
      `denied: python3 -c "import os; os.chroot(\\"/\\")"`,
      `denied: python3 -c "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); assert libc.mount(b\\"none\\", b\\"${host}/dir\\", b\\"tmpfs\\", 0, None) == 0"`,
      `denied: python3 -c "import ctypes; libc = ctypes.CDLL(None, use_errno=True); assert libc.iopl(3) == 0"`,
    ]);
  },
);
