/**
 * The numbers of `datamove dashboard` (dashboard.ts draws them), read from a run history (`runs.db`,
 * read-only): the jobs' own runs (purpose `run`) for the totals, the migration (each job's connector in its
 * latest run — the one that ran, or the decided one when the run failed before any path finished) and the
 * runs per day; every succeeded run, shadow runs included and counted apart, for the cost per connector;
 * the pairs of runs of each shadow validation (`datamove_shadow_runs`: the legacy run C and the new run M
 * of the same job on the same backup) for the per-job new-vs-legacy comparison — the fair one, since the
 * per-connector averages mix different jobs; the latest shadow result per job; the open investigations.
 */
import { existsSync } from 'node:fs';
import { DatamoveError } from '../core/index.js';
import { historyReadOpen, historyTableExists, runPurposeSql, shadowSimilaritySql } from './history-read.js';

export type DashboardPath = 'new' | 'legacy';

export interface DashboardRun {
  readonly runId: string;
  readonly job: string;
  readonly startedAt: string;
  readonly status: string;
  readonly connector: string;
  readonly fallback: boolean;
  readonly durationMs: number;
  readonly cpuSeconds: number;
  readonly rows: number;
  /** `run` (the job's own run) or `shadow` (the other path of a shadow validation). */
  readonly purpose: string;
}

export interface DashboardShadow {
  readonly job: string;
  readonly time: string;
  readonly runs: number;
  readonly discrepancies: number;
  /** Latest similarity, 0..1 (null: not measured). */
  readonly similarity: number | null;
}

/** One job's two paths on the same backups: averages over its shadow runs whose two runs succeeded. */
export interface DashboardComparison {
  readonly job: string;
  readonly pairs: number;
  readonly seconds: Record<DashboardPath, number>;
  readonly cpuSeconds: Record<DashboardPath, number>;
}

export interface DashboardInvestigation {
  readonly id: number;
  readonly time: string;
  readonly job: string;
  readonly category: string;
}

export interface DashboardCost {
  /** Succeeded job runs (purpose `run`). */
  readonly runs: number;
  /** Succeeded shadow runs (the other path of a shadow validation). */
  readonly shadowRuns: number;
  /** Averages over both kinds. */
  readonly avgSeconds: number;
  readonly avgCpuSeconds: number;
}

export interface DashboardDay {
  readonly day: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly fallbacks: number;
  readonly discrepancies: number;
}

export interface DashboardData {
  readonly generatedAt: string;
  readonly history: string;
  readonly totals: {
    readonly runs: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly fallbacks: number;
    readonly jobs: number;
    readonly jobsNew: number;
    readonly jobsLegacy: number;
    readonly discrepancies: number;
    readonly openInvestigations: number;
  };
  readonly cost: Record<DashboardPath, DashboardCost>;
  readonly comparisons: readonly DashboardComparison[];
  /** Per day (UTC): job runs succeeded, failed, fallbacks; shadow runs with discrepancies. */
  readonly days: readonly DashboardDay[];
  readonly latest: readonly { job: string; connector: string; status: string; startedAt: string }[];
  readonly shadow: readonly DashboardShadow[];
  readonly investigations: readonly DashboardInvestigation[];
}

interface ShadowRow {
  time: string;
  job: string;
  c_minus_m: number | null;
  m_minus_c: number | null;
  similarity: number | null;
  c_run_id: string | null;
  m_run_id: string | null;
}

function runsRead(db: ReturnType<typeof historyReadOpen>): DashboardRun[] {
  if (!historyTableExists(db, 'datamove_runs')) return [];
  const rows = db
    .prepare(
      `SELECT run_id, job, started_at, status, COALESCE(connector_used, decided) AS connector, fallback,
         duration_ms, cpu_seconds, rows, ${runPurposeSql(db)} AS purpose FROM datamove_runs ORDER BY started_at`,
    )
    .all() as Record<string, unknown>[];
  return rows.map((x) => ({
    runId: x.run_id as string,
    job: x.job as string,
    startedAt: x.started_at as string,
    status: x.status as string,
    connector: x.connector as string,
    fallback: x.fallback === 1,
    durationMs: x.duration_ms as number,
    cpuSeconds: x.cpu_seconds as number,
    rows: x.rows as number,
    purpose: x.purpose as string,
  }));
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

function costOf(runs: readonly DashboardRun[]): Record<DashboardPath, DashboardCost> {
  const of = (p: DashboardPath): DashboardCost => {
    const ok = runs.filter((r) => r.status === 'succeeded' && r.connector === p);
    return {
      runs: ok.filter((r) => r.purpose === 'run').length,
      shadowRuns: ok.filter((r) => r.purpose === 'shadow').length,
      avgSeconds: mean(ok.map((r) => r.durationMs / 1000)),
      avgCpuSeconds: mean(ok.map((r) => r.cpuSeconds)),
    };
  };
  return { new: of('new'), legacy: of('legacy') };
}

function comparisonsOf(runs: readonly DashboardRun[], shadows: readonly ShadowRow[]): DashboardComparison[] {
  const byId = new Map(runs.filter((r) => r.status === 'succeeded').map((r) => [r.runId, r]));
  const pairs = new Map<string, { legacy: DashboardRun; new: DashboardRun }[]>();
  for (const s of shadows) {
    const c = s.c_run_id === null ? undefined : byId.get(s.c_run_id);
    const m = s.m_run_id === null ? undefined : byId.get(s.m_run_id);
    if (c?.connector !== 'legacy' || m?.connector !== 'new') continue;
    pairs.set(s.job, [...(pairs.get(s.job) ?? []), { legacy: c, new: m }]);
  }
  return [...pairs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([job, ps]) => {
      const avg = (f: (r: DashboardRun) => number) => ({
        new: mean(ps.map((p) => f(p.new))),
        legacy: mean(ps.map((p) => f(p.legacy))),
      });
      return {
        job,
        pairs: ps.length,
        seconds: avg((r) => r.durationMs / 1000),
        cpuSeconds: avg((r) => r.cpuSeconds),
      };
    });
}

/** Reads the dashboard's numbers from a runs.db (see the module comment). */
export function dashboardData(historyPath: string, now: Date = new Date()): DashboardData {
  if (!existsSync(historyPath))
    throw new DatamoveError(
      'NotFound',
      `dashboard: no run history at ${historyPath} (run a job first, or give --history <runs.db>)`,
      { context: { file: historyPath } },
    );
  const db = historyReadOpen(historyPath);
  try {
    const all = runsRead(db);
    const runs = all.filter((r) => r.purpose === 'run');
    const shadowRows = historyTableExists(db, 'datamove_shadow_runs')
      ? (db
          .prepare(
            `SELECT time, job, c_minus_m, m_minus_c, ${shadowSimilaritySql(db)} AS similarity, c_run_id, m_run_id
             FROM datamove_shadow_runs ORDER BY time, id`,
          )
          .all() as ShadowRow[])
      : [];
    const investigations = historyTableExists(db, 'datamove_investigations')
      ? (db
          .prepare(
            "SELECT id, time, job, category FROM datamove_investigations WHERE status = 'open' ORDER BY time, id",
          )
          .all() as DashboardInvestigation[])
      : [];

    const latestByJob = new Map<string, DashboardRun>();
    for (const r of runs) latestByJob.set(r.job, r); // in start order: the last one wins
    const latest = [...latestByJob.values()]
      .sort((a, b) => a.job.localeCompare(b.job))
      .map((r) => ({ job: r.job, connector: r.connector, status: r.status, startedAt: r.startedAt }));
    const discrepant = (s: ShadowRow) => (s.c_minus_m ?? 0) > 0 || (s.m_minus_c ?? 0) > 0;
    const days = new Map<string, { -readonly [K in keyof DashboardDay]: DashboardDay[K] }>();
    const day = (t: string) => {
      const d = new Date(t).toISOString().slice(0, 10);
      let e = days.get(d);
      if (e === undefined) {
        e = { day: d, succeeded: 0, failed: 0, fallbacks: 0, discrepancies: 0 };
        days.set(d, e);
      }
      return e;
    };
    for (const r of runs) {
      const e = day(r.startedAt);
      if (r.status === 'succeeded') e.succeeded++;
      else e.failed++;
      if (r.fallback) e.fallbacks++;
    }
    for (const s of shadowRows) if (discrepant(s)) day(s.time).discrepancies++;
    const shadowByJob = new Map<string, DashboardShadow>();
    for (const s of shadowRows) {
      const prev = shadowByJob.get(s.job);
      shadowByJob.set(s.job, {
        job: s.job,
        time: s.time,
        runs: (prev?.runs ?? 0) + 1,
        discrepancies: (prev?.discrepancies ?? 0) + (discrepant(s) ? 1 : 0),
        similarity: s.similarity,
      });
    }
    return {
      generatedAt: now.toISOString(),
      history: historyPath,
      totals: {
        runs: runs.length,
        succeeded: runs.filter((r) => r.status === 'succeeded').length,
        failed: runs.filter((r) => r.status !== 'succeeded').length,
        fallbacks: runs.filter((r) => r.fallback).length,
        jobs: latest.length,
        jobsNew: latest.filter((l) => l.connector === 'new').length,
        jobsLegacy: latest.filter((l) => l.connector === 'legacy').length,
        discrepancies: shadowRows.filter(discrepant).length,
        openInvestigations: investigations.length,
      },
      cost: costOf(all),
      comparisons: comparisonsOf(all, shadowRows),
      days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
      latest,
      shadow: [...shadowByJob.values()].sort((a, b) => a.job.localeCompare(b.job)),
      investigations,
    };
  } finally {
    db.close();
  }
}
