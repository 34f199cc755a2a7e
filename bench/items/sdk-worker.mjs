#!/usr/bin/env node
/**
 * One side of item 9, in a process of its own: `node sdk-worker.mjs agentos|agentfs DB SIZES`
 * opens DB (a path that does not exist yet) with AgentOS's SDK or with agentfs-sdk, runs the
 * workloads one after the other, each call awaited before the next (as an agent's code does),
 * and prints the seconds of each as JSON. Opening and closing are not timed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/harness.mjs';

const [impl, db, sizesJson] = process.argv.slice(2);
const sizes = JSON.parse(sizesJson);

async function openAgentOS(path) {
  const { AgentOS } = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
  const agent = new AgentOS(path);
  // agent.query refuses PRAGMA synchronous; the store sets it on every connection it opens.
  const synchronous = 'NORMAL (set by the store; durability points sync the WAL)';
  return { fs: agent.fs, kv: agent.kv, tools: agent.tools, close: () => agent.close(), synchronous };
}

async function openAgentFS(path) {
  const { AgentFS } = await import('agentfs-sdk');
  const agent = await AgentFS.open({ path });
  const row = await agent.getDatabase().prepare('PRAGMA synchronous').get();
  const level = Object.values(row ?? {})[0];
  return {
    fs: agent.fs,
    kv: agent.kv,
    tools: agent.tools,
    close: () => agent.close(),
    synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level),
  };
}

const agent = impl === 'agentos' ? await openAgentOS(db) : await openAgentFS(db);
const small = randomBytes(4096);
const big = randomBytes(sizes.bigMiB * 1024 * 1024);
const name = (i) => `/files/f${String(i).padStart(5, '0')}.bin`;
const times = {};

async function timed(label, fn) {
  const t0 = performance.now();
  await fn();
  times[label] = (performance.now() - t0) / 1000;
}

await agent.fs.mkdir('/files');
await timed('writeFile', async () => {
  for (let i = 0; i < sizes.files; i++) await agent.fs.writeFile(name(i), small);
});
await timed('readFile', async () => {
  for (let i = 0; i < sizes.files; i++) {
    const b = await agent.fs.readFile(name(i));
    if (b.length !== small.length) throw new Error(`${impl}: ${name(i)} read ${b.length} bytes`);
  }
});
await timed('readdirStat', async () => {
  const names = await agent.fs.readdir('/files');
  if (names.length !== sizes.files) throw new Error(`${impl}: readdir gave ${names.length} names`);
  for (const n of names) await agent.fs.stat(`/files/${n}`);
});
await timed('writeBig', () => agent.fs.writeFile('/big.bin', big));
await timed('readBig', async () => {
  const b = await agent.fs.readFile('/big.bin');
  if (!b.equals(big)) throw new Error(`${impl}: /big.bin read back different bytes`);
});
await timed('kvSet', async () => {
  for (let i = 0; i < sizes.keys; i++) await agent.kv.set(`key:${i}`, { i, name: `value ${i}` });
});
await timed('kvGet', async () => {
  for (let i = 0; i < sizes.keys; i++)
    if ((await agent.kv.get(`key:${i}`)).i !== i) throw new Error(`${impl}: kv get ${i}`);
});
await timed('toolsRecord', async () => {
  const t = Date.now() / 1000;
  for (let i = 0; i < sizes.records; i++)
    await agent.tools.record('search', t + i, t + i + 0.25, { query: `q${i}` }, { hits: i });
});
await agent.close();
process.stdout.write(JSON.stringify({ times, synchronous: agent.synchronous }) + '\n');
