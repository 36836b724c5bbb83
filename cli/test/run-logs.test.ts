/**
 * `datamove run`'s visibility: JSON log lines on stderr (decision, plan, task start with its token range,
 * progress, outcome — all with the job and run id), the summary unchanged on stdout, a progress bar with
 * the real percentage under `--progress`, and the metrics textfile written after the run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runHistoryOpen } from '../../decider/index.js';
import { GEN, generate, runCli } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-run-logs-'));
const env = { PATH: process.env.PATH ?? '', HOME: work };
const args = [
  'run',
  '--source',
  join(work, 'backup'),
  '--warehouse',
  join(work, 'wh'),
  '--consistency',
  'all',
];

beforeAll(async () => {
  await generate({ ...GEN, out: join(work, 'backup'), preset: 'narrow', partitions: 60 });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('logs JSON lines with job, run id, task ids and token ranges; the summary stays on stdout', async () => {
  const prom = join(work, 'datamove.prom');
  const r = await runCli([...args, '--json', '--metrics-textfile', prom], { cwd: work, env });
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout) as { runId: string; job: string; rows: number };
  const records = r.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(records.every((x) => x.job === summary.job && x.runId === summary.runId)).toBe(true);
  const events = records.map((x) => x.event);
  expect(events[0]).toBe('decision');
  expect(events).toContain('plan');
  expect(events.at(-1)).toBe('run-finished');
  const starts = records.filter((x) => x.event === 'task-start');
  expect(starts.length).toBeGreaterThan(0);
  for (const s of starts) {
    expect(s.taskId).toEqual(expect.any(Number));
    expect(s.range).toEqual({
      start: expect.stringMatching(/^-?\d+$/),
      end: expect.stringMatching(/^-?\d+$/),
    });
  }
  expect(records.filter((x) => x.event === 'progress').at(-1)?.percent).toBe(100);
  expect(records.at(-1)).toMatchObject({ level: 'info', status: 'succeeded', rows: summary.rows });

  // the textfile: the run history's numbers in the Prometheus text format
  const text = readFileSync(prom, 'utf8');
  expect(text).toContain('# TYPE datamove_runs_total counter');
  expect(text).toContain(
    `datamove_runs_total{job="${summary.job}",connector="new",status="succeeded",purpose="run"} 1\n`,
  );
  expect(text).toContain(
    `datamove_rows_written_total{job="${summary.job}",connector="new"} ${summary.rows}\n`,
  );
  const h = runHistoryOpen(join(work, 'wh', 'runs.db'));
  try {
    expect(h.runs().map((x) => x.runId)).toEqual([summary.runId]);
  } finally {
    h.close();
  }
}, 60_000);

it('--progress draws a bar that reaches 100 %; the plain run prints decision, plan and summary', async () => {
  const r = await runCli([...args, '--progress'], { cwd: work, env });
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/100% \| [\d.]+\/[\d.]+ MiB \| \d+\/\d+ tasks \| \d+ rows/);
  expect(r.stdout).toMatch(/^decision: new — /m);
  expect(r.stdout).toMatch(/^summary: job /m);
}, 60_000);
