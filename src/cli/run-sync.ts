/**
 * `agentos run --sync`: pull before the program starts, push after it ends. A refused or
 * failed pull stops the run before it starts (the program would work on stale files); a failed
 * push after the run keeps the run's results locally and says how to send them later.
 */
import { AgentOS } from '../index.js';
import { describeSummary } from '../store/sync/index.js';
import { errorLine } from './error-line.js';

export async function pullBeforeRun(db: string, busyTimeoutMs: number): Promise<void> {
  const agent = new AgentOS(db, { create: false, busyTimeoutMs });
  try {
    const { url, pulled } = await agent.sync.pull();
    if (pulled.rows > 0) process.stderr.write(`agentos: pulled ${describeSummary(pulled)} from ${url}\n`);
  } finally {
    await agent.close();
  }
}

/** Pushes the run's results; returns the exit status the command should end with. */
export async function pushAfterRun(db: string, busyTimeoutMs: number, exitCode: number): Promise<number> {
  try {
    const agent = new AgentOS(db, { create: false, readonly: true, busyTimeoutMs });
    try {
      const { url, pushed } = await agent.sync.push();
      if (pushed.rows > 0) process.stderr.write(`agentos: pushed ${describeSummary(pushed)} to ${url}\n`);
    } finally {
      await agent.close();
    }
    return exitCode;
  } catch (e) {
    process.stderr.write(`agentos: ${errorLine(e)}\n`);
    process.stderr.write(
      "agentos: the run's changes are kept in the local database; send them with: agentos sync push\n",
    );
    return exitCode === 0 ? 1 : exitCode;
  }
}
