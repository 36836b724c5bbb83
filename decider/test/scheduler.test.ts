/**
 * The scheduler in-process: no two runs of a job at once (a run outlasting its every-second schedule
 * makes later fires skip), a missed run runs once at start-up (and not with `catchUp: false`, nor when
 * the job already ran after its latest scheduled time), and `stop()` lets a running job finish.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GEN, generate, slowConnectorWrite, slowJobYaml } from '../../infra/index.js';
import { controllerParse } from '../controller.js';
import { jobFileLoad } from '../job-file.js';
import { runHistoryOpen } from '../run-history.js';
import { jobsFolderLoad, scheduleMissed, schedulerStart } from '../scheduler.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-scheduler-'));
const backup = join(work, 'backup');
let slow: string;

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 20 });
  slow = slowConnectorWrite(work, 1500);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const controller = controllerParse({}, undefined);

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

function fastJobYaml(name: string, cron: string, catalog: string): string {
  return `name: ${name}
source: { uri: "${backup}", keyspace: gen, table: narrow }
connector: { name: raw }
consistency: all
now: "${GEN.now}"
target: { catalog: "${catalog}", namespace: lake, table: ${name.replace(/-/g, '_')} }
schedule: { cron: "${cron}", timeZone: UTC }
`;
}

function overlaps(runs: { startedAt: string; finishedAt: string }[]): number {
  let n = 0;
  const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (let i = 1; i < sorted.length; i++)
    if (Date.parse(sorted[i]!.startedAt) < Date.parse(sorted[i - 1]!.finishedAt)) n++;
  return n;
}

describe('scheduler', () => {
  it('never runs a job twice at once: fires during a run are skipped and logged', async () => {
    const dir = folder('overlap', {
      'slow.yaml': slowJobYaml({
        name: 'slow',
        backup,
        module: slow,
        catalog: join(work, 'overlap', 'catalog.db'),
        cron: '* * * * * *',
        now: GEN.now,
      }),
    });
    const history = join(dir, 'runs.db');
    const logged: Record<string, unknown>[] = [];
    const logger = {
      info: (f: object) => logged.push({ ...f }),
      warn: (f: object) => logged.push({ ...f }),
      error: (f: object) => logged.push({ ...f }),
      debug: () => {},
      child() {
        return logger;
      },
    };
    const s = schedulerStart({
      jobs: jobsFolderLoad(dir),
      catchUp: false,
      historyPath: history,
      run: { controller },
      logger,
    });
    expect(s.jobs().map((j) => j.name)).toEqual(['slow']);
    // a fire every second; each run takes more than a second (1.5 s pause in its one worker): wait until two
    // runs have started and two fires were skipped — seconds on an idle machine, longer on a loaded one
    const deadline = Date.now() + 45_000;
    while ((s.stats().started < 2 || s.stats().skipped < 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const stopped = await s.stop('test');
    expect(stopped.interrupted).toBe(0);
    const st = s.stats();
    expect(st.started).toBeGreaterThanOrEqual(2);
    expect(st.skipped).toBeGreaterThanOrEqual(2);
    expect(logged.filter((l) => l.event === 'fire-skipped').length).toBe(st.skipped);
    const h = runHistoryOpen(history);
    try {
      const runs = h.runs('slow');
      expect(runs.length).toBe(st.started);
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
      expect(runs.every((r) => r.durationMs > 1000)).toBe(true);
      expect(overlaps(runs)).toBe(0);
    } finally {
      h.close();
    }
  }, 60_000);

  it('runs a missed run once at start-up; not when the job ran since, nor with catchUp off', async () => {
    const catalog = join(work, 'catchup', 'catalog.db');
    // every job is due on 1 January at midnight: that time has passed since the year began
    const dir = folder('catchup', {
      'never-ran.yaml': fastJobYaml('never-ran', '0 0 1 1 *', catalog),
      'ran-since.yaml': fastJobYaml('ran-since', '0 0 1 1 *', catalog),
      'ran-before.yaml': fastJobYaml('ran-before', '0 0 1 1 *', catalog),
      'unscheduled.json': JSON.stringify({
        name: 'unscheduled',
        source: { uri: backup, keyspace: 'gen', table: 'narrow' },
        connector: { name: 'raw' },
        target: { catalog, namespace: 'lake', table: 'unscheduled' },
      }),
    });
    const history = join(dir, 'runs.db');
    const now = new Date();
    const lastNewYear = new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
    const h = runHistoryOpen(history);
    const record = (job: string, startedAt: Date) =>
      h.runRecord({
        runId: `${job}-earlier`,
        job,
        jobFile: undefined,
        startedAt: startedAt.toISOString(),
        finishedAt: startedAt.toISOString(),
        status: 'succeeded',
        decided: 'new',
        connectorUsed: 'new',
        fallback: false,
        fallbackCause: undefined,
        rows: 1,
        bytes: 1,
        files: 1,
        snapshotId: '1',
        table: 'lake.x',
        durationMs: 1,
        cpuSeconds: 0,
        error: undefined,
      });
    record('ran-since', new Date(lastNewYear.getTime() + 60_000));
    record('ran-before', new Date(lastNewYear.getTime() - 86_400_000));
    h.close();

    const jobs = jobsFolderLoad(dir);
    expect(jobs.map((j) => j.name)).toEqual(['never-ran', 'ran-before', 'ran-since', 'unscheduled']);
    expect(
      scheduleMissed(jobs[2]!, new Date(lastNewYear.getTime() + 60_000).toISOString(), now),
    ).toBeUndefined();
    expect(scheduleMissed(jobs[1]!, undefined, now)?.toISOString()).toBe(lastNewYear.toISOString());

    const off = schedulerStart({
      jobs,
      catchUp: false,
      once: true,
      historyPath: history,
      run: { controller },
    });
    expect((await off.done).finished).toBe(0);

    const s = schedulerStart({ jobs, once: true, historyPath: history, run: { controller } });
    expect(s.jobs().map((j) => j.name)).toEqual(['never-ran', 'ran-before', 'ran-since']);
    await s.done;
    expect(s.stats()).toEqual({ started: 2, skipped: 0, catchUps: 2 });
    const after = runHistoryOpen(history);
    try {
      const byJob = (j: string) => after.runs(j).map((r) => r.status);
      expect(byJob('never-ran')).toEqual(['succeeded']);
      expect(byJob('ran-before')).toEqual(['succeeded', 'succeeded']);
      expect(byJob('ran-since')).toEqual(['succeeded']); // only the inserted one
      expect(byJob('unscheduled')).toEqual([]);
    } finally {
      after.close();
    }
    // the catch-up is done: a second start-up finds nothing missed
    const again = schedulerStart({ jobs, once: true, historyPath: history, run: { controller } });
    await again.done;
    expect(again.stats().started).toBe(0);
  }, 60_000);

  it('applies edits without a restart: a fire re-reads its file, reload() applies the folder', async () => {
    const catalog = join(work, 'reload', 'catalog.db');
    const dir = folder('reload', {
      'edited.yaml': fastJobYaml('edited', '* * * * * *', catalog),
      'broken.yaml': fastJobYaml('broken', '* * * * * *', catalog),
      'later.yaml': fastJobYaml('later', '0 0 1 1 *', catalog),
    });
    const history = join(dir, 'runs.db');
    const jobs = jobsFolderLoad(dir);
    // edited after loading: the fire runs the file as it is now (another target table)
    writeFileSync(
      join(dir, 'edited.yaml'),
      fastJobYaml('edited', '* * * * * *', catalog).replace('table: edited', 'table: edited_v2'),
    );
    writeFileSync(join(dir, 'broken.yaml'), 'name: broken\nsource: [not, a, source]\n');
    const logged: Record<string, unknown>[] = [];
    const logger = {
      info: (f: object) => logged.push({ ...f }),
      warn: (f: object) => logged.push({ ...f }),
      error: (f: object) => logged.push({ ...f }),
      debug: () => {},
      child() {
        return logger;
      },
    };
    const s = schedulerStart({ jobs, catchUp: false, historyPath: history, run: { controller }, logger });
    try {
      for (let i = 0; i < 100 && !logged.some((l) => l.event === 'fire-skipped'); i++)
        await new Promise((r) => setTimeout(r, 100));
      const skipped = logged.find((l) => l.event === 'fire-skipped')!;
      expect(skipped.job).toBe('broken');
      expect(String(skipped.error)).toMatch(/broken\.yaml: source: /);
      for (let i = 0; i < 200 && s.stats().started === 0; i++) await new Promise((r) => setTimeout(r, 100));

      // the folder changes: one job gone, one new, one with another schedule
      rmSync(join(dir, 'broken.yaml'));
      writeFileSync(join(dir, 'added.yaml'), fastJobYaml('added', '0 0 1 1 *', catalog));
      writeFileSync(join(dir, 'later.yaml'), fastJobYaml('later', '0 0 2 1 *', catalog));
      const r = s.reload(jobsFolderLoad(dir));
      expect(r).toEqual({ added: ['added'], removed: ['broken'], changed: ['later'] });
      expect(s.jobs().map((j) => j.name)).toEqual(['added', 'edited', 'later']);
      expect(s.nextRun('broken')).toBeUndefined();
      expect(s.nextRun('later')?.getUTCDate()).toBe(2);
      expect(s.nextRun('added')).toBeDefined();
      // a folder with a bad schedule changes nothing
      writeFileSync(join(dir, 'added.yaml'), fastJobYaml('added', '61 * * * *', catalog));
      expect(() => s.reload(jobsFolderLoad(dir))).toThrow(/added\.yaml: schedule\.cron/);
      expect(s.jobs().map((j) => j.name)).toEqual(['added', 'edited', 'later']);
    } finally {
      await s.stop('test');
    }
    const h = runHistoryOpen(history);
    try {
      const runs = h.runs('edited');
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((x) => x.table === 'lake.edited_v2')).toBe(true);
      expect(h.runs('broken')).toEqual([]);
    } finally {
      h.close();
    }
  }, 60_000);

  it('a bad schedule is one line naming the file and the field', () => {
    const dir = folder('bad', {
      'bad.yaml': fastJobYaml('bad', '61 * * * *', join(work, 'bad', 'catalog.db')),
    });
    expect(() => schedulerStart({ jobs: jobsFolderLoad(dir) })).toThrow(
      /bad\.yaml: schedule\.cron: '61 \* \* \* \*': .*minute/,
    );
    writeFileSync(
      join(dir, 'bad.yaml'),
      fastJobYaml('bad', '0 3 * * *', join(work, 'bad', 'catalog.db')).replace('UTC', 'Mars/Olympus'),
    );
    expect(() => schedulerStart({ jobs: [jobFileLoad(join(dir, 'bad.yaml'))] })).toThrow(
      /bad\.yaml: schedule\.timeZone: 'Mars\/Olympus' is not an IANA time zone/,
    );
  });
});
