// Running code the agent wrote: the agent puts a script and its data into the agent
// filesystem with the SDK, runs it in the sandbox with agent.run() (where the files appear
// under /agent), and reads the results back with the SDK. A runaway script is stopped by a
// timeout, and its output is cut at a size limit.
//
//   node examples/run-untrusted-code.mjs [agent.db]
//
// Needs python3 on the host (the sandbox runs host programs; only /agent is virtual).
import { AgentOS } from 'agentos-sdk';

const dbPath = process.argv[2] ?? 'untrusted.db';
const agent = await AgentOS.open(dbPath);

// 1. The agent writes its inputs and a script (think: code an LLM generated).
await agent.fs.writeFile(
  '/analysis/sales.csv',
  'region,amount\nnorth,120\nsouth,80\nnorth,45\neast,200\nsouth,15\n',
);
await agent.fs.writeFile(
  '/analysis/stats.py',
  `import csv, json, sys
totals = {}
with open("sales.csv") as f:
    for row in csv.DictReader(f):
        totals[row["region"]] = totals.get(row["region"], 0) + int(row["amount"])
best = max(totals, key=totals.get)
with open("result.json", "w") as out:
    json.dump({"totals": totals, "best": best}, out, sort_keys=True)
print(f"{len(totals)} regions, best: {best}")
print("a warning for stderr", file=sys.stderr)
`,
);

// 2. Run it in the sandbox. The working directory is /agent/analysis, the agent's own files.
const run = await agent.run(['python3', 'stats.py'], { cwd: '/agent/analysis', timeoutMs: 30_000 });
console.log(`exit code: ${run.exitCode}`);
console.log(`stdout: ${run.stdout.trim()}`);
console.log(`stderr: ${run.stderr.trim()}`);

// 3. Read what the script wrote, through the SDK: no export step, the database is the workspace.
const result = JSON.parse(await agent.fs.readFile('/analysis/result.json', 'utf8'));
console.log(`result.json: totals ${JSON.stringify(result.totals)}, best ${result.best}`);

// 4. Code that misbehaves is contained by the run's limits.
const failing = await agent.run('python3 -c "import sys; sys.exit(\'bad input\')"');
console.log(`a failing script: exit code ${failing.exitCode}, stderr: ${failing.stderr.trim()}`);
const runaway = await agent.run('python3 -c "while True: pass"', { timeoutMs: 1500 });
console.log(`a runaway script: timed out ${runaway.timedOut}, exit code ${runaway.exitCode}`);
const chatty = await agent.run('seq 1 100000', { timeoutMs: 10_000, maxOutputBytes: 20 });
console.log(
  `a chatty script: kept ${Buffer.byteLength(chatty.stdout)} bytes of output, truncated ${chatty.stdoutTruncated}`,
);

// Everything the runs did to /agent is in the database, e.g. the files they created:
console.log(`files now: ${(await agent.fs.readdir('/analysis')).join(', ')}`);
await agent.close();
