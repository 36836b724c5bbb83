/**
 * `datamove run` (one run of a job: decision, plan, progress, summary) and `datamove decide` (the decision
 * alone, with the rule that made it). A job comes from a job file, or — for one-off runs — from flags
 * (`--source --keyspace --table --connector raw --warehouse`), with the embedded SQLite catalog in that
 * warehouse. The work is in decider/.
 */
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import {
  type Controller,
  controllerLoad,
  type Job,
  type JobProgress,
  type JobRunSummary,
  jobDecide,
  jobFileLoad,
  jobHistoryPath,
  jobParse,
  jobRun,
  jobSourceOptions,
  logCreate,
  metricsCreate,
  metricsTextfileWrite,
  type PathName,
} from '../../decider/index.js';
import { backupLayoutResolve, backupSourceOpen } from '../../reader/index.js';
import type { CliIO } from '../main.js';

interface RunFlags {
  readonly connector?: string;
  readonly path?: string;
  readonly asOf?: string;
  readonly now?: string;
  readonly dryRun?: boolean;
  readonly controller?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly verbose?: boolean;
  readonly metricsTextfile?: string;
  readonly source?: string;
  readonly keyspace?: string;
  readonly table?: string;
  readonly layout?: string;
  readonly warehouse?: string;
  readonly catalog?: string;
  readonly namespace?: string;
  readonly targetTable?: string;
  readonly mode?: string;
  readonly consistency?: string;
  readonly name?: string;
  readonly workers?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyle?: boolean;
}

const PATH_NAMES: readonly string[] = ['new', 'legacy'];

/** The controller file: --controller, else $DATAMOVE_CONTROLLER, else ./.datamove/controller.yaml if present. */
export function cliController(flag: string | undefined): Controller {
  const explicit = flag ?? process.env.DATAMOVE_CONTROLLER;
  if (explicit !== undefined) return controllerLoad(explicit, { required: true });
  return controllerLoad('./.datamove/controller.yaml');
}

function pathOverride(flags: RunFlags, fromFile: boolean): PathName | undefined {
  const p =
    flags.path ?? (fromFile || PATH_NAMES.includes(flags.connector ?? '') ? flags.connector : undefined);
  if (p === undefined) return undefined;
  if (!PATH_NAMES.includes(p))
    throw new DatamoveError('InvalidArgument', `--connector: '${p}' must be new or legacy with a job file`, {
      context: { field: 'connector' },
    });
  return p as PathName;
}

/** A one-off job from flags; `--keyspace/--table` may be left out when the backup holds one table. */
async function jobFromFlags(flags: RunFlags): Promise<Job> {
  const source = flags.source!;
  let keyspace = flags.keyspace;
  let table = flags.table;
  const s3 = {
    ...(flags.s3Endpoint === undefined ? {} : { endpoint: flags.s3Endpoint }),
    ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
    ...(flags.s3PathStyle === undefined ? {} : { pathStyle: flags.s3PathStyle }),
  };
  if (keyspace === undefined || table === undefined) {
    const probe = jobParse(
      {
        name: 'probe',
        source: { uri: source, keyspace: keyspace ?? 'x', ...(Object.keys(s3).length ? { s3 } : {}) },
        connector: { name: 'none' },
        target: { namespace: 'x', table: 'x' },
      },
      'flags',
    );
    const src = backupSourceOpen(source, jobSourceOptions(probe));
    try {
      const layout = await backupLayoutResolve(src, flags.layout ?? 'auto');
      const found = new Set<string>();
      for (const n of await layout.discover(src, keyspace === undefined ? {} : { keyspace }))
        for (const t of n.tables)
          if (!t.keyspace.startsWith('system') && (table === undefined || t.table === table))
            found.add(`${t.keyspace}.${t.table}`);
      if (found.size !== 1)
        throw new DatamoveError(
          'InvalidArgument',
          `run: give --keyspace and --table: the backup holds ${found.size === 0 ? 'no matching table' : [...found].sort().join(', ')}`,
          { context: { field: 'table' } },
        );
      [keyspace, table] = [...found][0]!.split('.') as [string, string];
    } finally {
      await src.close();
    }
  }
  const warehouse = resolve(flags.warehouse ?? './.datamove/warehouse');
  const connector =
    flags.connector !== undefined && !PATH_NAMES.includes(flags.connector) ? flags.connector : 'raw';
  return jobParse(
    {
      name: flags.name ?? `run-${keyspace}-${table}`,
      source: {
        uri: source,
        ...(flags.layout === undefined ? {} : { layout: flags.layout }),
        keyspace,
        table,
        ...(Object.keys(s3).length ? { s3 } : {}),
      },
      connector: { name: connector },
      ...(flags.consistency === undefined ? {} : { consistency: flags.consistency }),
      target: {
        catalog: flags.catalog ?? join(warehouse, 'catalog.db'),
        warehouse,
        namespace: flags.namespace ?? keyspace,
        table: flags.targetTable ?? table,
        ...(flags.mode === undefined ? {} : { mode: flags.mode }),
      },
    },
    'flags',
  );
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(2)} MiB`;
}

export function summaryFormat(s: JobRunSummary): string {
  const used =
    s.connectorUsed === undefined
      ? 'none (dry run)'
      : `${s.connectorUsed}${s.connectorUsed !== s.decision.connector ? ` (decided ${s.decision.connector})` : ''}`;
  return [
    `summary: job ${s.job}, run ${s.runId} → ${s.table}`,
    `  connector used: ${used}; fallback: ${s.fallback === undefined ? 'no' : `yes (${s.fallback.kind}: ${s.fallback.message})`}`,
    `  rows: ${s.rows}, bytes: ${s.bytes} (${mib(s.bytes)}), files: ${s.files}, snapshot: ${s.snapshotId ?? '-'}`,
    `  duration: ${(s.durationMs / 1000).toFixed(2)} s, CPU: ${s.cpuSeconds.toFixed(2)} s`,
  ].join('\n');
}

export interface ProgressDisplay {
  /** A log line: shown as the bar's phase on a terminal, written as is otherwise. */
  log(line: string): void;
  /** The new path's real progress (bytes read of the plan's total). */
  update(p: JobProgress): void;
  /** A stream for other output (the logger): lines appear above the bar, which is redrawn under them. */
  readonly stream: Writable;
  stop(): void;
}

/**
 * Progress: on a terminal a cli-progress bar with the real percentage (bytes read of the plan's total over
 * every pass), tasks, rows, ETA and the current phase; plain log lines otherwise.
 */
export function progressLog(io: CliIO, tty: boolean): ProgressDisplay {
  if (!tty)
    return {
      log: (l) => io.stderr.write(`${l}\n`),
      update: () => {},
      stream: io.stderr,
      stop: () => {},
    };
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format:
        '{bar} {percentage}% | {read}/{total_mib} MiB | {tasks} tasks | {rows} rows | ETA {eta_formatted} | {phase}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 8,
      // some terminals (and `--progress` into a pipe) are not TTYs: draw anyway
      noTTYOutput: true,
      notTTYSchedule: 500,
    },
    Presets.shades_classic,
  );
  let started = false;
  const payload = { read: '0.0', total_mib: '?', tasks: '-', rows: 0, phase: 'starting' };
  const ensure = () => {
    if (!started) {
      started = true;
      bar.start(1000, 0, payload);
    }
  };
  const above = (text: string) => {
    if (started) io.stderr.write('\r\x1b[2K');
    io.stderr.write(text);
    if (started) bar.render();
  };
  return {
    log: (l) => {
      if (l.startsWith('ALERT') || l.includes('falling back')) above(`${l}\n`);
      ensure();
      payload.phase = l.split('\n')[0]!.slice(0, 60);
      bar.update(payload);
    },
    update: (p) => {
      ensure();
      payload.read = (p.bytesRead / 2 ** 20).toFixed(1);
      payload.total_mib = (p.totalBytes / 2 ** 20).toFixed(1);
      payload.tasks = `${p.tasksDone}/${p.tasksTotal}${p.passes > 1 ? ` (pass ${p.pass + 1}/${p.passes})` : ''}`;
      payload.rows = p.rows;
      payload.phase = 'new path: compacting';
      bar.update(Math.round(p.fraction * 1000), payload);
    },
    stream: new Writable({
      write(chunk: Buffer | string, _enc, done) {
        above(chunk.toString());
        done();
      },
    }),
    stop: () => {
      if (started) bar.stop();
    },
  };
}

async function runCommand(file: string | undefined, flags: RunFlags, io: CliIO): Promise<void> {
  if (file === undefined && flags.source === undefined)
    throw new DatamoveError('InvalidArgument', 'run: give a job file, or --source for a one-off run', {
      context: { field: 'job-file' },
    });
  let job = file === undefined ? await jobFromFlags(flags) : jobFileLoad(file);
  if (flags.asOf !== undefined || flags.now !== undefined)
    job = {
      ...job,
      ...(flags.asOf === undefined ? {} : { asOf: flags.asOf }),
      ...(flags.now === undefined ? {} : { now: flags.now }),
    };
  const override = pathOverride(flags, file !== undefined);
  const controller = cliController(flags.controller);
  const terminal = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const tty = flags.progress ?? terminal;
  const progress = progressLog(io, tty && flags.json !== true);
  // structured logs on stderr: JSON lines; human lines with --verbose; on a terminal without --verbose
  // only warnings and errors (fallbacks, alerts, failures) show, above the progress bar
  const humanTerminal = tty && flags.json !== true && flags.verbose !== true;
  const logger = logCreate({
    destination: progress.stream,
    verbose: flags.verbose === true || humanTerminal,
    colorize: terminal,
    ...(humanTerminal ? { level: 'warn' as const } : flags.verbose ? {} : { level: 'info' as const }),
  });
  let summary: JobRunSummary;
  try {
    summary = await jobRun(job, {
      controller,
      ...(override === undefined ? {} : { override }),
      dryRun: flags.dryRun === true,
      ...(flags.workers === undefined ? {} : { workers: Number(flags.workers) }),
      logger,
      onProgress: (p) => progress.update(p),
      log: (line) => {
        // the plain lines: decision and plan on stdout when not redrawing a bar; the rest is in the log
        if (flags.json) return;
        if (!tty && (line.startsWith('decision:') || line.startsWith('plan:') || line.startsWith('  ')))
          io.stdout.write(`${line}\n`);
        else if (tty) progress.log(line);
      },
    });
  } finally {
    progress.stop();
    if (flags.metricsTextfile !== undefined) {
      const metrics = metricsCreate({ historyPaths: () => [jobHistoryPath(job)] });
      try {
        await metricsTextfileWrite(flags.metricsTextfile, metrics);
      } finally {
        metrics.close();
      }
    }
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (tty)
    io.stdout.write(
      `decision: ${summary.decision.connector} — ${summary.decision.reason}\n${summary.plan}\n`,
    );
  io.stdout.write(`${summaryFormat(summary)}\n`);
}

function s3Flags(c: Command): Command {
  return c
    .option('--s3-endpoint <url>', 'S3-compatible endpoint; default $DATAMOVE_S3_ENDPOINT or AWS')
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)');
}

export function registerRun(program: Command, io: CliIO): void {
  s3Flags(
    program
      .command('run')
      .description(
        'Run a job once: the decider picks the new or the legacy path (the legacy path is the fallback), then plan, run, commit one snapshot and print a summary',
      )
      .argument('[job-file]', 'job file (YAML or JSON); or give --source … for a one-off run')
      .option(
        '--connector <name>',
        'new or legacy (overrides the controller); in a one-off run: the connector (raw)',
      )
      .option('--path <path>', 'new or legacy (overrides the controller)')
      .option('--as-of <time>', 'drop everything written after this time (ISO-8601)')
      .option('--now <time>', 'reference time for TTLs (ISO-8601; default now)')
      .option('--dry-run', 'print the decision and the plan, run nothing')
      .option(
        '--controller <file>',
        'controller file (default $DATAMOVE_CONTROLLER or ./.datamove/controller.yaml)',
      )
      .option('--json', 'print the summary as JSON')
      .option('--progress', 'draw the progress bar even when stderr is not a terminal')
      .option('--verbose', 'human-readable logs on stderr instead of JSON lines')
      .option(
        '--metrics-textfile <path>',
        'after the run, write Prometheus metrics of the run history to this file (node_exporter textfile)',
      )
      .option('--source <uri>', 'one-off run: backups (s3://bucket/prefix, file:///path or a folder)')
      .option('--keyspace <ks>', 'one-off run: keyspace (default: the only one in the backup)')
      .option('--table <t>', 'one-off run: table (default: the only one in the backup)')
      .option('--layout <name>', 'one-off run: auto, snapshot, medusa or scylla-manager')
      .option('--warehouse <dir>', 'one-off run: warehouse folder; the SQLite catalog is <dir>/catalog.db')
      .option('--catalog <uri>', 'one-off run: catalog (default <warehouse>/catalog.db)')
      .option('--namespace <ns>', 'one-off run: target namespace (default: the keyspace)')
      .option('--target-table <name>', 'one-off run: target table name (default: the table)')
      .option('--mode <mode>', 'one-off run: append or overwrite (default overwrite)')
      .option('--consistency <level>', 'one-off run: one, quorum or all (default quorum)')
      .option('--name <job>', 'one-off run: job name (default run-<keyspace>-<table>)')
      .option('--workers <n>', 'worker threads of the new path'),
  ).action(async (file: string | undefined, flags: RunFlags) => runCommand(file, flags, io));

  program
    .command('decide')
    .description("Print the decider's choice (new or legacy) for a job and the controller rule that made it")
    .argument('<job-file>', 'job file (YAML or JSON)')
    .option(
      '--controller <file>',
      'controller file (default $DATAMOVE_CONTROLLER or ./.datamove/controller.yaml)',
    )
    .option('--connector <path>', 'new or legacy: what an override would decide')
    .option('--json', 'print the decision as JSON')
    .action(async (file: string, flags: { controller?: string; connector?: string; json?: boolean }) => {
      const job = jobFileLoad(file);
      const override = pathOverride(
        { ...(flags.connector === undefined ? {} : { connector: flags.connector }) },
        true,
      );
      const d = jobDecide(job, {
        controller: cliController(flags.controller),
        ...(override === undefined ? {} : { override }),
      });
      if (flags.json) io.stdout.write(`${JSON.stringify({ job: job.name, ...d }, null, 2)}\n`);
      else
        io.stdout.write(
          `${job.name}: ${d.connector}\n  ${d.reason}\n  controller: ${d.controllerFile ?? '(none: built-in default)'}; canary bucket ${d.bucket}\n`,
        );
    });
}
