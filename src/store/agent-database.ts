/** Opening an agent database: the connection plus a verified, up-to-date schema. */
import { StoreConnection, type ConnectionOptions } from './connection.js';
import { ensureSchema } from './schema.js';

export interface AgentDatabase {
  conn: StoreConnection;
  chunkSize: number;
}

export function openAgentDatabase(path: string, options: ConnectionOptions = {}): AgentDatabase {
  const conn = StoreConnection.open(path, options);
  try {
    const { chunkSize } = ensureSchema(conn, { create: (options.create ?? false) && conn.fresh });
    return { conn, chunkSize };
  } catch (e) {
    conn.close();
    throw e;
  }
}
