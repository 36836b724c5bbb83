/**
 * Fallback: an injected new-path failure → the run succeeds on the legacy path, the fallback and its cause
 * are recorded in the run history, and the alert is POSTed to a local HTTP receiver. A slow or dead webhook
 * never fails the job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GEN, generate } from '../../infra/index.js';
import { alertSend } from '../alerts.js';
import { controllerParse } from '../controller.js';
import { jobParse } from '../job-file.js';
import { jobRun } from '../job-run.js';
import { runHistoryOpen } from '../run-history.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-fallback-'));
const backup = join(work, 'backup');
const received: { path: string; body: Record<string, unknown> }[] = [];
let server: Server;
let hook: string;

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 20 });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/slow') return; // never answers
      received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

function job(name: string) {
  return jobParse(
    {
      name,
      source: { uri: backup, keyspace: 'gen', table: 'narrow' },
      connector: { name: 'raw' },
      consistency: 'all',
      now: GEN.now,
      target: {
        catalog: join(work, 'catalog.db'),
        warehouse: join(work, 'wh'),
        namespace: 'lake',
        table: name.replace(/-/g, '_'),
      },
      alerts: { webhook: `${hook}/alerts`, timeout: '2s' },
    },
    `${name}.yaml`,
  );
}

it('a failing new path falls back to the legacy path, records it and POSTs the alert', async () => {
  const lines: string[] = [];
  const s = await jobRun(job('narrow-fb'), {
    controller: controllerParse({}, undefined),
    injectNewPathFailure: 'worker exited with code 134',
    log: (l) => lines.push(l),
  });
  expect(s.decision.connector).toBe('new');
  expect(s.connectorUsed).toBe('legacy');
  expect(s.fallback).toEqual({ kind: 'worker-crash', message: 'injected: worker exited with code 134' });
  expect(s.rows).toBeGreaterThan(0);
  expect(s.snapshotId).toBeDefined();
  expect(s.alertsDelivered).toBe(1);
  expect(received).toHaveLength(1);
  expect(received[0]!.path).toBe('/alerts');
  expect(received[0]!.body).toMatchObject({ kind: 'fallback', job: 'narrow-fb', runId: s.runId });
  expect(lines.some((l) => l.startsWith('ALERT fallback job=narrow-fb'))).toBe(true);

  const h = runHistoryOpen(join(work, 'runs.db'));
  try {
    const [run] = h.runs('narrow-fb');
    expect(run).toMatchObject({
      runId: s.runId,
      status: 'succeeded',
      decided: 'new',
      connectorUsed: 'legacy',
      fallback: true,
      fallbackCause: 'worker-crash: injected: worker exited with code 134',
      rows: s.rows,
    });
    expect(h.decisions('narrow-fb')[0]).toMatchObject({ connector: 'new', runId: s.runId });
  } finally {
    h.close();
  }
}, 60_000);

it('without a failure the new path runs and nothing is alerted', async () => {
  const before = received.length;
  const s = await jobRun(job('narrow-ok'), { controller: controllerParse({}, undefined) });
  expect(s).toMatchObject({ connectorUsed: 'new', fallback: undefined });
  expect(received.length).toBe(before);
}, 60_000);

it('a webhook that does not answer in time is logged, never thrown', async () => {
  const lines: string[] = [];
  const r = await alertSend(
    { kind: 'discrepancy', job: 'j', runId: 'r', message: 'm', time: new Date().toISOString() },
    { webhook: `${hook}/slow`, timeoutMs: 200, log: (l) => lines.push(l) },
  );
  expect(r).toEqual({ delivered: false, error: 'timed out' });
  expect(lines.at(-1)).toMatch(/alert webhook .* failed: timed out/);
});
