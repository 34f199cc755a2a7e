/** `agent.kv`: a key-value store for agent state; values are any JSON. */
import type { StoreConnection } from '../store/connection.js';
import { KvStore } from '../store/kv-store.js';
import { argRangeError, argTypeError, assertString, describe } from './validate.js';

export interface KvEntry<T = unknown> {
  key: string;
  value: T;
  /** Epoch seconds. */
  createdAt: number;
  updatedAt: number;
}

export class AgentKv {
  readonly #conn: StoreConnection;
  readonly #store: KvStore;

  /** @internal Use `new AgentOS(path).kv`. */
  constructor(conn: StoreConnection) {
    this.#conn = conn;
    this.#store = new KvStore(conn);
  }

  /**
   * Stores any JSON-serializable value under `key`, replacing what was there.
   * @example await agent.kv.set('user:preferences', { theme: 'dark' });
   */
  async set(key: string, value: unknown): Promise<void> {
    assertKey(key);
    const json = serialize(value);
    this.#conn.write(() => this.#store.set(key, json));
  }

  /**
   * The value stored under `key`, or undefined when there is none.
   * @example const prefs = await agent.kv.get<{ theme: string }>('user:preferences');
   */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    assertKey(key);
    const row = this.#conn.readStatement(() => this.#store.get(key));
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Removes a key; resolves to whether it existed. @example await agent.kv.delete('session'); */
  async delete(key: string): Promise<boolean> {
    assertKey(key);
    return this.#conn.write(() => this.#store.delete(key));
  }

  /** Whether `key` holds a value. @example if (await agent.kv.has('token')) … */
  async has(key: string): Promise<boolean> {
    assertKey(key);
    return this.#conn.readStatement(() => this.#store.get(key)) !== undefined;
  }

  /**
   * Entries whose key starts with `prefix` (matched literally: `_` and `%` are plain
   * characters), in key order.
   * @example for (const { key, value } of await agent.kv.list('user:')) console.log(key, value);
   */
  async list<T = unknown>(prefix = ''): Promise<KvEntry<T>[]> {
    assertString(prefix, 'prefix');
    return this.#conn
      .read(() => this.#store.list(prefix))
      .map((r) => ({
        key: r.key,
        value: JSON.parse(r.value) as T,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      }));
  }
}

function assertKey(key: unknown): asserts key is string {
  assertString(key, 'key');
  if (key.length === 0) throw argRangeError('The "key" argument must not be empty');
}

/** JSON text for a value, or a TypeError for values JSON cannot represent. */
export function serialize(value: unknown, name = 'value'): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw argTypeError(`The "${name}" argument must be JSON-serializable: ${(e as Error).message}`);
  }
  if (json === undefined)
    throw argTypeError(`The "${name}" argument must be JSON-serializable. Received ${describe(value)}`);
  return json;
}
