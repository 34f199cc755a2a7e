/**
 * Every MCP tool call lands in tool_calls, whatever the client does: opened as pending before
 * the tool runs (so a long run_command shows up in `agentos tools list` while it runs), then
 * completed with its result or its error. Long strings in parameters and results are cut, so
 * a 10 MB write_file does not store its content twice.
 */
import type { AgentOS } from '../sdk/agentos.js';

/** Strings in recorded parameters and results keep at most this many characters. */
export const AUDIT_STRING_LIMIT = 16 * 1024;
const AUDIT_ARRAY_LIMIT = 1000;

/** A copy of a JSON value with long strings and arrays cut, and a note of how much was left out. */
export function clip(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.length <= AUDIT_STRING_LIMIT) return value;
    return `${value.slice(0, AUDIT_STRING_LIMIT)}… [${value.length - AUDIT_STRING_LIMIT} more characters not recorded]`;
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, AUDIT_ARRAY_LIMIT).map(clip);
    if (value.length > AUDIT_ARRAY_LIMIT)
      kept.push(`… ${value.length - AUDIT_ARRAY_LIMIT} more items not recorded`);
    return kept;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clip(v)]));
  }
  return value;
}

/**
 * Runs `fn` as the tool call `name`, recording it. A call that cannot be recorded does not run:
 * the audit trail is the point. A failure to record the end is reported on stderr only, as the
 * call has happened by then.
 */
export async function audited<T>(
  agent: AgentOS,
  name: string,
  parameters: unknown,
  fn: () => Promise<T>,
  resultOf: (value: T) => unknown,
  describeError: (error: unknown) => string,
): Promise<T> {
  const id = await agent.tools.start(name, clip(parameters ?? {}));
  let value: T;
  try {
    value = await fn();
  } catch (e) {
    await complete(() => agent.tools.error(id, describeError(e)));
    throw e;
  }
  await complete(() => agent.tools.success(id, clip(resultOf(value))));
  return value;
}

async function complete(record: () => Promise<void>): Promise<void> {
  try {
    await record();
  } catch (e) {
    process.stderr.write(`agentos: could not record the end of a tool call: ${(e as Error).message}\n`);
  }
}
