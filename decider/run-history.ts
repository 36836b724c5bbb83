/**
 * Run history and decisions, in the embedded SQLite database beside the catalog (`runs.db` in the
 * catalog's folder: `./.datamove/runs.db` by default; the same folder for any other catalog kind). One row
 * per run — decision, connector used, fallback and its cause, counts, snapshot, timings, outcome — and one
 * row per decision (`datamove decide` records too), so a later `jobs history` reads them.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface RunRecord {
  readonly runId: string;
  readonly job: string;
  readonly jobFile: string | undefined;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: 'succeeded' | 'failed';
  /** What the decider chose, and what ran in the end. */
  readonly decided: 'new' | 'legacy';
  readonly connectorUsed: 'new' | 'legacy' | undefined;
  readonly fallback: boolean;
  readonly fallbackCause: string | undefined;
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly snapshotId: string | undefined;
  readonly table: string;
  readonly durationMs: number;
  readonly cpuSeconds: number;
  readonly error: string | undefined;
  /** `run` (a job's own run), `shadow` (a shadow validation's second path), `restore`. */
  readonly purpose?: string;
}

export interface DecisionRecord {
  readonly time: string;
  readonly job: string;
  readonly runId: string | undefined;
  readonly connector: 'new' | 'legacy';
  readonly rule: number | undefined;
  readonly reason: string;
  readonly controllerFile: string | undefined;
}

const DDL = `
CREATE TABLE IF NOT EXISTS datamove_runs (
  run_id TEXT PRIMARY KEY, job TEXT NOT NULL, job_file TEXT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
  status TEXT NOT NULL, decided TEXT NOT NULL, connector_used TEXT, fallback INTEGER NOT NULL, fallback_cause TEXT,
  rows INTEGER NOT NULL, bytes INTEGER NOT NULL, files INTEGER NOT NULL, snapshot_id TEXT, target_table TEXT NOT NULL,
  duration_ms INTEGER NOT NULL, cpu_seconds REAL NOT NULL, error TEXT);
CREATE INDEX IF NOT EXISTS datamove_runs_job ON datamove_runs (job, started_at);
CREATE TABLE IF NOT EXISTS datamove_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, job TEXT NOT NULL, run_id TEXT, connector TEXT NOT NULL,
  rule INTEGER, reason TEXT NOT NULL, controller_file TEXT);
`;

export interface RunHistory {
  readonly path: string;
  runRecord(r: RunRecord): void;
  decisionRecord(d: DecisionRecord): void;
  /** Runs in start order (oldest first), of one job or all. */
  runs(job?: string): RunRecord[];
  /** One run by id, or undefined. */
  runGet(runId: string): RunRecord | undefined;
  /** Each job's latest run of `purpose` (default `run`), by job name. */
  runsLatest(purpose?: string): RunRecord[];
  decisions(job?: string): DecisionRecord[];
  /** The decision recorded for a run, or undefined. */
  decisionOf(runId: string): DecisionRecord | undefined;
  close(): void;
}

/** `runs.db` next to a SQLite catalog file (or in `./.datamove` for other catalogs). */
export function runHistoryPath(catalogPath: string | undefined): string {
  return `${dirname(catalogPath ?? './.datamove/catalog.db')}/runs.db`;
}

export function runHistoryOpen(path: string): RunHistory {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(DDL);
  // databases written before the purpose column existed
  const columns = db.prepare('PRAGMA table_info(datamove_runs)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'purpose'))
    db.exec("ALTER TABLE datamove_runs ADD COLUMN purpose TEXT NOT NULL DEFAULT 'run'");
  const insertRun = db.prepare(
    `INSERT OR REPLACE INTO datamove_runs (run_id, job, job_file, started_at, finished_at, status, decided,
       connector_used, fallback, fallback_cause, rows, bytes, files, snapshot_id, target_table, duration_ms,
       cpu_seconds, error, purpose)
     VALUES (@runId, @job, @jobFile, @startedAt, @finishedAt, @status, @decided, @connectorUsed, @fallback,
       @fallbackCause, @rows, @bytes, @files, @snapshotId, @table, @durationMs, @cpuSeconds, @error, @purpose)`,
  );
  const insertDecision = db.prepare(
    `INSERT INTO datamove_decisions (time, job, run_id, connector, rule, reason, controller_file)
     VALUES (@time, @job, @runId, @connector, @rule, @reason, @controllerFile)`,
  );
  const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const und = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  const runOf = (x: Record<string, unknown>): RunRecord => ({
    runId: x.run_id as string,
    job: x.job as string,
    jobFile: und(x.job_file as string | null),
    startedAt: x.started_at as string,
    finishedAt: x.finished_at as string,
    status: x.status as 'succeeded',
    decided: x.decided as 'new',
    connectorUsed: und(x.connector_used as 'new' | null),
    fallback: x.fallback === 1,
    fallbackCause: und(x.fallback_cause as string | null),
    rows: x.rows as number,
    bytes: x.bytes as number,
    files: x.files as number,
    snapshotId: und(x.snapshot_id as string | null),
    table: x.target_table as string,
    durationMs: x.duration_ms as number,
    cpuSeconds: x.cpu_seconds as number,
    error: und(x.error as string | null),
    purpose: x.purpose as string,
  });
  const decisionOf = (x: Record<string, unknown>): DecisionRecord => ({
    time: x.time as string,
    job: x.job as string,
    runId: und(x.run_id as string | null),
    connector: x.connector as 'new',
    rule: und(x.rule as number | null),
    reason: x.reason as string,
    controllerFile: und(x.controller_file as string | null),
  });
  return {
    path,
    runRecord(r) {
      insertRun.run({
        ...r,
        jobFile: nul(r.jobFile),
        connectorUsed: nul(r.connectorUsed),
        fallback: r.fallback ? 1 : 0,
        fallbackCause: nul(r.fallbackCause),
        snapshotId: nul(r.snapshotId),
        error: nul(r.error),
        purpose: r.purpose ?? 'run',
      });
    },
    decisionRecord(d) {
      insertDecision.run({
        ...d,
        runId: nul(d.runId),
        rule: nul(d.rule),
        controllerFile: nul(d.controllerFile),
      });
    },
    runs(job) {
      const rows = db
        .prepare(
          `SELECT * FROM datamove_runs ${job === undefined ? '' : 'WHERE job = ?'} ORDER BY started_at`,
        )
        .all(...(job === undefined ? [] : [job])) as Record<string, unknown>[];
      return rows.map(runOf);
    },
    runGet(runId) {
      const x = db.prepare('SELECT * FROM datamove_runs WHERE run_id = ?').get(runId);
      return x === undefined ? undefined : runOf(x as Record<string, unknown>);
    },
    runsLatest(purpose = 'run') {
      const rows = db
        .prepare(
          `SELECT * FROM datamove_runs r WHERE purpose = ? AND started_at = (
             SELECT MAX(started_at) FROM datamove_runs WHERE job = r.job AND purpose = r.purpose)
           ORDER BY job`,
        )
        .all(purpose) as Record<string, unknown>[];
      return rows.map(runOf);
    },
    decisions(job) {
      const rows = db
        .prepare(`SELECT * FROM datamove_decisions ${job === undefined ? '' : 'WHERE job = ?'} ORDER BY id`)
        .all(...(job === undefined ? [] : [job])) as Record<string, unknown>[];
      return rows.map(decisionOf);
    },
    decisionOf(runId) {
      const x = db.prepare('SELECT * FROM datamove_decisions WHERE run_id = ? ORDER BY id DESC').get(runId);
      return x === undefined ? undefined : decisionOf(x as Record<string, unknown>);
    },
    close() {
      db.close();
    },
  };
}
