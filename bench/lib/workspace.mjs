/**
 * The bench work directory and what several benchmarks share, each made once per run: the
 * tarball of Node's bundled npm, a file of random bytes, the small C programs, and databases
 * holding the extracted tree to copy for each round.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyDb, freshDb, ROOT, sandboxed, tempDir } from './harness.mjs';

/** Node's bundled npm directory, wherever this Node keeps it. */
export function npmDir() {
  const candidates = [];
  try {
    const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
    if (npm) candidates.push(join(dirname(realpathSync(npm)), '..'));
  } catch {
    // no npm on PATH: fall back to the layout beside this Node
  }
  candidates.push(
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm'),
    '/usr/lib/node_modules/npm',
  );
  for (const c of candidates) if (existsSync(join(c, 'package.json'))) return realpathSync(c);
  throw new Error(`cannot find Node's bundled npm directory (looked in ${candidates.join(', ')})`);
}

export class Workspace {
  /** `nativeBase`: where the native side works (default: the temp dir, like the databases). */
  constructor(nativeBase) {
    this.dir = tempDir('agentos-bench-');
    this.nativeDir = nativeBase ? mkdtempSync(join(nativeBase, 'agentos-bench-native-')) : this.dir;
    this.templates = new Map();
  }

  /** A host directory for the native side (and item 1's sandboxed side), emptied. */
  hostDir(name) {
    const d = join(this.nativeDir, name);
    rmSync(d, { recursive: true, force: true });
    return d;
  }

  /** The npm tarball, its top-level directory name and its number of entries. */
  get tree() {
    if (!this.treeInfo) {
      const src = npmDir();
      const tarball = join(this.dir, 'npm.tar');
      execFileSync('tar', ['-C', dirname(src), '-cf', tarball, src.split('/').pop()]);
      const listing = execFileSync('tar', ['-tvf', tarball], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      const files = listing.filter((l) => l.startsWith('-')).length;
      const mib = Number(execFileSync('du', ['-sm', src], { encoding: 'utf8' }).split('\t')[0]);
      this.treeInfo = {
        tarball,
        top: src.split('/').pop(),
        source: src,
        entries: listing.length,
        files,
        mib,
      };
    }
    return this.treeInfo;
  }

  /** `mib` MiB of random bytes in a host file, read by dd in the I/O benchmark. */
  randomFile(mib) {
    const f = join(this.dir, `random-${mib}.bin`);
    if (!existsSync(f)) execFileSync('sh', ['-c', `head -c ${mib}M /dev/urandom > '${f}'`]);
    return f;
  }

  /** Compiles bench/c/NAME.c with cc -O2 once; returns the binary's path. */
  program(name) {
    const out = join(this.dir, 'bin', name);
    if (!existsSync(out)) {
      execFileSync('mkdir', ['-p', join(this.dir, 'bin')]);
      execFileSync('cc', ['-O2', '-o', out, join(ROOT, 'bench', 'c', `${name}.c`)], { stdio: 'inherit' });
    }
    return out;
  }

  /**
   * A fresh copy, named `name`, of a template database made once: `empty` (just initialised)
   * or `tree` (the npm tree extracted into /agent by `agentos run`).
   */
  db(name, template = 'empty') {
    if (!this.templates.has(template)) {
      const tpl = freshDb(this.dir, `template-${template}.db`);
      if (template === 'tree') {
        const { tarball } = this.tree;
        sandboxed(tpl, { steps: { extract: `tar -xf '${tarball}' -C /agent` } }, ['--audit', 'off']);
      }
      this.templates.set(template, tpl);
    }
    return copyDb(this.templates.get(template), join(this.dir, name));
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.nativeDir, { recursive: true, force: true });
  }
}
