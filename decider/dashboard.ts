/**
 * `datamove dashboard`: ONE self-contained HTML page about the run history — no network, no server. The
 * page embeds Chart.js (read from node_modules at run time) and the data as JSON (dashboard-data.ts), and
 * also prints every number as plain text, each in an element with a `data-testid` (table rows carry a
 * `data-key`), so it reads without JavaScript and a test can compare every number with the history.
 *
 * Layout: headline numbers, the four charts in a grid that wraps to the width (four columns at 1400 px, two
 * at 900, one on a phone), then the tables in a grid of wider cards (two columns at 1400, one at 900); a card
 * never gets wider than its column — a table too wide for it scrolls inside the card rather than widening
 * the page. Times are UTC, to the minute; similarity is shown rounded down (core/percent.ts),
 * so 100% means equal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { percentText } from '../core/index.js';
import { type DashboardData, type DashboardPath, dashboardData } from './dashboard-data.js';

export type {
  DashboardComparison,
  DashboardData,
  DashboardInvestigation,
  DashboardRun,
  DashboardShadow,
} from './dashboard-data.js';
export { dashboardData } from './dashboard-data.js';

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

/** An ISO time as `YYYY-MM-DD HH:MM` (UTC; the table headers say so). */
export function dashboardTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
}

const seconds = (n: number) => n.toFixed(2);

interface Cell {
  readonly id: string;
  readonly text: string;
  /** `num` (right-aligned digits), `time` (never wrapped), `name` (wrapped anywhere). */
  readonly kind?: 'num' | 'time' | 'name';
}

interface Column {
  readonly label: string;
  readonly kind?: Cell['kind'];
}

/** A table in a scrolling wrapper; every cell has a data-testid, every row a data-key. */
function table(
  id: string,
  columns: readonly Column[],
  rows: readonly { key: string; cells: Cell[] }[],
): string {
  const cls = (k: Cell['kind']) => (k === undefined ? '' : ` class="${k}"`);
  const head = columns.map((c) => `<th${cls(c.kind)}>${esc(c.label)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr data-key="${esc(r.key)}">${r.cells.map((c) => `<td data-testid="${c.id}"${cls(c.kind)}>${esc(c.text)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table data-testid="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function card(title: string, body: string, note?: string): string {
  return `<section class="card"><h2>${esc(title)}</h2>${note === undefined ? '' : `<p class="note">${esc(note)}</p>`}${body}</section>`;
}

const chart = (id: string) => `<div class="chart"><canvas id="${id}"></canvas></div>`;
const empty = (id: string, text: string) => `<p class="empty" data-testid="${id}">${esc(text)}</p>`;

function costTable(data: DashboardData): string {
  const row = (p: DashboardPath) => {
    const c = data.cost[p];
    const none = c.runs + c.shadowRuns === 0;
    return {
      key: p,
      cells: [
        { id: 'connector', text: p },
        { id: 'runs', text: String(c.runs), kind: 'num' as const },
        { id: 'shadow-runs', text: String(c.shadowRuns), kind: 'num' as const },
        { id: 'avg-seconds', text: none ? '-' : seconds(c.avgSeconds), kind: 'num' as const },
        { id: 'avg-cpu', text: none ? '-' : seconds(c.avgCpuSeconds), kind: 'num' as const },
      ],
    };
  };
  return table(
    'cost-table',
    [
      { label: 'connector' },
      { label: 'job runs', kind: 'num' },
      { label: 'shadow runs', kind: 'num' },
      { label: 'avg time (s)', kind: 'num' },
      { label: 'avg CPU (s)', kind: 'num' },
    ],
    [row('new'), row('legacy')],
  );
}

function comparisonTable(data: DashboardData): string {
  if (data.comparisons.length === 0)
    return empty(
      'comparison-empty',
      'no shadow runs with both paths yet: `datamove shadow <job-file>` runs the two on the same backup',
    );
  return table(
    'comparison-table',
    [
      { label: 'job', kind: 'name' },
      { label: 'shadow runs', kind: 'num' },
      { label: 'time new', kind: 'num' },
      { label: 'time legacy', kind: 'num' },
      { label: 'CPU new', kind: 'num' },
      { label: 'CPU legacy', kind: 'num' },
    ],
    data.comparisons.map((c) => ({
      key: c.job,
      cells: [
        { id: 'job', text: c.job, kind: 'name' },
        { id: 'pairs', text: String(c.pairs), kind: 'num' },
        { id: 'seconds-new', text: seconds(c.seconds.new), kind: 'num' },
        { id: 'seconds-legacy', text: seconds(c.seconds.legacy), kind: 'num' },
        { id: 'cpu-new', text: seconds(c.cpuSeconds.new), kind: 'num' },
        { id: 'cpu-legacy', text: seconds(c.cpuSeconds.legacy), kind: 'num' },
      ],
    })),
  );
}

function shadowTable(data: DashboardData): string {
  if (data.shadow.length === 0) return empty('shadow-empty', 'no shadow runs');
  return table(
    'shadow-table',
    [
      { label: 'job', kind: 'name' },
      { label: 'similarity', kind: 'num' },
      { label: 'runs', kind: 'num' },
      { label: 'differing', kind: 'num' },
      { label: 'latest (UTC)', kind: 'time' },
    ],
    data.shadow.map((s) => ({
      key: s.job,
      cells: [
        { id: 'job', text: s.job, kind: 'name' },
        { id: 'similarity', text: s.similarity === null ? '-' : percentText(s.similarity, 1), kind: 'num' },
        { id: 'runs', text: String(s.runs), kind: 'num' },
        { id: 'differing', text: String(s.discrepancies), kind: 'num' },
        { id: 'latest', text: dashboardTime(s.time), kind: 'time' },
      ],
    })),
  );
}

function jobsTable(data: DashboardData): string {
  if (data.latest.length === 0) return empty('jobs-empty', 'no runs yet');
  return table(
    'jobs-table',
    [
      { label: 'job', kind: 'name' },
      { label: 'connector' },
      { label: 'latest status' },
      { label: 'latest run (UTC)', kind: 'time' },
    ],
    data.latest.map((l) => ({
      key: l.job,
      cells: [
        { id: 'job', text: l.job, kind: 'name' },
        { id: 'connector', text: l.connector },
        { id: 'status', text: l.status },
        { id: 'latest', text: dashboardTime(l.startedAt), kind: 'time' },
      ],
    })),
  );
}

function investigationsTable(data: DashboardData): string {
  if (data.investigations.length === 0) return empty('investigations-empty', 'none open');
  return table(
    'investigations-table',
    [
      { label: 'id', kind: 'num' },
      { label: 'job', kind: 'name' },
      { label: 'category' },
      { label: 'opened (UTC)', kind: 'time' },
    ],
    data.investigations.map((i) => ({
      key: String(i.id),
      cells: [
        { id: 'id', text: String(i.id), kind: 'num' },
        { id: 'job', text: i.job, kind: 'name' },
        { id: 'category', text: i.category },
        { id: 'opened', text: dashboardTime(i.time), kind: 'time' },
      ],
    })),
  );
}

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; padding: 24px; color: #1d2733; background: #f6f8fa; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 0 0 8px; }
  .meta { color: #5b6675; margin-bottom: 16px; overflow-wrap: anywhere; }
  .stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 12px; margin-bottom: 16px; }
  .stat { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 10px 14px; }
  .stat .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; } .stat .label { color: #5b6675; }
  .grid { display: grid; gap: 16px; margin-bottom: 16px; }
  .charts { grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
  .tables { grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); }
  .card { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 14px; min-width: 0; }
  .note { color: #5b6675; margin: -4px 0 8px; font-size: 13px; }
  .chart { position: relative; height: 240px; }
  .charts .card { display: flex; flex-direction: column; } .charts .chart { margin-top: auto; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  th { font-weight: 600; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  td.num, td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
  .name { overflow-wrap: break-word; }
  .empty { color: #5b6675; }
`;

/** Draws the charts from the embedded JSON (runs in the page). */
const CHARTS = `
(function () {
  var data = JSON.parse(document.getElementById('datamove-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var GREEN = '#2da44e', RED = '#cf222e', BLUE = '#0969da', ORANGE = '#bc4c00', GREY = '#8c959f';
  var BAR = { maxBarThickness: 48 };
  function bars(label, values, color) {
    return Object.assign({ label: label, data: values, backgroundColor: color }, BAR);
  }
  var days = data.days.map(function (d) { return d.day; });
  var perDay = function (k) { return data.days.map(function (d) { return d[k]; }); };
  var count = { y: { beginAtZero: true, ticks: { precision: 0 } } };
  new Chart(document.getElementById('chart-migration'), {
    type: 'doughnut',
    data: { labels: ['new', 'legacy'], datasets: [{ data: [data.totals.jobsNew, data.totals.jobsLegacy], backgroundColor: [BLUE, GREY] }] }
  });
  new Chart(document.getElementById('chart-status'), {
    type: 'bar',
    data: { labels: days, datasets: [bars('succeeded', perDay('succeeded'), GREEN), bars('failed', perDay('failed'), RED)] },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById('chart-problems'), {
    type: 'bar',
    data: { labels: days, datasets: [bars('fallbacks', perDay('fallbacks'), ORANGE), bars('discrepancies', perDay('discrepancies'), RED)] },
    options: { scales: count }
  });
  new Chart(document.getElementById('chart-cost'), {
    type: 'bar',
    data: { labels: ['new', 'legacy'], datasets: [
      bars('avg time (s)', [data.cost.new.avgSeconds, data.cost.legacy.avgSeconds], BLUE),
      bars('avg CPU (s)', [data.cost.new.avgCpuSeconds, data.cost.legacy.avgCpuSeconds], ORANGE)
    ] },
    options: { scales: { y: { beginAtZero: true } } }
  });
  document.body.setAttribute('data-rendered', 'true');
})();
`;

/** The page (see the module comment). */
export function dashboardHtml(data: DashboardData, chartJs: string = chartJsSource()): string {
  const t = data.totals;
  const stat = (id: string, label: string, value: string) =>
    `<div class="stat"><div class="value" data-testid="${id}">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
  const generated = `${new Date(data.generatedAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>datamove — runs, migration and validation</title>
<style>${STYLE}</style>
</head>
<body>
<h1>datamove</h1>
<div class="meta">Run history <code data-testid="history-path">${esc(data.history)}</code> · generated <span data-testid="generated-at">${esc(generated)}</span></div>
<div class="stats">
${stat('total-runs', 'job runs', String(t.runs))}
${stat('succeeded-runs', 'succeeded', String(t.succeeded))}
${stat('failed-runs', 'failed', String(t.failed))}
${stat('fallback-runs', 'fallbacks', String(t.fallbacks))}
${stat('jobs-new', 'jobs on new', String(t.jobsNew))}
${stat('jobs-legacy', 'jobs on legacy', String(t.jobsLegacy))}
${stat('migration-percent', 'migrated', t.jobs === 0 ? '-' : percentText(t.jobsNew / t.jobs, 0))}
${stat('discrepancies', 'discrepancies', String(t.discrepancies))}
${stat('open-investigations', 'open investigations', String(t.openInvestigations))}
</div>
<div class="grid charts">
${card('Migration: jobs by connector', chart('chart-migration'), "each job's connector in its latest run")}
${card('Run status per day', chart('chart-status'), 'job runs per UTC day')}
${card('Fallbacks and discrepancies', chart('chart-problems'), 'per UTC day (a discrepancy: a shadow run that differed)')}
${card('Cost per run by connector', chart('chart-cost'), 'averages of succeeded runs, shadow runs included')}
</div>
<div class="grid tables">
${card('Cost by connector', costTable(data), 'succeeded runs, shadow runs included; the averages mix different jobs')}
${card('Cost on the same job: new vs legacy', comparisonTable(data), 'seconds, averaged over the shadow runs — both paths on the same backup')}
${card('Shadow validation (latest per job)', shadowTable(data))}
${card('Open investigations', investigationsTable(data))}
${card('Jobs', jobsTable(data))}
</div>
<script type="application/json" id="datamove-data">${scriptSafe(JSON.stringify(data))}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${CHARTS}</script>
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
