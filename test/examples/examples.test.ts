/**
 * Every example in examples/ runs as a user runs it (`node examples/NAME.mjs DB`, importing
 * 'agentos-sdk' from the built package) and prints what its README section says; the documents'
 * tables of contents and section links lead where they say.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentOS } from '../../src/index.js';

// Spawning node takes seconds on a loaded machine: generous limits, no timing assertions.
(import.meta as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(300_000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentos-example-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function example(name: string, db = join(dir, 'agent.db')): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'examples', `${name}.mjs`), db], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`examples/${name}.mjs exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function withAgent<T>(fn: (agent: AgentOS) => Promise<T>): Promise<T> {
  const agent = new AgentOS(join(dir, 'agent.db'), { create: false });
  try {
    return await fn(agent);
  } finally {
    await agent.close();
  }
}

test('agent-loop: state in kv, a report file, every tool call recorded; a second run resumes and finds nothing to do', async () => {
  const out = example('agent-loop');
  expect(out).toContain('step 1: fetch_page {"url":"https://example.com/agents"} -> ok');
  expect(out).toContain('step 5: fetch_page {"url":"https://example.com/missing"} -> error: 404 Not Found');
  expect(out).toContain('step 6: save_note {"path":"/reports/summary.md"} -> ok');
  expect(out).toMatch(
    /fetch_page: 3 \(1 failed\)\n {2}count_words: 2 \(0 failed\)\n {2}save_note: 1 \(0 failed\)/,
  );
  await withAgent(async (agent) => {
    expect(await agent.fs.readFile('/reports/summary.md', 'utf8')).toBe(
      '# research\n\n' +
        '- https://example.com/agents: 10 words, most used: agents, act, and\n' +
        '- https://example.com/sqlite: 8 words, most used: a, database, engine\n' +
        '- https://example.com/missing: failed (404 Not Found: https://example.com/missing)\n',
    );
    expect(await agent.kv.get('loop:state')).toMatchObject({ step: 6, reportWritten: true });
    const calls = await agent.tools.list();
    expect(calls).toHaveLength(6);
    expect(calls.every((c) => c.status !== 'pending')).toBe(true);
    expect(calls.find((c) => c.status === 'error')).toMatchObject({
      name: 'fetch_page',
      parameters: { url: 'https://example.com/missing' },
      error: '404 Not Found: https://example.com/missing',
    });
  });
  const again = example('agent-loop');
  expect(again).toMatch(/^Nothing left to do \(state from kv 'loop:state'\)/);
  expect(again).not.toContain('step ');
  await withAgent(async (agent) => expect(await agent.tools.list()).toHaveLength(6));
});

test('run-untrusted-code: a script written with the SDK runs in the sandbox; results come back through the SDK', async () => {
  const out = example('run-untrusted-code');
  expect(out).toBe(
    [
      'exit code: 0',
      'stdout: 3 regions, best: east',
      'stderr: a warning for stderr',
      'result.json: totals {"east":200,"north":165,"south":95}, best east',
      'a failing script: exit code 1, stderr: bad input',
      'a runaway script: timed out true, exit code 143',
      'a chatty script: kept 20 bytes of output, truncated true',
      'files now: result.json, sales.csv, stats.py',
      '',
    ].join('\n'),
  );
});

test('audit-sql: what happened in the last hour, and nothing older', () => {
  const out = example('audit-sql');
  const sections = Object.fromEntries(
    out
      .split('\n== ')
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1).trim()]),
  );
  expect(Object.keys(sections)).toEqual([
    'Tool calls in the last hour',
    'What failed',
    'Files modified in the last hour',
    'State (kv) written in the last hour',
    'What each run did to the files',
  ]);
  const calls = sections['Tool calls in the last hour']
    .split('\n')
    .map((l: string) => l.split(/\s+/).slice(0, 4));
  expect(calls).toEqual([
    ['name', 'calls', 'errors', 'pending'],
    ['fetch', '2', '1', '0'],
    ['run', '1', '0', '0'],
    ['web_search', '1', '0', '0'],
  ]);
  expect(sections['What failed']).toMatch(/^id\s+name\s+error\n3\s+fetch\s+timeout after 2000 ms$/);
  expect(sections['Files modified in the last hour']).toMatch(
    /^path\s+bytes\n\/notes\/plan.md\s+32\n\/out\/sorted.md\s+32$/,
  );
  expect(sections['State (kv) written in the last hour']).toMatch(/task:status\s+"summarizing"/);
  const runOps = sections['What each run did to the files']
    .split('\n')
    .map((l: string) => l.split(/\s+/).slice(1, 3).join(' '));
  expect(runOps).toEqual(['op path', 'mkdir /out', 'create /out/sorted.md', 'write /out/sorted.md']);
  expect(out).not.toContain('old news');
  expect(out).not.toContain('/archive/old.csv');
});

test('snapshot-rollback: a bad cleanup is seen in the diff and undone, files and kv', async () => {
  const out = example('snapshot-rollback');
  expect(out).toContain('cleanup: exit code 0, said: cleaned everything');
  expect(out).toContain('  deleted  /project/data/2024.csv');
  expect(out).toContain('  kv modified project:phase: "collected" -> "cleaned"');
  expect(out).toContain('check failed: 0 of 2 data files left; rolling back');
  expect(out).toContain('after the rollback: 0 file changes, 0 kv changes since the snapshot');
  expect(out).toContain('data files: 2024.csv, 2025.csv; phase: collected');
  await withAgent(async (agent) => {
    expect(await agent.fs.readFile('/project/data/2025.csv', 'utf8')).toBe('month,total\njan,14\n');
    expect((await agent.fs.stat('/project/cache/tmp-1.bin')).size).toBe(4096);
    const [restore] = await agent.tools.list({ name: 'restore' });
    expect(restore.status).toBe('success');
  });
});

/** Headings outside code blocks, with the anchors GitHub gives them. */
function headings(doc: string): { level: number; text: string; anchor: string }[] {
  const seen = new Map<string, number>();
  const out: { level: number; text: string; anchor: string }[] = [];
  let fence = false;
  for (const line of readFileSync(join(ROOT, doc), 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = fence ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (!m) continue;
    // Lower case, punctuation other than - and _ dropped, spaces as hyphens; repeats get -1, -2.
    const slug = m[2]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.push({ level: m[1].length, text: m[2], anchor: n === 0 ? slug : `${slug}-${n}` });
  }
  return out;
}

test("MANUAL.md's table of contents lists every section (## and ###); every #anchor link in the docs leads to a heading", () => {
  const manual = readFileSync(join(ROOT, 'MANUAL.md'), 'utf8');
  const toc = manual.slice(manual.indexOf('\n- ['), manual.indexOf('\n## '));
  const listed = [...toc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  const sections = headings('MANUAL.md')
    .filter((h) => h.level === 2 || h.level === 3)
    .map((h) => h.anchor);
  expect(sections.filter((a) => !listed.includes(a))).toEqual([]);
  expect(listed.filter((a) => !sections.includes(a))).toEqual([]);
  // Links between and within the documents, e.g. [x](#y) and [x](SPEC.md#y).
  const docs = ['README.md', 'MANUAL.md', 'SPEC.md'];
  const anchors = new Map(docs.map((d) => [d, new Set(headings(d).map((h) => h.anchor))]));
  const broken: string[] = [];
  for (const doc of docs) {
    for (const [, file, anchor] of readFileSync(join(ROOT, doc), 'utf8').matchAll(
      /\]\(([\w.-]*)#([^)\s]+)\)/g,
    )) {
      const target = file === '' ? doc : file;
      if (anchors.has(target) && !anchors.get(target)!.has(anchor)) broken.push(`${doc}: ${file}#${anchor}`);
    }
  }
  expect(broken).toEqual([]);
});
