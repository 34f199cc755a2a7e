/**
 * Shared benchmark plumbing: timing a shell workload natively and under `agentos run`, pairs
 * run alternately for several rounds, medians and spreads.
 *
 * A workload is a bash script: an untimed `setup`, then named `steps`, each timed with bash's
 * $EPOCHREALTIME (a builtin: no process is started to read the clock) from inside the
 * workload, so neither Node's start-up nor the sandbox's set-up and final write-back are
 * counted in the step times; the whole command's wall time is kept alongside.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'agentos.js');

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs `agentos` (not `run`) and throws with its stderr when it fails. */
export function agentos(args) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`agentos ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Removes a database and the files SQLite and turso keep beside it. */
export function removeDb(db) {
  const dir = dirname(db);
  const name = basename(db);
  for (const f of readdirSync(dir))
    if (f === name || f.startsWith(`${name}-`)) rmSync(join(dir, f), { force: true });
}

export function freshDb(dir, name = 'bench.db') {
  const db = join(dir, name);
  removeDb(db);
  agentos(['init', db]);
  return db;
}

/** Copies a closed database (and any WAL beside it) to `to`, replacing what was there. */
export function copyDb(from, to) {
  removeDb(to);
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
  return to;
}

const MARK = '@@bench';
/** A workload still running after this long is killed and reported as failed. */
export const TIMEOUT_S = 300;

/** The bash script: setup, then each step between two timestamps written to stderr. */
function script(setup, steps) {
  const lines = ['set -e', setup ?? ''];
  for (const [label, work] of Object.entries(steps)) {
    lines.push(`__t0=$EPOCHREALTIME`, work, `echo "${MARK} ${label} $__t0 $EPOCHREALTIME" >&2`);
  }
  return lines.join('\n');
}

/** Microsecond timestamps as printed by $EPOCHREALTIME ("seconds.micros"), subtracted exactly. */
function elapsed(start, end) {
  const us = (s) => BigInt(s.replace('.', ''));
  return Number(us(end) - us(start)) / 1e6;
}

/**
 * Runs `bash -c script` behind `prefix` (nothing, or `agentos run ... --`). Returns the seconds
 * of every step and the wall time of the whole command.
 */
export function runWorkload(prefix, { setup, steps, env = {}, cwd }) {
  const argv = [...prefix, 'bash', '-c', script(setup, steps)];
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: TIMEOUT_S * 1000,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const times = {};
  for (const m of r.stderr.matchAll(new RegExp(`^${MARK} (\\S+) (\\S+) (\\S+)$`, 'gm')))
    times[m[1]] = elapsed(m[2], m[3]);
  const missing = Object.keys(steps).filter((s) => !(s in times));
  if (r.status !== 0 || missing.length > 0) {
    const cmd = prefix.length > 0 ? 'agentos run' : 'native';
    const tail = r.stderr.replace(new RegExp(`^${MARK}.*\\n`, 'gm'), '').slice(-3000);
    const how =
      r.error?.code === 'ETIMEDOUT' ? `did not end within ${TIMEOUT_S} s` : `exit ${r.status ?? r.signal}`;
    throw new Error(`${cmd} workload failed (${how}); steps not reached: ${missing.join(', ')}\n${tail}`);
  }
  return { times, wall };
}

export function native(workload) {
  return runWorkload([], workload);
}

export function sandboxed(db, workload, runOptions = []) {
  return runWorkload([process.execPath, BIN, 'run', '--db', db, ...runOptions, '--'], workload);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Runs native and sandboxed alternately for `rounds` rounds, the order swapped every round so
 * neither side always runs on a machine warmed (or loaded) by the other. `prepare(round)`
 * returns `{ native: workload, sandbox: workload, db, runOptions?, cleanup? }`. Returns per
 * step the times of each side, round by round, and the sandbox runs' wall times.
 */
export function pair(rounds, prepare, log = () => {}) {
  const base = {};
  const ours = {};
  const wall = [];
  for (let round = 0; round < rounds; round++) {
    const p = prepare(round);
    try {
      const order = round % 2 === 0 ? ['native', 'sandbox'] : ['sandbox', 'native'];
      for (const side of order) {
        // Untimed: the other side's files go to disk now, not during this side's steps.
        execFileSync('sync');
        const r = side === 'native' ? native(p.native) : sandboxed(p.db, p.sandbox, p.runOptions);
        for (const [step, t] of Object.entries(r.times))
          ((side === 'native' ? base : ours)[step] ??= []).push(t);
        if (side === 'sandbox') wall.push(r.wall);
      }
    } finally {
      p.cleanup?.();
    }
    log(`round ${round + 1}/${rounds}`);
  }
  return { base, ours, wall };
}

/** Sums the per-round times of several steps. */
export function sumSteps(times, steps) {
  const n = times[steps[0]].length;
  return Array.from({ length: n }, (_, i) => steps.reduce((s, step) => s + times[step][i], 0));
}
