#!/usr/bin/env node
/**
 * Where the time of a sandboxed benchmark goes, for the Analysis section of
 * docs/benchmarks.md:
 *
 *   node bench/profile.mjs [--quick] 3 6 7
 *
 * For each item's /agent workload (1-7): how many system calls the seccomp filter sent to the
 * supervisor, how many the C fast path continued and how many reached JavaScript (the run's
 * own counters, from runSandbox in dist/), the supervisor's CPU profile (`node --cpu-prof
 * bin/agentos.js run ...`: self time by function), and, for comparison, the native run's
 * system calls (`strace -c -f`, when strace is installed). Prints Markdown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT } from './lib/harness.mjs';
import { Workspace } from './lib/workspace.mjs';

const { values: args, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const GIT_ENV =
  'export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null';

/** Per item: the database template, and the script with its directory `D` (/agent or a host dir). */
function workloads(ws) {
  const { tarball, top } = ws.tree;
  const mib = args.quick ? 8 : 64;
  const count = args.quick ? 1000 : 10000;
  return {
    1: { template: 'empty', script: (d) => `mkdir -p ${d}/x && tar -xf '${tarball}' -C ${d}/x`, host: true },
    2: { template: 'empty', script: (d) => `tar -xf '${tarball}' -C ${d}` },
    3: {
      template: 'tree',
      script: (d) => `cd ${d}/${top} && find . -type f > /dev/null && grep -r -c function . > /dev/null`,
    },
    4: { template: 'tree', script: (d) => `rm -rf ${d}/${top}` },
    5: {
      template: 'empty',
      script: (d) =>
        `dd if=${ws.randomFile(mib)} of=${d}/data bs=1M conv=fsync status=none && dd if=${d}/data of=/dev/null bs=1M status=none && ${ws.program('randread')} ${d}/data 50000 > /dev/null`,
    },
    6: { template: 'empty', script: (d) => `${ws.program('meta')} ${d}/m ${count}` },
    7: {
      template: 'tree',
      script: (d) => `${GIT_ENV}; cd ${d}/${top} && git init -q && git add -A && git commit -q -m bench`,
    },
  };
}

async function counts(ws, item, w) {
  const { runSandbox } = await import(pathToFileURL(join(ROOT, 'dist', 'sandbox', 'run.js')).href);
  const db = ws.db(`counts-${item}.db`, w.template);
  const dir = w.host ? ws.hostDir(`counts-${item}`) : '/agent';
  if (w.host) mkdirSync(dir);
  const t0 = Date.now();
  const allow = w.host ? [dir] : [];
  const r = await runSandbox({ db, command: ['bash', '-c', w.script(dir)], stdio: 'pipe', allow });
  if (r.exitCode !== 0) throw new Error(`item ${item}: the workload exited with ${r.exitCode}`);
  return { ...r.stats, ms: Date.now() - t0 };
}

function cpuProfile(ws, item, w) {
  const db = ws.db(`prof-${item}.db`, w.template);
  const dir = join(ws.dir, `prof-${item}`);
  rmSync(dir, { recursive: true, force: true });
  const target = w.host ? ws.hostDir(`prof-host-${item}`) : '/agent';
  if (w.host) mkdirSync(target);
  const r = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      BIN,
      'run',
      '--db',
      db,
      ...(w.host ? ['--allow', target] : []),
      '--',
      'bash',
      '-c',
      w.script(target),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`item ${item}: profiled run failed: ${r.stderr}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Only the serving loop: samples under run.js's serve() (start-up and shut-down left out).
  const serving = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (f.functionName === 'serve' && f.url.endsWith('sandbox/run.js')) return true;
    }
    return false;
  };
  const self = new Map();
  let total = 0;
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    if (!serving(profile.samples[i])) continue;
    const n = byId.get(profile.samples[i]);
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return { total: total / 1000, all: all / 1000, top: top.map(([k, us]) => [k, us / 1000]) };
}

function strace(ws, item, w) {
  if (spawnSync('strace', ['-V']).status !== 0) return undefined;
  const dir = ws.hostDir(`strace-${item}`);
  mkdirSync(dir);
  if (w.template === 'tree') spawnSync('tar', ['-xf', ws.tree.tarball, '-C', dir]);
  const out = join(ws.dir, `strace-${item}.txt`);
  const r = spawnSync('strace', ['-f', '-c', '-o', out, 'bash', '-c', w.script(dir)], { stdio: 'ignore' });
  if (r.status !== 0 || !existsSync(out)) return undefined;
  const lines = readFileSync(out, 'utf8').split('\n');
  const total = lines.find((l) => /\btotal$/.test(l.trim()));
  const rows = lines
    .filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+/.test(l) && !/\btotal$/.test(l.trim()))
    .map((l) => l.trim().split(/\s+/))
    .map((c) => ({ name: c[c.length - 1], calls: Number(c[3]) }))
    .sort((a, b) => b.calls - a.calls);
  return { total: total?.trim().split(/\s+/)[3], top: rows.slice(0, 10) };
}

const ws = new Workspace();
try {
  const all = workloads(ws);
  const items = positionals.length > 0 ? positionals : Object.keys(all);
  for (const item of items) {
    const w = all[item];
    if (!w) throw new Error(`no workload for item ${item} (1-7)`);
    console.log(`### Item ${item}\n`);
    console.log(`Workload: \`${w.script(w.host ? 'HOSTDIR' : '/agent')}\`\n`);
    const c = await counts(ws, item, w);
    console.log(
      `- trapped calls: ${c.notifications.toLocaleString('en')} notifications; ${c.continued.toLocaleString('en')} continued by the C fast path; ${c.guarded.toLocaleString('en')} performed in C by the attribute guard (chmod/chown/utimes of host files); ${c.handled.toLocaleString('en')} answered by JavaScript (run: ${c.ms} ms)`,
    );
    const s = strace(ws, item, w);
    if (s) {
      console.log(
        `- native run, \`strace -c -f\`: ${Number(s.total).toLocaleString('en')} system calls; most frequent: ${s.top.map((t) => `${t.name} ${t.calls.toLocaleString('en')}`).join(', ')}`,
      );
    }
    const p = cpuProfile(ws, item, w);
    console.log(
      `- supervisor CPU profile: ${p.total.toFixed(0)} ms in the serving loop (of ${p.all.toFixed(0)} ms sampled in all, start-up included); self time there:\n`,
    );
    for (const [k, ms] of p.top)
      console.log(`  - ${ms.toFixed(0)} ms (${((ms / p.total) * 100).toFixed(1)}%) \`${k}\``);
    console.log('');
  }
} finally {
  ws.remove();
}
