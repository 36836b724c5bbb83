/**
 * `datamove jobs list|history|show`: the run history (decider/run-history.ts) as tables or JSON — each job's
 * latest run (and, given the jobs folder, its next scheduled time), one job's runs newest first, and
 * everything recorded for one run (decision and the rule that made it, fallback and its cause, counts).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import {
  jobHistoryPath,
  jobsFolderLoad,
  type RunHistory,
  type RunRecord,
  runHistoryOpen,
  scheduleNext,
} from '../../decider/index.js';
import type { CliIO } from '../main.js';

const DEFAULT_HISTORY = './.datamove/runs.db';

function historyRead<T>(path: string, read: (h: RunHistory) => T, required: boolean): T | undefined {
  if (!existsSync(path)) {
    if (!required) return undefined;
    throw new DatamoveError(
      'NotFound',
      `jobs: no run history at ${path} (run a job first, or give --history <runs.db>)`,
      { context: { file: path } },
    );
  }
  const h = runHistoryOpen(path);
  try {
    return read(h);
  } finally {
    h.close();
  }
}

/** Columns padded to their widest cell. */
export function tableFormat(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

interface ListRow {
  readonly job: string;
  readonly file: string | undefined;
  readonly schedule: string | undefined;
  readonly lastRun: RunRecord | undefined;
  readonly nextRun: string | undefined;
}

function listRows(flags: { jobs?: string; history?: string }): ListRow[] {
  if (flags.jobs === undefined) {
    const path = flags.history ?? DEFAULT_HISTORY;
    const latest = historyRead(path, (h) => h.runsLatest(), true)!;
    return latest.map((r) => ({
      job: r.job,
      file: r.jobFile,
      schedule: undefined,
      lastRun: r,
      nextRun: undefined,
    }));
  }
  return jobsFolderLoad(flags.jobs).map((job) => {
    const path = flags.history ?? jobHistoryPath(job);
    const runs = historyRead(path, (h) => h.runs(job.name), false) ?? [];
    const own = runs.filter((r) => (r.purpose ?? 'run') === 'run');
    return {
      job: job.name,
      file: job.file,
      schedule: job.schedule === undefined ? undefined : `${job.schedule.cron} (${job.schedule.timeZone})`,
      lastRun: own[own.length - 1],
      nextRun: scheduleNext(job)?.toISOString(),
    };
  });
}

export function registerJobs(program: Command, io: CliIO): void {
  const jobs = program
    .command('jobs')
    .description('Read the run history: jobs and their latest runs, one job’s runs, one run in full');
  const out = (s: string): void => {
    io.stdout.write(`${s}\n`);
  };

  jobs
    .command('list')
    .description(
      'Each job with its latest run, status and connector used (and next scheduled time with --jobs)',
    )
    .option(
      '--jobs <folder>',
      'the job files folder: lists every job, run or not, with its next scheduled time',
    )
    .option('--history <runs.db>', `run history database (default ${DEFAULT_HISTORY}, or each job's own)`)
    .option('--json', 'print JSON')
    .action((flags: { jobs?: string; history?: string; json?: boolean }) => {
      const rows = listRows(flags);
      if (flags.json) return out(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return out('no jobs');
      out(
        tableFormat(
          ['JOB', 'LAST RUN', 'STATUS', 'CONNECTOR', 'FALLBACK', 'DURATION', 'ROWS', 'NEXT RUN', 'SCHEDULE'],
          rows.map((r) => [
            r.job,
            r.lastRun?.startedAt ?? '-',
            r.lastRun?.status ?? 'never run',
            r.lastRun?.connectorUsed ?? '-',
            r.lastRun === undefined ? '-' : r.lastRun.fallback ? 'yes' : 'no',
            r.lastRun === undefined ? '-' : seconds(r.lastRun.durationMs),
            r.lastRun === undefined ? '-' : String(r.lastRun.rows),
            r.nextRun ?? '-',
            r.schedule ?? '-',
          ]),
        ),
      );
    });

  jobs
    .command('history')
    .description('One job’s runs, newest first: status, decision, connector used, fallback, duration, rows')
    .argument('<job>', 'job name')
    .option('--history <runs.db>', `run history database (default ${DEFAULT_HISTORY})`)
    .option('--limit <n>', 'at most this many runs', '50')
    .option('--json', 'print JSON')
    .action((name: string, flags: { history?: string; limit: string; json?: boolean }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new DatamoveError(
          'InvalidArgument',
          `jobs history: --limit '${flags.limit}' must be a positive integer`,
          {
            context: { field: 'limit' },
          },
        );
      const path = flags.history ?? DEFAULT_HISTORY;
      const runs = historyRead(
        path,
        (h) =>
          h
            .runs(name)
            .reverse()
            .slice(0, limit)
            .map((r) => ({ ...r, decision: h.decisionOf(r.runId) })),
        true,
      )!;
      if (runs.length === 0)
        throw new DatamoveError('NotFound', `jobs: job ${name} has no runs in ${path}`, {
          context: { job: name },
        });
      if (flags.json) return out(JSON.stringify(runs, null, 2));
      out(
        tableFormat(
          ['RUN', 'STARTED', 'STATUS', 'DECIDED', 'RULE', 'USED', 'FALLBACK', 'DURATION', 'ROWS', 'PURPOSE'],
          runs.map((r) => [
            r.runId,
            r.startedAt,
            r.status,
            r.decided,
            r.decision?.rule === undefined ? 'default' : String(r.decision.rule),
            r.connectorUsed ?? '-',
            r.fallback ? `yes (${(r.fallbackCause ?? '').split(':')[0]})` : 'no',
            seconds(r.durationMs),
            String(r.rows),
            r.purpose ?? 'run',
          ]),
        ),
      );
    });

  jobs
    .command('show')
    .description(
      'Everything recorded for one run: decision and its rule, fallback and its cause, counts, error',
    )
    .argument('<run-id>', 'run id (from `jobs history`)')
    .option('--history <runs.db>', `run history database (default ${DEFAULT_HISTORY})`)
    .option('--json', 'print JSON')
    .action((runId: string, flags: { history?: string; json?: boolean }) => {
      const path = flags.history ?? DEFAULT_HISTORY;
      const found = historyRead(
        path,
        (h) => ({ run: h.runGet(runId), decision: h.decisionOf(runId) }),
        true,
      )!;
      if (found.run === undefined)
        throw new DatamoveError('NotFound', `jobs: no run ${runId} in ${path}`, { context: { runId } });
      const { run, decision } = found;
      if (flags.json) return out(JSON.stringify({ ...run, decision }, null, 2));
      const lines = [
        `run ${run.runId}: job ${run.job} (${run.purpose ?? 'run'})${run.jobFile === undefined ? '' : ` from ${run.jobFile}`}`,
        `  status: ${run.status}${run.error === undefined ? '' : ` — ${run.error}`}`,
        `  started: ${run.startedAt}, finished: ${run.finishedAt}, duration: ${seconds(run.durationMs)}, CPU: ${run.cpuSeconds.toFixed(2)} s`,
        `  decision: ${run.decided} — ${decision?.reason ?? '(not recorded)'}`,
        `  rule: ${decision?.rule === undefined ? 'none (default)' : decision.rule}; controller: ${decision?.controllerFile ?? '(none: built-in default)'}`,
        `  connector used: ${run.connectorUsed ?? '-'}; fallback: ${run.fallback ? `yes — ${run.fallbackCause ?? ''}` : 'no'}`,
        `  target: ${run.table}, snapshot: ${run.snapshotId ?? '-'}`,
        `  rows: ${run.rows}, bytes: ${run.bytes}, files: ${run.files}`,
      ];
      out(lines.join('\n'));
    });
}
