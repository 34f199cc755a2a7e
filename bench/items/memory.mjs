/**
 * Item 8: peak memory of `agentos run` while a program writes 1 GiB into /agent in 1 MiB
 * writes. The supervisor (the node process) reports its own VmHWM when it exits (a hook loaded
 * with --import); the exec helper and the program are sampled from /proc while they run. A run
 * that fails still gives its peak; the failure is reported with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BIN, ROOT } from '../lib/harness.mjs';
import { TreeSampler } from '../lib/proctree.mjs';

const HOOK = join(ROOT, 'bench', 'lib', 'rss-hook.mjs');
/** 1 GiB takes well under a minute when it works; a run past this is stuck. */
const TIMEOUT_S = 180;

/** Runs `agentos run ... -- command`; resolves with its exit, wall time and peaks, never rejects on failure. */
async function measuredRun(db, command, rssFile) {
  rmSync(rssFile, { force: true });
  const argv = [process.execPath, '--import', HOOK, BIN, 'run', '--db', db, '--', ...command];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AGENTOS_BENCH_RSS_FILE: rssFile },
  });
  const sampler = new TreeSampler(child.pid);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const cancel = new globalThis.AbortController();
  delay(TIMEOUT_S * 1000, undefined, { signal: cancel.signal }).then(
    () => {
      timedOut = true;
      child.kill('SIGTERM');
    },
    () => {},
  );
  const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
  cancel.abort();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peaks = sampler.stop();
  const reported = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : 0;
  const supervisorKb = Math.max(reported, peaks.get(child.pid)?.kb ?? 0);
  let helperKb = 0;
  let programKb = 0;
  for (const [pid, p] of peaks) {
    if (pid === child.pid) continue;
    if (basename(p.exe ?? '') === 'agentos-exec') helperKb += p.kb;
    else programKb += p.kb;
  }
  const error =
    code === 0
      ? undefined
      : `\`${['agentos run --db DB --', ...command].join(' ')}\` ${timedOut ? `did not end within ${TIMEOUT_S} s (killed)` : `exited with ${code ?? signal}`} after ${seconds.toFixed(1)} s: ${stderr.trim().slice(-1500)}`;
  return { seconds, supervisorKb, helperKb, programKb, error };
}

const mb = (kb) => kb / 1024;

export const memory = {
  id: '8',
  title: 'peak RSS of agentos run writing 1 GiB into /agent',
  async run(ws, { rounds, log, quick }) {
    const mib = quick ? 64 : 1024;
    const writer = ws.program('writer');
    const rssFile = join(ws.dir, 'rss');
    const base = [];
    const ours = [];
    const wall = [];
    const parts = { supervisor: [], helper: [], program: [] };
    const errors = [];
    for (let round = 0; round < rounds; round++) {
      const host = join(ws.dir, 'big.bin');
      const t0 = process.hrtime.bigint();
      const r = spawnSync(writer, [host, String(mib)], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('native writer failed');
      base.push(Number(process.hrtime.bigint() - t0) / 1e9);
      rmSync(host, { force: true });

      const run = await measuredRun(ws.db('memory.db'), [writer, '/agent/big.bin', String(mib)], rssFile);
      parts.supervisor.push(mb(run.supervisorKb));
      parts.helper.push(mb(run.helperKb));
      parts.program.push(mb(run.programKb));
      ours.push(mb(run.supervisorKb + run.helperKb));
      wall.push(run.seconds);
      if (run.error) errors.push(`round ${round + 1}: ${run.error}`);
      log(`round ${round + 1}/${rounds}${run.error ? ' (the run failed: no more rounds)' : ''}`);
      if (run.error) break;
    }
    // For reference: the same process tree running a program that does nothing.
    const idle = await measuredRun(ws.db('memory.db'), ['true'], rssFile);
    const size = mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`;
    return [
      {
        id: '8',
        name: `peak RSS writing ${size} in 1 MiB writes`,
        baseline: 'native',
        kind: 'memory',
        target: 200,
        base,
        ours,
        wall,
        parts,
        error: errors.length > 0 ? errors.join('\n') : undefined,
        note: `A C program (bench/c/writer.c) writes ${size} of pseudo-random bytes to \`/agent/big.bin\` in 1 MiB \`write\`s. The figure is the sum of the peak RSS (VmHWM) of the \`agentos run\` node process (reported by the process itself at exit) and of the exec helper (sampled every 10 ms); the writing program itself is not counted. The cache copy of the file lives on the cache directory's filesystem (tmpfs: page cache, not RSS). For reference, the node process of a run of \`true\` peaks at ${mb(idle.supervisorKb).toFixed(0)} MB. Native column: seconds for the same program writing to a host file; AgentOS column for this row: MB.`,
      },
    ];
  },
};
