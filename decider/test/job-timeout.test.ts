/**
 * The whole job's time limit (`timeouts.job`) and an interruption (`signal`): the run fails at once with a
 * clear message, is recorded failed, the job-failed alert is POSTed, and the path still working in the
 * background can no longer commit — the table gets no snapshot even after that path has ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import { GEN, generate } from '../../infra/index.js';
import { controllerParse } from '../controller.js';
import { jobParse } from '../job-file.js';
import { jobRun } from '../job-run.js';
import { runHistoryOpen } from '../run-history.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-job-timeout-'));
const backup = join(work, 'backup');
const received: Record<string, unknown>[] = [];
let server: Server;
let hook: string;
let opened: OpenedCatalog;

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 40 });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

function job(name: string, timeouts?: { job: string }) {
  return jobParse(
    {
      name,
      source: { uri: backup, keyspace: 'gen', table: 'narrow' },
      connector: { name: 'raw' },
      consistency: 'all',
      now: GEN.now,
      target: { namespace: 'lake', table: name.replace(/-/g, '_') },
      alerts: { webhook: hook, timeout: '2s' },
      ...(timeouts === undefined ? {} : { timeouts }),
    },
    `${name}.yaml`,
  );
}

async function waitFor(lines: string[], re: RegExp, ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const l = lines.find((x) => re.test(x));
    if (l !== undefined) return l;
    if (Date.now() > until) throw new Error(`no log line ${re} within ${ms} ms:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function snapshotsOf(table: string): Promise<number> {
  const id = { namespace: ['lake'], name: table };
  if (!(await opened.catalog.tableExists(id))) return 0;
  return (await opened.catalog.loadTable(id)).metadata.snapshots.length;
}

const history = () => join(work, 'runs.db');

it('past timeouts.job the run fails with a clear message, is recorded failed and alerts; nothing commits later', async () => {
  const lines: string[] = [];
  const t0 = Date.now();
  await expect(
    jobRun(job('slow-job', { job: '300ms' }), {
      controller: controllerParse({}, undefined),
      catalog: opened,
      historyPath: history(),
      workers: 1,
      log: (l) => lines.push(l),
    }),
  ).rejects.toThrow(
    /^decider: job slow-job exceeded its time limit \(timeouts\.job: 300ms\) and was stopped after \d+ ms; nothing was committed$/,
  );
  // failed promptly, not after the work
  expect(Date.now() - t0).toBeLessThan(3000);
  const h = runHistoryOpen(history());
  try {
    const [r] = h.runs('slow-job');
    expect(r?.status).toBe('failed');
    expect(r?.error).toMatch(/exceeded its time limit/);
    expect(r?.snapshotId).toBeUndefined();
  } finally {
    h.close();
  }
  expect(received.filter((a) => a.job === 'slow-job').map((a) => a.kind)).toEqual(['job-failed']);
  // the path left behind ends on its own; its commit is refused (the catalog stays open: it is ours)
  const ended = await waitFor(lines, /^stopped run .*: its path ended after the stop/, 45_000);
  expect(ended).toMatch(/commit refused|exceeded its time limit/);
  expect(await snapshotsOf('slow_job')).toBe(0);

  // the same job without the limit commits one snapshot
  const ok = await jobRun(job('slow-job'), {
    controller: controllerParse({}, undefined),
    catalog: opened,
    historyPath: history(),
    workers: 1,
  });
  expect(ok.rows).toBeGreaterThan(0);
  expect(await snapshotsOf('slow_job')).toBe(1);
}, 90_000);

it('an aborted signal fails the run as interrupted and records it', async () => {
  const ac = new AbortController();
  const lines: string[] = [];
  const p = jobRun(job('stopped-job'), {
    controller: controllerParse({}, undefined),
    catalog: opened,
    historyPath: history(),
    workers: 1,
    signal: ac.signal,
    log: (l) => {
      lines.push(l);
      if (l.startsWith('new path:')) ac.abort(new Error('the scheduler stopped (SIGTERM)'));
    },
  });
  await expect(p).rejects.toThrow(/^interrupted: the scheduler stopped \(SIGTERM\)$/);
  const h = runHistoryOpen(history());
  try {
    const runs = h.runs('stopped-job');
    expect(runs.map((r) => [r.status, r.error])).toEqual([
      ['failed', 'interrupted: the scheduler stopped (SIGTERM)'],
    ]);
  } finally {
    h.close();
  }
  await waitFor(lines, /^stopped run .*: its path ended after the stop/, 45_000);
  expect(await snapshotsOf('stopped_job')).toBe(0);
}, 90_000);
