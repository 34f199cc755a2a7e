/**
 * A run is a `run` tool call, and its operation log lists exactly what the scripted program
 * did under /agent, by which process. Writes go through `dd conv=fsync`, so each write-back
 * happens at a known point of the script and the log's order is deterministic.
 */
import { useWorkspace } from '../helpers/sandbox.js';
import type { LogEntry } from '../../src/index.js';

const workspace = useWorkspace();

const SCRIPT = [
  'printf hello | dd of=/agent/a.txt conv=fsync status=none',
  'mkdir /agent/d',
  'mv /agent/a.txt /agent/d/b.txt',
  'chmod 600 /agent/d/b.txt',
  'ln -s b.txt /agent/d/link',
  'printf xyz | dd of=/agent/d/b.txt oflag=append conv=notrunc,fsync status=none',
  'rm /agent/d/link',
  "printf '#!/bin/sh\\necho ran > /agent/ran\\n' | dd of=/agent/s.sh conv=fsync status=none",
  'chmod 755 /agent/s.sh',
  'cat /agent/d/b.txt > /dev/null',
  '/agent/s.sh',
].join('\n');

const ARGV = ['sh', '-c', SCRIPT];

/** [op, path, path2 or detail, argv[0]] of each logged change, in order. */
const EXPECTED_CHANGES = [
  ['create', '/a.txt', '', 'dd'],
  ['write', '/a.txt', '5/5', 'dd'],
  ['mkdir', '/d', '', 'mkdir'],
  ['rename', '/a.txt', '/d/b.txt', 'mv'],
  ['chmod', '/d/b.txt', '600', 'chmod'],
  ['symlink', '/d/link', 'b.txt', 'ln'],
  ['write', '/d/b.txt', '8/8', 'dd'],
  ['unlink', '/d/link', '', 'rm'],
  ['create', '/s.sh', '', 'dd'],
  ['write', '/s.sh', '32/32', 'dd'],
  ['chmod', '/s.sh', '755', 'chmod'],
  ['exec', '/s.sh', '', 'sh'],
  ['create', '/ran', '', '/bin/sh'],
  ['write', '/ran', '4/4', '/bin/sh'],
];

function summarize(e: LogEntry): string[] {
  let detail = e.path2 ?? '';
  if (e.op === 'write') detail = `${e.bytes}/${e.size}`;
  if (e.op === 'chmod') detail = (e.mode ?? 0).toString(8);
  return [e.op, e.path ?? '', detail, e.argv?.[0] ?? ''];
}

test('a run is a tool call, and its log is exactly what the program did', async () => {
  const w = workspace();
  const before = Date.now();
  const r = w.run(ARGV);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const agent = w.open();
  try {
    const calls = await agent.tools.list({ name: 'run' });
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call.status).toBe('success');
    expect(call.parameters).toEqual({ argv: ARGV, cwd: w.dir, mount: '/agent', audit: 'changes' });
    expect(call.startedAt * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(call.completedAt! * 1000).toBeLessThanOrEqual(Date.now());
    expect(call.result).toEqual({
      exitCode: 0,
      audit: 'changes',
      changes: { create: 3, write: 4, mkdir: 1, rename: 1, chmod: 2, symlink: 1, unlink: 1, exec: 1 },
      bytesWritten: 49,
      logged: EXPECTED_CHANGES.length,
    });

    const log = await agent.log({ run: call.id });
    expect(log.map(summarize)).toEqual(EXPECTED_CHANGES);
    // Who did it: the argv of each process, read from /proc once.
    expect(log.find((e) => e.op === 'mkdir')!.argv).toEqual(['mkdir', '/agent/d']);
    expect(log.find((e) => e.op === 'exec')!.argv).toEqual(ARGV);
    expect(log.find((e) => e.path === '/ran')!.argv).toEqual(['/bin/sh', '/agent/s.sh']);
    // Nanosecond times, in order, within the run.
    const times = log.map((e) => e.timeNs);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
    // (Tool-call times are Date.now() milliseconds; log times a monotonic clock: allow 2 ms.)
    expect(times[0]).toBeGreaterThanOrEqual(BigInt(Math.round(call.startedAt * 1000) - 2) * 1_000_000n);
    expect(times[times.length - 1]).toBeLessThanOrEqual(
      BigInt(Math.round(call.completedAt! * 1000) + 2) * 1_000_000n,
    );
    expect(new Set(log.map((e) => e.run))).toEqual(new Set([call.id]));
    expect(log.find((e) => e.op === 'exec')!.pid).not.toBe(log.find((e) => e.op === 'mkdir')!.pid);

    // Filters.
    expect((await agent.log({ path: '/d' })).map((e) => e.op)).toEqual([
      'mkdir',
      'rename',
      'chmod',
      'symlink',
      'write',
      'unlink',
    ]);
    expect((await agent.log({ op: ['create'] })).map((e) => e.path)).toEqual(['/a.txt', '/s.sh', '/ran']);
    expect((await agent.log({ limit: 2 })).map((e) => e.path)).toEqual(['/ran', '/ran']);
    expect(await agent.log({ since: new Date(Date.now() + 60_000) })).toEqual([]);
  } finally {
    await agent.close();
  }
});

test('--audit=all adds reads and stats; --audit=off logs nothing but still records the run', async () => {
  const w = workspace();
  expect(
    w.run(['sh', '-c', 'echo hi > /agent/f; cat /agent/f; ls /agent > /dev/null'], {
      runOptions: ['--audit=all'],
    }).status,
  ).toBe(0);
  expect(
    w.run(['sh', '-c', 'echo again > /agent/g; exit 3'], { runOptions: ['--audit', 'off'] }).status,
  ).toBe(3);
  const agent = w.open();
  try {
    const [off, all] = await agent.tools.list({ name: 'run' });
    const ops = (await agent.log({ run: all.id })).map((e) => `${e.op} ${e.path}`);
    expect(ops).toEqual(expect.arrayContaining(['create /f', 'write /f', 'open /f', 'stat /f', 'open /']));
    expect(ops.filter((o) => !/^(stat|open) /.test(o))).toEqual(['create /f', 'write /f']);
    expect(await agent.log({ run: off.id })).toEqual([]);
    expect(off.status).toBe('error');
    expect(off.error).toBe('exit status 3');
    expect(off.result).toEqual({
      exitCode: 3,
      audit: 'off',
      changes: { create: 1, write: 1 },
      bytesWritten: 6,
      logged: 0,
    });
  } finally {
    await agent.close();
  }
});

test('agentos log and agentos tools list print runs and operations; --json parses', () => {
  const w = workspace();
  expect(w.run(['sh', '-c', 'mkdir /agent/x && echo 1 > /agent/x/one && rm /agent/x/one']).status).toBe(0);
  const tools = w.cli(['tools', 'list', '--json']);
  expect(tools.status).toBe(0);
  const calls = JSON.parse(tools.stdout) as { id: number; name: string }[];
  expect(calls.map((c) => c.name)).toEqual(['run']);
  const text = w.cli(['tools', 'list']);
  expect(text.stdout).toMatch(/\brun\b +success .*"argv":\["sh","-c"/);

  const json = w.cli(['log', '--run', String(calls[0].id), '--json']);
  expect(json.status).toBe(0);
  const entries = JSON.parse(json.stdout) as {
    op: string;
    path: string;
    time: string;
    timeNs: string;
    argv: string[];
  }[];
  expect(entries.map((e) => `${e.op} ${e.path}`)).toEqual([
    'mkdir /x',
    'create /x/one',
    'write /x/one',
    'unlink /x/one',
  ]);
  expect(entries[0].argv).toEqual(['mkdir', '/agent/x']);
  expect(entries[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  expect(BigInt(entries[0].timeNs) % 1_000_000_000n).toBe(BigInt(entries[0].time.slice(20, 29)));

  const table = w.cli(['log', '--op', 'unlink,mkdir']);
  expect(table.stderr).toBe('');
  const lines = table.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^TIME +RUN +PID +COMMAND +OP +PATH +DETAIL$/);
  expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(3, 6))).toEqual([
    ['mkdir /agent/x', 'mkdir', '/x'],
    ['rm /agent/x/one', 'unlink', '/x/one'],
  ]);
  expect(w.cli(['log', '--op', 'bogus']).status).toBe(2);
});
