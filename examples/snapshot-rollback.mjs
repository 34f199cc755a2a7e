// Snapshot and roll back around a risky step: before letting the agent run a cleanup script it
// wrote, take a snapshot (agent.snapshot: a consistent copy of the whole database, made while
// the database stays open); afterwards look at what changed (agent.diff); when the result
// fails a check, bring the files back (agent.restore) and the key-value state too.
//
//   node examples/snapshot-rollback.mjs [agent.db]
//
// `agentos snapshot`, `agentos diff` and `agentos restore` do the same from the command line.
import { rmSync } from 'node:fs';
import { AgentOS } from 'agentos-sdk';

const dbPath = process.argv[2] ?? 'rollback.db';
const snapshotPath = `${dbPath.replace(/\.db$/, '')}.before-cleanup.db`;
const agent = await AgentOS.open(dbPath);

// The agent's work so far.
await agent.fs.writeFile('/project/data/2024.csv', 'month,total\njan,10\nfeb,12\n');
await agent.fs.writeFile('/project/data/2025.csv', 'month,total\njan,14\n');
await agent.fs.writeFile('/project/cache/tmp-1.bin', Buffer.alloc(4096));
await agent.kv.set('project:phase', 'collected');

// 1. Snapshot before the risky step.
rmSync(snapshotPath, { force: true });
const snap = await agent.snapshot(snapshotPath);
console.log(`snapshot: ${snap.path} (${snap.rows} rows)`);

// 2. The risky step: a cleanup script the agent wrote. It means to clear the cache, but a bug
//    (a variable that is never set) makes it delete the data too.
await agent.fs.writeFile(
  '/project/cleanup.sh',
  'set -u\ntarget="${CACHE_DIR:-}"\nrm -rf "./$target"*\necho "cleaned ${target:-everything}"\n',
);
await agent.kv.set('project:phase', 'cleaned');
const run = await agent.run('sh cleanup.sh', { cwd: '/agent/project' });
console.log(`cleanup: exit code ${run.exitCode}, said: ${run.stdout.trim()}`);

// 3. What changed since the snapshot?
const changes = await agent.diff(snapshotPath);
for (const f of changes.files) console.log(`  ${f.change.padEnd(8)} ${f.path}`);
for (const k of changes.kv)
  console.log(`  kv ${k.change} ${k.key}: ${JSON.stringify(k.before)} -> ${JSON.stringify(k.after)}`);

// 4. Check the result; roll back when it is wrong.
const dataLeft = (await agent.fs.exists('/project/data')) ? await agent.fs.readdir('/project/data') : [];
if (dataLeft.length === 2) {
  console.log('check passed: keeping the result');
} else {
  console.log(`check failed: ${dataLeft.length} of 2 data files left; rolling back`);
  // Files: everything under /project becomes the snapshot's again (recorded as a `restore` tool call).
  const restored = await agent.restore(snapshotPath, ['/project']);
  console.log(
    `restored ${restored.restored.length} paths, deleted ${restored.deleted.length} (tool call ${restored.callId})`,
  );
  // State: restore() covers the filesystem; the diff has the key-value values from before.
  for (const k of changes.kv) {
    if (k.change === 'added') await agent.kv.delete(k.key);
    else await agent.kv.set(k.key, k.before);
  }
  const after = await agent.diff(snapshotPath);
  console.log(
    `after the rollback: ${after.files.length} file changes, ${after.kv.length} kv changes since the snapshot`,
  );
  console.log(
    `data files: ${(await agent.fs.readdir('/project/data')).join(', ')}; phase: ${await agent.kv.get('project:phase')}`,
  );
}
await agent.close();
