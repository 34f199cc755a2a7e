/**
 * Read-only SQL over the agent database (`agent.query()`, `agentos sql`). The statement is
 * checked before it reaches the engine: turso's read-only mode is not enough on its own (a
 * read-only connection opened in a process that already has a writable one to the same file
 * writes anyway, and `PRAGMA wal_checkpoint` or `journal_mode(delete)` count as readers).
 */
import { AgentOSError } from '../errors.js';
import { argTypeError, describe } from './validate.js';

export type QueryParam = string | number | bigint | null;
export type QueryValue = string | number | bigint | null | Buffer;

/** Query parameters are an array of strings, numbers, bigints and nulls (what the engine binds). */
export function assertQueryParams(params: unknown): asserts params is QueryParam[] {
  if (!Array.isArray(params))
    throw argTypeError(`The "params" argument must be an array. Received ${describe(params)}`);
  params.forEach((p, i) => {
    const ok =
      p === null ||
      typeof p === 'string' ||
      typeof p === 'bigint' ||
      (typeof p === 'number' && Number.isFinite(p));
    if (!ok) {
      throw argTypeError(
        `The "params[${i}]" argument must be a string, a finite number, a bigint or null. Received ${describe(p)}`,
      );
    }
  });
}

const READ_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN', 'PRAGMA']);
const WRITE_WORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'UPSERT',
  'CREATE',
  'DROP',
  'ALTER',
  'ATTACH',
  'DETACH',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'RETURNING',
]);
/** Pragmas that only report; those taking an argument take a table or index name, never a new value. */
const READ_PRAGMAS = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'database_list',
  'page_count',
  'page_size',
  'freelist_count',
  'user_version',
  'schema_version',
  'application_id',
  'journal_mode',
  'encoding',
  'compile_options',
  'integrity_check',
  'quick_check',
]);
const PRAGMAS_WITH_ARGUMENT = new Set([
  'table_info',
  'table_xinfo',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'integrity_check',
  'quick_check',
]);

interface Token {
  word?: string;
  punct?: string;
}

/**
 * Throws EROFS unless `sql` is exactly one statement that only reads: SELECT, WITH … SELECT,
 * VALUES, EXPLAIN, or a reporting PRAGMA. Deliberately conservative: a rejected read can be
 * rewritten, a write that slips through cannot be undone.
 */
export function assertReadOnlySql(sql: string): void {
  const tokens = tokenize(sql);
  const first = tokens[0]?.word;
  if (first === undefined) reject('an empty statement');
  if (!READ_STARTS.has(first)) reject(`${first}`);
  for (let i = 0; i < tokens.length; i++) {
    const { word, punct } = tokens[i];
    if (punct === ';') reject('more than one statement');
    // replace(x, y, z) is a string function; REPLACE INTO is a write.
    if (word === 'REPLACE' && tokens[i + 1]?.punct === '(') continue;
    if (word !== undefined && WRITE_WORDS.has(word)) reject(word);
  }
  if (first === 'PRAGMA') checkPragma(tokens);
}

function checkPragma(tokens: Token[]): void {
  // PRAGMA [schema.]name [(arg)]
  let i = 1;
  if (tokens[i + 1]?.punct === '.') i += 2;
  const name = tokens[i]?.word?.toLowerCase();
  if (name === undefined || !READ_PRAGMAS.has(name)) reject(`PRAGMA ${name ?? ''}`.trim());
  const rest = tokens.slice(i + 1);
  if (rest.some((t) => t.punct === '=')) reject(`setting PRAGMA ${name}`);
  if (rest.length > 0 && !PRAGMAS_WITH_ARGUMENT.has(name)) reject(`setting PRAGMA ${name}`);
}

function reject(reason: string): never {
  throw new AgentOSError('EROFS', {
    syscall: 'query',
    message: `${reason} is not allowed in a read-only query (give one SELECT, WITH, VALUES, EXPLAIN or reporting PRAGMA statement)`,
  });
}

/** Words (upper-cased) and punctuation outside comments, string literals and quoted names. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (sql.startsWith('--', i)) i = endOf(sql, '\n', i + 2);
    else if (sql.startsWith('/*', i)) i = endOf(sql, '*/', i + 2);
    else if (c === "'" || c === '"' || c === '`') {
      i = endOfQuoted(sql, c, i + 1);
      tokens.push({ punct: 'literal' });
    } else if (c === '[') {
      i = endOf(sql, ']', i + 1);
      tokens.push({ punct: 'literal' });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z0-9_$]+/.exec(sql.slice(i, i + 256)) as RegExpExecArray;
      tokens.push({ word: m[0].toUpperCase() });
      i += m[0].length;
    } else if (c === ';') {
      i++;
      // A trailing semicolon (and comments after it) is harmless.
      if (tokenize(sql.slice(i)).length > 0) tokens.push({ punct: ';' });
      return tokens;
    } else {
      tokens.push({ punct: c });
      i++;
    }
  }
  return tokens;
}

function endOf(sql: string, terminator: string, from: number): number {
  const at = sql.indexOf(terminator, from);
  return at < 0 ? sql.length : at + terminator.length;
}

/** Quotes are escaped by doubling them ('it''s'). */
function endOfQuoted(sql: string, quote: string, from: number): number {
  let i = from;
  for (;;) {
    const at = sql.indexOf(quote, i);
    if (at < 0) return sql.length;
    if (sql[at + 1] !== quote) return at + 1;
    i = at + 2;
  }
}
