/** run_command: a shell command in the sandbox, working in /agent, through agent.run(). */
import { z } from 'zod';
import type { RunResult } from '../../sdk/run.js';
import { defineTool } from '../tool.js';
import { ToolError } from '../tool-error.js';

export const runCommand = defineTool({
  name: 'run_command',
  title: 'Run a shell command',
  description:
    'Run a shell command (/bin/sh -c) in a sandbox where the agent filesystem is the directory /agent, which is also the working directory. Files the command writes under /agent persist and are visible to the other tools. Returns the exit code, stdout and stderr (each cut at a size limit) and whether the command timed out.',
  readOnly: false,
  destructive: true,
  input: z.object({
    command: z.string().min(1).describe('Shell command, e.g. "python3 analyze.py > report.txt"'),
    cwd: z
      .string()
      .optional()
      .describe('Working directory, relative to /agent or absolute under it (default /agent)'),
    timeout_ms: z.number().int().min(1).optional().describe('End the command after this many milliseconds'),
    stdin: z.string().optional().describe("Text for the command's standard input"),
  }),
  async run(args, { agent, ws, limits }) {
    const timeoutMs = args.timeout_ms ?? limits.defaultTimeoutMs;
    if (timeoutMs > limits.maxTimeoutMs) {
      throw new ToolError(`timeout_ms ${timeoutMs} is over the limit of ${limits.maxTimeoutMs} ms`);
    }
    const dir = ws.resolve(args.cwd ?? ws.mount, 'cwd');
    // Checked here, so a missing directory is reported with the client's path like every other.
    if (!(await agent.fs.stat(dir)).isDirectory())
      throw new ToolError(`cwd '${ws.show(dir)}' is not a directory`);
    const cwd = ws.show(dir);
    const r = await agent.run(args.command, {
      cwd,
      mount: ws.mount,
      timeoutMs,
      maxOutputBytes: limits.maxOutputBytes,
      input: args.stdin,
    });
    const structured = {
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      timedOut: r.timedOut,
      stdoutTruncated: r.stdoutTruncated,
      stderrTruncated: r.stderrTruncated,
      durationMs: r.durationMs,
    };
    return { text: render(r, timeoutMs, limits.maxOutputBytes), structured };
  },
});

function render(r: RunResult, timeoutMs: number, maxOutput: number): string {
  const lines = [
    `exit code: ${r.exitCode}${r.timedOut ? ` (timed out after ${timeoutMs} ms and was ended)` : ''}`,
  ];
  const cut = `\n[… cut at ${maxOutput} bytes]`;
  if (r.stdout !== '' || r.stdoutTruncated) lines.push(`stdout:\n${r.stdout}${r.stdoutTruncated ? cut : ''}`);
  if (r.stderr !== '' || r.stderrTruncated) lines.push(`stderr:\n${r.stderr}${r.stderrTruncated ? cut : ''}`);
  return lines.join('\n');
}
