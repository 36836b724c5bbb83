/**
 * `datamove dashboard` in a real browser: a run history filled by real runs (the new path, the legacy path
 * through the controller, a fallback, a real shadow validation — both paths, diffed) and by recorded runs
 * and shadow results of earlier days, with open and resolved investigations; the built CLI writes the
 * page; Debian's chromium (driven by playwright-core) opens it from disk with the network off. Checked: no
 * console errors or requests, every chart drawn from the history's numbers, and EVERY number printed on
 * the page — each visible digit must sit in an element with a data-testid, and the text of each of those
 * elements equals what this test computes from the history itself — and no horizontal overflow of the page,
 * a card or a table at 1400 and 900 px. Screenshots at both widths stay in test-output/.
 *
 * Without chromium the suite is skipped with one line (infra/testing/optional-tool.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerParse, jobParse, jobRun, type RunRecord, runHistoryOpen } from '../../decider/index.js';
import { GEN, generate, optionalTool, REPO_ROOT, runCli } from '../../infra/index.js';
import { shadowRun, validationStoreOpen } from '../../validation/index.js';

const CHROMIUM = process.env.DATAMOVE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = optionalTool({
  tool: 'chromium',
  what: 'the dashboard in a real browser (cli/test/dashboard.test.ts)',
  install: 'apt-get install chromium (or set DATAMOVE_CHROMIUM to a Chromium binary)',
  present: () => existsSync(CHROMIUM),
});
const work = HAVE_CHROMIUM ? mkdtempSync(join(tmpdir(), 'datamove-dashboard-')) : '';
const backup = join(work, 'backup');
const history = join(work, 'runs.db');
const outDir = join(REPO_ROOT, 'test-output');

function job(name: string) {
  return jobParse(
    {
      name,
      source: { uri: backup, keyspace: 'gen', table: 'narrow', replicationFactor: 3 },
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

async function historyFill(): Promise<void> {
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
  // a real shadow validation: the new path in production, the legacy one as shadow, diffed (C = M)
  const shadow = await shadowRun(job('users'), { controller: none, historyPath: history });
  expect(shadow.report.equal).toBe(true);
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
    recorded({ runId: 'shadow-1', job: 'orders', startedAt: '2026-01-06T05:00:00.000Z', purpose: 'shadow' }),
  );
  h.close();
  const v = validationStoreOpen(history);
  v.shadowRunRecord({
    time: '2026-01-06T06:00:00.000Z',
    job: 'orders',
    status: 'different',
    cRows: 10,
    mRows: 9,
    cMinusM: 1,
    mMinusC: 0,
    matched: 9,
    similarity: 0.9,
  });
  v.shadowRunRecord({
    time: '2026-01-05T06:00:00.000Z',
    job: 'sessions',
    status: 'equal',
    cRows: 5,
    mRows: 5,
    cMinusM: 0,
    mMinusC: 0,
    matched: 5,
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
  add('orders', 'missing-rows');
  v.resolve(add('sessions', 'ttl-edge'), 'explained');
  v.close();
}

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const s2 = (n: number) => n.toFixed(2);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every number the page should show, computed here from the history (keys as `pageNumbers` builds them). */
function expectedFromHistory(): { text: Map<string, string>; charts: Record<string, unknown> } {
  const h = runHistoryOpen(history);
  const all = h.runs();
  h.close();
  const v = validationStoreOpen(history);
  const shadows = v.shadowRuns();
  const open = v.investigations({ status: 'open' });
  v.close();
  const runs = all.filter((r) => (r.purpose ?? 'run') === 'run');
  const latest = new Map<string, RunRecord>();
  for (const r of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) latest.set(r.job, r);
  const pathOf = (r: RunRecord) => r.connectorUsed ?? r.decided;
  const jobsNew = [...latest.values()].filter((r) => pathOf(r) === 'new').length;
  const differs = (s: { cMinusM?: number; mMinusC?: number }) => (s.cMinusM ?? 0) + (s.mMinusC ?? 0) > 0;
  const text = new Map<string, string>([
    ['history-path', history],
    ['total-runs', String(runs.length)],
    ['succeeded-runs', String(runs.filter((r) => r.status === 'succeeded').length)],
    ['failed-runs', String(runs.filter((r) => r.status === 'failed').length)],
    ['fallback-runs', String(runs.filter((r) => r.fallback).length)],
    ['jobs-new', String(jobsNew)],
    ['jobs-legacy', String(latest.size - jobsNew)],
    ['migration-percent', `${Math.floor((100 * jobsNew) / latest.size)}%`],
    ['discrepancies', String(shadows.filter(differs).length)],
    ['open-investigations', String(open.length)],
  ]);
  const cost: Record<string, number[]> = {};
  for (const p of ['new', 'legacy'] as const) {
    const ok = all.filter((r) => r.status === 'succeeded' && r.connectorUsed === p);
    const k = `cost-table/${p}`;
    text.set(`${k}/connector`, p);
    text.set(`${k}/runs`, String(ok.filter((r) => (r.purpose ?? 'run') === 'run').length));
    text.set(`${k}/shadow-runs`, String(ok.filter((r) => r.purpose === 'shadow').length));
    text.set(`${k}/avg-seconds`, ok.length === 0 ? '-' : s2(mean(ok.map((r) => r.durationMs / 1000))));
    text.set(`${k}/avg-cpu`, ok.length === 0 ? '-' : s2(mean(ok.map((r) => r.cpuSeconds))));
    cost[p] = [mean(ok.map((r) => r.durationMs / 1000)), mean(ok.map((r) => r.cpuSeconds))];
  }
  // the same job on both paths: shadow results whose legacy (C) and new (M) runs are in the history
  const byId = new Map(all.map((r) => [r.runId, r]));
  for (const j of [...new Set(shadows.map((s) => s.job))].sort()) {
    const pairs = shadows
      .filter((s) => s.job === j && s.cRunId !== undefined && s.mRunId !== undefined)
      .map((s) => ({ c: byId.get(s.cRunId!)!, m: byId.get(s.mRunId!)! }));
    if (pairs.length > 0) {
      const k = `comparison-table/${j}`;
      text.set(`${k}/job`, j);
      text.set(`${k}/pairs`, String(pairs.length));
      text.set(`${k}/seconds-new`, s2(mean(pairs.map((p) => p.m.durationMs / 1000))));
      text.set(`${k}/seconds-legacy`, s2(mean(pairs.map((p) => p.c.durationMs / 1000))));
      text.set(`${k}/cpu-new`, s2(mean(pairs.map((p) => p.m.cpuSeconds))));
      text.set(`${k}/cpu-legacy`, s2(mean(pairs.map((p) => p.c.cpuSeconds))));
    }
    // similarity from the counts (matched = |C| − |C−M|), not from the stored value
    const mine = shadows.filter((s) => s.job === j).sort((a, b) => a.time.localeCompare(b.time));
    const last = mine.at(-1)!;
    const k = `shadow-table/${j}`;
    text.set(`${k}/job`, j);
    const matched = last.cRows! - last.cMinusM!;
    text.set(`${k}/similarity`, `${((100 * matched) / Math.max(last.cRows!, last.mRows!)).toFixed(1)}%`);
    text.set(`${k}/runs`, String(mine.length));
    text.set(`${k}/differing`, String(mine.filter(differs).length));
    text.set(`${k}/latest`, time(last.time));
  }
  for (const [j, r] of latest) {
    const k = `jobs-table/${j}`;
    text.set(`${k}/job`, j);
    text.set(`${k}/connector`, pathOf(r));
    text.set(`${k}/status`, r.status);
    text.set(`${k}/latest`, time(r.startedAt));
  }
  for (const i of open) {
    const k = `investigations-table/${i.id}`;
    text.set(`${k}/id`, String(i.id));
    text.set(`${k}/job`, i.job);
    text.set(`${k}/category`, i.category);
    text.set(`${k}/opened`, time(i.time));
  }
  // days with a job run or a shadow run that found differences
  const days = [
    ...new Set(
      [...runs.map((r) => r.startedAt), ...shadows.filter(differs).map((s) => s.time)].map((t) =>
        t.slice(0, 10),
      ),
    ),
  ].sort();
  const perDay = (f: (d: string) => number) => days.map(f);
  const onDay = (d: string) => runs.filter((r) => r.startedAt.startsWith(d));
  const charts = {
    'chart-migration': { labels: ['new', 'legacy'], data: [[jobsNew, latest.size - jobsNew]] },
    'chart-status': {
      labels: days,
      data: [
        perDay((d) => onDay(d).filter((r) => r.status === 'succeeded').length),
        perDay((d) => onDay(d).filter((r) => r.status === 'failed').length),
      ],
    },
    'chart-problems': {
      labels: days,
      data: [
        perDay((d) => onDay(d).filter((r) => r.fallback).length),
        perDay((d) => shadows.filter((s) => s.time.startsWith(d) && differs(s)).length),
      ],
    },
    'chart-cost': {
      labels: ['new', 'legacy'],
      data: [
        [cost.new![0], cost.legacy![0]],
        [cost.new![1], cost.legacy![1]],
      ],
    },
  };
  return { text, charts };
}

/**
 * What the page shows: the text of every element with a data-testid and no such element inside, keyed by
 * the data-testid and data-key values of it and its ancestors (`shadow-table/users/similarity`); and every
 * visible text with a digit that is NOT inside such an element.
 */
async function pageNumbers(page: Page): Promise<{ shown: [string, string][]; stray: string[] }> {
  return page.evaluate(() => {
    type El = {
      parentElement: El | null;
      getAttribute(n: string): string | null;
      querySelector(s: string): El | null;
      closest(s: string): El | null;
      textContent: string | null;
      tagName: string;
    };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): El[]; body: El } })
      .document;
    const keyOf = (e: El) => {
      const parts: string[] = [];
      for (let x: El | null = e; x !== null; x = x.parentElement) {
        const id = x.getAttribute('data-testid') ?? x.getAttribute('data-key');
        if (id !== null) parts.unshift(id);
      }
      return parts.join('/');
    };
    const leaf = (e: El) => e.querySelector('[data-testid]') === null;
    const shown = Array.from(doc.querySelectorAll('[data-testid]'))
      .filter(leaf)
      .map((e) => [keyOf(e), (e.textContent ?? '').trim()] as [string, string]);
    const stray: string[] = [];
    const walk = (e: El & { childNodes?: ArrayLike<{ nodeType: number; textContent: string | null }> }) => {
      if (e.tagName === 'SCRIPT' || e.tagName === 'STYLE') return;
      for (const n of Array.from(e.childNodes ?? [])) {
        if (n.nodeType === 1) walk(n as unknown as El);
        else if (n.nodeType === 3 && /\d/.test(n.textContent ?? '')) {
          const owner = e.closest('[data-testid]');
          if (owner === null || !leaf(owner)) stray.push((n.textContent ?? '').trim());
        }
      }
    };
    walk(doc.body);
    return { shown, stray };
  });
}

/** scrollWidth − clientWidth of the page and of every card and table wrapper wider than its box. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type El = { scrollWidth: number; clientWidth: number; className: string };
    const doc = (
      globalThis as unknown as { document: { documentElement: El; querySelectorAll(s: string): El[] } }
    ).document;
    const out: string[] = [];
    const root = doc.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`page: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const e of Array.from(doc.querySelectorAll('.card, .table-wrap, .stat')))
      if (e.scrollWidth > e.clientWidth) out.push(`${e.className}: ${e.scrollWidth} > ${e.clientWidth}`);
    return out;
  });
}

describe.runIf(HAVE_CHROMIUM)('datamove dashboard', () => {
  beforeAll(historyFill, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('renders in a real browser with no network; every number on it is the history’s', async () => {
    const out = join(work, 'report.html');
    const before = new Date();
    const r = await runCli(['dashboard', '--out', out, '--history', history], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work },
    });
    const after = new Date();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained

    const expected = expectedFromHistory();
    // the fixture covers every part: both connectors, failures, a fallback, a real shadow run, a discrepancy
    expect(Object.fromEntries(expected.text)).toMatchObject({
      'total-runs': '7',
      'failed-runs': '1',
      'fallback-runs': '1',
      'jobs-new': '1',
      'jobs-legacy': '3',
      'cost-table/legacy/shadow-runs': '1',
      'comparison-table/users/pairs': '1',
      'shadow-table/users/similarity': '100.0%',
      'shadow-table/orders/similarity': '90.0%',
      discrepancies: '1',
      'open-investigations': '1',
    });

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline: true });
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

      const { shown, stray } = await pageNumbers(page);
      expect(stray).toEqual([]); // no number outside a checked element
      const generated = shown.find(([k]) => k === 'generated-at')?.[1] ?? '';
      const generatedMs = Date.parse(`${generated.replace(' UTC', '').replace(' ', 'T')}Z`);
      expect(generatedMs).toBeGreaterThanOrEqual(Math.floor(before.getTime() / 1000) * 1000);
      expect(generatedMs).toBeLessThanOrEqual(after.getTime());
      const onPage = new Map(shown.filter(([k]) => k !== 'generated-at'));
      expect(onPage.size).toBe(shown.length - 1); // keys are unique
      expect(Object.fromEntries(onPage)).toEqual(Object.fromEntries(expected.text));

      // the charts' numbers (what the canvases draw)
      const charts = await page.evaluate(() => {
        type ChartData = { labels: unknown[]; datasets: { data: number[] }[] };
        const g = globalThis as unknown as { Chart: { getChart(id: string): { data: ChartData } } };
        const out: Record<string, { labels: unknown[]; data: number[][] }> = {};
        for (const id of ['chart-migration', 'chart-status', 'chart-problems', 'chart-cost']) {
          const d = g.Chart.getChart(id).data;
          out[id] = { labels: d.labels, data: d.datasets.map((s) => s.data) };
        }
        return out;
      });
      const round = (x: unknown) =>
        JSON.parse(JSON.stringify(x, (_k, n) => (typeof n === 'number' ? +n.toFixed(9) : n)));
      expect(round(charts)).toEqual(round(expected.charts));

      // every canvas has been drawn on (some non-transparent pixels)
      const drawn = await page.$$eval('canvas', (canvases) =>
        canvases.map((c) => {
          const k = c as unknown as Canvas;
          const { data } = k.getContext('2d').getImageData(0, 0, k.width, k.height);
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          return [k.id, painted] as const;
        }),
      );
      expect(drawn.map(([id]) => id)).toEqual([
        'chart-migration',
        'chart-status',
        'chart-problems',
        'chart-cost',
      ]);
      for (const [id, painted] of drawn) expect([id, painted > 500]).toEqual([id, true]);

      mkdirSync(outDir, { recursive: true });
      for (const width of [1400, 900]) {
        await page.setViewportSize({ width, height: 1000 });
        await page.waitForFunction(
          (w) => (globalThis as unknown as { innerWidth: number }).innerWidth === w,
          width,
        );
        expect([width, await overflow(page)]).toEqual([width, []]);
        const shot = join(outDir, `dashboard-${width}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
