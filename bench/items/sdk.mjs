/**
 * Item 9: AgentOS's SDK against agentfs-sdk 0.6.4 (Turso's agent filesystem SDK), the same
 * workloads in alternate processes (bench/items/sdk-worker.mjs), a fresh database each time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, TIMEOUT_S, removeDb } from '../lib/harness.mjs';

const WORKER = join(ROOT, 'bench', 'items', 'sdk-worker.mjs');
export const PEER = 'agentfs-sdk 0.6.4';

function runWorker(impl, db, sizes) {
  removeDb(db);
  const r = spawnSync(process.execPath, [WORKER, impl, db, JSON.stringify(sizes)], {
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
  });
  removeDb(db);
  if (r.status !== 0) throw new Error(`${impl} SDK workload failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

export const sdk = {
  id: '9',
  title: 'SDK vs agentfs-sdk 0.6.4',
  run(ws, { rounds, log, quick }) {
    const sizes = quick
      ? { files: 200, bigMiB: 2, keys: 1000, records: 1000 }
      : { files: 2000, bigMiB: 16, keys: 10000, records: 10000 };
    const peer = {};
    const ours = {};
    const synchronous = {};
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['agentfs', 'agentos'] : ['agentos', 'agentfs'];
      for (const impl of order) {
        const r = runWorker(impl, join(ws.dir, `sdk-${impl}.db`), sizes);
        synchronous[impl] = r.synchronous;
        for (const [op, t] of Object.entries(r.times))
          ((impl === 'agentos' ? ours : peer)[op] ??= []).push(t);
      }
      log(`round ${round + 1}/${rounds}`);
    }
    const n = (x) => x.toLocaleString('en');
    const row = (id, op, name, target, note) => ({
      id,
      name,
      baseline: PEER,
      kind: 'speedup',
      target,
      base: peer[op],
      ours: ours[op],
      note,
    });
    const sync = `\`PRAGMA synchronous\`: AgentOS ${synchronous.agentos}, agentfs-sdk ${synchronous.agentfs} (the engine's default).`;
    return [
      row(
        '9a',
        'writeFile',
        `writeFile, ${n(sizes.files)} files of 4 KiB`,
        3,
        `Each call awaited before the next, as agent code does; the same content on both sides; a fresh database per process, opening not timed. Ratio = agentfs-sdk time / AgentOS time (how many times faster AgentOS is). ${sync}`,
      ),
      row('9b', 'readFile', `readFile of them`, 2),
      row(
        '9c',
        'readdirStat',
        'readdir + stat of each',
        2,
        'One `readdir` of the directory, then `stat` of every name (agentfs-sdk also has `readdirPlus`, not used: the issue names readdir + stat).',
      ),
      row('9d', 'writeBig', `writeFile, one ${sizes.bigMiB} MiB file`, 3),
      row('9e', 'readBig', `readFile of it`, 2),
      row('9f', 'kvSet', `kv set, ${n(sizes.keys)} keys`, 1.5),
      row('9g', 'kvGet', `kv get, ${n(sizes.keys)} keys`, 1.5),
      row('9h', 'toolsRecord', `tools.record, ${n(sizes.records)} calls`, 1.5),
    ];
  },
};
