/**
 * The two statements shapes the SQL catalog needs from a database: queries returning rows and writes
 * returning the number of changed rows. `?` placeholders; drivers translate (PostgreSQL uses `$1`).
 * Members: sqlite-driver.ts (better-sqlite3, the embedded default) and postgres-driver.ts (pg).
 */

export type SqlParam = string | number | null;

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
  /** Runs a write; returns the affected row count. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<number>;
  close(): Promise<void>;
}
