/**
 * `datamove shadow <job-file>`: the production path writes the job's target, the other path writes
 * `<table>__shadow_<path>`, both with the same reference time and backups; then the two snapshots are
 * diffed (validation/shadow.ts). Exit 0 when C = M, 3 when they differ (an investigation is logged and a
 * discrepancy alert sent), 2 on error.
 */
import type { Command } from 'commander';
import { jobFileLoad } from '../../decider/index.js';
import { diffReportFormat, shadowRun } from '../../validation/index.js';
import { CliExit, EXIT_DIFFERENT } from '../exit-code.js';
import type { CliIO } from '../main.js';
import { keyColumnsParse, samplesParse } from './diff.js';
import { cliController } from './run.js';

interface ShadowFlags {
  readonly controller?: string;
  readonly key?: string;
  readonly samples?: string;
  readonly json?: boolean;
  readonly memoryLimit?: string;
  readonly workers?: string;
  readonly replicaCheck?: boolean;
}

async function shadowCommand(file: string, flags: ShadowFlags, io: CliIO): Promise<void> {
  const job = jobFileLoad(file);
  const key = keyColumnsParse(flags.key);
  const samples = samplesParse(flags.samples);
  const controller = cliController(flags.controller);
  const r = await shadowRun(job, {
    controller,
    ...(key === undefined ? {} : { key }),
    ...(samples === undefined ? {} : { samples }),
    ...(flags.memoryLimit === undefined ? {} : { memoryLimit: flags.memoryLimit }),
    ...(flags.workers === undefined ? {} : { workers: Number(flags.workers) }),
    ...(flags.replicaCheck === false ? { replicaCheck: false } : {}),
    log: (line) => (flags.json ? io.stderr : io.stdout).write(`${line}\n`),
  });
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          job: r.job,
          productionPath: r.productionPath,
          shadowPath: r.shadowPath,
          shadowTable: r.shadowTable,
          production: {
            runId: r.production.runId,
            table: r.production.table,
            snapshotId: r.production.snapshotId,
          },
          shadow: { runId: r.shadow.runId, table: r.shadow.table, snapshotId: r.shadow.snapshotId },
          report: r.report,
          category: r.categorization?.category ?? null,
          reason: r.categorization?.reason ?? null,
          investigationId: r.investigationId ?? null,
          shadowRunId: r.shadowRunId,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout.write(
      `production: ${r.productionPath} → ${r.production.table} (run ${r.production.runId}); shadow: ${r.shadowPath} → ${r.shadowTable} (run ${r.shadow.runId})\n`,
    );
    io.stdout.write(diffReportFormat(r.report));
    if (r.categorization !== undefined)
      io.stdout.write(
        `investigation ${r.investigationId}: ${r.categorization.category} — ${r.categorization.reason}\n`,
      );
  }
  if (!r.report.equal) throw new CliExit(EXIT_DIFFERENT);
}

export function registerShadow(program: Command, io: CliIO): void {
  program
    .command('shadow <job-file>')
    .description(
      'Run the production path and the other path (into <table>__shadow_<path>) with the same reference time ' +
        'and backups, and diff them: exit 0 equal, 3 different, 2 error',
    )
    .option(
      '--controller <file>',
      'controller file (default $DATAMOVE_CONTROLLER, else ./.datamove/controller.yaml if present)',
    )
    .option('--key <columns>', 'diff key columns (default: the table primary key / sort order)')
    .option('--samples <n>', 'sample rows per kind (default 10)')
    .option('--json', 'print the result as JSON (progress lines go to stderr)')
    .option('--memory-limit <size>', "the diff's DuckDB memory limit (default 1536MB)")
    .option('--workers <n>', 'worker threads of the new path')
    .option('--no-replica-check', 'do not re-read differing partitions per replica to categorise')
    .action(async (file: string, flags: ShadowFlags) => shadowCommand(file, flags, io));
}
