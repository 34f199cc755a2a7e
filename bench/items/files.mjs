/**
 * Items 5 and 6: bulk I/O through one file (dd and random preads) and metadata churn (a C
 * program creating, stating and unlinking many empty files), natively in a host directory and
 * in /agent.
 */
import { rmSync } from 'node:fs';
import { pair } from '../lib/harness.mjs';

function row(id, name, target, result, step, note) {
  return {
    id,
    name,
    baseline: 'native',
    kind: 'slowdown',
    target,
    base: result.base[step],
    ours: result.ours[step],
    wall: result.wall,
    note,
  };
}

export const io = {
  id: '5',
  title: 'sequential and random I/O in /agent',
  run(ws, { rounds, log, quick }) {
    const mib = quick ? 8 : 64;
    const reads = quick ? 5000 : 50000;
    const source = ws.randomFile(mib);
    const randread = ws.program('randread');
    const steps = (dir) => ({
      write: `dd if=${source} of=${dir}/data bs=1M conv=fsync status=none`,
      read: `dd if=${dir}/data of=/dev/null bs=1M status=none`,
      random: `${randread} ${dir}/data ${reads} 4096 > /dev/null`,
    });
    const result = pair(
      rounds,
      (round) => {
        const n = ws.hostDir(`native-${round}`);
        return {
          db: ws.db('io.db'),
          native: { setup: `mkdir ${n}`, steps: steps(n) },
          sandbox: { steps: steps('/agent') },
          cleanup: () => rmSync(n, { recursive: true, force: true }),
        };
      },
      log,
    );
    return [
      row(
        '5a',
        `sequential write, ${mib} MiB (\`dd bs=1M conv=fsync\`)`,
        1.1,
        result,
        'write',
        `\`dd\` from a host file of ${mib} MiB of random bytes, 1 MiB blocks, \`conv=fsync\` on both sides: the time includes making the data durable (natively the file's fsync; in /agent the fsync writes the file back into the database and syncs it).`,
      ),
      row(
        '5b',
        `sequential read, ${mib} MiB (\`dd bs=1M\`)`,
        1.1,
        result,
        'read',
        'Reading the file just written back, to `/dev/null`: natively from the page cache; in /agent the open materializes the file (unless the cache copy is still there) and the reads are native.',
      ),
      row(
        '5c',
        `random 4 KiB reads (${reads.toLocaleString('en')} \`pread\`)`,
        1.1,
        result,
        'random',
        `A C program (bench/c/randread.c) doing ${reads.toLocaleString('en')} \`pread\`s of 4 KiB at aligned offsets from a fixed-seed generator, one open.`,
      ),
    ];
  },
};

export const meta = {
  id: '6',
  title: 'create + stat + unlink of empty files in /agent',
  run(ws, { rounds, log, quick }) {
    const count = quick ? 1000 : 10000;
    const program = ws.program('meta');
    const result = pair(
      rounds,
      (round) => {
        const n = ws.hostDir(`native-${round}`);
        return {
          db: ws.db('meta.db'),
          native: { steps: { meta: `${program} ${n} ${count}` } },
          sandbox: { steps: { meta: `${program} /agent/d ${count}` } },
          cleanup: () => rmSync(n, { recursive: true, force: true }),
        };
      },
      log,
    );
    return [
      row(
        '6',
        `create + stat + unlink, ${count.toLocaleString('en')} empty files`,
        5,
        result,
        'meta',
        `A C program (bench/c/meta.c): mkdir, then ${count.toLocaleString('en')} × \`open(O_CREAT|O_EXCL)\`+\`close\`, ${count.toLocaleString('en')} × \`stat\`, ${count.toLocaleString('en')} × \`unlink\`, rmdir.`,
      ),
    ];
  },
};
