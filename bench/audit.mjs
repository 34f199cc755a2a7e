#!/usr/bin/env node
/**
 * What the operation log costs: untar Node's bundled npm (~2,400 files) into /agent with
 * `agentos run --audit=off|changes|all`, each on a fresh database, the levels interleaved,
 * and print per level the median run time (the `run` tool call's duration), the median CPU
 * time of the whole `agentos run` (user + system, from /usr/bin/time: steadier than wall time
 * on a busy machine), the rows logged and the database size.
 *
 *   node bench/audit.mjs [rounds=5]      (after `npm run build`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentOS } from '../dist/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'agentos.js');
const rounds = Number(process.argv[2] ?? 5);
const levels = ['off', 'changes', 'all'];

const scratch = mkdtempSync(join(tmpdir(), 'agentos-bench-audit-'));
try {
  const npmDir = dirname(
    dirname(
      realpathSync(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')),
    ),
  );
  const tarball = join(scratch, 'npm.tar');
  execFileSync('tar', ['-C', dirname(npmDir), '-cf', tarball, 'npm']);
  const files = execFileSync('tar', ['-tf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean).length;

  const results = Object.fromEntries(levels.map((l) => [l, { ms: [], cpu: [], rows: 0, bytes: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const level of levels) {
      const db = join(scratch, `${level}-${round}.db`);
      execFileSync(process.execPath, [bin, 'init', db], { stdio: 'ignore' });
      const times = join(scratch, 'times');
      const argv = [
        '-f',
        '%U %S',
        '-o',
        times,
        process.execPath,
        bin,
        'run',
        '--db',
        db,
        `--audit=${level}`,
        '--',
        'tar',
        '-C',
        '/agent',
        '-xf',
        tarball,
      ];
      const r = spawnSync('/usr/bin/time', argv, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`run failed (${level}): ${r.stderr}`);
      const [user, sys] = readFileSync(times, 'utf8').trim().split(/\s+/).map(Number);
      results[level].cpu.push(Math.round((user + sys) * 1000));
      const agent = new AgentOS(db, { create: false, readonly: true });
      const [call] = await agent.tools.list({ name: 'run' });
      const [{ n }] = await agent.query('SELECT count(*) AS n FROM agentos_oplog');
      await agent.close();
      results[level].ms.push(call.durationMs);
      results[level].rows = n;
      results[level].bytes = statSync(db).size;
      rmSync(db, { force: true });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const pct = (m, base) => {
    const p = ((m / base - 1) * 100).toFixed(1);
    return `${p.startsWith('-') ? '' : '+'}${p}%`;
  };
  const base = median(results.off.ms);
  const baseCpu = median(results.off.cpu);
  console.log(`untar of ${files} entries into /agent, ${rounds} rounds, medians`);
  console.log('level     run ms  vs off   cpu ms  vs off  rows logged  db size');
  for (const level of levels) {
    const m = median(results[level].ms);
    const c = median(results[level].cpu);
    console.log(
      [
        level.padEnd(8),
        String(m).padStart(6),
        (level === 'off' ? '' : pct(m, base)).padStart(6),
        String(c).padStart(7),
        (level === 'off' ? '' : pct(c, baseCpu)).padStart(6),
        String(results[level].rows).padStart(11),
        `${(results[level].bytes / 1048576).toFixed(1)} MiB`,
      ].join('  '),
    );
  }
  const all = (key) => JSON.stringify(Object.fromEntries(levels.map((l) => [l, results[l][key]])));
  console.log(`run ms: ${all('ms')}`);
  console.log(`cpu ms: ${all('cpu')}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
