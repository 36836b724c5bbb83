/**
 * Fallback for a `timeseries` job: an injected new-path failure → the run succeeds on the legacy path
 * (`time_slices` and the slices overlapping the job's window staged in DuckDB), the fallback and its cause
 * are recorded, and the table holds the generator's oracle by the timeseries rules (the window applied,
 * the hot day's split-table copies once, values decompressed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { GEN, generate, tableRead, timeseriesActual, timeseriesExpected } from '../../infra/index.js';
import { controllerParse } from '../controller.js';
import { jobParse } from '../job-file.js';
import { jobRun } from '../job-run.js';
import { runHistoryOpen } from '../run-history.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-fallback-ts-'));
const backup = join(work, 'backup');

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'timeseries', partitions: 4 });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a timeseries job whose new path fails runs the legacy path and writes the timeseries model', async () => {
  // the last 12 hours of the first daily slice and all of the hot second one (with its split table)
  const day0 = (Math.floor(GEN.now / 86400) - 4) * 86400 * 1000;
  const from = new Date(day0 + 12 * 3600 * 1000).toISOString();
  const to = new Date(day0 + 48 * 3600 * 1000).toISOString();
  const job = jobParse(
    {
      name: 'ts-fb',
      source: { uri: backup, keyspace: 'gen' },
      connector: { name: 'timeseries', options: { from, to } },
      consistency: 'quorum',
      now: GEN.now,
      target: {
        catalog: join(work, 'catalog.db'),
        warehouse: join(work, 'wh'),
        namespace: 'lake',
        table: 'events',
      },
    },
    'ts-fb.yaml',
  );
  const lines: string[] = [];
  const s = await jobRun(job, {
    controller: controllerParse({}, undefined),
    injectNewPathFailure: 'worker exited with code 134',
    log: (l) => lines.push(l),
  });
  expect(s.decision.connector).toBe('new');
  expect(s.connectorUsed).toBe('legacy');
  expect(s.fallback).toEqual({ kind: 'worker-crash', message: 'injected: worker exited with code 134' });
  expect(lines.some((l) => /legacy: 2 slice table\(s\) overlap the window/.test(l))).toBe(true);
  expect(lines.some((l) => /legacy: loading every cell of gen\.wide_data_\d{8}_1 /.test(l))).toBe(true);

  const expected = timeseriesExpected(backup, from, to);
  expect(expected.length).toBeGreaterThan(0);
  expect(s.rows).toBe(expected.length);
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  try {
    const id = { namespace: ['lake'], name: 'events' };
    expect(timeseriesActual((await tableRead(opened.catalog, id)).rows)).toEqual(expected);
    const t = await opened.catalog.loadTable(id);
    expect(t.metadata.snapshots).toHaveLength(1);
    expect(t.metadata.snapshots[0]!.summary['datamove.connector']).toBe('timeseries');
    expect(t.metadata.snapshots[0]!.summary['datamove.run-id']).toBe(s.runId);
    // the table is the connector's declared one: partitioned by day(event_time)
    expect(t.metadata['partition-specs'].at(-1)!.fields.map((f) => f.transform)).toEqual(['day']);
  } finally {
    await opened.close();
  }
  const h = runHistoryOpen(join(work, 'runs.db'));
  try {
    expect(h.runs('ts-fb')[0]).toMatchObject({
      runId: s.runId,
      status: 'succeeded',
      decided: 'new',
      connectorUsed: 'legacy',
      fallback: true,
      fallbackCause: 'worker-crash: injected: worker exited with code 134',
      rows: s.rows,
    });
  } finally {
    h.close();
  }
}, 120_000);
