/**
 * The per-run cache directories and the clearing away of dead runs' ones, which runs started
 * at the same moment do to each other's base directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCacheDir, removeAbandonedCaches } from '../../src/sandbox/cache-dir.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'agentos-cache-base-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** A pid and start time of a process that has exited. */
function deadOwner(): { pid: number; start: string } {
  const r = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return { pid: Number(r.stdout.trim()), start: '1' };
}

test('a cache directory appears complete (owner file written) under its run- name, never before', () => {
  const previous = process.env.AGENTOS_CACHE_DIR;
  process.env.AGENTOS_CACHE_DIR = base;
  try {
    const cache = createCacheDir();
    const parent = join(base, `agentos-${process.getuid?.() ?? 0}`);
    expect(readdirSync(parent)).toEqual([cache.root.split('/').pop()]);
    expect(cache.root.split('/').pop()).toMatch(/^run-/);
    expect(readdirSync(cache.root).sort()).toEqual(['d', 'f', 'owner']);
    // Another run clearing away abandoned caches leaves a live run's alone.
    removeAbandonedCaches(parent);
    expect(existsSync(join(cache.root, 'owner'))).toBe(true);
    cache.remove();
  } finally {
    if (previous === undefined) delete process.env.AGENTOS_CACHE_DIR;
    else process.env.AGENTOS_CACHE_DIR = previous;
  }
});

test('dead runs go; one still being made stays until it is old, as if its maker were killed', () => {
  const dead = join(base, 'run-dead');
  mkdirSync(dead);
  writeFileSync(join(dead, 'owner'), JSON.stringify(deadOwner()));
  const making = join(base, 'new-fresh');
  mkdirSync(making);
  const stale = join(base, 'new-stale');
  mkdirSync(stale);
  const old = new Date(Date.now() - 120_000);
  utimesSync(stale, old, old);
  removeAbandonedCaches(base);
  expect(readdirSync(base)).toEqual(['new-fresh']);
});
