/**
 * A shadow run: the job's production path (the controller's decision, with its usual fallback) writes the
 * job's target table as always; the other path writes the shadow table `<table>__shadow_<path>` (same
 * namespace, overwritten each time — a separate table rather than an Iceberg branch, so any engine can
 * query it and the production table's history holds only production snapshots). Both runs get the same
 * reference time (`now`) and the same backup selection time, fixed once here, so they read the same
 * backups and expire the same TTLs. Then the two snapshots are diffed (diff.ts) on the table's identifier
 * fields (the primary key of a raw table; else its sort order's columns) and, when they differ,
 * categorised (categorize.ts), logged as an investigation and alerted as a `discrepancy`. Every shadow run
 * is recorded in `datamove_shadow_runs` (investigations.ts).
 *
 * C is the legacy path's snapshot, M the new path's. When production falls back to the legacy path, the
 * shadow path is the new one (C and M are still one of each).
 */

import { DatamoveError, percentText } from '../core/index.js';
import type { Controller, PathName } from '../decider/index.js';
import {
  alertSend,
  durationMs,
  type Job,
  type JobRunSummary,
  jobConnectorOptions,
  jobDecide,
  jobRun,
  jobSourceOptions,
  runHistoryPath,
} from '../decider/index.js';
import type { Catalog, TableIdentifier } from '../iceberg-writer/index.js';
import {
  catalogOpen,
  metadataSchema,
  type OpenedCatalog,
  tableIdentifierString,
} from '../iceberg-writer/index.js';
import type { BackupSourceOpenOptions } from '../reader/index.js';
import { type Categorization, diffCategorize } from './categorize.js';
import { type DiffReport, tableDiffOpen } from './diff.js';
import { validationStoreOpen } from './investigations.js';
import { replicaCheck } from './replica-check.js';

export interface ShadowOptions {
  readonly controller?: Controller;
  readonly controllerFile?: string;
  readonly catalog?: OpenedCatalog;
  readonly historyPath?: string;
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly workers?: number;
  readonly pool?: 'threads' | 'inline';
  readonly log?: (line: string) => void;
  /** Diff key columns (default: the table's identifier fields, else its sort order). */
  readonly key?: readonly string[];
  readonly samples?: number;
  /** DuckDB memory limit of the diff (default 1536MB). */
  readonly memoryLimit?: string;
  /** The time the shadow run starts (default the clock): the runs' reference and backup time. */
  readonly startedAt?: Date;
  /** Re-read differing partitions per replica for the consistency-level category (default true). */
  readonly replicaCheck?: boolean;
}

export interface ShadowResult {
  readonly job: string;
  readonly productionPath: PathName;
  readonly shadowPath: PathName;
  readonly shadowTable: string;
  readonly production: JobRunSummary;
  readonly shadow: JobRunSummary;
  /** C = legacy, M = new. */
  readonly report: DiffReport;
  readonly categorization: Categorization | undefined;
  readonly investigationId: number | undefined;
  readonly shadowRunId: number;
  readonly alertsDelivered: number;
}

/** `<table>__shadow_<path>` in the job's namespace. */
export function shadowTableOf(job: Job, path: PathName): TableIdentifier {
  return { namespace: [job.target.namespace], name: `${job.target.table}__shadow_${path}` };
}

/** Key columns of a table: its identifier fields, else the source columns of its sort order. */
export async function tableKeyColumns(catalog: Catalog, id: TableIdentifier): Promise<string[]> {
  const m = (await catalog.loadTable(id)).metadata;
  const schema = metadataSchema(m);
  const byId = new Map(schema.fields.map((f) => [f.id, f.name]));
  const ids = schema['identifier-field-ids'] ?? [];
  if (ids.length > 0) return ids.map((i) => byId.get(i)!).filter((n) => n !== undefined);
  const order = m['sort-orders'].find((o) => o['order-id'] === m['default-sort-order-id']);
  return (order?.fields ?? [])
    .filter((f) => f.transform === 'identity')
    .map((f) => byId.get(f['source-id']))
    .filter((n): n is string => n !== undefined);
}

function secondsOf(v: string | number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return Math.floor(Number(v));
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : fallback;
}

/** Runs both paths and diffs them (see the module comment). Throws on a failed run or diff (exit 2). */
export async function shadowRun(job: Job, o: ShadowOptions = {}): Promise<ShadowResult> {
  const log = o.log ?? (() => {});
  const started = o.startedAt ?? new Date();
  const opened =
    o.catalog ??
    (await catalogOpen({
      ...(job.target.catalog === undefined ? {} : { catalog: job.target.catalog }),
      ...(job.target.warehouse === undefined ? {} : { warehouse: job.target.warehouse }),
    }));
  const historyPath =
    o.historyPath ?? runHistoryPath(opened.options.kind === 'sqlite' ? opened.options.path : undefined);
  const store = validationStoreOpen(historyPath);
  const time = started.toISOString();
  try {
    try {
      return await shadowRunInner(job, o, opened, historyPath, started, log, store);
    } catch (e) {
      store.shadowRunRecord({
        time,
        job: job.name,
        status: 'error',
        durationMs: Date.now() - started.getTime(),
        error: (e as Error)?.message ?? String(e),
      });
      throw e;
    }
  } finally {
    store.close();
    if (o.catalog === undefined) await opened.close();
  }
}

async function shadowRunInner(
  job: Job,
  o: ShadowOptions,
  opened: OpenedCatalog,
  historyPath: string,
  started: Date,
  log: (line: string) => void,
  store: ReturnType<typeof validationStoreOpen>,
): Promise<ShadowResult> {
  if (job.target.mode === 'append')
    throw new DatamoveError(
      'FeatureUnsupported',
      `shadow: job ${job.name}: target.mode append — a shadow run compares whole snapshots; use overwrite`,
      { context: { file: job.file, field: 'target.mode' } },
    );
  // one reference time and one backup selection time for both runs
  const now = secondsOf(job.now, Math.floor(started.getTime() / 1000));
  const fixed: Job = {
    ...job,
    now,
    source: { ...job.source, backupAsOf: job.source.backupAsOf ?? started.toISOString() },
  };
  const decision = jobDecide(fixed, {
    ...(o.controller === undefined ? {} : { controller: o.controller }),
    ...(o.controllerFile === undefined ? {} : { controllerFile: o.controllerFile }),
  });
  const common = {
    catalog: opened,
    historyPath,
    log,
    ...(o.controller === undefined ? {} : { controller: o.controller }),
    ...(o.controllerFile === undefined ? {} : { controllerFile: o.controllerFile }),
    ...(o.sourceOptions === undefined ? {} : { sourceOptions: o.sourceOptions }),
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    ...(o.pool === undefined ? {} : { pool: o.pool }),
  };
  log(
    `shadow: job ${job.name}: production path ${decision.connector}, reference time ${new Date(now * 1000).toISOString()}, backups as of ${fixed.source.backupAsOf}`,
  );
  const production = await jobRun(fixed, { ...common, override: decision.connector });
  const productionUsed = production.connectorUsed ?? decision.connector;
  const shadowPath: PathName = productionUsed === 'new' ? 'legacy' : 'new';
  const shadowId = shadowTableOf(job, shadowPath);
  log(`shadow: ${shadowPath} path → ${tableIdentifierString(shadowId)}`);
  const shadow = await jobRun(
    { ...fixed, target: { ...fixed.target, mode: 'overwrite' } },
    { ...common, override: shadowPath, target: shadowId, fallback: false, purpose: 'shadow' },
  );
  const productionId: TableIdentifier = { namespace: [job.target.namespace], name: job.target.table };
  const legacyRun = shadowPath === 'legacy' ? shadow : production;
  const newRun = shadowPath === 'legacy' ? production : shadow;
  const cId = shadowPath === 'legacy' ? shadowId : productionId;
  const mId = shadowPath === 'legacy' ? productionId : shadowId;
  const key = o.key ?? (await tableKeyColumns(opened.catalog, mId));
  log(
    `shadow: diff C (legacy) ${tableIdentifierString(cId)} against M (new) ${tableIdentifierString(mId)}${key.length > 0 ? ` on ${key.join(', ')}` : ''}`,
  );
  const session = await tableDiffOpen(
    opened.catalog,
    {
      table: cId,
      selector: { snapshotId: legacyRun.snapshotId! },
      text: `${tableIdentifierString(cId)}@${legacyRun.snapshotId}`,
    },
    {
      table: mId,
      selector: { snapshotId: newRun.snapshotId! },
      text: `${tableIdentifierString(mId)}@${newRun.snapshotId}`,
    },
    {
      key,
      ...(o.samples === undefined ? {} : { samples: o.samples }),
      ...(o.memoryLimit === undefined ? {} : { memoryLimit: o.memoryLimit }),
    },
  );
  let report: DiffReport;
  let categorization: Categorization | undefined;
  try {
    report = await session.report();
    if (!report.equal) {
      const options = jobConnectorOptions(job);
      const isRaw = 'name' in job.connector && job.connector.name === 'raw';
      const sourceOptions = o.sourceOptions ?? jobSourceOptions(job);
      categorization = await diffCategorize({
        session,
        report,
        cSummary: report.c.snapshot?.summary ?? {},
        mSummary: report.m.snapshot?.summary ?? {},
        ...(isRaw && o.replicaCheck !== false && typeof options.table === 'string'
          ? {
              replicaCheck: (partitions) =>
                replicaCheck(
                  {
                    source: job.source.uri,
                    sourceOptions,
                    ...(job.source.layout === undefined ? {} : { layout: job.source.layout }),
                    keyspace: job.source.keyspace,
                    table: options.table as string,
                    now,
                    backupAsOf: Date.parse(fixed.source.backupAsOf!),
                    ...(job.source.replicationFactor === undefined
                      ? {}
                      : { replicationFactor: job.source.replicationFactor }),
                    ...asOfOf(job.asOf),
                  },
                  partitions,
                ),
            }
          : {}),
      });
    }
  } finally {
    await session.close();
  }
  const time = started.toISOString();
  const refs = {
    cRunId: legacyRun.runId,
    mRunId: newRun.runId,
    ...(legacyRun.snapshotId === undefined ? {} : { cSnapshotId: legacyRun.snapshotId }),
    ...(newRun.snapshotId === undefined ? {} : { mSnapshotId: newRun.snapshotId }),
    cTable: tableIdentifierString(cId),
    mTable: tableIdentifierString(mId),
  };
  const counts = {
    cRows: report.cRows,
    mRows: report.mRows,
    cMinusM: report.cMinusM,
    mMinusC: report.mMinusC,
    ...(report.keyed === undefined
      ? {}
      : { missing: report.keyed.missing, phantom: report.keyed.phantom, changed: report.keyed.changed }),
  };
  let investigationId: number | undefined;
  let alertsDelivered = 0;
  if (categorization !== undefined) {
    investigationId = store.investigationAdd({
      time,
      job: job.name,
      category: categorization.category,
      reason: categorization.reason,
      samples: {
        cMinusM: report.samples.cMinusM,
        mMinusC: report.samples.mMinusC,
        ...(report.keyed === undefined ? {} : { keyed: report.keyed.samples }),
        ...(report.schema.equal
          ? {}
          : {
              schema: {
                onlyInC: report.schema.onlyInC,
                onlyInM: report.schema.onlyInM,
                typeDiffers: report.schema.typeDiffers,
              },
            }),
      },
      ...counts,
      ...refs,
    });
    const delivery = await alertSend(
      {
        kind: 'discrepancy',
        job: job.name,
        runId: production.runId,
        message: `shadow: C−M ${report.cMinusM} rows, M−C ${report.mMinusC} rows (similarity ${percentText(report.similarity, 4)}), category ${categorization.category}; investigation ${investigationId}`,
        time: new Date().toISOString(),
        details: { investigationId, category: categorization.category, ...counts, ...refs },
      },
      {
        ...(job.alerts?.webhook === undefined ? {} : { webhook: job.alerts.webhook }),
        timeoutMs: durationMs(job.alerts?.timeout ?? '5s'),
        log,
      },
    );
    if (delivery.delivered) alertsDelivered++;
  }
  const shadowRunId = store.shadowRunRecord({
    time,
    job: job.name,
    status: report.equal ? 'equal' : 'different',
    similarity: report.similarity,
    matched: report.matched,
    ...(investigationId === undefined ? {} : { investigationId }),
    productionPath: productionUsed,
    durationMs: Date.now() - started.getTime(),
    ...counts,
    ...refs,
  });
  return {
    job: job.name,
    productionPath: productionUsed,
    shadowPath,
    shadowTable: tableIdentifierString(shadowId),
    production,
    shadow,
    report,
    categorization,
    investigationId,
    shadowRunId,
    alertsDelivered,
  };
}

/** The job's `asOf` (ISO-8601 or epoch µs) in microseconds. */
function asOfOf(v: string | number | undefined): { asOfMicros?: number } {
  if (v === undefined) return {};
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return { asOfMicros: Number(v) };
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? { asOfMicros: ms * 1000 } : {};
}
