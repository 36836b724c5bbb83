/**
 * PostgreSQL through `pg`: the shared catalog for teams. A small pool; `?` placeholders become `$n`.
 */
import pg from 'pg';
import type { SqlDriver, SqlParam } from './sql-driver.js';

const toDollar = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export function postgresDriverOpen(connectionString: string): SqlDriver {
  const pool = new pg.Pool({ connectionString, max: 4 });
  // An idle pooled connection that the server ends (restart, failover, admin shutdown) is reported as
  // an 'error' event on the pool; without a listener that crashes the process. The pool has already
  // dropped the connection and the next query opens a new one, so there is nothing else to do.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgres',
    async query(sql: string, params: readonly SqlParam[] = []) {
      return (await pool.query(toDollar(sql), [...params])).rows as Record<string, unknown>[];
    },
    async execute(sql: string, params: readonly SqlParam[] = []) {
      return (await pool.query(toDollar(sql), [...params])).rowCount ?? 0;
    },
    async close() {
      await pool.end();
    },
  };
}
