/**
 * Calls interrupted by signals: with SA_RESTART the kernel's restart semantics hold (no
 * replayed O_EXCL create failing with EEXIST, no stray errors); descendants that outlive the
 * command are ended, or waited for with --wait, and their files are written back.
 */
import { compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;

beforeAll(() => {
  binary = compileFixture('signals');
});

test('a 50 us interval timer does not make any call fail, with or without SA_RESTART', () => {
  const w = workspace();
  const r = w.run([
    'sh',
    '-c',
    `mkdir /agent/s && ${binary} /agent/s restart && ${binary} /agent/s norestart`,
  ]);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toBe('SA_RESTART: eexist=0 other=0 alarms>100=1 eintr-retried=none');
  expect(lines[1]).toMatch(/^no-restart: eexist=0 other=0 alarms>100=1 eintr-retried=(some|none)$/);
});

test('background descendants are ended when the command exits, unless --wait', () => {
  const w = workspace();
  const script = '(sleep 0.3; echo late > /agent/late) & nohup sleep 30 >/dev/null 2>&1 & echo started';
  expect(w.run(['sh', '-c', script]).stdout).toBe('started\n');
  expect(w.run(['sh', '-c', 'test -e /agent/late && echo present || echo absent']).stdout).toBe('absent\n');
  const waited = w.run(['sh', '-c', script.replace('sleep 30', 'sleep 2')], { runOptions: ['--wait'] });
  expect(waited.stderr).toBe('');
  expect(waited.stdout).toBe('started\n');
  expect(w.run(['cat', '/agent/late']).stdout).toBe('late\n');
});

test('a descendant that ignores SIGTERM is killed after --grace-ms', () => {
  const w = workspace();
  const started = Date.now();
  const r = w.run(['sh', '-c', '(trap "" TERM HUP; sleep 30) & echo started'], {
    runOptions: ['--grace-ms', '200'],
  });
  expect(r.stdout).toBe('started\n');
  expect(Date.now() - started).toBeLessThan(20_000);
});
