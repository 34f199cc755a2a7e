#!/usr/bin/env node
/**
 * The storage engine's own floor under the sandbox's write-back, for the Analysis section of
 * docs/benchmarks.md: how fast turso (the version AgentOS uses) stores 64 MiB as 4 KiB rows of
 * fs_data, with no AgentOS code in the way, one row per statement and 16 rows per statement,
 * at page size 4096 (AgentOS's) and 8192 (where a 4 KiB chunk fits in its page):
 *
 *   node bench/engine-floor.mjs
 *
 * Prints Markdown.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '@tursodatabase/database/compat';
import { tempDir } from './lib/harness.mjs';

const CHUNK = 4096;
const CHUNKS = 16384;
const PER_TRANSACTION = 2048;
const ROUNDS = 3;

function measure(dir, pageSize, rowsPerStatement) {
  const path = join(dir, `floor-${pageSize}-${rowsPerStatement}.db`);
  const db = new Database(path);
  try {
    db.exec(`PRAGMA page_size = ${pageSize}`);
    db.exec(
      'CREATE TABLE fs_data (ino INTEGER NOT NULL, chunk_index INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (ino, chunk_index))',
    );
    const values = Array.from({ length: rowsPerStatement }, () => '(?, ?, unhex(?))').join(', ');
    const insert = db.prepare(`INSERT OR REPLACE INTO fs_data (ino, chunk_index, data) VALUES ${values}`);
    const chunk = Buffer.alloc(CHUNK);
    for (let i = 0; i < CHUNK; i++) chunk[i] = (i * 7 + 3) & 0xff;
    const hex = chunk.toString('hex');
    const times = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      for (let first = 0; first < CHUNKS; first += PER_TRANSACTION) {
        db.exec('BEGIN');
        for (let i = first; i < first + PER_TRANSACTION; i += rowsPerStatement) {
          const params = [];
          for (let k = 0; k < rowsPerStatement; k++) params.push(round + 1, i + k, hex);
          insert.run(...params);
        }
        db.exec('COMMIT');
      }
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    db.close();
  }
}

const dir = tempDir('agentos-floor-');
try {
  console.log('| page size | rows per INSERT | 64 MiB in 4 KiB rows (median of 3) | per row | throughput |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const pageSize of [4096, 8192]) {
    for (const rows of [1, 16]) {
      const ms = measure(dir, pageSize, rows);
      const perRow = (ms * 1000) / CHUNKS;
      const mbs = (CHUNKS * CHUNK) / 1e6 / (ms / 1000);
      console.log(
        `| ${pageSize} | ${rows} | ${ms.toFixed(0)} ms | ${perRow.toFixed(0)} µs | ${mbs.toFixed(0)} MB/s |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
