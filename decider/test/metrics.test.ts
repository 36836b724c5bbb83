/**
 * Metrics: the Prometheus text served on /metrics (scraped over HTTP and parsed) carries the run
 * history's numbers — runs by connector and status, run time, CPU, rows, bytes, fallbacks by cause — the
 * shadow validations' discrepancies, and live S3 request failures by kind (a real request to the
 * embedded S3 for a bucket that does not exist).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EmbeddedS3, embeddedS3Start } from '../../infra/index.js';
import { backupSourceOpen } from '../../reader/index.js';
import { metricsCreate, metricsServe, metricsTextfileWrite } from '../metrics.js';
import { type RunRecord, runHistoryOpen } from '../run-history.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-metrics-'));
const history = join(work, 'runs.db');
const oldHistory = join(work, 'old-runs.db');
let s3: EmbeddedS3;

function run(over: Partial<RunRecord> & { runId: string; job: string }): RunRecord {
  return {
    jobFile: undefined,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    status: 'succeeded',
    decided: 'new',
    connectorUsed: 'new',
    fallback: false,
    fallbackCause: undefined,
    rows: 0,
    bytes: 0,
    files: 1,
    snapshotId: '1',
    table: 'lake.t',
    durationMs: 10_000,
    cpuSeconds: 1,
    error: undefined,
    ...over,
  };
}

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['present'] });
  const h = runHistoryOpen(history);
  h.runRecord(run({ runId: 'a1', job: 'a', rows: 100, bytes: 1000, durationMs: 2000, cpuSeconds: 1.5 }));
  h.runRecord(
    run({
      runId: 'a2',
      job: 'a',
      rows: 50,
      bytes: 500,
      durationMs: 4000,
      startedAt: '2026-01-02T00:00:00.000Z',
    }),
  );
  h.runRecord(
    run({
      runId: 'b1',
      job: 'b',
      connectorUsed: 'legacy',
      fallback: true,
      fallbackCause: 'timeout: decider: the new path timed out after 10 ms',
      rows: 7,
      bytes: 70,
      durationMs: 9000,
    }),
  );
  h.runRecord(
    run({
      runId: 'b2',
      job: 'b',
      status: 'failed',
      connectorUsed: undefined,
      error: 'boom',
      startedAt: '2026-01-03T00:00:00.000Z',
      finishedAt: '2026-01-03T00:00:05.000Z',
      durationMs: 5000,
      rows: 0,
    }),
  );
  h.runRecord(run({ runId: 'a-shadow', job: 'a', purpose: 'shadow', connectorUsed: 'legacy', rows: 150 }));
  h.close();
  // the shadow results table (written by validation/): only the columns the metrics read; similarity a ratio
  const db = new Database(history);
  db.exec(`CREATE TABLE IF NOT EXISTS datamove_shadow_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
    job TEXT NOT NULL, c_rows INTEGER, m_rows INTEGER, c_minus_m INTEGER, m_minus_c INTEGER, matched INTEGER,
    similarity REAL)`);
  const ins = db.prepare(
    'INSERT INTO datamove_shadow_runs (time, job, c_rows, m_rows, c_minus_m, m_minus_c, matched, similarity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  ins.run('2026-01-01T00:00:00Z', 'a', 100, 100, 0, 0, 100, 1);
  ins.run('2026-01-02T00:00:00Z', 'a', 100, 98, 3, 1, 97, 0.97);
  db.close();
  // a history of the first format: no matched column, the similarity in percent
  const old = new Database(oldHistory);
  old.exec(`CREATE TABLE datamove_shadow_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
    job TEXT NOT NULL, c_rows INTEGER, m_rows INTEGER, c_minus_m INTEGER, m_minus_c INTEGER, similarity REAL)`);
  old
    .prepare(
      'INSERT INTO datamove_shadow_runs (time, job, c_rows, m_rows, c_minus_m, m_minus_c, similarity) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run('2026-01-02T00:00:00Z', 'c', 10, 10, 5, 5, 50);
  old.close();
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

function promParse(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

it('serves the history, shadow and S3 failure numbers in the Prometheus text format', async () => {
  const metrics = metricsCreate({
    historyPaths: () => [history, history, oldHistory, join(work, 'missing.db')],
  });
  const server = await metricsServe(metrics, 0, '127.0.0.1');
  try {
    // a real failed S3 request: the bucket does not exist
    const src = backupSourceOpen('s3://absent/backups', { s3: s3.options });
    await expect(src.list('')).rejects.toThrow(/bucket 'absent' does not exist/);
    await src.close();

    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    const m = promParse(await res.text());
    const get = (k: string) => m.get(k);
    expect(get('datamove_runs_total{job="a",connector="new",status="succeeded",purpose="run"}')).toBe(2);
    expect(get('datamove_runs_total{job="a",connector="legacy",status="succeeded",purpose="shadow"}')).toBe(
      1,
    );
    expect(get('datamove_runs_total{job="b",connector="legacy",status="succeeded",purpose="run"}')).toBe(1);
    expect(get('datamove_runs_total{job="b",connector="none",status="failed",purpose="run"}')).toBe(1);
    expect(get('datamove_run_duration_seconds_total{job="a",connector="new"}')).toBe(6);
    expect(get('datamove_run_cpu_seconds_total{job="a",connector="new"}')).toBe(2.5);
    expect(get('datamove_rows_written_total{job="a",connector="new"}')).toBe(150);
    expect(get('datamove_bytes_written_total{job="b",connector="legacy"}')).toBe(70);
    expect(get('datamove_fallbacks_total{job="b",cause="timeout"}')).toBe(1);
    expect(get('datamove_last_run_success{job="a"}')).toBe(1);
    expect(get('datamove_last_run_success{job="b"}')).toBe(0);
    expect(get('datamove_last_run_timestamp_seconds{job="b"}')).toBe(
      Date.parse('2026-01-03T00:00:05Z') / 1000,
    );
    expect(get('datamove_shadow_runs_total{job="a"}')).toBe(2);
    expect(get('datamove_discrepancies_total{job="a"}')).toBe(1);
    expect(get('datamove_discrepant_rows_total{job="a"}')).toBe(4);
    expect(get('datamove_shadow_similarity{job="a"}')).toBe(0.97);
    expect(get('datamove_shadow_similarity{job="c"}')).toBe(0.5); // from a percentage
    expect(
      get('datamove_s3_request_failures_total{kind="not-found",operation="LIST"}'),
    ).toBeGreaterThanOrEqual(1);
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);

    // the textfile is the same text, written atomically
    const file = join(work, 'datamove.prom');
    await metricsTextfileWrite(file, metrics);
    const t = promParse(readFileSync(file, 'utf8'));
    expect(t.get('datamove_runs_total{job="a",connector="new",status="succeeded",purpose="run"}')).toBe(2);
  } finally {
    await server.close();
    metrics.close();
  }
});
