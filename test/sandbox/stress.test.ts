/**
 * 8 processes x 4 threads create, write, append, rename and delete files in /agent for
 * several seconds; afterwards every surviving file in the database must hold exactly the
 * bytes the workers recorded, and nothing else may be there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFixture, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
let binary: string;

beforeAll(() => {
  binary = compileFixture('stress');
});

/** The generator stress.c uses for file content. */
function fill(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++)
    out[i] = (Math.imul(seed, 2654435761) + Math.imul(i, 40503) + (i >>> 9)) & 0xff;
  return out;
}

test('concurrent writers: zero errors, zero mismatches', async () => {
  const w = workspace();
  const manifests = mkdtempSync(join(tmpdir(), 'agentos-stress-'));
  chmodSync(manifests, 0o777);
  try {
    const r = w.run(['sh', '-c', `mkdir /agent/stress && ${binary} /agent/stress ${manifests} 4`], {
      runOptions: ['--allow', manifests],
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const reports = r.stdout.trim().split('\n');
    expect(reports.length).toBe(8);
    for (const line of reports) expect(line).toMatch(/^process \d: \d+ operations, 0 errors$/);
    const expected = new Map<string, Buffer>();
    for (const name of readdirSync(manifests)) {
      for (const line of readFileSync(join(manifests, name), 'utf8').split('\n').filter(Boolean)) {
        const [file, segments] = line.split(' ');
        const parts = segments.split(',').map((s) => s.split(':').map(Number));
        expected.set(file, Buffer.concat(parts.map(([seed, length]) => fill(seed, length))));
      }
    }
    expect(expected.size).toBeGreaterThan(100);
    const agent = w.open();
    try {
      const names = await agent.fs.readdir('/stress');
      expect(names.sort()).toEqual([...expected.keys()].sort());
      let mismatches = 0;
      for (const [file, content] of expected)
        if (!(await agent.fs.readFile(`/stress/${file}`)).equals(content)) mismatches++;
      expect(mismatches).toBe(0);
    } finally {
      await agent.close();
    }
  } finally {
    rmSync(manifests, { recursive: true, force: true });
  }
});
