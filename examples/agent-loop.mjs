// A minimal agent loop on AgentOS: state in the key-value store, outputs as files, and every
// tool call recorded in the audit trail with tools.start / tools.success / tools.error.
//
//   node examples/agent-loop.mjs [agent.db]
//
// The "model" is a fixed policy (decide() below) so the example runs offline and gives the
// same answer every time; put an LLM call there for a real agent. Because the loop keeps its
// state in kv after every step, killing it and starting it again resumes where it stopped, and
// running it after it finished does nothing.
import { AgentOS } from 'agentos-sdk';

const dbPath = process.argv[2] ?? 'agent-loop.db';

// The outside world the tools reach: a tiny fake web.
const WEB = {
  'https://example.com/agents': 'Agents plan, act and observe. Agents keep state between steps.',
  'https://example.com/sqlite': 'SQLite is a small fast reliable database engine.',
};
const TASK = { topic: 'research', urls: [...Object.keys(WEB), 'https://example.com/missing'] };

const agent = await AgentOS.open(dbPath);

// The tools the model may call.
const tools = {
  async fetch_page({ url }) {
    if (!(url in WEB)) throw new Error(`404 Not Found: ${url}`);
    return { url, text: WEB[url] };
  },
  async count_words({ text }) {
    const counts = {};
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) counts[word] = (counts[word] ?? 0) + 1;
    return { words: Object.values(counts).reduce((a, b) => a + b, 0), top: topWords(counts, 3) };
  },
  async save_note({ path, text }) {
    await agent.fs.writeFile(path, text);
    return { path, bytes: Buffer.byteLength(text) };
  },
};

/** Runs one tool, recording the call: pending first, then its result or its error. */
async function callTool(name, params) {
  const id = await agent.tools.start(name, params);
  try {
    const result = await tools[name](params);
    await agent.tools.success(id, result);
    return { ok: true, result };
  } catch (e) {
    await agent.tools.error(id, e.message);
    return { ok: false, error: e.message };
  }
}

/** The policy: what to do next, given the state. Returns a tool call, or null when done. */
function decide(state) {
  const next = TASK.urls[state.fetched.length + state.failed.length];
  if (state.pendingText !== null) return { tool: 'count_words', params: { text: state.pendingText } };
  if (next !== undefined) return { tool: 'fetch_page', params: { url: next } };
  if (!state.reportWritten)
    return { tool: 'save_note', params: { path: '/reports/summary.md', text: report(state) } };
  return null;
}

/** What the loop learns from an observation. */
function observe(state, action, outcome) {
  const s = JSON.parse(JSON.stringify(state));
  if (action.tool === 'fetch_page') {
    if (outcome.ok) {
      s.fetched.push(action.params.url);
      s.pendingText = outcome.result.text;
    } else s.failed.push({ url: action.params.url, error: outcome.error });
  } else if (action.tool === 'count_words') {
    s.pages.push({ url: s.fetched.at(-1), ...outcome.result });
    s.pendingText = null;
  } else if (action.tool === 'save_note') s.reportWritten = outcome.ok;
  return s;
}

function report(state) {
  const lines = [`# ${TASK.topic}`, ''];
  for (const p of state.pages) lines.push(`- ${p.url}: ${p.words} words, most used: ${p.top.join(', ')}`);
  for (const f of state.failed) lines.push(`- ${f.url}: failed (${f.error})`);
  return lines.join('\n') + '\n';
}

function topWords(counts, n) {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([w]) => w);
}

const STATE_KEY = 'loop:state';
let state = (await agent.kv.get(STATE_KEY)) ?? {
  step: 0,
  fetched: [],
  failed: [],
  pages: [],
  pendingText: null,
  reportWritten: false,
};
if (state.step > 0) {
  const where = decide(state) === null ? 'Nothing left to do' : `Resuming at step ${state.step + 1}`;
  console.log(`${where} (state from kv '${STATE_KEY}')`);
}

for (let action = decide(state); action !== null; action = decide(state)) {
  const outcome = await callTool(action.tool, action.params);
  state = observe(state, action, outcome);
  state.step++;
  // The state is saved after every step, so an interrupted run resumes here.
  await agent.kv.set(STATE_KEY, state);
  const shown = action.tool === 'save_note' ? { path: action.params.path } : action.params;
  console.log(
    `step ${state.step}: ${action.tool} ${JSON.stringify(shown).slice(0, 60)} -> ${outcome.ok ? 'ok' : `error: ${outcome.error}`}`,
  );
}

if (state.reportWritten) console.log(`\n${await agent.fs.readFile('/reports/summary.md', 'utf8')}`);
console.log(`Done after ${state.step} steps. Tool calls recorded:`);
for (const s of await agent.tools.stats()) console.log(`  ${s.name}: ${s.count} (${s.failures} failed)`);
await agent.close();
