/**
 * The two statements shapes the SQL catalog needs from a database: queries returning rows and writes
 * returning the number of changed rows. `?` placeholders; drivers translate (PostgreSQL uses `$1`).
 * Members: sqlite-driver.ts (better-sqlite3, the embedded default) and postgres-driver.ts (pg);
 * `sqlDriverTyped` makes their failures `DatamoveError`s (the database's own message, on one line).
 */
import { DatamoveError } from '../../../core/index.js';
import { errorLine } from '../../errors.js';

export type SqlParam = string | number | null;

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
  /** Runs a write; returns the affected row count. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * `driver` with every failure of a statement as an `Unexpected` DatamoveError (not retryable; the SQL
 * and its parameters are not in the message; `context.reason` is the database's own words). The catalog
 * decides what a failure means — a failed commit UPDATE leaves the state unknown.
 */
export function sqlDriverTyped(driver: SqlDriver): SqlDriver {
  const typed = (e: unknown): DatamoveError =>
    e instanceof DatamoveError
      ? e
      : new DatamoveError('Unexpected', `iceberg: ${driver.dialect} catalog: ${errorLine(e)}`, {
          context: { code: (e as { code?: string } | undefined)?.code, reason: errorLine(e) },
          cause: e,
        });
  return {
    dialect: driver.dialect,
    query: (sql, params) => driver.query(sql, params).catch((e: unknown) => Promise.reject(typed(e))),
    execute: (sql, params) => driver.execute(sql, params).catch((e: unknown) => Promise.reject(typed(e))),
    close: () => driver.close().catch((e: unknown) => Promise.reject(typed(e))),
  };
}
