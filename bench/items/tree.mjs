/**
 * Items 1-4 and 7: a real source tree (Node's bundled npm, ~2,400 files) extracted, searched,
 * removed and committed to git, natively in a host directory and under `agentos run` in
 * /agent (item 1: in a host directory under `agentos run`, to price the trap on host paths).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { pair, sumSteps } from '../lib/harness.mjs';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function row(id, name, target, result, steps, note) {
  return {
    id,
    name,
    baseline: 'native',
    kind: 'slowdown',
    target,
    base: sumSteps(result.base, steps),
    ours: sumSteps(result.ours, steps),
    wall: result.wall,
    steps:
      steps.length > 1
        ? Object.fromEntries(steps.map((s) => [s, { base: result.base[s], ours: result.ours[s] }]))
        : undefined,
    note,
  };
}

function describe(tree) {
  return `${tree.entries.toLocaleString('en')} entries (${tree.files.toLocaleString('en')} files, ${tree.mib} MiB) of ${tree.source}`;
}

export const hostPath = {
  id: '1',
  title: 'host-path overhead: untar into a host directory',
  run(ws, { rounds, log }) {
    const { tarball } = ws.tree;
    const result = pair(
      rounds,
      (round) => {
        const n = ws.hostDir(`native-${round}`);
        const s = ws.hostDir(`sandbox-${round}`);
        mkdirSync(s);
        return {
          db: ws.db('host.db'),
          // Programs may write only beneath allowed host paths (Landlock): allow this one.
          runOptions: ['--allow', s],
          native: { setup: `mkdir ${n}`, steps: { untar: `tar -xf '${tarball}' -C ${n}` } },
          sandbox: { steps: { untar: `tar -xf '${tarball}' -C ${s}` } },
          cleanup: () => [n, s].forEach((d) => rmSync(d, { recursive: true, force: true })),
        };
      },
      log,
    );
    return [
      row(
        '1',
        'untar into a host dir (`/tmp`)',
        1.15,
        result,
        ['untar'],
        `\`tar -xf\` of ${describe(ws.tree)} into a host directory; under \`agentos run --allow DIR\` (programs may write only beneath allowed host paths, enforced with Landlock) every path call is trapped and continued by the C fast path.`,
      ),
    ];
  },
};

export const extract = {
  id: '2',
  title: 'extract into /agent',
  run(ws, { rounds, log }) {
    const { tarball } = ws.tree;
    const result = pair(
      rounds,
      (round) => {
        const n = ws.hostDir(`native-${round}`);
        return {
          db: ws.db('extract.db'),
          native: { setup: `mkdir ${n}`, steps: { untar: `tar -xf '${tarball}' -C ${n}` } },
          sandbox: { steps: { untar: `tar -xf '${tarball}' -C /agent` } },
          cleanup: () => rmSync(n, { recursive: true, force: true }),
        };
      },
      log,
    );
    return [
      row(
        '2',
        'untar into `/agent`',
        2,
        result,
        ['untar'],
        `\`tar -xf\` of the same tree into an empty \`/agent\` (a fresh database each round) vs a fresh host directory. Timed until tar exits; the write-back of files still open and the final commit happen after and are in the whole-run time.`,
      ),
    ];
  },
};

/** Items 3, 4, 7 start from the extracted tree: natively extracted in the untimed setup, in /agent a copy of a database that holds it. */
function onTree(ws, rounds, log, steps, env = {}) {
  const { tarball, top } = ws.tree;
  return pair(
    rounds,
    (round) => {
      const n = ws.hostDir(`native-${round}`);
      return {
        db: ws.db('tree.db', 'tree'),
        native: { setup: `mkdir ${n} && tar -xf '${tarball}' -C ${n} && cd ${n}/${top}`, steps, env },
        sandbox: { setup: `cd /agent/${top}`, steps, env },
        cleanup: () => rmSync(n, { recursive: true, force: true }),
      };
    },
    log,
  );
}

export const search = {
  id: '3',
  title: 'find + grep -r in /agent',
  run(ws, { rounds, log }) {
    const result = onTree(ws, rounds, log, {
      find: 'find . -type f > /dev/null',
      grep: 'grep -r -c function . > /dev/null',
    });
    const note =
      'In the extracted tree (cwd at its top): `find . -type f`, then `grep -r -c function .` (reads every file). /agent starts from a database written by an earlier run, so every file grep opens is materialized from the database.';
    return [
      row('3', '`find` + `grep -r`', 2, result, ['find', 'grep'], note),
      row('3a', '`find` alone', 2, result, ['find']),
      row('3b', '`grep -r` alone', 2, result, ['grep']),
    ];
  },
};

export const remove = {
  id: '4',
  title: 'rm -rf in /agent',
  run(ws, { rounds, log }) {
    const { top } = ws.tree;
    const result = onTree(ws, rounds, log, { rm: `cd .. && rm -rf ${top}` });
    return [
      row(
        '4',
        '`rm -rf` of the tree',
        3,
        result,
        ['rm'],
        'Removal of the whole extracted tree; the database holding it is copied fresh for each round.',
      ),
    ];
  },
};

export const git = {
  id: '7',
  title: 'git init + add + commit in /agent',
  run(ws, { rounds, log }) {
    const result = onTree(
      ws,
      rounds,
      log,
      { init: 'git init -q', add: 'git add -A', commit: 'git commit -q -m bench' },
      GIT_ENV,
    );
    return [
      row(
        '7',
        '`git init && git add -A && git commit`',
        2,
        result,
        ['init', 'add', 'commit'],
        'In the extracted tree, with author and committer set through environment variables and no system or global git config.',
      ),
    ];
  },
};
