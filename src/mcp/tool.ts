/** What an MCP tool of AgentOS is: a zod input schema, a handler, and how it reads in the tool list. */
import type { z } from 'zod';
import type { AgentOS } from '../sdk/agentos.js';
import type { Workspace } from './workspace.js';

export interface Limits {
  /** Largest read_file answer, in bytes. */
  maxReadBytes: number;
  /** Largest write_file content, edit_file result or kv_set value, in bytes. */
  maxWriteBytes: number;
  /** run_command keeps at most this many bytes of stdout and of stderr each. */
  maxOutputBytes: number;
  /** run_command timeout when the call gives none, and the most a call may ask for (ms). */
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  /** Most entries list_directory, search_files and kv_list return. */
  maxResults: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxReadBytes: 256 * 1024,
  maxWriteBytes: 10 * 1024 * 1024,
  maxOutputBytes: 64 * 1024,
  defaultTimeoutMs: 60_000,
  maxTimeoutMs: 600_000,
  maxResults: 1000,
};

export interface ToolContext {
  agent: AgentOS;
  ws: Workspace;
  limits: Limits;
}

export interface ToolOutput {
  /** What the client (and so the model) reads. */
  text: string;
  /** The same as data, for programs (`structuredContent`). */
  structured?: Record<string, unknown>;
  /** What tool_calls.result records; default `structured`. */
  audit?: unknown;
}

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** Reading tools are the ones --read-only keeps. */
  readOnly: boolean;
  /** May delete or overwrite data (an MCP annotation clients use to ask before calling). */
  destructive?: boolean;
  /** Calling again with the same arguments changes nothing more. */
  idempotent?: boolean;
  input: S;
  run(args: z.output<S>, ctx: ToolContext): Promise<ToolOutput>;
}

/** Keeps the handler's argument type tied to its schema. */
export function defineTool<S extends z.ZodObject>(definition: ToolDefinition<S>): ToolDefinition<S> {
  return definition;
}

/** JSON with two-space indentation, the text form of structured results. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
