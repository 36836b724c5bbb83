/**
 * `datamove dashboard` in a real browser: a run history filled by real runs (the new path, the legacy path
 * through the controller, a fallback) and by recorded runs of earlier days, with shadow results and open
 * investigations; the built CLI writes the page; Debian's chromium (driven by playwright-core) opens it
 * from disk with the network off: no console errors, every chart drawn, the printed numbers equal those
 * computed here from the history, and a screenshot lands in test-output/dashboard.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controllerParse, jobParse, jobRun, type RunRecord, runHistoryOpen } from '../../decider/index.js';
import { GEN, generate, REPO_ROOT, runCli } from '../../infra/index.js';
import { validationStoreOpen } from '../../validation/index.js';

const CHROMIUM = process.env.DATAMOVE_CHROMIUM ?? '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'datamove-dashboard-'));
const backup = join(work, 'backup');
const history = join(work, 'runs.db');
const outDir = join(REPO_ROOT, 'test-output');

function job(name: string) {
  return jobParse(
    {
      name,
      source: { uri: backup, keyspace: 'gen', table: 'narrow' },
      connector: { name: 'raw' },
      consistency: 'all',
      now: GEN.now,
      target: { catalog: join(work, 'catalog.db'), namespace: 'lake', table: name.replace(/-/g, '_') },
    },
    `${name}.yaml`,
  );
}

/** The part of a browser canvas the test reads (no DOM types in this project's compile). */
interface Canvas {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

function recorded(over: Partial<RunRecord> & { runId: string; job: string; startedAt: string }): RunRecord {
  return {
    jobFile: undefined,
    finishedAt: over.startedAt,
    status: 'succeeded',
    decided: 'new',
    connectorUsed: 'new',
    fallback: false,
    fallbackCause: undefined,
    rows: 10,
    bytes: 100,
    files: 1,
    snapshotId: '1',
    table: 'lake.t',
    durationMs: 3000,
    cpuSeconds: 2,
    error: undefined,
    ...over,
  };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `dashboard test: no chromium at ${CHROMIUM} — install it (apt-get install -y chromium; .ci/run does) or set DATAMOVE_CHROMIUM`,
    );
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 20 });
  const none = controllerParse({}, undefined);
  const legacy = controllerParse({ rules: [{ match: { job: 'orders' }, connector: 'legacy' }] }, undefined);
  await jobRun(job('users'), { controller: none, historyPath: history });
  await jobRun(job('orders'), { controller: legacy, historyPath: history });
  await jobRun(job('events'), {
    controller: none,
    historyPath: history,
    injectNewPathFailure: 'worker exited with code 134',
  });
  const h = runHistoryOpen(history);
  h.runRecord(recorded({ runId: 'old-1', job: 'users', startedAt: '2026-01-05T03:00:00.000Z' }));
  h.runRecord(
    recorded({
      runId: 'old-2',
      job: 'orders',
      startedAt: '2026-01-05T04:00:00.000Z',
      status: 'failed',
      connectorUsed: undefined,
      decided: 'legacy',
      error: 'boom',
    }),
  );
  h.runRecord(
    recorded({
      runId: 'old-3',
      job: 'sessions',
      startedAt: '2026-01-06T03:00:00.000Z',
      connectorUsed: 'legacy',
      decided: 'legacy',
      durationMs: 9000,
      cpuSeconds: 7,
    }),
  );
  h.runRecord(
    recorded({ runId: 'shadow-1', job: 'users', startedAt: '2026-01-06T05:00:00.000Z', purpose: 'shadow' }),
  );
  h.close();
  const v = validationStoreOpen(history);
  v.shadowRunRecord({
    time: '2026-01-05T06:00:00.000Z',
    job: 'users',
    status: 'equal',
    cRows: 10,
    mRows: 10,
    cMinusM: 0,
    mMinusC: 0,
    similarity: 1,
  });
  v.shadowRunRecord({
    time: '2026-01-06T06:00:00.000Z',
    job: 'users',
    status: 'different',
    cRows: 10,
    mRows: 9,
    cMinusM: 1,
    mMinusC: 0,
    similarity: 0.9,
  });
  v.shadowRunRecord({
    time: '2026-01-06T07:00:00.000Z',
    job: 'orders',
    status: 'equal',
    cRows: 5,
    mRows: 5,
    cMinusM: 0,
    mMinusC: 0,
    similarity: 1,
  });
  const add = (job: string, category: string) =>
    v.investigationAdd({
      time: '2026-01-06T06:00:00.000Z',
      job,
      category,
      reason: 'test',
      samples: [],
      cRows: 10,
      mRows: 9,
      cMinusM: 1,
      mMinusC: 0,
    });
  add('users', 'missing-rows');
  v.resolve(add('orders', 'ttl-edge'), 'explained');
  v.close();
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('renders in a real browser with no network; its numbers are the history’s', async () => {
  const out = join(work, 'report.html');
  const r = await runCli(['dashboard', '--out', out, '--history', history], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', HOME: work },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const html = readFileSync(out, 'utf8');
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained

  // the expected numbers, from the history itself
  const h = runHistoryOpen(history);
  const runs = h.runs().filter((x) => x.purpose === 'run');
  h.close();
  const latest = new Map(runs.map((x) => [x.job, x.connectorUsed ?? x.decided]));
  const ok = (c: string) => runs.filter((x) => x.status === 'succeeded' && x.connectorUsed === c);
  const avg = (xs: number[]) =>
    xs.length === 0 ? '-' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
  const expected: Record<string, string> = {
    'total-runs': String(runs.length),
    'succeeded-runs': String(runs.filter((x) => x.status === 'succeeded').length),
    'failed-runs': String(runs.filter((x) => x.status === 'failed').length),
    'fallback-runs': String(runs.filter((x) => x.fallback).length),
    'jobs-new': String([...latest.values()].filter((c) => c === 'new').length),
    'jobs-legacy': String([...latest.values()].filter((c) => c === 'legacy').length),
    'avg-seconds-new': avg(ok('new').map((x) => x.durationMs / 1000)),
    'avg-seconds-legacy': avg(ok('legacy').map((x) => x.durationMs / 1000)),
    'avg-cpu-new': avg(ok('new').map((x) => x.cpuSeconds)),
    'avg-cpu-legacy': avg(ok('legacy').map((x) => x.cpuSeconds)),
    discrepancies: '1',
    'open-investigations': '1',
  };
  // the fixture covers every chart: both connectors, failures, a fallback, a discrepancy
  expect(expected).toMatchObject({
    'total-runs': '6',
    'failed-runs': '1',
    'fallback-runs': '1',
    'jobs-new': '1',
    'jobs-legacy': '3',
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 }, offline: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (q) => {
      if (!q.url().startsWith('file:')) requests.push(q.url());
    });
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);

    for (const [id, value] of Object.entries(expected))
      expect([id, (await page.getByTestId(id).textContent())?.trim()]).toEqual([id, value]);
    const similarity = await page.$$eval('[data-testid="shadow-row"]', (rows) =>
      rows.map((x) => [
        x.getAttribute('data-job'),
        x.querySelector('[data-testid="shadow-similarity"]')?.textContent,
      ]),
    );
    expect(similarity).toEqual([
      ['orders', '100.0%'],
      ['users', '90.0%'],
    ]);
    expect(await page.getByTestId('investigation-row').count()).toBe(1);
    expect(await page.getByTestId('investigation-row').textContent()).toContain('missing-rows');

    // every canvas has been drawn on (some non-transparent pixels)
    const drawn = await page.$$eval('canvas', (canvases) =>
      canvases.map((c) => {
        const ctx = (c as unknown as Canvas).getContext('2d')!;
        const { data } = ctx.getImageData(
          0,
          0,
          (c as unknown as Canvas).width,
          (c as unknown as Canvas).height,
        );
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return [c.id, painted];
      }),
    );
    expect(drawn.map(([id]) => id)).toEqual([
      'chart-migration',
      'chart-status',
      'chart-cost',
      'chart-problems',
    ]);
    for (const [id, painted] of drawn) expect([id, (painted as number) > 500]).toEqual([id, true]);

    mkdirSync(outDir, { recursive: true });
    const shot = join(outDir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  } finally {
    await browser.close();
  }
}, 120_000);
