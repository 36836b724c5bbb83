/**
 * `datamove schedule --jobs <folder>`: the long-running scheduler (decider/scheduler.ts) with its options —
 * catch-up of missed runs, the grace period on SIGTERM/SIGINT, structured logs on stderr, and metrics over
 * HTTP (`--metrics-port`) or as a node_exporter textfile (`--metrics-textfile`).
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import {
  durationMs,
  jobHistoryPath,
  jobsFolderLoad,
  logCreate,
  type Metrics,
  metricsCreate,
  metricsServe,
  metricsTextfileWrite,
  type Scheduler,
  schedulerStart,
} from '../../decider/index.js';
import type { CliIO } from '../main.js';
import { cliController } from './run.js';

interface ScheduleFlags {
  readonly jobs: string;
  readonly controller?: string;
  readonly history?: string;
  readonly catchUp: boolean;
  readonly grace: string;
  readonly once?: boolean;
  readonly metricsPort?: string;
  readonly metricsHost: string;
  readonly metricsTextfile?: string;
  readonly verbose?: boolean;
  readonly workers?: string;
}

/** `90s`, `10m`… → ms; `field` names the flag in the error. */
export function cliDuration(text: string, field: string): number {
  if (!/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/.test(text))
    throw new DatamoveError(
      'InvalidArgument',
      `--${field}: '${text}' must be a duration like 90s, 10m or 2h`,
      {
        context: { field },
      },
    );
  return durationMs(text);
}

function portOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new DatamoveError('InvalidArgument', `--metrics-port: '${text}' must be a port number (0-65535)`, {
      context: { field: 'metrics-port' },
    });
  return n;
}

/**
 * Ends the process soon after the command returns even if a stopped run's worker threads or DuckDB still
 * work in the background (they cannot commit any more); an idle process exits before the timer fires.
 */
export function exitSoon(ms = 1000): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), ms).unref();
}

async function scheduleCommand(flags: ScheduleFlags, io: CliIO): Promise<void> {
  const graceMs = cliDuration(flags.grace, 'grace');
  const port = flags.metricsPort === undefined ? undefined : portOf(flags.metricsPort);
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  const jobs = jobsFolderLoad(flags.jobs);
  const scheduled = jobs.filter((j) => j.schedule !== undefined);
  if (scheduled.length === 0)
    throw new DatamoveError(
      'InvalidArgument',
      `schedule: no job file in ${flags.jobs} has a schedule (schedule: { cron: "0 3 * * *", timeZone: UTC })`,
      { context: { file: flags.jobs } },
    );
  cliController(flags.controller); // a missing or bad controller file fails now, not at the first fire
  const controllerFile = flags.controller ?? process.env.DATAMOVE_CONTROLLER ?? './.datamove/controller.yaml';
  const logger = logCreate({
    destination: io.stderr,
    verbose: flags.verbose === true,
    colorize: (io.stderr as { isTTY?: boolean }).isTTY === true,
  });
  const historyPaths = [...new Set(scheduled.map((j) => flags.history ?? jobHistoryPath(j)))];
  let scheduler: Scheduler | undefined;
  const metrics: Metrics | undefined =
    port === undefined && flags.metricsTextfile === undefined
      ? undefined
      : metricsCreate({
          historyPaths: () => historyPaths,
          scheduler: () => ({
            running: scheduler?.running().length ?? 0,
            skipped: scheduler?.stats().skipped ?? 0,
            started: scheduler?.stats().started ?? 0,
          }),
        });
  const server = port === undefined ? undefined : await metricsServe(metrics!, port, flags.metricsHost);
  if (server !== undefined)
    logger.info(
      { event: 'metrics-serving', port: server.port, host: flags.metricsHost },
      `metrics on http://${flags.metricsHost}:${server.port}/metrics`,
    );
  const textfile = async () => {
    if (flags.metricsTextfile !== undefined) await metricsTextfileWrite(flags.metricsTextfile, metrics!);
  };
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    logger.info({ event: 'signal', signal: sig, count: signals }, `received ${sig}`);
    void scheduler?.stop(sig);
  };
  // SIGHUP: re-read the folder; a folder that no longer loads is logged and the schedule kept
  const onHangup = () => {
    try {
      const r = scheduler?.reload(jobsFolderLoad(flags.jobs));
      if (r !== undefined)
        for (const j of scheduler!.jobs())
          if (!historyPaths.includes(flags.history ?? jobHistoryPath(j)))
            historyPaths.push(flags.history ?? jobHistoryPath(j));
    } catch (e) {
      logger.error(
        { event: 'reload-failed', error: (e as Error).message },
        `reload failed, the schedule is unchanged: ${(e as Error).message}`,
      );
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  try {
    scheduler = schedulerStart({
      jobs,
      catchUp: flags.catchUp,
      graceMs,
      ...(flags.history === undefined ? {} : { historyPath: flags.history }),
      run: { controllerFile, ...(workers === undefined ? {} : { workers }) },
      logger,
      once: flags.once === true,
      onRunEnd: textfile,
    });
    io.stdout.write(
      `scheduling ${scheduled.length} job(s) from ${flags.jobs}${flags.once ? ' (once: missed runs only)' : ''}:\n`,
    );
    for (const j of scheduled)
      io.stdout.write(
        `  ${j.name}: '${j.schedule!.cron}' (${j.schedule!.timeZone}), next ${flags.once ? '-' : (scheduler.nextRun(j.name)?.toISOString() ?? 'never')}\n`,
      );
    if (server !== undefined)
      io.stdout.write(`metrics: http://${flags.metricsHost}:${server.port}/metrics\n`);
    const r = await scheduler.done;
    await textfile();
    io.stdout.write(
      `scheduler stopped: ${scheduler.stats().started} run(s) started, ${scheduler.stats().skipped} fire(s) skipped, ${r.interrupted} interrupted\n`,
    );
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onHangup);
    await server?.close();
    metrics?.close();
    exitSoon();
  }
}

export function registerSchedule(program: Command, io: CliIO): void {
  program
    .command('schedule')
    .description(
      'Run the jobs of a folder on their cron schedules (one run per job at a time; missed runs once at start-up; SIGHUP re-reads the folder; SIGTERM lets running jobs finish)',
    )
    .requiredOption(
      '--jobs <folder>',
      'folder of job files (*.yaml, *.yml, *.json); those with a schedule run',
    )
    .option(
      '--controller <file>',
      'controller file, re-read at every run (default $DATAMOVE_CONTROLLER or ./.datamove/controller.yaml)',
    )
    .option('--history <runs.db>', "one run history for every job (default: each job's, beside its catalog)")
    .option('--no-catch-up', 'do not run a missed run at start-up')
    .option(
      '--grace <duration>',
      'on SIGTERM/SIGINT, how long running jobs may finish before they are interrupted',
      '10m',
    )
    .option('--once', 'run the missed runs (catch-up) and exit, for cron or systemd timers')
    .option('--metrics-port <n>', 'serve Prometheus metrics on http://<host>:<n>/metrics (0: any free port)')
    .option('--metrics-host <host>', 'interface of the metrics server', '0.0.0.0')
    .option(
      '--metrics-textfile <path>',
      'write the metrics to this file after every run (node_exporter textfile)',
    )
    .option('--verbose', 'human-readable logs instead of JSON lines')
    .option('--workers <n>', 'worker threads of the new path')
    .action(async (flags: ScheduleFlags) => scheduleCommand(flags, io));
}
