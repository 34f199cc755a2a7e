import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentOS } from '../../src/index.js';

test('the seed snippet round-trips through a real database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-'));
  try {
    const agent = new AgentOS(join(dir, 'agent.db'));
    await agent.kv.set('user:preferences', { theme: 'dark' });
    expect(await agent.kv.get('user:preferences')).toEqual({ theme: 'dark' });
    await agent.fs.writeFile('/output/report.pdf', Buffer.from('%PDF-1.4'));
    expect(await agent.fs.readdir('/output')).toEqual(['report.pdf']);
    await agent.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
