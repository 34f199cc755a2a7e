/** Scripted trees and changes shared by the diff and restore tests. */
import type { AgentOS } from '../../src/index.js';

/** 3 full chunks and 100 bytes, no two chunks alike, with NUL bytes (binary). */
export function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return b;
}

export const BIG_SIZE = 3 * 4096 + 100;

export async function buildBase(agent: AgentOS): Promise<void> {
  await agent.fs.writeFile('/keep.txt', 'same\n');
  await agent.fs.writeFile('/notes.txt', 'line1\nline2\nline3\n');
  await agent.fs.writeFile('/gone.txt', 'bye\n');
  await agent.fs.writeFile('/big.bin', pattern(BIG_SIZE, 1));
  await agent.fs.writeFile('/trunc.txt', 'a'.repeat(100));
  await agent.fs.writeFile('/script.sh', 'echo hi\n', { mode: 0o644 });
  await agent.fs.chmod('/script.sh', 0o644);
  await agent.fs.symlink('keep.txt', '/link');
  await agent.fs.mkdir('/dir');
  await agent.fs.writeFile('/dir/inner.txt', 'inner\n');
  await agent.fs.mkdir('/dir/sub');
  await agent.fs.writeFile('/dir/sub/deep.txt', 'deep\n');
  await agent.fs.writeFile('/typechange', 'was a file\n');
  await agent.kv.set('a', 1);
  await agent.kv.set('b', 'x');
  await agent.kv.set('c', { y: 1 });
}

export async function applyChanges(agent: AgentOS): Promise<void> {
  await agent.fs.writeFile('/notes.txt', 'line1\nLINE2\nline3\n');
  await agent.fs.unlink('/gone.txt');
  const big = await agent.fs.readFile('/big.bin');
  big[4096 + 10] ^= 0xff;
  await agent.fs.writeFile('/big.bin', big);
  await agent.fs.truncate('/trunc.txt', 50);
  await agent.fs.chmod('/script.sh', 0o755);
  await agent.fs.unlink('/link');
  await agent.fs.symlink('notes.txt', '/link');
  await agent.fs.unlink('/dir/inner.txt');
  await agent.fs.writeFile('/dir/new.txt', 'new inside\n');
  await agent.fs.unlink('/typechange');
  await agent.fs.mkdir('/typechange');
  await agent.fs.writeFile('/added.txt', 'new\n');
  await agent.fs.mkdir('/newdir');
  await agent.fs.writeFile('/newdir/x', 'x');
  await agent.kv.set('a', 2);
  await agent.kv.delete('b');
  await agent.kv.set('d', true);
}

/** Every path with its type, mode, owner, mtime, target and content, for exact comparison. */
export async function describeTree(agent: AgentOS, dir = '/'): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of await agent.fs.readdir(dir)) {
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = await agent.fs.lstat(path);
    const entry: Record<string, unknown> = {
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      mtimeNs: st.mtimeNs,
      size: st.size,
    };
    if (st.isSymbolicLink()) entry.target = await agent.fs.readlink(path);
    else if (st.isFile()) entry.content = (await agent.fs.readFile(path)).toString('base64');
    out[path] = entry;
    if (st.isDirectory()) Object.assign(out, await describeTree(agent, path));
  }
  return out;
}
