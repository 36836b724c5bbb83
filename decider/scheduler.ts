/**
 * The scheduler behind `datamove schedule --jobs <folder>`: every job file of the folder that has a
 * `schedule` (cron expression and time zone) runs on it, through `jobRun` (decision, fallback, history).
 *
 * - Cron times come from croner (five fields, or six with seconds first), in the job's time zone.
 * - One run of a job at a time: a fire while the job still runs is skipped and logged (`fire-skipped`);
 *   the next fire after it ends runs normally.
 * - A missed run — the job's latest scheduled time before start-up is later than its latest run in the
 *   run history, or the job never ran — runs once at start-up (`catchUp: false` turns that off).
 * - Edits take effect without a restart: each fire re-reads the job's file (a file that no longer loads is
 *   logged and that fire skipped), and `reload(jobs)` (SIGHUP in the CLI) applies a re-read folder — new
 *   jobs scheduled, removed ones unscheduled, changed schedules replaced; running runs go on.
 * - `stop()` (SIGTERM/SIGINT in the CLI): no more fires; running jobs get `graceMs` to finish; what is
 *   still running then is interrupted — its path cancelled (worker threads terminated, DuckDB interrupted,
 *   uncommitted files removed), recorded failed as `interrupted: …`, its commit refused — and the
 *   scheduler ends. A re-run never double-commits: commits are idempotent by run id, and a stopped run
 *   commits nothing.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { DatamoveError } from '../core/index.js';
import { type Job, jobFileLoad } from './job-file.js';
import { type JobRunOptions, type JobRunSummary, jobHistoryPath, jobRun } from './job-run.js';
import { LOG_NONE, type LogSink } from './log.js';
import { type RunRecord, runHistoryOpen } from './run-history.js';

const JOB_FILE = /\.(ya?ml|json)$/i;

/** Every job file (`*.yaml`, `*.yml`, `*.json`) in `folder`, by file name; one bad file fails them all. */
export function jobsFolderLoad(folder: string): Job[] {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
    names = readdirSync(folder);
  } catch (e) {
    throw new DatamoveError(
      'NotFound',
      `scheduler: --jobs ${folder}: cannot read the folder (${(e as Error).message})`,
      {
        context: { file: folder },
      },
    );
  }
  const jobs = names
    .filter((n) => JOB_FILE.test(n))
    .sort()
    .map((n) => jobFileLoad(join(folder, n)));
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const other = seen.get(j.name);
    if (other !== undefined)
      throw new DatamoveError(
        'InvalidArgument',
        `${j.file}: name: job ${j.name} is also the name of ${other}; job names must be unique`,
        { context: { file: j.file, field: 'name' } },
      );
    seen.set(j.name, j.file);
  }
  return jobs;
}

/** The job's cron, paused (for computing times); errors name the file and the field. */
export function jobCron(job: Job): Cron | undefined {
  const s = job.schedule;
  if (s === undefined) return undefined;
  let cron: Cron;
  try {
    cron = new Cron(s.cron, { paused: true, timezone: s.timeZone, mode: '5-or-6-parts' });
  } catch (e) {
    throw new DatamoveError(
      'InvalidArgument',
      `${job.file}: schedule.cron: '${s.cron}': ${(e as Error).message}`,
      {
        context: { file: job.file, field: 'schedule.cron' },
      },
    );
  }
  try {
    cron.nextRun();
  } catch {
    throw new DatamoveError(
      'InvalidArgument',
      `${job.file}: schedule.timeZone: '${s.timeZone}' is not an IANA time zone (like UTC or Europe/Paris)`,
      { context: { file: job.file, field: 'schedule.timeZone' } },
    );
  }
  return cron;
}

/** The next scheduled time after `from`, or undefined (no schedule, or none left). */
export function scheduleNext(job: Job, from: Date = new Date()): Date | undefined {
  return jobCron(job)?.nextRun(from) ?? undefined;
}

/**
 * The missed run at `now`: the latest scheduled time at or before `now` when it is later than the job's
 * latest run (`lastStartedAt`), or when the job never ran; else undefined.
 */
export function scheduleMissed(
  job: Job,
  lastStartedAt: string | undefined,
  now: Date = new Date(),
): Date | undefined {
  const prev = jobCron(job)?.previousRuns(1, now)[0];
  if (prev === undefined) return undefined;
  if (lastStartedAt !== undefined && Date.parse(lastStartedAt) >= prev.getTime()) return undefined;
  return prev;
}

/** The job's latest own run (purpose `run`) in a run history file. */
export function jobLastRun(historyPath: string, job: string): RunRecord | undefined {
  const h = runHistoryOpen(historyPath);
  try {
    const own = h.runs(job).filter((r) => (r.purpose ?? 'run') === 'run');
    return own[own.length - 1];
  } finally {
    h.close();
  }
}

export interface SchedulerOptions {
  readonly jobs: readonly Job[];
  /** Run a missed run once at start-up (default true). */
  readonly catchUp?: boolean;
  /** How long running jobs may finish after `stop()` (default 10 minutes). */
  readonly graceMs?: number;
  /** One run history for every job (default: each job's own, beside its catalog). */
  readonly historyPath?: string;
  /** What every run gets (controller, workers, …). */
  readonly run?: Omit<JobRunOptions, 'signal' | 'historyPath' | 'logger' | 'dryRun'>;
  readonly logger?: LogSink;
  /** Start-up only: run the missed runs, wait for them, and end (no cron timers). */
  readonly once?: boolean;
  /** After every run (the CLI writes the metrics textfile here). */
  readonly onRunEnd?: (
    job: Job,
    outcome: { summary?: JobRunSummary; error?: string },
  ) => void | Promise<void>;
  /** Start-up time (tests); default now. */
  readonly now?: Date;
}

export interface SchedulerStopResult {
  /** Runs that finished within the grace period. */
  readonly finished: number;
  /** Runs interrupted (recorded failed, `interrupted: …`). */
  readonly interrupted: number;
}

export interface Scheduler {
  /** The scheduled jobs (with a `schedule`). */
  jobs(): readonly Job[];
  /** Names of the jobs running now. */
  running(): string[];
  /** Counts since start-up: runs started, fires skipped because the job was still running. */
  stats(): { readonly started: number; readonly skipped: number; readonly catchUps: number };
  /** The next scheduled time of a job. */
  nextRun(job: string): Date | undefined;
  /** Applies a re-read job folder: schedules new jobs, unschedules removed ones, replaces changed ones. */
  reload(jobs: readonly Job[]): {
    readonly added: string[];
    readonly removed: string[];
    readonly changed: string[];
  };
  /** Stops firing, waits up to the grace period, interrupts the rest. Safe to call twice. */
  stop(reason: string): Promise<SchedulerStopResult>;
  /** Resolves when the scheduler has ended (after `stop`, or with `once` when the catch-up runs ended). */
  readonly done: Promise<SchedulerStopResult>;
}

interface Running {
  readonly promise: Promise<void>;
  readonly abort: AbortController;
}

/** Starts the scheduler (see the module comment). */
export function schedulerStart(o: SchedulerOptions): Scheduler {
  const log = (o.logger ?? LOG_NONE).child({ component: 'scheduler' });
  const graceMs = o.graceMs ?? 600_000;
  let scheduled = o.jobs.filter((j) => j.schedule !== undefined);
  const crons = new Map<string, Cron>();
  for (const j of scheduled) jobCron(j); // validate every schedule before anything runs
  const running = new Map<string, Running>();
  const stats = { started: 0, skipped: 0, catchUps: 0 };
  let stopping = false;
  let resolveDone: (r: SchedulerStopResult) => void = () => {};
  const done = new Promise<SchedulerStopResult>((r) => {
    resolveDone = r;
  });
  const historyOf = (j: Job) => o.historyPath ?? jobHistoryPath(j);

  const fire = (scheduledJob: Job, scheduledFor: Date | undefined, kind: 'cron' | 'catch-up'): void => {
    let job = scheduledJob;
    if (stopping) return;
    if (running.has(job.name)) {
      stats.skipped++;
      log.warn(
        { event: 'fire-skipped', job: job.name, scheduledFor: scheduledFor?.toISOString(), kind },
        `job ${job.name}: skipped the ${kind === 'cron' ? 'scheduled' : 'catch-up'} run — the previous run is still running`,
      );
      return;
    }
    if (kind === 'cron') {
      // the file as it is now: an edit since start-up (or the last reload) applies to this run
      try {
        job = jobFileLoad(job.file);
        if (job.name !== scheduledJob.name)
          throw new Error(`its name is now ${job.name}; reload the folder (SIGHUP) to schedule it`);
      } catch (e) {
        stats.skipped++;
        log.error(
          { event: 'fire-skipped', job: scheduledJob.name, error: (e as Error).message, kind },
          `job ${scheduledJob.name}: skipped the scheduled run — its file no longer loads: ${(e as Error).message}`,
        );
        return;
      }
    }
    stats.started++;
    if (kind === 'catch-up') stats.catchUps++;
    const abort = new AbortController();
    log.info(
      { event: 'fire', job: job.name, scheduledFor: scheduledFor?.toISOString(), kind },
      `job ${job.name}: ${kind === 'cron' ? 'scheduled' : 'missed (catch-up)'} run starts`,
    );
    const promise = (async () => {
      let outcome: { summary?: JobRunSummary; error?: string };
      try {
        outcome = {
          summary: await jobRun(job, {
            ...o.run,
            historyPath: historyOf(job),
            signal: abort.signal,
            ...(o.logger === undefined ? {} : { logger: o.logger }),
          }),
        };
      } catch (e) {
        // jobRun recorded the failure and alerted; the scheduler goes on
        outcome = { error: (e as Error)?.message ?? String(e) };
      }
      try {
        await o.onRunEnd?.(job, outcome);
      } catch (e) {
        log.error(
          { event: 'run-end-hook-failed', job: job.name, error: (e as Error).message },
          'after-run hook failed',
        );
      }
    })().finally(() => running.delete(job.name));
    running.set(job.name, { promise, abort });
  };

  const start = (): void => {
    const now = o.now ?? new Date();
    if (o.catchUp !== false)
      for (const j of scheduled) {
        const last = jobLastRun(historyOf(j), j.name);
        const missed = scheduleMissed(j, last?.startedAt, now);
        if (missed !== undefined) {
          log.info(
            {
              event: 'missed-run',
              job: j.name,
              scheduledFor: missed.toISOString(),
              lastRun: last?.startedAt,
            },
            `job ${j.name}: the run of ${missed.toISOString()} was missed; running it now`,
          );
          fire(j, missed, 'catch-up');
        }
      }
    if (o.once) {
      void Promise.all([...running.values()].map((r) => r.promise)).then(() =>
        resolveDone({ finished: stats.started, interrupted: 0 }),
      );
      return;
    }
    for (const j of scheduled) schedule(j);
  };

  const schedule = (j: Job): void => {
    const s = j.schedule!;
    const cron = new Cron(s.cron, { timezone: s.timeZone, mode: '5-or-6-parts', catch: true }, (self: Cron) =>
      fire(j, self.currentRun() ?? new Date(), 'cron'),
    );
    crons.set(j.name, cron);
    log.info(
      {
        event: 'scheduled',
        job: j.name,
        cron: s.cron,
        timeZone: s.timeZone,
        next: cron.nextRun()?.toISOString(),
      },
      `job ${j.name}: scheduled '${s.cron}' (${s.timeZone}), next ${cron.nextRun()?.toISOString() ?? 'never'}`,
    );
  };

  const reload = (jobs: readonly Job[]) => {
    const next = jobs.filter((j) => j.schedule !== undefined);
    for (const j of next) jobCron(j); // a bad schedule fails the reload before anything changes
    const key = (j: Job) => `${j.file}\u0000${j.schedule!.cron}\u0000${j.schedule!.timeZone}`;
    const before = new Map(scheduled.map((j) => [j.name, j]));
    const after = new Map(next.map((j) => [j.name, j]));
    const added = [...after.keys()].filter((n) => !before.has(n));
    const removed = [...before.keys()].filter((n) => !after.has(n));
    const changed = [...after.keys()].filter(
      (n) => before.has(n) && key(before.get(n)!) !== key(after.get(n)!),
    );
    scheduled = next;
    if (!stopping && !o.once) {
      for (const n of [...removed, ...changed]) {
        crons.get(n)?.stop();
        crons.delete(n);
      }
      for (const n of [...added, ...changed]) schedule(after.get(n)!);
    }
    log.info(
      { event: 'reloaded', added, removed, changed },
      `reloaded the job folder: ${added.length} added, ${removed.length} removed, ${changed.length} changed`,
    );
    return { added, removed, changed };
  };

  let stopResult: Promise<SchedulerStopResult> | undefined;
  const stop = (reason: string): Promise<SchedulerStopResult> => {
    stopResult ??= (async () => {
      stopping = true;
      for (const c of crons.values()) c.stop();
      const inFlight = [...running.entries()];
      log.info(
        { event: 'stopping', reason, running: inFlight.map(([n]) => n), graceMs },
        `scheduler stopping (${reason}): ${inFlight.length} running job(s), grace ${graceMs} ms`,
      );
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((r) => {
        timer = setTimeout(() => r('grace-over'), graceMs);
      });
      const all = Promise.all(inFlight.map(([, r]) => r.promise));
      const first = await Promise.race([all.then(() => 'finished' as const), graceOver]);
      clearTimeout(timer);
      let interrupted = 0;
      if (first === 'grace-over') {
        for (const [name, r] of running) {
          interrupted++;
          log.warn(
            { event: 'interrupting', job: name },
            `job ${name}: still running after the grace period; interrupted`,
          );
          r.abort.abort(
            new Error(`the scheduler stopped (${reason}) and its grace period of ${graceMs} ms passed`),
          );
        }
        await Promise.all([...running.values()].map((r) => r.promise));
      }
      const result = { finished: inFlight.length - interrupted, interrupted };
      log.info(
        { event: 'stopped', ...result },
        `scheduler stopped: ${result.finished} finished, ${interrupted} interrupted`,
      );
      resolveDone(result);
      return result;
    })();
    return stopResult;
  };

  start();
  return {
    jobs: () => scheduled,
    reload,
    running: () => [...running.keys()],
    stats: () => ({ ...stats }),
    nextRun: (name) => crons.get(name)?.nextRun() ?? undefined,
    stop,
    done,
  };
}
