/**
 * Loaded with `node --import` into the `agentos run` process by the memory benchmark: when the
 * process exits it writes its peak resident set (VmHWM, in kB) to $AGENTOS_BENCH_RSS_FILE, so
 * a peak reached during the final write-back is not missed by sampling.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.AGENTOS_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(out, m ? m[1] : '0');
  });
}
