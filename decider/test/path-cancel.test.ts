/**
 * Real cancellation of a run's paths:
 * - past `timeouts.newPath` the new path is aborted and the legacy path starts only once the new path has
 *   stopped: its worker threads have exited (counted in /proc/self/task when the legacy path starts) and
 *   its uncommitted data files are gone; the run still succeeds on the legacy path with one snapshot;
 * - a legacy run aborted mid-way (while DuckDB works) rejects promptly as cancelled, and commits nothing:
 *   no snapshot, no data file left;
 * - `timeouts.job` during the new path cancels it: the run fails with the limit's message once the path's
 *   workers have exited.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isCancelled } from '../../core/index.js';
import { catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import { GEN, generate } from '../../infra/index.js';
import { controllerParse } from '../controller.js';
import { jobParse } from '../job-file.js';
import { jobRun } from '../job-run.js';
import { legacyJobRun } from '../legacy/legacy-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-path-cancel-'));
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
/** Samples the thread count every 20 ms until stopped: the highest seen. */
function threadSampler() {
  let peak = threads();
  const timer = setInterval(() => {
    peak = Math.max(peak, threads());
  }, 20);
  return {
    stop: (): number => {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Parquet files under the warehouse whose name holds `part`. */
const parquet = (part: string): string[] =>
  existsSync(join(work, 'wh'))
    ? (readdirSync(join(work, 'wh'), { recursive: true }) as string[]).filter(
        (f) => f.endsWith('.parquet') && f.includes(part),
      )
    : [];

function job(name: string, timeouts: { newPath?: string; job?: string }) {
  return jobParse(
    {
      name,
      source: { uri: backup, keyspace: 'gen', table: 'narrow' },
      connector: { name: 'raw' },
      consistency: 'all',
      now: GEN.now,
      target: { namespace: 'lake', table: name.replace(/-/g, '_') },
      timeouts,
    },
    `${name}.yaml`,
  );
}

async function snapshotsOf(table: string): Promise<number> {
  const id = { namespace: ['lake'], name: table };
  if (!(await opened.catalog.tableExists(id))) return 0;
  return (await opened.catalog.loadTable(id)).metadata.snapshots.length;
}

it('a timed-out new path has stopped (threads exited, files removed) before the legacy path starts', async () => {
  const before = threads();
  const sampler = threadSampler();
  let compacting = 0;
  let atLegacy: { threads: number; files: number } | undefined;
  const lines: string[] = [];
  const s = await jobRun(job('new-times-out', { newPath: '1500ms' }), {
    controller: controllerParse({}, undefined),
    catalog: opened,
    historyPath: join(work, 'runs.db'),
    workers: 2,
    log: (l) => {
      lines.push(l);
      // the table's folder holds only the new path's files so far; DuckDB's threads are not started yet
      if (l.startsWith('legacy path:')) {
        compacting = sampler.stop();
        atLegacy = { threads: threads(), files: parquet('new_times_out').length };
      }
    },
  });
  sampler.stop();
  expect(s.connectorUsed).toBe('legacy');
  expect(s.fallback?.kind).toBe('timeout');
  expect(s.fallback?.message).toBe('decider: the new path timed out after 1500 ms');
  expect(s.rows).toBeGreaterThan(0);
  expect(await snapshotsOf('new_times_out')).toBe(1);
  // the new path was compacting in its worker threads when its time ran out …
  expect(compacting).toBeGreaterThanOrEqual(before + 2);
  // … and they had all exited, its files removed, before the legacy path started
  const stoppedAt = lines.findIndex((l) => /^new path stopped \d+ ms after its time limit/.test(l));
  const legacyAt = lines.findIndex((l) => l.startsWith('legacy path:'));
  expect(stoppedAt).toBeGreaterThanOrEqual(0);
  expect(stoppedAt).toBeLessThan(legacyAt);
  expect(atLegacy?.threads).toBeLessThanOrEqual(before);
  expect(atLegacy?.files).toBe(0);
}, 90_000);

it('a legacy run aborted mid-way rejects promptly and commits nothing', async () => {
  const ac = new AbortController();
  const phases: string[] = [];
  let abortedAt = 0;
  const id = { namespace: ['lake'], name: 'legacy_aborted' };
  const p = legacyJobRun(
    {
      source: backup,
      keyspace: 'gen',
      connector: 'raw',
      connectorOptions: { table: 'narrow' },
      target: { table: id, mode: 'overwrite' },
      runId: 'legacy-aborted-run',
      now: GEN.now,
    },
    {
      catalog: opened.catalog,
      signal: ac.signal,
      onPhase: (l) => {
        phases.push(l);
        // mid-way: DuckDB is reconciling the staged cells
        if (/staged; reconciling with SQL/.test(l))
          setTimeout(() => {
            abortedAt = Date.now();
            ac.abort(new Error('test: stop the legacy path'));
          }, 20);
      },
    },
  );
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(abortedAt).toBeGreaterThan(0);
  expect((error as Error)?.message).toBe('legacy: run cancelled: test: stop the legacy path');
  expect(isCancelled(error)).toBe(true);
  expect(Date.now() - abortedAt).toBeLessThan(2000);
  expect(phases.some((l) => l.startsWith('legacy: writing Parquet'))).toBe(false);
  expect(await snapshotsOf('legacy_aborted')).toBe(0);
  expect(parquet('legacy_aborted')).toEqual([]);
}, 60_000);

it('timeouts.job during the new path cancels it: the run fails once its workers have exited', async () => {
  const before = threads();
  const sampler = threadSampler();
  const lines: string[] = [];
  const t0 = Date.now();
  await expect(
    jobRun(job('job-times-out', { job: '1500ms' }), {
      controller: controllerParse({}, undefined),
      catalog: opened,
      historyPath: join(work, 'runs.db'),
      workers: 2,
      log: (l) => lines.push(l),
    }),
  ).rejects.toThrow(/^decider: job job-times-out exceeded its time limit \(timeouts\.job: 1500ms\)/);
  const compacting = sampler.stop();
  expect(Date.now() - t0).toBeLessThan(4500);
  expect(compacting).toBeGreaterThanOrEqual(before + 2);
  expect(threads()).toBeLessThanOrEqual(before);
  // the path ended (cancelled) before the run's failure was reported
  expect(lines.some((l) => /^stopped run .*: its path ended after the stop/.test(l))).toBe(true);
  expect(await snapshotsOf('job_times_out')).toBe(0);
  expect(parquet('job_times_out')).toEqual([]);
}, 90_000);
