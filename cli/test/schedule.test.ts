/**
 * `datamove schedule` as a user runs it (the built CLI, spawned): SIGTERM lets a running job finish and
 * exits 0; SIGHUP re-reads the job folder; with a short grace period the running job is recorded failed as interrupted, commits nothing,
 * and the process still exits 0; `/metrics` answers in the Prometheus text format while it runs; `jobs
 * list|history|show` read what the runs recorded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHistoryOpen } from '../../decider/index.js';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { GEN, generate, REPO_ROOT, runCli, slowConnectorWrite, slowJobYaml } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-schedule-'));
const backup = join(work, 'backup');
const env = { PATH: process.env.PATH ?? '', HOME: work };
let slow: string;

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 20 });
  slow = slowConnectorWrite(work, 2500);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Scheduler {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
  /** Resolves with the first JSON log record matching `pred`. */
  until(pred: (r: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

function scheduleSpawn(args: readonly string[]): Scheduler {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/datamove.js'), 'schedule', ...args], {
    cwd: work,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Scheduler = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((r) => child.on('close', (code) => r(code))),
    async until(pred, ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        for (const line of s.stderr.split('\n')) {
          if (!line.startsWith('{')) continue;
          const r = JSON.parse(line) as Record<string, unknown>;
          if (pred(r)) return r;
        }
        if (Date.now() > end) throw new Error(`no such log record within ${ms} ms; stderr:\n${s.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (s.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (s.stderr += d));
  return s;
}

function jobsFolder(name: string): { dir: string; catalog: string; history: string } {
  const dir = join(work, name);
  mkdirSync(join(dir, 'jobs'), { recursive: true });
  const catalog = join(dir, 'catalog.db');
  writeFileSync(
    join(dir, 'jobs', 'slow.yaml'),
    slowJobYaml({ name: 'slow', backup, module: slow, catalog, cron: '* * * * * *', now: GEN.now }),
  );
  return { dir, catalog, history: join(dir, 'runs.db') };
}

/** Parses the Prometheus text format: `name{labels} value` → value, by the line's series text. */
function promParse(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

describe('datamove schedule', () => {
  it('SIGTERM lets the running job finish, exits 0; metrics are served; jobs list/history/show read the runs', async () => {
    const f = jobsFolder('graceful');
    const s = scheduleSpawn([
      '--jobs',
      join(f.dir, 'jobs'),
      '--grace',
      '1m',
      '--no-catch-up',
      '--metrics-port',
      '0',
      '--metrics-host',
      '127.0.0.1',
    ]);
    const serving = await s.until((r) => r.event === 'metrics-serving');
    // a first run ends, a second one is under way
    await s.until((r) => r.event === 'run-finished', 45_000);
    const h0 = runHistoryOpen(f.history);
    const recorded = h0.runs('slow');
    h0.close();
    const res = await fetch(`http://127.0.0.1:${serving.port as number}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = promParse(await res.text());
    expect(
      metrics.get('datamove_runs_total{job="slow",connector="new",status="succeeded",purpose="run"}'),
    ).toBe(recorded.filter((r) => r.status === 'succeeded').length);
    expect(metrics.get('datamove_rows_written_total{job="slow",connector="new"}')).toBe(
      recorded.reduce((a, r) => a + r.rows, 0),
    );

    await s.until(
      (r) => r.event === 'task-start' && Date.parse(String(r.time)) > Date.parse(recorded.at(-1)!.finishedAt),
    );
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stdout).toMatch(/^scheduling 1 job\(s\) from .*:\n {2}slow: '\* \* \* \* \* \*' \(UTC\), next /);
    expect(s.stdout).toMatch(/scheduler stopped: \d+ run\(s\) started, \d+ fire\(s\) skipped, 0 interrupted/);
    await s.until((r) => r.event === 'stopped' && r.finished === 1 && r.interrupted === 0);
    const h = runHistoryOpen(f.history);
    const runs = h.runs('slow');
    h.close();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const opened = await catalogOpen({ catalog: f.catalog });
    try {
      const snaps = (await opened.catalog.loadTable({ namespace: ['lake'], name: 'slow' })).metadata
        .snapshots;
      expect(snaps.length).toBe(runs.length);
    } finally {
      await opened.close();
    }
    // task events carry the task id and the token range
    const task = await s.until((r) => r.event === 'task-start');
    expect(task).toMatchObject({ job: 'slow', level: 'info', taskId: expect.any(Number) });
    expect(task.range).toEqual({ start: expect.any(String), end: expect.any(String) });

    const list = await runCli(['jobs', 'list', '--jobs', join(f.dir, 'jobs'), '--json'], { cwd: work, env });
    expect(list.code).toBe(0);
    const [row] = JSON.parse(list.stdout) as { job: string; lastRun: { runId: string }; nextRun: string }[];
    expect(row!.job).toBe('slow');
    expect(row!.lastRun.runId).toBe(runs.at(-1)!.runId);
    expect(Date.parse(row!.nextRun)).toBeGreaterThan(Date.now() - 1000);
    const text = await runCli(['jobs', 'list', '--history', f.history], { cwd: work, env });
    expect(text.stdout).toMatch(/^JOB +LAST RUN +STATUS +CONNECTOR.*\nslow +\S+ +succeeded +new +no /);
    const hist = await runCli(['jobs', 'history', 'slow', '--history', f.history, '--json'], {
      cwd: work,
      env,
    });
    const hs = JSON.parse(hist.stdout) as { runId: string; decision: { reason: string } }[];
    expect(hs.map((r) => r.runId)).toEqual(runs.map((r) => r.runId).reverse());
    expect(hs[0]!.decision.reason).toMatch(/no rule applies/);
    const show = await runCli(['jobs', 'show', runs[0]!.runId, '--history', f.history], { cwd: work, env });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run ${runs[0]!.runId}: job slow (run)`);
    expect(show.stdout).toMatch(/decision: new — no rule applies → default new\n {2}rule: none \(default\)/);
    expect(show.stdout).toContain(`rows: ${runs[0]!.rows}, bytes: ${runs[0]!.bytes}`);
    const missing = await runCli(['jobs', 'show', 'nope', '--history', f.history], { cwd: work, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`datamove: jobs: no run nope in ${f.history}\n`);
  }, 120_000);

  it('SIGHUP re-reads the job folder; a folder that no longer loads keeps the schedule', async () => {
    const dir = join(work, 'hangup');
    mkdirSync(dir, { recursive: true });
    const job = (name: string) =>
      slowJobYaml({
        name,
        backup,
        module: slow,
        catalog: join(work, 'hangup.db'),
        cron: '0 0 1 1 *',
        now: GEN.now,
      });
    writeFileSync(join(dir, 'first.yaml'), job('first'));
    const s = scheduleSpawn(['--jobs', dir, '--no-catch-up']);
    await s.until((r) => r.event === 'scheduled' && r.job === 'first');
    writeFileSync(join(dir, 'second.yaml'), job('second'));
    s.child.kill('SIGHUP');
    const reloaded = await s.until((r) => r.event === 'reloaded');
    expect(reloaded).toMatchObject({ added: ['second'], removed: [], changed: [] });
    await s.until((r) => r.event === 'scheduled' && r.job === 'second');
    writeFileSync(join(dir, 'third.yaml'), 'name: third\nsource: 42\n');
    s.child.kill('SIGHUP');
    const failed = await s.until((r) => r.event === 'reload-failed');
    expect(String(failed.error)).toMatch(/third\.yaml: source: /);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stdout).toMatch(/scheduler stopped: 0 run\(s\) started/);
  }, 60_000);

  it('past the grace period the running job is recorded interrupted, commits nothing, and the exit is 0', async () => {
    const f = jobsFolder('interrupted');
    const s = scheduleSpawn(['--jobs', join(f.dir, 'jobs'), '--grace', '300ms']);
    await s.until((r) => r.event === 'task-start');
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    await s.until((r) => r.event === 'stopped' && r.interrupted === 1);
    const h = runHistoryOpen(f.history);
    const runs = h.runs('slow');
    h.close();
    expect(runs.map((r) => r.status)).toEqual(['failed']);
    expect(runs[0]!.error).toMatch(
      /^interrupted: the scheduler stopped \(SIGTERM\) and its grace period of 300 ms passed$/,
    );
    const opened = await catalogOpen({ catalog: f.catalog });
    try {
      const id = { namespace: ['lake'], name: 'slow' };
      const snaps = (await opened.catalog.tableExists(id))
        ? (await opened.catalog.loadTable(id)).metadata.snapshots
        : [];
      expect(snaps).toEqual([]);
    } finally {
      await opened.close();
    }
  }, 60_000);
});
