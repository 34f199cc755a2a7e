/**
 * How `agentos kv` turns command-line text into stored values and back. A value that parses as
 * JSON is stored as that JSON (`42`, `true`, `{"a":1}`, `"quoted"`); anything else is stored as
 * the string itself, so `kv set name alice` needs no quotes. `--string` stores the text as a
 * string even when it looks like JSON (`kv set --string enabled true`). Integers too large to be
 * exact as JSON numbers stay strings.
 */
import { AgentOSError } from '../index.js';

export function parseValue(text: string, forceString: boolean): unknown {
  if (forceString) return text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // An id like 12345678901234567890 would silently become 12345678901234567000 as a number.
  if (typeof value === 'number' && /^\s*-?\d+\s*$/.test(text) && !Number.isSafeInteger(value)) return text;
  // 1e999 parses as Infinity, which JSON would store as null: keep the text instead.
  if (typeof value === 'number' && !Number.isFinite(value)) return text;
  return value;
}

/**
 * Stdin as text. Values are JSON text, which cannot hold arbitrary bytes: input that is not
 * UTF-8 is refused (EILSEQ) rather than stored with U+FFFD in place of what it held.
 */
export function stdinText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AgentOSError('EILSEQ', {
      syscall: 'kv set',
      message:
        'the value on stdin is not UTF-8 text (kv values are JSON text: encode binary data first, e.g. as base64)',
    });
  }
}

/** Strings print as themselves, so `$(agentos kv get name)` is the plain text; the rest as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}
