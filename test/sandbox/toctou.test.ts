/**
 * No TOCTOU: threads flip path buffers between /agent names and names in a forbidden host
 * directory while other threads open, chmod, touch, rename, unlink, mkdir and exec through
 * them. Whatever the interleaving, the forbidden directory must not change, and /agent must
 * hold only what was written through /agent.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;
let forbidden: string;

beforeAll(() => {
  binary = compileFixture('toctou');
});

beforeEach(() => {
  forbidden = mkdtempSync(join(tmpdir(), 'agentos-toctou-'));
  writeFileSync(join(forbidden, 'victim'), 'sentinel victim\n', { mode: 0o644 });
  writeFileSync(join(forbidden, 'renamed'), 'sentinel renamed\n', { mode: 0o644 });
});
afterEach(() => rmSync(forbidden, { recursive: true, force: true }));

function state(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const st = statSync(join(dir, name));
      return `${name} ${st.mode.toString(8)} ${st.mtimeMs} ${st.ctimeMs} ${readFileSync(join(dir, name), 'utf8')}`;
    });
}

type Counts = Record<string, { ok: number; denied: number; missing: number; other: number }>;

function parse(stdout: string): Counts {
  const counts: Counts = {};
  for (const line of stdout.trim().split('\n')) {
    const m = /^(\w+) ok=(\d+) denied=(\d+) missing=(\d+) other=(\d+)$/.exec(line);
    if (!m) throw new Error(`unexpected line: ${line}`);
    counts[m[1]] = { ok: Number(m[2]), denied: Number(m[3]), missing: Number(m[4]), other: Number(m[5]) };
  }
  return counts;
}

test('flipping path buffers never reaches a forbidden host file nor misdirects an /agent call', async () => {
  const w = workspace();
  const before = state(forbidden);
  const hostAgentBefore = existsSync('/agent');
  const script = `mkdir /agent/t && printf '#!/bin/sh\\nexit 42\\n' > /agent/t/prog && chmod +x /agent/t/prog && ${binary} /agent/t ${forbidden} 3`;
  const r = w.run(['sh', '-c', script]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const counts = parse(r.stdout);
  expect(Object.keys(counts)).toEqual(['open', 'chmod', 'utimes', 'rename', 'unlink', 'mkdir', 'exec']);
  for (const [op, c] of Object.entries(counts)) expect({ op, other: c.other }).toEqual({ op, other: 0 });
  // Both sides of every race were exercised: calls landed in /agent, and were refused on the host.
  for (const op of ['open', 'chmod', 'utimes'])
    expect({ op, landed: counts[op].ok > 0 }).toEqual({ op, landed: true });
  for (const op of ['open', 'chmod', 'utimes', 'rename', 'unlink', 'mkdir']) {
    expect({ op, refused: counts[op].denied > 0 }).toEqual({ op, refused: true });
  }
  expect(counts.exec.ok).toBeGreaterThan(0);
  expect(counts.exec.missing).toBeGreaterThan(0);

  expect(state(forbidden)).toEqual(before);
  expect(existsSync('/agent')).toBe(hostAgentBefore);
  const agent = w.open();
  try {
    expect(await agent.fs.readdir('/')).toEqual(['t']);
    const names = await agent.fs.readdir('/t');
    for (const name of names) expect(['prog', 'victim', 'renamed', 'newdir']).toContain(name);
    for (const name of names.filter((n) => n === 'victim' || n === 'renamed')) {
      expect(['', 'agent\n']).toContain(await agent.fs.readFile(`/t/${name}`, 'utf8'));
    }
    expect(await agent.fs.readFile('/t/prog', 'utf8')).toBe('#!/bin/sh\nexit 42\n');
  } finally {
    await agent.close();
  }
});
