/**
 * Item 8: peak memory of `agentos run` while a program writes 1 GiB into /agent in 1 MiB
 * writes. The supervisor (the node process) reports its own VmHWM when it exits (a hook loaded
 * with --import); the exec helper and the program are sampled from /proc while they run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BIN, ROOT } from '../lib/harness.mjs';
import { TreeSampler } from '../lib/proctree.mjs';

const HOOK = join(ROOT, 'bench', 'lib', 'rss-hook.mjs');

function timedRun(argv, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    const sampler = new TreeSampler(child.pid);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const peaks = sampler.stop();
      if (code !== 0) reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      else resolve({ seconds, peaks, root: child.pid });
    });
  });
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
    for (let round = 0; round < rounds; round++) {
      const host = join(ws.dir, 'big.bin');
      const t0 = process.hrtime.bigint();
      const r = spawnSync(writer, [host, String(mib)], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('native writer failed');
      base.push(Number(process.hrtime.bigint() - t0) / 1e9);
      rmSync(host, { force: true });

      const db = ws.db('memory.db');
      rmSync(rssFile, { force: true });
      const run = await timedRun(
        [
          process.execPath,
          '--import',
          HOOK,
          BIN,
          'run',
          '--db',
          db,
          '--',
          writer,
          '/agent/big.bin',
          String(mib),
        ],
        {
          AGENTOS_BENCH_RSS_FILE: rssFile,
        },
      );
      const supervisorKb = Math.max(Number(readFileSync(rssFile, 'utf8')), run.peaks.get(run.root)?.kb ?? 0);
      let helperKb = 0;
      let programKb = 0;
      for (const [pid, p] of run.peaks) {
        if (pid === run.root) continue;
        if (basename(p.exe ?? '') === 'agentos-exec') helperKb += p.kb;
        else programKb += p.kb;
      }
      parts.supervisor.push(mb(supervisorKb));
      parts.helper.push(mb(helperKb));
      parts.program.push(mb(programKb));
      ours.push(mb(supervisorKb + helperKb));
      wall.push(run.seconds);
      log(`round ${round + 1}/${rounds}`);
    }
    return [
      {
        id: '8',
        name: `peak RSS writing ${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`} in 1 MiB writes`,
        baseline: 'native',
        kind: 'memory',
        target: 200,
        base,
        ours,
        wall,
        parts,
        note: `A C program (bench/c/writer.c) writes ${mib} MiB of pseudo-random bytes to \`/agent/big.bin\` in 1 MiB \`write\`s. The figure is the sum of the peak RSS (VmHWM) of the \`agentos run\` node process (reported by the process itself at exit) and of the exec helper (sampled every 10 ms); the writing program itself is not counted. The cache copy of the file lives on the cache directory's filesystem (tmpfs: page cache, not RSS). Native column: seconds for the same program writing to a host file; AgentOS column for this row: MB.`,
      },
    ];
  },
};
