/** A fresh AgentOS on a real temporary database for every test. */
import { makeTempDir, type TempDir } from './temp-db.js';
import { AgentOS, type AgentOSOptions } from '../../src/index.js';

export interface TestAgent {
  agent: AgentOS;
  tmp: TempDir;
  dbPath: string;
}

export function useAgent(options: AgentOSOptions = {}): () => TestAgent {
  let current: TestAgent | undefined;
  beforeEach(() => {
    const tmp = makeTempDir();
    const dbPath = tmp.file('agent.db');
    current = { agent: new AgentOS(dbPath, options), tmp, dbPath };
  });
  afterEach(async () => {
    if (!current) return;
    await current.agent.close();
    current.tmp.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useAgent(): only available inside a test');
    return current;
  };
}
