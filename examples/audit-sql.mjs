// Auditing an agent with SQL: "what did the agent do in the last hour?", answered by read-only
// queries (agent.query) over the audit trail (tool_calls), the file tables (fs_inode,
// fs_dentry), the key-value store and the operation log of sandbox runs (agentos_oplog).
//
//   node examples/audit-sql.mjs [agent.db]
//
// On a database without tool calls it first plays a little history (some of it two hours old),
// so there is something to find. The same queries work with `agentos sql "…"`.
import { AgentOS } from 'agentos-sdk';

const dbPath = process.argv[2] ?? 'audit.db';
const agent = await AgentOS.open(dbPath);
const HOUR = 3600;
const now = Date.now() / 1000;

const [{ n }] = await agent.query('SELECT count(*) AS n FROM tool_calls');
if (n === 0) await playHistory();

// tool_calls times are epoch seconds, as the Agent Filesystem spec has them.
const since = Math.floor(now - HOUR);

section('Tool calls in the last hour');
table(
  await agent.query(
    `SELECT name, count(*) AS calls, sum(status = 'error') AS errors, sum(status = 'pending') AS pending,
            round(avg(duration_ms)) AS avg_ms
       FROM tool_calls WHERE started_at >= ? GROUP BY name ORDER BY calls DESC, name`,
    [since],
  ),
);

section('What failed');
table(
  await agent.query(
    `SELECT id, name, error FROM tool_calls WHERE status = 'error' AND started_at >= ? ORDER BY id`,
    [since],
  ),
);

// Turso has no recursive CTEs yet, so full paths are put together from fs_dentry here rather
// than in SQL: one query for the names, one for the recently modified regular files.
section('Files modified in the last hour');
const names = new Map(
  (await agent.query('SELECT ino, parent_ino, name FROM fs_dentry')).map((d) => [d.ino, d]),
);
const pathOf = (ino) => {
  const parts = [];
  for (let d = names.get(ino); d !== undefined; d = names.get(d.parent_ino)) parts.unshift(d.name);
  return '/' + parts.join('/');
};
const files = await agent.query(
  `SELECT ino, size FROM fs_inode WHERE (mode & 61440) = 32768 AND mtime >= ? ORDER BY ino`,
  [since],
);
table(
  files.map((f) => ({ path: pathOf(f.ino), bytes: f.size })).sort((a, b) => a.path.localeCompare(b.path)),
);

section('State (kv) written in the last hour');
table(await agent.query(`SELECT key, value FROM kv_store WHERE updated_at >= ? ORDER BY key`, [since]));

// Every `agentos run` / agent.run() is a `run` tool call, and what its processes did to the
// files is in the operation log under that call.
section('What each run did to the files');
table(
  await agent.query(
    `SELECT t.id AS run, o.op, o.path, coalesce(o.bytes, '') AS bytes
       FROM tool_calls t JOIN agentos_oplog o ON o.call_id = t.id
      WHERE t.name = 'run' AND t.started_at >= ? ORDER BY o.id`,
    [since],
  ),
);

await agent.close();

/** Some activity: tool calls (one failed, some two hours ago), files, state, a sandbox run. */
async function playHistory() {
  const t = (secondsAgo) => now - secondsAgo;
  await agent.tools.record('web_search', t(2 * HOUR), t(2 * HOUR - 1.2), { query: 'old news' }, { hits: 10 });
  await agent.tools.record('web_search', t(1200), t(1198.5), { query: 'agent filesystems' }, { hits: 3 });
  await agent.tools.record(
    'fetch',
    t(900),
    t(898),
    { url: 'https://example.com/slow' },
    undefined,
    'timeout after 2000 ms',
  );
  await agent.tools.record('fetch', t(600), t(599.6), { url: 'https://example.com/spec' }, { bytes: 5120 });
  await agent.fs.writeFile('/archive/old.csv', 'a,b\n1,2\n');
  await agent.fs.utimes('/archive/old.csv', t(2 * HOUR), t(2 * HOUR));
  await agent.fs.writeFile('/notes/plan.md', '1. search\n2. fetch\n3. summarize\n');
  await agent.kv.set('task:status', 'summarizing');
  const run = await agent.run('mkdir -p out && sort notes/plan.md > out/sorted.md && rm -f out/tmp');
  if (run.exitCode !== 0) throw new Error(`the example's run failed: ${run.stderr}`);
}

function section(title) {
  console.log(`\n== ${title}`);
}

/** Rows as aligned columns under a header. */
function table(rows) {
  if (rows.length === 0) return console.log('(none)');
  const columns = Object.keys(rows[0]);
  const cells = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  for (const row of cells)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
