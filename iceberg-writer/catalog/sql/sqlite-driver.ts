/**
 * SQLite through better-sqlite3: the embedded catalog (`./.datamove/catalog.db`). WAL mode and a busy
 * timeout let several processes commit to one file; each statement is atomic, which is all the
 * compare-and-set commit needs.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlParam } from './sql-driver.js';

export function sqliteDriverOpen(path: string): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 30000');
  return {
    dialect: 'sqlite',
    async query(sql: string, params: readonly SqlParam[] = []) {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    },
    async execute(sql: string, params: readonly SqlParam[] = []) {
      return db.prepare(sql).run(...params).changes;
    },
    async close() {
      db.close();
    },
  };
}
