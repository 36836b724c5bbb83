/**
 * One run of a job: decide (controller.ts), plan, run the chosen path — the new path with the legacy path
 * as its fallback (fallback.ts) — and record the run and the decision (run-history.ts), raising alerts
 * (alerts.ts) on a fallback or a failure. Both paths write the job's one target table, created beforehand
 * with the connector's declared schema, and commit with the same run id.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { compactionPlanFormat } from '../compactor/index.js';
import { type ConnectorJobPlan, connectorJobPlan, connectorJobRun } from '../connectors/index.js';
import { abortReasonText, DatamoveError } from '../core/index.js';
import {
  type Catalog,
  catalogOpen,
  catalogOpenOptionsResolve,
  type OpenedCatalog,
  type TableIdentifier,
  tableIdentifierString,
} from '../iceberg-writer/index.js';
import type { BackupSourceOpenOptions } from '../reader/index.js';
import { s3OptionsFromEnv } from '../storage/index.js';
import { alertSend } from './alerts.js';
import { type Controller, controllerLoad, type Decision, decide, type PathName } from './controller.js';
import { type FallbackCause, pathWithFallback, STOP_WAIT_MS } from './fallback.js';
import { durationMs, type Job, jobConnectorOptions, jobTables } from './job-file.js';
import { LEGACY_CONNECTORS, legacyJobRun, legacySupports } from './legacy/legacy-job.js';
import { LOG_NONE, type LogSink } from './log.js';
import { runHistoryOpen, runHistoryPath } from './run-history.js';
import { targetTableEnsure } from './target-table.js';

export interface JobRunOptions {
  /** The controller (default: read from `controllerFile`, or all-new). */
  readonly controller?: Controller;
  readonly controllerFile?: string;
  /** `--connector new|legacy`: overrides the controller. */
  readonly override?: PathName;
  /** Print the decision and the plan; run nothing. */
  readonly dryRun?: boolean;
  /** Backup access (default: the job's `source.s3` over the environment's settings). */
  readonly sourceOptions?: BackupSourceOpenOptions;
  /** An open catalog (default: the job's `target.catalog` / `target.warehouse`). */
  readonly catalog?: OpenedCatalog;
  /** Run history database (default: `runs.db` beside a SQLite catalog, else `./.datamove/runs.db`). */
  readonly historyPath?: string;
  readonly workers?: number;
  readonly pool?: 'threads' | 'inline';
  /** Plain log lines (decision, plan, phases, alerts). */
  readonly log?: (line: string) => void;
  /** Test hook: the new path fails with this message as it starts. */
  readonly injectNewPathFailure?: string;
  /** Write this table instead of the job's target (shadow runs); same namespace unless given. */
  readonly target?: TableIdentifier;
  /** `false`: a failed new path fails the run instead of running the legacy path (shadow runs). */
  readonly fallback?: boolean;
  /** Recorded with the run: `run` (default), `shadow`, `restore`. */
  readonly purpose?: string;
  /** Progress of the new path: bytes read of the plan's total, over every pass. */
  readonly onProgress?: (p: JobProgress) => void;
  /**
   * Stops the run (the scheduler's shutdown after its grace period): the running path is cancelled (its
   * worker threads terminated, its DuckDB query interrupted, its uncommitted files removed), the run fails
   * as `interrupted: <reason>`, is recorded failed, and nothing more is committed (see `catalogGate`).
   */
  readonly signal?: AbortSignal;
  /**
   * Structured log (decider/log.ts): decision, plan, task start/done/retry/failure with the token range,
   * progress every 10 %, fallback, alerts, the outcome — each with `job` and `runId`.
   */
  readonly logger?: LogSink;
}

export interface JobProgress {
  readonly path: PathName;
  /** 0..1 over every pass (a pass is one source table). */
  readonly fraction: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rows: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly pass: number;
  readonly passes: number;
}

/**
 * The catalog as a run (or one of its paths) sees it: once stopped (its `timeouts.job` passed, it was
 * interrupted, the new path timed out), every further commit is refused. Stopping cancels the path (its
 * AbortSignal); this gate is the second safety net, so a path that has not yet noticed can never publish a
 * snapshot for a run recorded as failed. A commit already under way when the run is stopped is waited for
 * (`inFlight`), never cut off.
 */
function catalogGate(catalog: Catalog, stoppedBy: () => string | undefined) {
  const gate = { inFlight: 0 };
  const gated = new Proxy(catalog, {
    get(target, prop) {
      if (prop === 'commitTable')
        return async (...args: Parameters<Catalog['commitTable']>) => {
          const why = stoppedBy();
          if (why !== undefined)
            throw new DatamoveError('Unexpected', `decider: commit refused: ${why}`, {
              context: { table: tableIdentifierString(args[0]) },
            });
          gate.inFlight++;
          try {
            return await target.commitTable(...args);
          } finally {
            gate.inFlight--;
          }
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { catalog: gated, gate };
}

export interface JobRunSummary {
  readonly runId: string;
  readonly job: string;
  readonly decision: Decision;
  readonly table: string;
  readonly dryRun: boolean;
  readonly connectorUsed: PathName | undefined;
  readonly fallback: FallbackCause | undefined;
  readonly rows: number;
  readonly bytes: number;
  readonly files: number;
  readonly snapshotId: string | undefined;
  readonly durationMs: number;
  readonly cpuSeconds: number;
  readonly plan: string;
  readonly alertsDelivered: number;
}

/** ISO-8601 or epoch seconds → seconds. */
function secondsOf(v: string | number, field: string, file: string): number {
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return Math.floor(Number(v));
  const ms = Date.parse(v);
  if (!Number.isFinite(ms))
    throw new DatamoveError('InvalidArgument', `${file}: ${field}: '${v}' is not an ISO-8601 time`, {
      context: { file, field },
    });
  return Math.floor(ms / 1000);
}

/** ISO-8601 or epoch microseconds → microseconds. */
function microsOf(v: string | number, field: string, file: string): number {
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms))
    throw new DatamoveError('InvalidArgument', `${file}: ${field}: '${v}' is not an ISO-8601 time`, {
      context: { file, field },
    });
  return ms * 1000;
}

export function jobSourceOptions(job: Job): BackupSourceOpenOptions {
  const s3 = job.source.s3;
  return {
    s3: {
      ...s3OptionsFromEnv(process.env),
      ...(s3?.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
      ...(s3?.region === undefined ? {} : { region: s3.region }),
      ...(s3?.pathStyle === undefined ? {} : { forcePathStyle: s3.pathStyle }),
    },
  };
}

/** The run history a job's runs are recorded in (as `jobRun` picks it): beside its SQLite catalog, else ./.datamove. */
export function jobHistoryPath(job: Job): string {
  const o = catalogOpenOptionsResolve({
    ...(job.target.catalog === undefined ? {} : { catalog: job.target.catalog }),
    ...(job.target.warehouse === undefined ? {} : { warehouse: job.target.warehouse }),
  });
  return runHistoryPath(o.kind === 'sqlite' ? o.path : undefined);
}

/** The decision for a job, with the controller file read now. */
export function jobDecide(
  job: Job,
  o: { controller?: Controller; controllerFile?: string; override?: PathName },
): Decision {
  const controller = o.controller ?? controllerLoad(o.controllerFile);
  return decide(
    controller,
    {
      job: job.name,
      cluster: job.source.cluster ?? job.source.uri,
      keyspace: job.source.keyspace,
      tables: jobTables(job),
      ...(job.cohort === undefined ? {} : { cohort: job.cohort }),
    },
    o.override,
  );
}

function planFormat(job: Job, plan: ConnectorJobPlan, decision: Decision): string {
  const lines = [
    `plan: job ${job.name}: connector ${plan.connectorName} → ${tableIdentifierString(plan.target.table)} (${plan.target.mode}), ` +
      `consistency ${job.consistency}, reference time ${new Date(plan.now * 1000).toISOString()}`,
  ];
  for (const p of plan.passes) {
    lines.push(
      `  ${p.source.role} source ${p.source.name}: ${p.plan.tasks.length} tasks on ${p.plan.workers} workers, ` +
        `${p.plan.nodes.length} nodes, ${(p.plan.totalBytes / 2 ** 20).toFixed(1)} MiB to read (of ${(p.plan.backupBytes / 2 ** 20).toFixed(1)} MiB in the backup)`,
    );
    for (const w of p.plan.warnings) lines.push(`    warning: ${w}`);
  }
  if (decision.connector === 'legacy')
    lines.push(
      '  legacy path: every cell of every replica staged in DuckDB, reconciled with SQL, one process',
    );
  return lines.join('\n');
}

/** Runs one job once (see the module comment). Throws only when the job failed (after recording it). */
export async function jobRun(job: Job, o: JobRunOptions = {}): Promise<JobRunSummary> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const cpu0 = process.cpuUsage();
  const log = o.log ?? (() => {});
  const runId = randomUUID();
  const file = job.file;
  const now = job.now === undefined ? Math.floor(started / 1000) : secondsOf(job.now, 'now', file);
  const asOfMicros = job.asOf === undefined ? undefined : microsOf(job.asOf, 'asOf', file);
  const backupAsOf = job.source.backupAsOf === undefined ? undefined : Date.parse(job.source.backupAsOf);
  const decision = jobDecide(job, o);
  const tableId: TableIdentifier = o.target ?? { namespace: [job.target.namespace], name: job.target.table };
  const tableName = tableIdentifierString(tableId);
  const sourceOptions = o.sourceOptions ?? jobSourceOptions(job);
  const connectorOptions = jobConnectorOptions(job);
  const legacyOk = 'name' in job.connector && legacySupports(job.connector.name);
  const lg = (o.logger ?? LOG_NONE).child({ job: job.name, runId });
  log(`decision: ${decision.connector} — ${decision.reason}`);
  lg.info(
    {
      event: 'decision',
      connector: decision.connector,
      rule: decision.rule,
      reason: decision.reason,
      controllerFile: decision.controllerFile,
      purpose: o.purpose ?? 'run',
    },
    `decision: ${decision.connector} — ${decision.reason}`,
  );

  const planInput = {
    source: job.source.uri,
    keyspace: job.source.keyspace,
    layout: job.source.layout,
    now,
    ...(asOfMicros === undefined ? {} : { asOf: asOfMicros }),
    ...(job.source.backupAsOf === undefined ? {} : { backupAsOf: job.source.backupAsOf }),
    ...(job.source.replicationFactor === undefined
      ? {}
      : { replicationFactor: job.source.replicationFactor }),
    consistency: job.consistency,
    connector:
      'name' in job.connector
        ? { name: job.connector.name, options: connectorOptions }
        : { module: resolve(job.connector.module), options: connectorOptions },
    target: { table: tableName, mode: job.target.mode },
    runId,
    jobName: job.name,
    retries: job.retries,
    ...(job.workers === undefined ? {} : { workers: job.workers }),
  };
  const env = { sourceOptions, machine: { cores: cpus().length, memoryBytes: totalmem() } };

  const opened =
    o.catalog ??
    (await catalogOpen({
      ...(job.target.catalog === undefined ? {} : { catalog: job.target.catalog }),
      ...(job.target.warehouse === undefined ? {} : { warehouse: job.target.warehouse }),
    }));
  const history = runHistoryOpen(
    o.historyPath ?? runHistoryPath(opened.options.kind === 'sqlite' ? opened.options.path : undefined),
  );
  history.decisionRecord({
    time: startedAt,
    job: job.name,
    runId,
    connector: decision.connector,
    rule: decision.rule,
    reason: decision.reason,
    controllerFile: decision.controllerFile,
  });
  const alertOptions = {
    ...(job.alerts?.webhook === undefined ? {} : { webhook: job.alerts.webhook }),
    timeoutMs: durationMs(job.alerts?.timeout ?? '5s'),
    log,
  };
  let alertsDelivered = 0;
  const alert = async (
    kind: 'fallback' | 'job-failed',
    message: string,
    details: Record<string, unknown>,
  ) => {
    const r = await alertSend(
      { kind, job: job.name, runId, message, time: new Date().toISOString(), details },
      alertOptions,
    );
    if (r.delivered) alertsDelivered++;
    lg.warn(
      {
        event: 'alert',
        kind,
        webhook: alertOptions.webhook !== undefined,
        delivered: r.delivered,
        ...(r.status === undefined ? {} : { status: r.status }),
        ...(r.error === undefined ? {} : { deliveryError: r.error }),
      },
      `alert ${kind}: ${message}`,
    );
  };

  // the run's stop: its time limit (timeouts.job) or an interruption (o.signal); it aborts `runAbort`,
  // which cancels the running path, and the catalog refuses the run's commits (catalogGate)
  let stopReason: string | undefined;
  const { catalog, gate } = catalogGate(opened.catalog, () => stopReason);
  const runAbort = new AbortController();
  let rejectStop: (e: Error) => void = () => {};
  let abandoned = false;
  let current: Promise<unknown> | undefined;
  const stopped = new Promise<never>((_, reject) => {
    rejectStop = reject;
  });
  stopped.catch(() => {});
  const stopRun = (reason: string) => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    const error = new DatamoveError('Unexpected', reason, { context: { job: job.name } });
    // a commit under way is let finish: the path then ends on its own, committed or failed
    if (gate.inFlight === 0) {
      abandoned = true;
      runAbort.abort(error);
      // the run fails once its path has stopped (workers ended, files removed), or after a bounded wait
      const path = current;
      if (path === undefined) rejectStop(error);
      else {
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([
          path.then(
            () => {},
            () => {},
          ),
          new Promise<void>((r) => {
            timer = setTimeout(r, STOP_WAIT_MS);
          }),
        ]).then(() => {
          clearTimeout(timer);
          rejectStop(error);
        });
      }
    }
  };
  /**
   * A path's promise, or the run's stop if that comes first (the path is cancelled and, unable to commit,
   * ends on its own; the run fails with the stop's reason, not the path's cancellation).
   */
  const untilStopped = <T>(p: Promise<T>): Promise<T> => {
    current = p;
    p.then(
      () => {
        if (!abandoned) return;
        log(`stopped run ${runId}: its path ended after the stop`);
        lg.warn({ event: 'stopped-path-ended' }, "the stopped run's path ended after the stop");
      },
      (e: unknown) => {
        if (!abandoned) return;
        const m = (e as Error)?.message ?? String(e);
        log(`stopped run ${runId}: its path ended after the stop: ${m}`);
        lg.warn({ event: 'stopped-path-ended', error: m }, "the stopped run's path ended after the stop");
      },
    );
    return new Promise<T>((resolve, reject) => {
      p.then(
        (v) => {
          if (!abandoned) resolve(v);
        },
        (e: unknown) => {
          if (!abandoned) reject(e);
        },
      );
      stopped.catch(reject);
    });
  };
  const jobLimitMs = job.timeouts?.job === undefined ? undefined : durationMs(job.timeouts.job);
  const jobTimer =
    jobLimitMs === undefined
      ? undefined
      : setTimeout(
          () =>
            stopRun(
              `decider: job ${job.name} exceeded its time limit (timeouts.job: ${job.timeouts!.job}) and was stopped after ${Date.now() - started} ms; nothing was committed`,
            ),
          Math.max(0, jobLimitMs - (Date.now() - started)),
        );
  jobTimer?.unref();
  const onAbort = () => {
    const r = o.signal?.reason as unknown;
    stopRun(`interrupted: ${r instanceof Error ? r.message : String(r ?? 'the run was stopped')}`);
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  let planText = '';
  const planLog = (plan: ConnectorJobPlan, path: 'new' | 'dry-run') =>
    lg.info(
      {
        event: 'plan',
        path,
        connector: plan.connectorName,
        table: tableName,
        mode: plan.target.mode,
        consistency: job.consistency,
        passes: plan.passes.map((p) => ({
          source: p.source.name,
          role: p.source.role,
          tasks: p.plan.tasks.length,
          workers: p.plan.workers,
          nodes: p.plan.nodes.length,
          bytes: p.plan.totalBytes,
        })),
      },
      `plan: ${plan.passes.reduce((a, p) => a + p.plan.tasks.length, 0)} tasks over ${plan.passes.length} pass(es)`,
    );
  type PathResult = { rows: number; files: number; bytes: number; snapshotId: bigint };
  const properties = { ...(job.target.properties ?? {}), 'datamove.job': job.name };

  const newPath = async (signal: AbortSignal): Promise<PathResult> => {
    if (o.injectNewPathFailure !== undefined)
      throw new DatamoveError('Unexpected', `injected: ${o.injectNewPathFailure}`);
    // the new path's own stop (its timeout, or the run's): no commit of it once aborted
    const { catalog: newCatalog } = catalogGate(catalog, () =>
      signal.aborted ? `the new path was stopped: ${abortReasonText(signal)}` : undefined,
    );
    const plan = await connectorJobPlan(planInput, env);
    if (planText === '') {
      planText = planFormat(job, plan, decision);
      log(planText);
      planLog(plan, 'new');
    }
    await targetTableEnsure(catalog, tableId, plan.target, {
      ...properties,
      'datamove.connector': plan.connectorName,
    });
    log('new path: compacting in worker threads');
    lg.info({ event: 'phase', path: 'new' }, 'new path: compacting in worker threads');
    const passBytes = plan.passes.map((p) => p.plan.totalBytes);
    const allBytes = passBytes.reduce((a, b) => a + b, 0);
    let loggedTenth = -1;
    const r = await connectorJobRun(plan, {
      catalog: newCatalog,
      sourceOptions,
      signal,
      onEvent: (e, pass) => {
        const at = { pass: pass.index, source: plan.passes[pass.index]?.source.name };
        switch (e.type) {
          case 'task-start':
            lg.info(
              { event: 'task-start', ...at, taskId: e.taskId, attempt: e.attempt, range: e.range },
              `task ${e.taskId} started (attempt ${e.attempt})`,
            );
            return;
          case 'task-done':
            lg.info(
              {
                event: 'task-done',
                ...at,
                taskId: e.taskId,
                attempt: e.attempt,
                bytesRead: e.result.bytesRead,
              },
              `task ${e.taskId} done`,
            );
            return;
          case 'task-retry':
          case 'task-failed':
            (e.type === 'task-retry' ? lg.warn : lg.error).call(
              lg,
              {
                event: e.type,
                ...at,
                taskId: e.taskId,
                attempt: e.attempt,
                range: e.range,
                error: e.error.message,
              },
              `task ${e.taskId} ${e.type === 'task-retry' ? 'will be retried' : 'failed'}: ${e.error.message}`,
            );
            return;
          case 'task-progress':
            return;
          case 'progress': {
            const before = passBytes.slice(0, pass.index).reduce((a, b) => a + b, 0);
            const read = before + e.bytesRead;
            const progress: JobProgress = {
              path: 'new',
              fraction: allBytes === 0 ? 1 : Math.min(1, read / allBytes),
              bytesRead: read,
              totalBytes: allBytes,
              rows: e.rows,
              tasksDone: e.tasksDone,
              tasksTotal: e.tasksTotal,
              pass: pass.index,
              passes: pass.count,
            };
            o.onProgress?.(progress);
            const tenth = Math.floor(progress.fraction * 10);
            if (tenth > loggedTenth) {
              loggedTenth = tenth;
              lg.info(
                {
                  event: 'progress',
                  ...at,
                  percent: tenth * 10,
                  bytesRead: read,
                  totalBytes: allBytes,
                  rows: e.rows,
                },
                `progress ${tenth * 10}% (${e.tasksDone}/${e.tasksTotal} tasks of pass ${pass.index + 1}/${pass.count})`,
              );
            }
          }
        }
      },
      ...(o.workers === undefined ? {} : { workers: o.workers }),
      ...(o.pool === undefined ? {} : { pool: o.pool }),
    });
    const snap = (await catalog.loadTable(tableId)).metadata.snapshots.find(
      (s) => BigInt(s['snapshot-id']) === r.commit.snapshotId,
    );
    return {
      rows: r.rowsWritten,
      files: r.files,
      bytes: Number(snap?.summary['added-files-size'] ?? 0),
      snapshotId: r.commit.snapshotId,
    };
  };
  const legacyPath = async (): Promise<PathResult> => {
    if (stopReason !== undefined) throw new DatamoveError('Unexpected', stopReason);
    log('legacy path: one process, DuckDB staging table, SQL reconciliation');
    lg.info(
      { event: 'phase', path: 'legacy' },
      'legacy path: one process, DuckDB staging table, SQL reconciliation',
    );
    const r = await legacyJobRun(
      {
        source: job.source.uri,
        layout: job.source.layout,
        keyspace: job.source.keyspace,
        ...('name' in job.connector ? { connector: job.connector.name } : {}),
        connectorOptions,
        target: { table: tableId, mode: job.target.mode },
        properties,
        runId,
        jobName: job.name,
        now,
        ...(asOfMicros === undefined ? {} : { asOfMicros }),
        ...(backupAsOf === undefined ? {} : { backupAsOf }),
        ...(job.source.replicationFactor === undefined
          ? {}
          : { replicationFactor: job.source.replicationFactor }),
      },
      {
        catalog,
        sourceOptions,
        signal: runAbort.signal,
        onPhase: (line) => {
          log(line);
          lg.info({ event: 'phase', path: 'legacy' }, line);
        },
      },
    );
    return { rows: r.rowsWritten, files: r.files, bytes: r.bytes, snapshotId: r.commit.snapshotId };
  };

  const finish = (
    status: 'succeeded' | 'failed',
    used: PathName | undefined,
    fb: FallbackCause | undefined,
    r: PathResult | undefined,
    error?: string,
  ): JobRunSummary => {
    const cpu = process.cpuUsage(cpu0);
    const summary: JobRunSummary = {
      runId,
      job: job.name,
      decision,
      table: tableName,
      dryRun: o.dryRun === true,
      connectorUsed: used,
      fallback: fb,
      rows: r?.rows ?? 0,
      bytes: r?.bytes ?? 0,
      files: r?.files ?? 0,
      snapshotId: r?.snapshotId.toString(),
      durationMs: Date.now() - started,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      plan: planText,
      alertsDelivered,
    };
    if (status === 'succeeded')
      lg.info(
        {
          event: summary.dryRun ? 'dry-run-finished' : 'run-finished',
          status,
          connectorUsed: used,
          fallback: fb !== undefined,
          rows: summary.rows,
          bytes: summary.bytes,
          files: summary.files,
          snapshotId: summary.snapshotId,
          durationMs: summary.durationMs,
          cpuSeconds: summary.cpuSeconds,
        },
        `run ${status}: ${summary.rows} rows via ${used ?? 'no path (dry run)'} in ${summary.durationMs} ms`,
      );
    else
      lg.error(
        { event: 'run-failed', status, error, durationMs: summary.durationMs },
        `run failed: ${error ?? 'unknown error'}`,
      );
    if (!summary.dryRun)
      history.runRecord({
        runId,
        job: job.name,
        jobFile: job.file,
        startedAt,
        finishedAt: new Date().toISOString(),
        status,
        decided: decision.connector,
        connectorUsed: used,
        fallback: fb !== undefined,
        fallbackCause: fb === undefined ? undefined : `${fb.kind}: ${fb.message}`,
        rows: summary.rows,
        bytes: summary.bytes,
        files: summary.files,
        snapshotId: summary.snapshotId,
        table: tableName,
        durationMs: summary.durationMs,
        cpuSeconds: summary.cpuSeconds,
        error,
        purpose: o.purpose ?? 'run',
      });
    return summary;
  };

  try {
    if (o.dryRun) {
      const plan = await connectorJobPlan(planInput, env);
      planText = planFormat(job, plan, decision);
      log(planText);
      planLog(plan, 'dry-run');
      for (const p of plan.passes) log(compactionPlanFormat(p.plan, 10).trimEnd());
      return finish('succeeded', undefined, undefined, undefined);
    }
    let used: PathName;
    let fb: FallbackCause | undefined;
    let result: PathResult;
    try {
      if (decision.connector === 'legacy') {
        if (!legacyOk)
          throw new DatamoveError(
            'FeatureUnsupported',
            `decider: job ${job.name}: the legacy path runs the ${LEGACY_CONNECTORS.join(', ')} connectors only; this job uses ${'name' in job.connector ? job.connector.name : job.connector.module}`,
            { context: { job: job.name } },
          );
        result = await untilStopped(legacyPath());
        used = 'legacy';
      } else {
        const out = await untilStopped(
          pathWithFallback(newPath, legacyOk && o.fallback !== false ? legacyPath : undefined, {
            ...(job.timeouts?.newPath === undefined ? {} : { timeoutMs: durationMs(job.timeouts.newPath) }),
            signal: runAbort.signal,
            onPrimaryStopped: ({ stopped: ended, waitedMs }) => {
              const line = ended
                ? `new path stopped ${waitedMs} ms after its time limit: its worker threads have ended and its uncommitted files are removed`
                : `new path did not stop within ${waitedMs} ms of its time limit; going on (it can no longer commit)`;
              log(line);
              lg.warn({ event: 'new-path-stopped', stopped: ended, waitedMs }, line);
            },
            onFallback: async (cause) => {
              if (stopReason !== undefined) throw new DatamoveError('Unexpected', stopReason);
              log(`new path failed (${cause.kind}): ${cause.message}; falling back to the legacy path`);
              lg.warn(
                { event: 'fallback', cause: cause.kind, error: cause.message },
                `new path failed (${cause.kind}); falling back to the legacy path`,
              );
              await alert(
                'fallback',
                `new path failed (${cause.kind}), ran the legacy path: ${cause.message}`,
                {
                  cause: cause.kind,
                  table: tableName,
                },
              );
            },
          }),
        );
        result = out.result;
        used = out.path;
        fb = out.fallback;
      }
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      await alert('job-failed', message, { table: tableName });
      finish('failed', undefined, undefined, undefined, message);
      throw e;
    }
    return finish('succeeded', used, fb, result);
  } finally {
    clearTimeout(jobTimer);
    o.signal?.removeEventListener('abort', onAbort);
    history.close();
    if (o.catalog === undefined) await opened.close();
  }
}
