#!/usr/bin/env node
/**
 * The benchmark suite of issue 7: `npm run bench` (after `npm install`, which builds dist/ and
 * the native addon) runs every item and writes docs/benchmarks.md.
 *
 *   npm run bench                       all items, full sizes, docs/benchmarks.md
 *   npm run bench -- --quick            one round, small sizes (development)
 *   npm run bench -- --only 2,5,audit   some items (1-9, audit)
 *   npm run bench -- --rounds 3         rounds for items 1-7 (default 5; items 8 and 9 take at most 3)
 *   npm run bench -- --out FILE         where to write the report
 *   npm run bench -- --native-dir DIR   where the native side works (default: the temp dir);
 *                                       e.g. /dev/shm to take a busy disk out of the native times
 *
 * --quick and --only write to $TMPDIR/agentos-benchmarks.md unless --out is given, so a
 * partial run never replaces the full report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/harness.mjs';
import { load, machine } from './lib/machine.mjs';
import { previousAnalysis, render } from './lib/report.mjs';
import { Workspace } from './lib/workspace.mjs';
import { extract, git, hostPath, remove, search } from './items/tree.mjs';
import { io, meta } from './items/files.mjs';
import { memory } from './items/memory.mjs';
import { PEER, sdk } from './items/sdk.mjs';

const ITEMS = [hostPath, extract, search, remove, io, meta, git, memory, sdk];
/**
 * Items 8 and 9 take at most this many rounds: a 1 GiB write, and agentfs-sdk's thousands of
 * synchronous commits (over 100 s a round when other work keeps the disk busy), keep the whole
 * suite within 15 minutes on 2 cores.
 */
const MAX_ROUNDS = { 8: 3, 9: 3 };
const AUDIT_ROUNDS = { quick: 1, full: 3 };

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    out: { type: 'string' },
    'native-dir': { type: 'string' },
  },
});

const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : undefined;
for (const id of only ?? []) {
  if (id !== 'audit' && !ITEMS.some((i) => i.id === id))
    throw new Error(`--only: no item ${id} (items are 1-9 and audit)`);
}
const rounds = args.rounds ? Number(args.rounds) : args.quick ? 1 : 5;
const partial = args.quick || only !== undefined;
const out =
  args.out ?? (partial ? join(tmpdir(), 'agentos-benchmarks.md') : join(ROOT, 'docs', 'benchmarks.md'));
const argv = process.argv.slice(2).join(' ');
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${argv ? ` -- ${argv}` : ''}`
    : `node bench/run.mjs${argv ? ` ${argv}` : ''}`;

if (
  !existsSync(join(ROOT, 'dist', 'index.js')) ||
  !existsSync(join(ROOT, 'build', 'Release', 'agentos-exec'))
) {
  console.error('bench: dist/ or the native build is missing; run `npm install` (or `npm run build`) first');
  process.exit(1);
}

const started = Date.now();
const loadStart = load();
const ws = new Workspace(args['native-dir']);
const rows = [];
let audit;
const stamp = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
try {
  const info = await machine(ws.dir, ws.nativeDir);
  for (const item of ITEMS) {
    if (only && !only.has(item.id)) continue;
    const itemRounds = Math.min(rounds, MAX_ROUNDS[item.id] ?? rounds);
    console.log(`${stamp()}  item ${item.id}: ${item.title}`);
    const log = (msg) => console.log(`${stamp()}    ${msg}`);
    try {
      rows.push(...(await item.run(ws, { rounds: itemRounds, quick: args.quick, log })));
    } catch (e) {
      console.error(`${stamp()}    item ${item.id} failed: ${e.message}`);
      rows.push({
        id: item.id,
        name: item.title,
        baseline: item.id === '9' ? PEER : 'native',
        error: e.message,
      });
    }
  }
  // The raw figures, in case the report cannot be written.
  writeFileSync(join(tmpdir(), 'agentos-bench-results.json'), JSON.stringify({ rows, info }, null, 1));
  if (!only || only.has('audit')) {
    const auditRounds = args.quick ? AUDIT_ROUNDS.quick : AUDIT_ROUNDS.full;
    console.log(`${stamp()}  audit levels (bench/audit.mjs ${auditRounds})`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'audit.mjs'), String(auditRounds)], {
      encoding: 'utf8',
    });
    audit = {
      note: `\`node bench/audit.mjs ${auditRounds}\` (another engineer's benchmark, run as is): the npm tree untarred into \`/agent\` with \`--audit=off|changes|all\`; "run ms" is the run's own tool-call duration, "cpu ms" the user + system time of the whole \`agentos run\` (GNU time). No native baseline and no target, so it is not in the table.`,
      output: r.status === 0 ? r.stdout : `failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`,
    };
  }
  const report = render({
    rows,
    machine: info,
    command,
    rounds,
    quick: args.quick,
    started,
    ended: Date.now(),
    loadStart,
    loadEnd: load(),
    tree: ws.treeInfo,
    audit,
    analysis: previousAnalysis(join(ROOT, 'docs', 'benchmarks.md')),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
  console.log(`${stamp()}  wrote ${out}`);
} finally {
  ws.remove();
}
