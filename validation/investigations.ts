/**
 * Shadow results and the investigation log, in the run history database (`runs.db`, run-history.ts):
 *
 * - `datamove_shadow_runs`: one row per shadow run — counts, matched rows, similarity (matched rows / the
 *   larger side, a ratio 0..1; 1 when both are empty), the investigation it opened, run and snapshot ids,
 *   tables, status (`equal`, `different`, `error`). The dashboard and the metrics read it. Databases
 *   written before the `matched` column stored the similarity as a percentage; opening one converts it
 *   (once, in one transaction; decider/history-read.ts reads either).
 * - `datamove_investigations`: one row per shadow run (or diff) with differences — job, category (by the
 *   rules of categorize.ts) and the evidence, run and snapshot ids, counts, samples (JSON), status
 *   `open` → `resolved` with a note and the time. Categories aggregate across jobs, so one explanation
 *   resolves every open entry of a category at once.
 *
 * C is the legacy path's table, M the new path's, whichever of the two is production.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DatamoveError } from '../core/index.js';
import { shadowSimilarityIsPercent } from '../decider/index.js';

const DDL = `
CREATE TABLE IF NOT EXISTS datamove_shadow_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, job TEXT NOT NULL,
  c_rows INTEGER, m_rows INTEGER, c_minus_m INTEGER, m_minus_c INTEGER, matched INTEGER, similarity REAL,
  investigation_id INTEGER NULL, status TEXT NOT NULL, production_path TEXT,
  c_run_id TEXT, m_run_id TEXT, c_snapshot_id TEXT, m_snapshot_id TEXT, c_table TEXT, m_table TEXT,
  missing INTEGER, phantom INTEGER, changed INTEGER, duration_ms INTEGER, error TEXT);
CREATE INDEX IF NOT EXISTS datamove_shadow_runs_job ON datamove_shadow_runs (job, time);
CREATE TABLE IF NOT EXISTS datamove_investigations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, job TEXT NOT NULL, category TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open', reason TEXT,
  c_run_id TEXT, m_run_id TEXT, c_snapshot_id TEXT, m_snapshot_id TEXT, c_table TEXT, m_table TEXT,
  c_rows INTEGER, m_rows INTEGER, c_minus_m INTEGER, m_minus_c INTEGER,
  missing INTEGER, phantom INTEGER, changed INTEGER, samples TEXT, note TEXT, resolved_at TEXT);
CREATE INDEX IF NOT EXISTS datamove_investigations_status ON datamove_investigations (status, category);
`;

export type InvestigationStatus = 'open' | 'resolved';

export interface DiffCounts {
  readonly cRows: number;
  readonly mRows: number;
  readonly cMinusM: number;
  readonly mMinusC: number;
  readonly missing?: number;
  readonly phantom?: number;
  readonly changed?: number;
}

export interface RunRefs {
  readonly cRunId?: string;
  readonly mRunId?: string;
  readonly cSnapshotId?: string;
  readonly mSnapshotId?: string;
  readonly cTable?: string;
  readonly mTable?: string;
}

export interface InvestigationInput extends DiffCounts, RunRefs {
  readonly time: string;
  readonly job: string;
  readonly category: string;
  readonly reason: string;
  /** Sample rows (any JSON). */
  readonly samples: unknown;
}

export interface Investigation extends InvestigationInput {
  readonly id: number;
  readonly status: InvestigationStatus;
  readonly note: string | undefined;
  readonly resolvedAt: string | undefined;
}

export interface ShadowRunInput extends Partial<DiffCounts>, RunRefs {
  readonly time: string;
  readonly job: string;
  readonly status: 'equal' | 'different' | 'error';
  /** Rows on both sides. */
  readonly matched?: number;
  /** matched / max(cRows, mRows), 0..1. */
  readonly similarity?: number;
  readonly investigationId?: number;
  readonly productionPath?: string;
  readonly durationMs?: number;
  readonly error?: string;
}

export interface ShadowRunRecord extends ShadowRunInput {
  readonly id: number;
}

export interface CategorySummary {
  readonly category: string;
  readonly open: number;
  readonly resolved: number;
  readonly jobs: readonly string[];
}

export interface ValidationStore {
  readonly path: string;
  shadowRunRecord(r: ShadowRunInput): number;
  shadowRuns(job?: string): ShadowRunRecord[];
  investigationAdd(i: InvestigationInput): number;
  investigations(filter?: { status?: InvestigationStatus; category?: string; job?: string }): Investigation[];
  investigation(id: number): Investigation;
  /** Resolves one entry (NotFound when there is none; resolving twice keeps the first note). */
  resolve(id: number, note: string, time?: string): Investigation;
  /** Resolves every open entry of a category; returns how many. */
  resolveCategory(category: string, note: string, time?: string): number;
  byCategory(): CategorySummary[];
  close(): void;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const und = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function investigationOf(x: Record<string, unknown>): Investigation {
  return {
    id: x.id as number,
    time: x.time as string,
    job: x.job as string,
    category: x.category as string,
    status: x.status as InvestigationStatus,
    reason: (x.reason as string | null) ?? '',
    cRunId: und(x.c_run_id as string | null),
    mRunId: und(x.m_run_id as string | null),
    cSnapshotId: und(x.c_snapshot_id as string | null),
    mSnapshotId: und(x.m_snapshot_id as string | null),
    cTable: und(x.c_table as string | null),
    mTable: und(x.m_table as string | null),
    cRows: x.c_rows as number,
    mRows: x.m_rows as number,
    cMinusM: x.c_minus_m as number,
    mMinusC: x.m_minus_c as number,
    missing: und(x.missing as number | null),
    phantom: und(x.phantom as number | null),
    changed: und(x.changed as number | null),
    samples: x.samples === null ? null : JSON.parse(x.samples as string),
    note: und(x.note as string | null),
    resolvedAt: und(x.resolved_at as string | null),
  };
}

function shadowRunOf(x: Record<string, unknown>): ShadowRunRecord {
  return {
    id: x.id as number,
    time: x.time as string,
    job: x.job as string,
    status: x.status as ShadowRunRecord['status'],
    cRows: und(x.c_rows as number | null),
    mRows: und(x.m_rows as number | null),
    cMinusM: und(x.c_minus_m as number | null),
    mMinusC: und(x.m_minus_c as number | null),
    missing: und(x.missing as number | null),
    phantom: und(x.phantom as number | null),
    changed: und(x.changed as number | null),
    matched: und(x.matched as number | null),
    similarity: und(x.similarity as number | null),
    investigationId: und(x.investigation_id as number | null),
    productionPath: und(x.production_path as string | null),
    cRunId: und(x.c_run_id as string | null),
    mRunId: und(x.m_run_id as string | null),
    cSnapshotId: und(x.c_snapshot_id as string | null),
    mSnapshotId: und(x.m_snapshot_id as string | null),
    cTable: und(x.c_table as string | null),
    mTable: und(x.m_table as string | null),
    durationMs: und(x.duration_ms as number | null),
    error: und(x.error as string | null),
  };
}

/**
 * A table written before the `matched` column held the similarity as a percentage: add the column, fill it
 * from the counts (|C| − |C−M|) and turn the similarity into the ratio. Checked again inside an immediate
 * transaction, so two processes opening the same old database convert it once.
 */
function shadowRunsMigrate(db: Database.Database): void {
  if (!shadowSimilarityIsPercent(db)) return;
  db.transaction(() => {
    if (!shadowSimilarityIsPercent(db)) return;
    db.exec(`ALTER TABLE datamove_shadow_runs ADD COLUMN matched INTEGER;
      UPDATE datamove_shadow_runs SET matched = c_rows - c_minus_m, similarity = similarity / 100.0;`);
  }).immediate();
}

/** Opens (creating the tables if needed) the validation tables of a run history database. */
export function validationStoreOpen(path: string): ValidationStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(DDL);
  shadowRunsMigrate(db);
  const insertShadow = db.prepare(
    `INSERT INTO datamove_shadow_runs (time, job, c_rows, m_rows, c_minus_m, m_minus_c, matched, similarity,
       investigation_id, status, production_path, c_run_id, m_run_id, c_snapshot_id, m_snapshot_id, c_table, m_table,
       missing, phantom, changed, duration_ms, error)
     VALUES (@time, @job, @cRows, @mRows, @cMinusM, @mMinusC, @matched, @similarity, @investigationId, @status,
       @productionPath, @cRunId, @mRunId, @cSnapshotId, @mSnapshotId, @cTable, @mTable, @missing, @phantom, @changed,
       @durationMs, @error)`,
  );
  const insertInvestigation = db.prepare(
    `INSERT INTO datamove_investigations (time, job, category, status, reason, c_run_id, m_run_id, c_snapshot_id,
       m_snapshot_id, c_table, m_table, c_rows, m_rows, c_minus_m, m_minus_c, missing, phantom, changed, samples)
     VALUES (@time, @job, @category, 'open', @reason, @cRunId, @mRunId, @cSnapshotId, @mSnapshotId, @cTable, @mTable,
       @cRows, @mRows, @cMinusM, @mMinusC, @missing, @phantom, @changed, @samples)`,
  );
  const refs = (r: RunRefs) => ({
    cRunId: nul(r.cRunId),
    mRunId: nul(r.mRunId),
    cSnapshotId: nul(r.cSnapshotId),
    mSnapshotId: nul(r.mSnapshotId),
    cTable: nul(r.cTable),
    mTable: nul(r.mTable),
  });
  const store: ValidationStore = {
    path,
    shadowRunRecord(r) {
      return Number(
        insertShadow.run({
          time: r.time,
          job: r.job,
          status: r.status,
          cRows: nul(r.cRows),
          mRows: nul(r.mRows),
          cMinusM: nul(r.cMinusM),
          mMinusC: nul(r.mMinusC),
          missing: nul(r.missing),
          phantom: nul(r.phantom),
          changed: nul(r.changed),
          matched: nul(r.matched),
          similarity: nul(r.similarity),
          investigationId: nul(r.investigationId),
          productionPath: nul(r.productionPath),
          durationMs: nul(r.durationMs),
          error: nul(r.error),
          ...refs(r),
        }).lastInsertRowid,
      );
    },
    shadowRuns(job) {
      const rows = db
        .prepare(`SELECT * FROM datamove_shadow_runs ${job === undefined ? '' : 'WHERE job = ?'} ORDER BY id`)
        .all(...(job === undefined ? [] : [job])) as Record<string, unknown>[];
      return rows.map(shadowRunOf);
    },
    investigationAdd(i) {
      return Number(
        insertInvestigation.run({
          time: i.time,
          job: i.job,
          category: i.category,
          reason: i.reason,
          cRows: i.cRows,
          mRows: i.mRows,
          cMinusM: i.cMinusM,
          mMinusC: i.mMinusC,
          missing: nul(i.missing),
          phantom: nul(i.phantom),
          changed: nul(i.changed),
          samples: JSON.stringify(i.samples ?? null),
          ...refs(i),
        }).lastInsertRowid,
      );
    },
    investigations(filter = {}) {
      const where: string[] = [];
      const args: string[] = [];
      if (filter.status !== undefined) {
        where.push('status = ?');
        args.push(filter.status);
      }
      if (filter.category !== undefined) {
        where.push('category = ?');
        args.push(filter.category);
      }
      if (filter.job !== undefined) {
        where.push('job = ?');
        args.push(filter.job);
      }
      const rows = db
        .prepare(
          `SELECT * FROM datamove_investigations ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY id`,
        )
        .all(...args) as Record<string, unknown>[];
      return rows.map(investigationOf);
    },
    investigation(id) {
      const x = db.prepare('SELECT * FROM datamove_investigations WHERE id = ?').get(id) as
        | Record<string, unknown>
        | undefined;
      if (x === undefined)
        throw new DatamoveError('NotFound', `investigations: no investigation ${id} in ${path}`, {
          context: { id, file: path },
        });
      return investigationOf(x);
    },
    resolve(id, note, time = new Date().toISOString()) {
      const current = store.investigation(id);
      if (current.status === 'resolved') return current;
      db.prepare(
        "UPDATE datamove_investigations SET status = 'resolved', note = ?, resolved_at = ? WHERE id = ?",
      ).run(note, time, id);
      return store.investigation(id);
    },
    resolveCategory(category, note, time = new Date().toISOString()) {
      return db
        .prepare(
          "UPDATE datamove_investigations SET status = 'resolved', note = ?, resolved_at = ? WHERE category = ? AND status = 'open'",
        )
        .run(note, time, category).changes;
    },
    byCategory() {
      const rows = db
        .prepare(
          `SELECT category, sum(status = 'open') AS open, sum(status = 'resolved') AS resolved,
                  group_concat(DISTINCT job) AS jobs
           FROM datamove_investigations GROUP BY category ORDER BY open DESC, category`,
        )
        .all() as { category: string; open: number; resolved: number; jobs: string | null }[];
      return rows.map((r) => ({
        category: r.category,
        open: r.open,
        resolved: r.resolved,
        jobs: (r.jobs ?? '')
          .split(',')
          .filter((j) => j !== '')
          .sort(),
      }));
    },
    close() {
      db.close();
    },
  };
  return store;
}
