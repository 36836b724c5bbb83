/**
 * Metrics in the Prometheus text format (prom-client). The numbers about runs are computed from the run
 * history (runs.db) each time they are collected, so the scheduler's `/metrics`, a textfile written after a
 * `datamove run` from cron, and the dashboard all report the same totals — a process restart loses nothing.
 *
 * - runs by job, connector used, status and purpose; run time, CPU-seconds, rows and bytes written by
 *   connector; fallbacks by cause; each job's latest run (time, success, duration);
 * - shadow validation (table `datamove_shadow_runs`, when it exists): runs, discrepancies (runs whose two
 *   tables differ), differing rows, latest similarity;
 * - S3 request failures by kind and operation: live, counted in this process — the main thread's (listing,
 *   planning, the legacy path) and the compaction worker threads', which the pool re-emits here
 *   (compaction-run.ts).
 *
 * `metricsServe` serves `/metrics` over HTTP; `metricsTextfileWrite` writes the node_exporter textfile
 * collector's file atomically (a temporary file renamed over it).
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { DatamoveError } from '../core/index.js';
import { s3FailureListen } from '../storage/index.js';
import { historyReadOpen, historyTableExists, runPurposeSql, shadowSimilaritySql } from './history-read.js';

export interface MetricsOptions {
  /** The run history files to report (read on every collect; missing files are skipped). */
  readonly historyPaths: () => readonly string[];
  /** The scheduler's live numbers, when one runs in this process. */
  readonly scheduler?: () => { readonly running: number; readonly skipped: number; readonly started: number };
}

export interface Metrics {
  readonly registry: Registry;
  /** The text format. */
  text(): Promise<string>;
  /** Stops counting S3 failures. */
  close(): void;
}

interface RunAgg {
  job: string;
  connector: string;
  status: string;
  purpose: string;
  runs: number;
  duration_ms: number;
  cpu: number;
  rows: number;
  bytes: number;
}

interface HistoryNumbers {
  runs: RunAgg[];
  fallbacks: { job: string; cause: string; n: number }[];
  last: { job: string; finished_at: string; status: string; duration_ms: number }[];
  shadow: { job: string; runs: number; discrepancies: number; rows: number; similarity: number | null }[];
}

/** The numbers of one runs.db (read-only). */
export function historyNumbers(path: string): HistoryNumbers {
  const out: HistoryNumbers = { runs: [], fallbacks: [], last: [], shadow: [] };
  if (!existsSync(path)) return out;
  const db = historyReadOpen(path);
  try {
    if (historyTableExists(db, 'datamove_runs')) {
      const purpose = runPurposeSql(db);
      out.runs = db
        .prepare(
          `SELECT job, COALESCE(connector_used, 'none') AS connector, status, ${purpose} AS purpose,
             COUNT(*) AS runs, SUM(duration_ms) AS duration_ms, SUM(cpu_seconds) AS cpu, SUM(rows) AS rows,
             SUM(bytes) AS bytes
           FROM datamove_runs GROUP BY 1, 2, 3, 4`,
        )
        .all() as RunAgg[];
      const causes = db
        .prepare('SELECT job, fallback_cause AS cause FROM datamove_runs WHERE fallback = 1')
        .all() as { job: string; cause: string | null }[];
      const fb = new Map<string, { job: string; cause: string; n: number }>();
      for (const c of causes) {
        const kind = (c.cause ?? 'unknown').split(':')[0]!.trim() || 'unknown';
        const k = `${c.job}\u0000${kind}`;
        const e = fb.get(k) ?? { job: c.job, cause: kind, n: 0 };
        e.n++;
        fb.set(k, e);
      }
      out.fallbacks = [...fb.values()];
      out.last = db
        .prepare(
          `SELECT job, finished_at, status, duration_ms FROM datamove_runs r WHERE ${purpose} = 'run' AND
             started_at = (SELECT MAX(started_at) FROM datamove_runs WHERE job = r.job AND ${purpose} = 'run')`,
        )
        .all() as HistoryNumbers['last'];
    }
    if (historyTableExists(db, 'datamove_shadow_runs'))
      out.shadow = db
        .prepare(
          `SELECT job, COUNT(*) AS runs,
             SUM(CASE WHEN c_minus_m > 0 OR m_minus_c > 0 THEN 1 ELSE 0 END) AS discrepancies,
             SUM(c_minus_m + m_minus_c) AS rows,
             (SELECT ${shadowSimilaritySql(db)} FROM datamove_shadow_runs s2 WHERE s2.job = s.job ORDER BY time DESC, id DESC LIMIT 1)
               AS similarity
           FROM datamove_shadow_runs s GROUP BY job`,
        )
        .all() as HistoryNumbers['shadow'];
  } finally {
    db.close();
  }
  return out;
}

/** The registry (see the module comment); S3 failures are counted from now on. */
export function metricsCreate(o: MetricsOptions): Metrics {
  const registry = new Registry();
  let numbers: HistoryNumbers[] = [];
  // one read of the histories per scrape, shared by every metric's collect
  const reg = [registry];
  const runs = new Counter({
    name: 'datamove_runs_total',
    help: 'Runs recorded in the run history, by job, connector used (new, legacy, none), status and purpose',
    labelNames: ['job', 'connector', 'status', 'purpose'],
    registers: reg,
  });
  const duration = new Counter({
    name: 'datamove_run_duration_seconds_total',
    help: 'Wall-clock time of runs, by job and connector used (divide by datamove_runs_total for the average)',
    labelNames: ['job', 'connector'],
    registers: reg,
  });
  const cpu = new Counter({
    name: 'datamove_run_cpu_seconds_total',
    help: 'CPU-seconds of runs (the datamove process, worker threads included), by job and connector used',
    labelNames: ['job', 'connector'],
    registers: reg,
  });
  const rows = new Counter({
    name: 'datamove_rows_written_total',
    help: 'Rows written to Iceberg by succeeded runs, by job and connector used',
    labelNames: ['job', 'connector'],
    registers: reg,
  });
  const bytes = new Counter({
    name: 'datamove_bytes_written_total',
    help: 'Data file bytes written to Iceberg by succeeded runs, by job and connector used',
    labelNames: ['job', 'connector'],
    registers: reg,
  });
  const fallbacks = new Counter({
    name: 'datamove_fallbacks_total',
    help: 'Runs whose new path failed and that ran the legacy path, by job and cause',
    labelNames: ['job', 'cause'],
    registers: reg,
  });
  const lastTime = new Gauge({
    name: 'datamove_last_run_timestamp_seconds',
    help: "End time of each job's latest run (Unix seconds)",
    labelNames: ['job'],
    registers: reg,
  });
  const lastOk = new Gauge({
    name: 'datamove_last_run_success',
    help: "1 if each job's latest run succeeded, else 0",
    labelNames: ['job'],
    registers: reg,
  });
  const lastDuration = new Gauge({
    name: 'datamove_last_run_duration_seconds',
    help: "Wall-clock time of each job's latest run",
    labelNames: ['job'],
    registers: reg,
  });
  const shadowRuns = new Counter({
    name: 'datamove_shadow_runs_total',
    help: 'Shadow validations (both paths compared), by job',
    labelNames: ['job'],
    registers: reg,
  });
  const discrepancies = new Counter({
    name: 'datamove_discrepancies_total',
    help: 'Shadow validations whose two tables differed, by job',
    labelNames: ['job'],
    registers: reg,
  });
  const discrepantRows = new Counter({
    name: 'datamove_discrepant_rows_total',
    help: 'Rows in one table of a shadow validation and not the other, by job',
    labelNames: ['job'],
    registers: reg,
  });
  const similarity = new Gauge({
    name: 'datamove_shadow_similarity',
    help: "Similarity (0..1) of each job's latest shadow validation",
    labelNames: ['job'],
    registers: reg,
  });
  const s3Failures = new Counter({
    name: 'datamove_s3_request_failures_total',
    help: 'Failed S3 requests of this process (every attempt), by kind and operation',
    labelNames: ['kind', 'operation'],
    registers: reg,
  });
  const schedRunning = new Gauge({
    name: 'datamove_scheduler_running_jobs',
    help: 'Jobs running now in this scheduler',
    registers: reg,
  });
  const schedSkipped = new Counter({
    name: 'datamove_scheduler_fires_skipped_total',
    help: 'Scheduled fires skipped because the job was still running (since start-up)',
    registers: reg,
  });

  const unlisten = s3FailureListen((kind, operation) => s3Failures.inc({ kind, operation }));

  const refresh = () => {
    const paths = [...new Set(o.historyPaths().map((p) => resolve(p)))];
    numbers = paths.map(historyNumbers);
    for (const m of [runs, duration, cpu, rows, bytes, fallbacks, shadowRuns, discrepancies, discrepantRows])
      m.reset();
    for (const m of [lastTime, lastOk, lastDuration, similarity]) m.reset();
    for (const n of numbers) {
      for (const r of n.runs) {
        runs.inc({ job: r.job, connector: r.connector, status: r.status, purpose: r.purpose }, r.runs);
        const jc = { job: r.job, connector: r.connector };
        duration.inc(jc, r.duration_ms / 1000);
        cpu.inc(jc, r.cpu);
        if (r.status === 'succeeded') {
          rows.inc(jc, r.rows);
          bytes.inc(jc, r.bytes);
        }
      }
      for (const f of n.fallbacks) fallbacks.inc({ job: f.job, cause: f.cause }, f.n);
      for (const l of n.last) {
        lastTime.set({ job: l.job }, Date.parse(l.finished_at) / 1000);
        lastOk.set({ job: l.job }, l.status === 'succeeded' ? 1 : 0);
        lastDuration.set({ job: l.job }, l.duration_ms / 1000);
      }
      for (const s of n.shadow) {
        shadowRuns.inc({ job: s.job }, s.runs);
        discrepancies.inc({ job: s.job }, s.discrepancies);
        discrepantRows.inc({ job: s.job }, s.rows ?? 0);
        if (s.similarity !== null) similarity.set({ job: s.job }, s.similarity);
      }
    }
    const st = o.scheduler?.();
    if (st !== undefined) {
      schedRunning.set(st.running);
      schedSkipped.reset();
      schedSkipped.inc(st.skipped);
    }
  };

  return {
    registry,
    async text() {
      refresh();
      return registry.metrics();
    },
    close: () => {
      unlisten();
    },
  };
}

/** Writes the text format to `path` atomically (node_exporter's textfile collector reads `*.prom`). */
export async function metricsTextfileWrite(path: string, metrics: Metrics): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, await metrics.text());
  renameSync(tmp, path);
}

/** Serves `GET /metrics` on `port` (0: any free port); resolves with the port and a close function. */
export async function metricsServe(
  metrics: Metrics,
  port: number,
  host = '0.0.0.0',
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${(e as Error)?.message ?? e}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e) =>
      fail(
        new DatamoveError('InvalidArgument', `metrics: cannot listen on ${host}:${port}: ${e.message}`, {
          context: { field: 'metrics-port', port },
        }),
      ),
    );
    server.listen(port, host, () => ok());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
