/**
 * Reading a run history database (`runs.db`) of any age, for the readers that only look — the metrics and
 * the dashboard open it read-only and never migrate it: the tables that may be missing, the `purpose`
 * column of `datamove_runs` (added later: older rows are all job runs), and the similarity of
 * `datamove_shadow_runs`, a ratio 0..1 — except in tables written before their `matched` column, which
 * held a percentage (validation/investigations.ts converts those when it opens one for writing).
 */
import Database from 'better-sqlite3';

/** Opens a history read-only (the file must exist). */
export function historyReadOpen(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

export function historyTableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some(
    (c) => c.name === column,
  );
}

/** SQL for a run's purpose (`run`, `shadow`, …) in `datamove_runs`. */
export function runPurposeSql(db: Database.Database): string {
  return hasColumn(db, 'datamove_runs', 'purpose') ? 'purpose' : "'run'";
}

/** True for a `datamove_shadow_runs` of the first format: similarity in percent, no `matched` column. */
export function shadowSimilarityIsPercent(db: Database.Database): boolean {
  return historyTableExists(db, 'datamove_shadow_runs') && !hasColumn(db, 'datamove_shadow_runs', 'matched');
}

/** SQL for the similarity of a `datamove_shadow_runs` row as a ratio 0..1. */
export function shadowSimilaritySql(db: Database.Database): string {
  return shadowSimilarityIsPercent(db) ? '(similarity / 100.0)' : 'similarity';
}
