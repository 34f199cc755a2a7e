/** The key-value tools: kv_get, kv_set, kv_delete, kv_list. Values are any JSON. */
import { z } from 'zod';
import { defineTool, jsonText } from '../tool.js';
import { ToolError } from '../tool-error.js';

const KEY = z.string().min(1).describe('The key');

export const kvGet = defineTool({
  name: 'kv_get',
  title: 'Read a stored value',
  description: 'The JSON value stored under a key in the key-value store.',
  readOnly: true,
  idempotent: true,
  input: z.object({ key: KEY }),
  async run(args, { agent }) {
    // A stored value is never undefined (JSON has none), so undefined means no key.
    const value = await agent.kv.get(args.key);
    if (value === undefined)
      throw new ToolError(`no value is stored under the key '${args.key}' (kv_list shows the keys)`);
    return { text: jsonText(value), structured: { key: args.key, value }, audit: { key: args.key } };
  },
});

export const kvSet = defineTool({
  name: 'kv_set',
  title: 'Store a value',
  description:
    'Store any JSON value (object, array, string, number, boolean, null) under a key, replacing what was there.',
  readOnly: false,
  destructive: true,
  idempotent: true,
  input: z.object({
    key: KEY,
    // Not z.json(): its recursive $ref schema trips up some clients; the value arrives as parsed JSON anyway.
    value: z
      .unknown()
      .refine((v) => v !== undefined, 'value is required')
      .describe('Any JSON value'),
  }),
  async run(args, { agent, limits }) {
    const bytes = Buffer.byteLength(JSON.stringify(args.value) ?? '');
    if (bytes > limits.maxWriteBytes) {
      throw new ToolError(
        `value is too large (${bytes} bytes of JSON; the limit is ${limits.maxWriteBytes} bytes)`,
      );
    }
    await agent.kv.set(args.key, args.value);
    return {
      text: `Stored ${bytes} bytes of JSON under '${args.key}'`,
      structured: { key: args.key, bytes },
    };
  },
});

export const kvDelete = defineTool({
  name: 'kv_delete',
  title: 'Delete a stored value',
  description: 'Delete a key from the key-value store; deleting a key that does not exist is not an error.',
  readOnly: false,
  destructive: true,
  idempotent: true,
  input: z.object({ key: KEY }),
  async run(args, { agent }) {
    const deleted = await agent.kv.delete(args.key);
    const text = deleted ? `Deleted '${args.key}'` : `No value was stored under '${args.key}'`;
    return { text, structured: { key: args.key, deleted } };
  },
});

export const kvList = defineTool({
  name: 'kv_list',
  title: 'List stored values',
  description:
    'Keys and values of the key-value store in key order, optionally only keys starting with a prefix.',
  readOnly: true,
  idempotent: true,
  input: z.object({
    prefix: z.string().default('').describe('Only keys starting with this text (matched literally)'),
    values: z.boolean().default(true).describe('Include the values (false lists keys only)'),
  }),
  async run(args, { agent, limits }) {
    const all = await agent.kv.list(args.prefix);
    const truncated = all.length > limits.maxResults;
    const entries = all
      .slice(0, limits.maxResults)
      .map((e) => (args.values ? { key: e.key, value: e.value } : { key: e.key }));
    const lines = entries.map((e) => ('value' in e ? `${e.key}\t${JSON.stringify(e.value)}` : e.key));
    if (lines.length === 0)
      lines.push(args.prefix ? `No keys start with '${args.prefix}'.` : 'The key-value store is empty.');
    if (truncated)
      lines.push(`… ${all.length - entries.length} more keys not shown (limit ${limits.maxResults})`);
    return {
      text: lines.join('\n'),
      structured: { entries, truncated },
      audit: { count: all.length, truncated },
    };
  },
});
