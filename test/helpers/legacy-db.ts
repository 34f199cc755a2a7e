/**
 * Databases made by hand with the stock sqlite3 CLI, as other implementations of the agent
 * filesystem spec make them: no AgentOS extension tables, sometimes an older layout.
 */
import { sqlite3 } from './temp-db.js';

/** The spec 0.4 core tables, exactly as the spec's DDL writes them. */
export const SPEC_04_DDL = `
CREATE TABLE fs_config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fs_inode (
  ino INTEGER PRIMARY KEY AUTOINCREMENT, mode INTEGER NOT NULL, nlink INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT 0, gid INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0,
  atime INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, rdev INTEGER NOT NULL DEFAULT 0,
  atime_nsec INTEGER NOT NULL DEFAULT 0, mtime_nsec INTEGER NOT NULL DEFAULT 0, ctime_nsec INTEGER NOT NULL DEFAULT 0);
CREATE TABLE fs_dentry (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, parent_ino INTEGER NOT NULL,
  ino INTEGER NOT NULL, UNIQUE(parent_ino, name));
CREATE INDEX idx_fs_dentry_parent ON fs_dentry(parent_ino, name);
CREATE TABLE fs_data (ino INTEGER NOT NULL, chunk_index INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (ino, chunk_index));
CREATE TABLE fs_symlink (ino INTEGER PRIMARY KEY, target TEXT NOT NULL);
CREATE TABLE kv_store (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER DEFAULT (unixepoch()),
  updated_at INTEGER DEFAULT (unixepoch()));
CREATE INDEX idx_kv_store_created_at ON kv_store(created_at);
CREATE TABLE tool_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, parameters TEXT, result TEXT,
  error TEXT, status TEXT NOT NULL DEFAULT 'pending', started_at INTEGER NOT NULL, completed_at INTEGER, duration_ms INTEGER);
CREATE INDEX idx_tool_calls_name ON tool_calls(name);
CREATE INDEX idx_tool_calls_started_at ON tool_calls(started_at);
INSERT INTO fs_config VALUES ('chunk_size', '4096'), ('schema_version', '0.4');
`;

/** An earlier layout (spec 0.3): no nanoseconds or rdev, no dentry id, no tool-call status, no schema_version. */
export const SPEC_03_DDL = `
CREATE TABLE fs_config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fs_inode (ino INTEGER PRIMARY KEY AUTOINCREMENT, mode INTEGER NOT NULL, nlink INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT 0, gid INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0,
  atime INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL);
CREATE TABLE fs_dentry (name TEXT NOT NULL, parent_ino INTEGER NOT NULL, ino INTEGER NOT NULL, PRIMARY KEY(parent_ino, name));
CREATE INDEX idx_fs_dentry_parent ON fs_dentry(parent_ino, name);
CREATE TABLE fs_data (ino INTEGER NOT NULL, chunk_index INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (ino, chunk_index));
CREATE TABLE fs_symlink (ino INTEGER PRIMARY KEY, target TEXT NOT NULL);
CREATE TABLE kv_store (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER DEFAULT (unixepoch()),
  updated_at INTEGER DEFAULT (unixepoch()));
CREATE TABLE tool_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, parameters TEXT, result TEXT,
  error TEXT, started_at INTEGER NOT NULL, completed_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL);
CREATE INDEX idx_tool_calls_name ON tool_calls(name);
CREATE INDEX idx_tool_calls_started_at ON tool_calls(started_at);
INSERT INTO fs_config VALUES ('chunk_size', '4096');
`;

/** A small tree, a kv entry and two tool calls, written the way the spec's operations write them. */
export const SAMPLE_CONTENT = `
INSERT INTO fs_inode (ino, mode, nlink, uid, gid, size, atime, mtime, ctime) VALUES
  (1, 16877, 1, 0, 0, 0, 1700000000, 1700000000, 1700000000),
  (2, 16877, 1, 0, 0, 0, 1700000000, 1700000000, 1700000000),
  (3, 33188, 2, 1000, 1000, 5, 1700000001, 1700000002, 1700000003),
  (4, 41471, 1, 0, 0, 14, 1700000000, 1700000000, 1700000000);
INSERT INTO fs_dentry (name, parent_ino, ino) VALUES ('docs', 1, 2), ('hello.txt', 2, 3), ('again.txt', 1, 3), ('link', 1, 4);
INSERT INTO fs_data (ino, chunk_index, data) VALUES (3, 0, CAST('hello' AS BLOB));
INSERT INTO fs_symlink (ino, target) VALUES (4, 'docs/hello.txt');
INSERT INTO kv_store (key, value) VALUES ('user:preferences', '{"theme":"dark"}');
INSERT INTO tool_calls (name, parameters, result, error, started_at, completed_at, duration_ms) VALUES
  ('web_search', '{"query":"AI"}', '{"results":[]}', NULL, 1700000000, 1700000002, 1500),
  ('run', NULL, NULL, 'timeout', 1700000010, 1700000011, 1000);
`;

/** Spec 0.4 writers also record each call's status. */
const STATUS_04 = `UPDATE tool_calls SET status = CASE WHEN error IS NULL THEN 'success' ELSE 'error' END;`;

export function createLegacyDatabase(path: string, ddl: string, content = SAMPLE_CONTENT): void {
  sqlite3(path, ddl + content + (ddl.includes("status TEXT NOT NULL DEFAULT 'pending'") ? STATUS_04 : ''));
}
