/**
 * `datamove dashboard`: ONE self-contained HTML page about the run history — no network, no server. The
 * page embeds Chart.js (read from node_modules at run time) and the data as JSON, and also prints every
 * headline number as plain text (elements with `data-testid`), so it reads without JavaScript and a test
 * can compare it with the history.
 *
 * What it shows: jobs on the new vs the legacy connector (migration progress: each job's connector in its
 * latest run — the one that ran, or the decided one when the run failed before any path finished); run
 * status per day; average run time and CPU-seconds per connector (cost comparison, succeeded runs);
 * fallbacks and shadow-validation discrepancies per day; the latest shadow result per job
 * (`datamove_shadow_runs`) and the open investigations (`datamove_investigations`), when those exist.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { DatamoveError } from '../core/index.js';

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
}

export interface DashboardShadow {
  readonly job: string;
  readonly time: string;
  readonly runs: number;
  readonly discrepancies: number;
  /** Latest similarity, 0..1 (null: not measured). */
  readonly similarity: number | null;
}

export interface DashboardInvestigation {
  readonly id: number;
  readonly time: string;
  readonly job: string;
  readonly category: string;
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
  /** Succeeded runs per connector: count, average seconds and CPU-seconds. */
  readonly cost: Record<'new' | 'legacy', { runs: number; avgSeconds: number; avgCpuSeconds: number }>;
  /** Per day (UTC): succeeded, failed, fallbacks, discrepancies. */
  readonly days: readonly {
    day: string;
    succeeded: number;
    failed: number;
    fallbacks: number;
    discrepancies: number;
  }[];
  readonly latest: readonly { job: string; connector: string; status: string; startedAt: string }[];
  readonly shadow: readonly DashboardShadow[];
  readonly investigations: readonly DashboardInvestigation[];
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Reads the dashboard's numbers from a runs.db (read-only); the jobs' own runs (purpose `run`). */
export function dashboardData(historyPath: string, now: Date = new Date()): DashboardData {
  if (!existsSync(historyPath))
    throw new DatamoveError(
      'NotFound',
      `dashboard: no run history at ${historyPath} (run a job first, or give --history <runs.db>)`,
      { context: { file: historyPath } },
    );
  const db = new Database(historyPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    let runs: DashboardRun[] = [];
    if (tableExists(db, 'datamove_runs')) {
      const hasPurpose = (db.prepare('PRAGMA table_info(datamove_runs)').all() as { name: string }[]).some(
        (c) => c.name === 'purpose',
      );
      runs = (
        db
          .prepare(
            `SELECT run_id, job, started_at, status, COALESCE(connector_used, decided) AS connector, fallback,
               duration_ms, cpu_seconds, rows FROM datamove_runs ${hasPurpose ? "WHERE purpose = 'run'" : ''}
             ORDER BY started_at`,
          )
          .all() as Record<string, unknown>[]
      ).map((x) => ({
        runId: x.run_id as string,
        job: x.job as string,
        startedAt: x.started_at as string,
        status: x.status as string,
        connector: x.connector as string,
        fallback: x.fallback === 1,
        durationMs: x.duration_ms as number,
        cpuSeconds: x.cpu_seconds as number,
        rows: x.rows as number,
      }));
    }
    const shadowRows = tableExists(db, 'datamove_shadow_runs')
      ? (db
          .prepare(
            'SELECT id, time, job, c_minus_m, m_minus_c, similarity FROM datamove_shadow_runs ORDER BY time, id',
          )
          .all() as {
          time: string;
          job: string;
          c_minus_m: number | null;
          m_minus_c: number | null;
          similarity: number | null;
        }[])
      : [];
    const investigations = tableExists(db, 'datamove_investigations')
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
    const cost = {
      new: { runs: 0, avgSeconds: 0, avgCpuSeconds: 0 },
      legacy: { runs: 0, avgSeconds: 0, avgCpuSeconds: 0 },
    };
    for (const r of runs) {
      if (r.status !== 'succeeded' || (r.connector !== 'new' && r.connector !== 'legacy')) continue;
      const c = cost[r.connector];
      c.runs++;
      c.avgSeconds += r.durationMs / 1000;
      c.avgCpuSeconds += r.cpuSeconds;
    }
    for (const c of Object.values(cost))
      if (c.runs > 0) {
        c.avgSeconds /= c.runs;
        c.avgCpuSeconds /= c.runs;
      }
    const discrepant = (s: { c_minus_m: number | null; m_minus_c: number | null }) =>
      (s.c_minus_m ?? 0) > 0 || (s.m_minus_c ?? 0) > 0;
    const days = new Map<
      string,
      { day: string; succeeded: number; failed: number; fallbacks: number; discrepancies: number }
    >();
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
      cost,
      days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
      latest,
      shadow: [...shadowByJob.values()].sort((a, b) => a.job.localeCompare(b.job)),
      investigations,
    };
  } finally {
    db.close();
  }
}

/** Chart.js's browser bundle, read from node_modules (the package's exports hide the file's path). */
export function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inside a <script> element, `</` would end it. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const num = (n: number, digits = 0) => n.toFixed(digits);

/** The page (see the module comment). */
export function dashboardHtml(data: DashboardData, chartJs: string = chartJsSource()): string {
  const t = data.totals;
  const stat = (id: string, label: string, value: string) =>
    `<div class="stat"><div class="value" data-testid="${id}">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
  const costCell = (c: 'new' | 'legacy', k: 'avgSeconds' | 'avgCpuSeconds') =>
    data.cost[c].runs === 0 ? '-' : num(data.cost[c][k], 2);
  const shadowRows = data.shadow
    .map(
      (s) =>
        `<tr data-testid="shadow-row" data-job="${esc(s.job)}"><td>${esc(s.job)}</td><td data-testid="shadow-similarity">${s.similarity === null ? '-' : `${num(s.similarity * 100, 1)}%`}</td><td>${s.runs}</td><td>${s.discrepancies}</td><td>${esc(s.time)}</td></tr>`,
    )
    .join('\n');
  const invRows = data.investigations
    .map(
      (i) =>
        `<tr data-testid="investigation-row"><td>${i.id}</td><td>${esc(i.job)}</td><td>${esc(i.category)}</td><td>${esc(i.time)}</td></tr>`,
    )
    .join('\n');
  const latestRows = data.latest
    .map(
      (l) =>
        `<tr data-testid="job-row" data-job="${esc(l.job)}"><td>${esc(l.job)}</td><td data-testid="job-connector">${esc(l.connector)}</td><td>${esc(l.status)}</td><td>${esc(l.startedAt)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>datamove — runs, migration and validation</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2733; background: #f6f8fa; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
  .meta { color: #5b6675; margin-bottom: 16px; }
  .stats { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
  .stat { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 10px 14px; min-width: 120px; }
  .stat .value { font-size: 22px; font-weight: 600; } .stat .label { color: #5b6675; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
  .card { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 14px; }
  .chart { position: relative; height: 260px; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2; }
  .empty { color: #5b6675; }
</style>
</head>
<body>
<h1>datamove</h1>
<div class="meta">Run history <code>${esc(data.history)}</code> · generated <span data-testid="generated-at">${esc(data.generatedAt)}</span></div>
<div class="stats">
${stat('total-runs', 'runs', String(t.runs))}
${stat('succeeded-runs', 'succeeded', String(t.succeeded))}
${stat('failed-runs', 'failed', String(t.failed))}
${stat('fallback-runs', 'fallbacks to legacy', String(t.fallbacks))}
${stat('jobs-new', 'jobs on new', String(t.jobsNew))}
${stat('jobs-legacy', 'jobs on legacy', String(t.jobsLegacy))}
${stat('migration-percent', 'migrated', t.jobs === 0 ? '-' : `${num((100 * t.jobsNew) / t.jobs, 0)}%`)}
${stat('discrepancies', 'shadow discrepancies', String(t.discrepancies))}
${stat('open-investigations', 'open investigations', String(t.openInvestigations))}
</div>
<div class="grid">
  <div class="card"><h2>Migration: jobs by connector (latest run)</h2><div class="chart"><canvas id="chart-migration"></canvas></div></div>
  <div class="card"><h2>Run status per day</h2><div class="chart"><canvas id="chart-status"></canvas></div></div>
  <div class="card"><h2>Cost per run by connector (succeeded runs)</h2><div class="chart"><canvas id="chart-cost"></canvas></div>
    <table><tr><th>connector</th><th>runs</th><th>avg run time (s)</th><th>avg CPU-seconds</th></tr>
    <tr><td>new</td><td data-testid="cost-new-runs">${data.cost.new.runs}</td><td data-testid="avg-seconds-new">${costCell('new', 'avgSeconds')}</td><td data-testid="avg-cpu-new">${costCell('new', 'avgCpuSeconds')}</td></tr>
    <tr><td>legacy</td><td data-testid="cost-legacy-runs">${data.cost.legacy.runs}</td><td data-testid="avg-seconds-legacy">${costCell('legacy', 'avgSeconds')}</td><td data-testid="avg-cpu-legacy">${costCell('legacy', 'avgCpuSeconds')}</td></tr>
    </table></div>
  <div class="card"><h2>Fallbacks and discrepancies per day</h2><div class="chart"><canvas id="chart-problems"></canvas></div></div>
  <div class="card"><h2>Jobs</h2>${latestRows === '' ? '<p class="empty">no runs yet</p>' : `<table><tr><th>job</th><th>connector</th><th>latest status</th><th>latest run</th></tr>\n${latestRows}</table>`}</div>
  <div class="card"><h2>Shadow validation (latest per job)</h2>${shadowRows === '' ? '<p class="empty" data-testid="shadow-empty">no shadow runs</p>' : `<table><tr><th>job</th><th>similarity</th><th>shadow runs</th><th>with discrepancies</th><th>latest</th></tr>\n${shadowRows}</table>`}</div>
  <div class="card"><h2>Open investigations</h2>${invRows === '' ? '<p class="empty" data-testid="investigations-empty">none open</p>' : `<table><tr><th>id</th><th>job</th><th>category</th><th>opened</th></tr>\n${invRows}</table>`}</div>
</div>
<script type="application/json" id="datamove-data">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(chartJs)}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('datamove-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var GREEN = '#2da44e', RED = '#cf222e', BLUE = '#0969da', ORANGE = '#bc4c00', GREY = '#8c959f';
  var days = data.days.map(function (d) { return d.day; });
  new Chart(document.getElementById('chart-migration'), {
    type: 'doughnut',
    data: { labels: ['new', 'legacy'], datasets: [{ data: [data.totals.jobsNew, data.totals.jobsLegacy], backgroundColor: [BLUE, GREY] }] }
  });
  new Chart(document.getElementById('chart-status'), {
    type: 'bar',
    data: { labels: days, datasets: [
      { label: 'succeeded', data: data.days.map(function (d) { return d.succeeded; }), backgroundColor: GREEN },
      { label: 'failed', data: data.days.map(function (d) { return d.failed; }), backgroundColor: RED }
    ] },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById('chart-cost'), {
    type: 'bar',
    data: { labels: ['new', 'legacy'], datasets: [
      { label: 'avg run time (s)', data: [data.cost.new.avgSeconds, data.cost.legacy.avgSeconds], backgroundColor: BLUE },
      { label: 'avg CPU-seconds', data: [data.cost.new.avgCpuSeconds, data.cost.legacy.avgCpuSeconds], backgroundColor: ORANGE }
    ] },
    options: { scales: { y: { beginAtZero: true } } }
  });
  new Chart(document.getElementById('chart-problems'), {
    type: 'line',
    data: { labels: days, datasets: [
      { label: 'fallbacks', data: data.days.map(function (d) { return d.fallbacks; }), borderColor: ORANGE, backgroundColor: ORANGE },
      { label: 'discrepancies', data: data.days.map(function (d) { return d.discrepancies; }), borderColor: RED, backgroundColor: RED }
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  document.body.setAttribute('data-rendered', 'true');
})();
</script>
</body>
</html>
`;
}

/** Reads the history and writes the page to `out`; returns the data shown. */
export function dashboardWrite(o: { historyPath: string; out: string; now?: Date }): DashboardData {
  const data = dashboardData(o.historyPath, o.now);
  writeFileSync(o.out, dashboardHtml(data));
  return data;
}
