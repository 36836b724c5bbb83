/**
 * Cancelling a connector job (`signal`) mid-way, in real worker threads writing Parquet into a real SQLite
 * catalog's warehouse: the run rejects within a bound as cancelled, its worker threads are gone, the data
 * files the finished tasks had written are removed (none of the run is left under the table's data/
 * folder), the table has no snapshot, and the same plan run again without a signal commits normally.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isCancelled } from '../../core/index.js';
import { catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import { GEN, generate, MACHINE } from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-connector-cancel-'));
const backup = join(work, 'backup');
let opened: OpenedCatalog;

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 1500 });
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

const threads = (): number => readdirSync('/proc/self/task').length;
/** The run's Parquet files in the warehouse now (a local folder). */
const runFiles = (runId: string): string[] =>
  (readdirSync(join(work, 'wh'), { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.parquet') && f.includes(runId),
  );

it('a cancelled run stops its workers, removes its data files and commits nothing', async () => {
  const plan = await connectorJobPlan(
    {
      source: backup,
      keyspace: 'gen',
      now: GEN.now,
      consistency: 'all',
      replicationFactor: 3,
      tasks: 12,
      connector: { name: 'raw', options: { table: 'narrow' } },
      // small files: every finished task has written its own
      target: { table: 'lake.narrow', writer: { targetFileSizeBytes: 64 << 10 } },
    },
    { machine: MACHINE },
  );
  const tasks = plan.passes.reduce((n, p) => n + p.plan.tasks.length, 0);
  expect(tasks).toBeGreaterThanOrEqual(8);
  const before = threads();
  const ac = new AbortController();
  let abortedAt = 0;
  let done = 0;
  let filesAtAbort = 0;
  const error = await connectorJobRun(plan, {
    catalog: opened.catalog,
    workers: 2,
    signal: ac.signal,
    onEvent: (e) => {
      if (e.type !== 'task-done') return;
      done++;
      if (abortedAt === 0) {
        filesAtAbort = runFiles(plan.runId).length;
        abortedAt = Date.now();
        ac.abort(new Error('test: stop mid-way'));
      }
    },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const took = Date.now() - abortedAt;
  expect((error as Error)?.message).toBe('compactor: run cancelled: test: stop mid-way');
  expect(isCancelled(error)).toBe(true);
  expect(done).toBeLessThan(tasks);
  // the finished task had written files; they are gone
  expect(filesAtAbort).toBeGreaterThan(0);
  expect(runFiles(plan.runId)).toEqual([]);
  expect(took).toBeLessThan(3000);
  expect(threads()).toBeLessThanOrEqual(before);
  const id = { namespace: ['lake'], name: 'narrow' };
  const table = await opened.catalog.loadTable(id);
  expect(table.metadata.snapshots ?? []).toEqual([]);
  const left = await opened.catalog.io.list(`${table.metadata.location}/data`).catch(() => []);
  expect(left.map((f) => f.uri).filter((u) => u.includes(plan.runId))).toEqual([]);

  // the same plan without a signal: one snapshot, the rows all there
  const ok = await connectorJobRun(plan, { catalog: opened.catalog, workers: 2 });
  expect(ok.rowsWritten).toBeGreaterThan(0);
  expect((await opened.catalog.loadTable(id)).metadata.snapshots).toHaveLength(1);
}, 90_000);
