/** What the figures were measured on: hardware, kernel, Node, filesystems, load, versions. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshDb, ROOT } from './harness.mjs';

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** "ext4 on /dev/vda" for the filesystem holding `path`. */
export function filesystemOf(path) {
  const found = sh('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '-T', path]);
  if (found) {
    const [type, source] = found.split(/\s+/);
    return `${type} (${source})`;
  }
  return sh('stat', ['-f', '-c', '%T', path]) ?? 'unknown';
}

function packageVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);

/** Where `agentos run` puts its cache, and whether the kernel took SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP. */
async function sandboxFacts(workDir) {
  const { createCacheDir } = await dist('sandbox/cache-dir.js');
  const cache = createCacheDir();
  const cacheFs = `${cache.root.replace(/\/run-[^/]+$/, '')}: ${filesystemOf(cache.root)}`;
  cache.remove();
  const { runSandbox } = await dist('sandbox/run.js');
  const { stats } = await runSandbox({
    db: freshDb(workDir, 'facts.db'),
    command: ['true'],
    stdio: 'pipe',
    audit: 'off',
  });
  return { cacheFs, syncWakeup: stats.syncWakeup };
}

export async function machine(workDir, nativeDir) {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const os = /^PRETTY_NAME="?([^"\n]*)/m.exec(sh('cat', ['/etc/os-release']) ?? '')?.[1];
  const head = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']);
  const facts = await sandboxFacts(workDir);
  return {
    cpu: `${cpu}, ${cpus().length} logical CPUs`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `Linux ${release()}${os ? ` (${os})` : ''}`,
    node: process.version,
    tmp: `${tmpdir()}: ${filesystemOf(tmpdir())}`,
    native: `${nativeDir}: ${filesystemOf(nativeDir)}`,
    cache: facts.cacheFs,
    syncWakeup: facts.syncWakeup,
    commit: head ? `${head}${dirty ? ' with uncommitted changes in the work tree' : ''}` : 'unknown',
    engines: `@tursodatabase/database ${packageVersion(join(ROOT, 'node_modules', '@tursodatabase', 'database'))} (AgentOS); agentfs-sdk ${packageVersion(join(ROOT, 'node_modules', 'agentfs-sdk'))} with @tursodatabase/database ${packageVersion(join(ROOT, 'node_modules', 'agentfs-sdk', 'node_modules', '@tursodatabase', 'database'))}`,
    tools: ['tar', 'find', 'grep', 'dd', 'git', 'bash', 'cc']
      .map(
        (t) =>
          `${t} ${(sh(t, ['--version']) ?? '').split('\n')[0].replace(/^.*?(\d+\.\d+(\.\d+)?).*$/, '$1')}`,
      )
      .join(', '),
  };
}

export function load() {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
