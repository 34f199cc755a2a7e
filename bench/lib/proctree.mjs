/**
 * Peak memory of a process tree, sampled from /proc: every `intervalMs` the descendants of a
 * pid are listed (through /proc/<pid>/task/<tid>/children) and each one's VmHWM (its own
 * peak RSS, kept by the kernel) is read; the last value seen per process is kept.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function children(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) =>
    (read(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number),
  );
}

function hwmKb(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) : undefined;
}

function exe(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

export class TreeSampler {
  constructor(root, intervalMs = 10) {
    this.root = root;
    /** pid -> { exe, kb } */
    this.peaks = new Map();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  sample() {
    const seen = [this.root];
    for (let i = 0; i < seen.length; i++) seen.push(...children(seen[i]));
    for (const pid of seen) {
      const kb = hwmKb(pid);
      if (kb === undefined) continue;
      const prev = this.peaks.get(pid);
      // The exe changes when the process execs: keep the last one (the program it became).
      this.peaks.set(pid, { exe: exe(pid) ?? prev?.exe, kb: Math.max(kb, prev?.kb ?? 0) });
    }
  }

  stop() {
    clearInterval(this.timer);
    return this.peaks;
  }
}
