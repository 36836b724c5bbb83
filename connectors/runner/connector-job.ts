/**
 * A connector job: plan (plain data), then run.
 *
 * `connectorJobPlan` resolves the connector and its options, lists the keyspace's tables in the backup, asks
 * the connector for its sources (it may read small control tables), plans every source table with the
 * compactor's planner (merging the tables of one source into one plan, plan-merge.ts) and derives the
 * target schema from their CQL schemas. `connectorJobRun` creates the target table if needed, runs the
 * passes — keyed sources first (into keyed stores in a temp folder), then main sources, each through the
 * compactor's worker pool with the connector sink (connector-sink.ts) — and commits every data file of
 * every pass in ONE snapshot of ONE table (idempotent by run id). A failed task fails the job before the
 * commit, with the task's error (naming the connector and the column when the connector is at fault);
 * data files of failed attempts are removed. No other table is ever created.
 *
 * `signal` cancels the run before its commit: the compactor terminates its workers (compaction-run.ts),
 * every data file of the run is removed, the temp folder too, and the run rejects as cancelled. Once the
 * commit has started it is let finish (its outcome decides what the files are).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { CompactionPlan } from '../../compactor/index.js';
import {
  type CompactionEvent,
  compactionPlan,
  compactionRun,
  compactOptionsResolve,
  jobTableModel,
  sinkModuleFile,
  taskJobContext,
} from '../../compactor/index.js';
import { cancelledError, DatamoveError } from '../../core/index.js';
import type { Catalog, DataFile, S3FileIOOptions, TableIdentifier } from '../../iceberg-writer/index.js';
import { type CommitResult, icebergCommit, tableIdentifierParse } from '../../iceberg-writer/index.js';
import type { TableModel } from '../../reader/index.js';
import {
  type BackupSourceOpenOptions,
  backupLayoutResolve,
  backupSelect,
  backupSourceOpen,
} from '../../reader/index.js';
import type { SourceDecl, TargetDecl } from '../connector.js';
import { type ConnectorRef, connectorOptionsResolve, connectorResolve } from '../registry.js';
import type { ConnectorSinkOptions, ConnectorTaskDetail, IssueSummary } from './connector-sink.js';
import { type KeyedTaskStore, keyedStoreIndexMerge } from './keyed-store.js';
import { compactionPlanMerge } from './plan-merge.js';

const time = z.union([z.string().min(1), z.number()]);

export const connectorJobSchema = z
  .object({
    /** Backup: s3://bucket/prefix, file:///path or a path. */
    source: z.string().min(1),
    keyspace: z.string().min(1),
    layout: z.enum(['auto', 'snapshot', 'medusa', 'scylla-manager']).optional(),
    now: time.optional(),
    asOf: time.optional(),
    backupAsOf: z.string().min(1).optional(),
    consistency: z.enum(['one', 'quorum', 'all']).optional(),
    replicationFactor: z.number().int().min(1).max(32).optional(),
    tasks: z.number().int().min(1).optional(),
    workers: z.number().int().min(1).max(256).optional(),
    memoryBudgetBytes: z.number().int().optional(),
    connector: z.union([
      z.object({ name: z.string().min(1), options: z.unknown().optional() }).strict(),
      z.object({ module: z.string().min(1), options: z.unknown().optional() }).strict(),
    ]),
    target: z
      .object({
        /** `namespace.table` in the catalog. */
        table: z.string().min(1),
        mode: z.enum(['append', 'overwrite']).default('overwrite'),
        /** DataWriter options (`targetFileSizeBytes` default 32 MiB here, `rowGroupRows`). */
        writer: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    runId: z.string().min(1).optional(),
    jobName: z.string().optional(),
    retries: z.number().int().min(0).max(100).optional(),
    /** Local folder for keyed stores (default: the OS temp folder). */
    tempDir: z.string().optional(),
  })
  .strict();

export type ConnectorJob = z.input<typeof connectorJobSchema>;

export interface ConnectorJobPass {
  readonly source: SourceDecl;
  readonly plan: CompactionPlan;
}

/** What a job will do: plain data (`--dry-run` prints it). */
export interface ConnectorJobPlan {
  readonly runId: string;
  readonly jobName: string | undefined;
  readonly connector: ConnectorRef;
  readonly connectorName: string;
  readonly connectorOptions: unknown;
  readonly metadataColumns: boolean;
  readonly keyspace: string;
  readonly target: TargetDecl & { readonly table: TableIdentifier; readonly mode: 'append' | 'overwrite' };
  readonly writer: Record<string, unknown>;
  /** Keyed sources first, then main sources. */
  readonly passes: readonly ConnectorJobPass[];
  readonly now: number;
  readonly asOfMicros: number | undefined;
  /** The backups the passes read (every pass's selected backup set), recorded in the snapshot summary. */
  readonly sourceBackupIds: readonly string[];
  readonly retries: number;
  readonly tempDir: string | undefined;
}

function bad(field: string, message: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `job.${field} ${message}`, {
    context: { field: `job.${field}` },
  });
}

async function keyspaceTables(
  uri: string,
  layoutName: string,
  keyspace: string,
  so: BackupSourceOpenOptions,
  backupAsOf?: number,
): Promise<{ tables: string[]; withData: Set<string> }> {
  const source = backupSourceOpen(uri, so);
  try {
    const layout = await backupLayoutResolve(source, layoutName as 'auto');
    const set = await backupSelect(source, layout, {
      ...(backupAsOf === undefined ? {} : { asOf: backupAsOf }),
      filter: { keyspace },
      missingAllowed: () => true,
    });
    const names = new Set<string>();
    const withData = new Set<string>();
    for (const n of set.nodes)
      for (const t of n.tables) {
        if (t.keyspace !== keyspace) continue;
        names.add(t.table);
        if (t.files.some((f) => f.name.endsWith('-Data.db'))) withData.add(t.table);
      }
    return { tables: [...names].sort(), withData };
  } finally {
    await source.close();
  }
}

export interface ConnectorJobEnv {
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly machine?: { readonly cores: number; readonly memoryBytes: number };
}

export async function connectorJobPlan(input: unknown, env: ConnectorJobEnv = {}): Promise<ConnectorJobPlan> {
  const r = connectorJobSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw bad(issue.path.join('.'), `: ${issue.message}`);
  }
  const job = r.data;
  const ref: ConnectorRef =
    'name' in job.connector ? { name: job.connector.name } : { module: job.connector.module };
  const connector = await connectorResolve(ref);
  const options = connectorOptionsResolve(connector, job.connector.options);
  const machine = env.machine ?? { cores: cpus().length, memoryBytes: totalmem() };
  const so = env.sourceOptions ?? {};
  const compactFor = (table: string) =>
    compactOptionsResolve(
      {
        keyspace: job.keyspace,
        table,
        ...(job.layout === undefined ? {} : { layout: job.layout }),
        ...(job.now === undefined ? {} : { now: job.now }),
        ...(job.asOf === undefined ? {} : { asOf: job.asOf }),
        ...(job.backupAsOf === undefined ? {} : { backupAsOf: job.backupAsOf }),
        ...(job.consistency === undefined ? {} : { consistency: job.consistency }),
        ...(job.replicationFactor === undefined ? {} : { replicationFactor: job.replicationFactor }),
        ...(job.tasks === undefined ? {} : { tasks: job.tasks }),
        ...(job.workers === undefined ? {} : { workers: job.workers }),
        ...(job.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: job.memoryBudgetBytes }),
      },
      machine,
    );
  const first = compactFor('x');
  const planOf = async (table: string): Promise<CompactionPlan> => {
    const source = backupSourceOpen(job.source, so);
    try {
      return await compactionPlan(source, compactFor(table));
    } finally {
      await source.close();
    }
  };
  const { tables, withData } = await keyspaceTables(
    job.source,
    job.layout ?? 'auto',
    job.keyspace,
    so,
    first.backupAsOf,
  );
  const sources = await connector.sources({
    keyspace: job.keyspace,
    options,
    tables,
    async readTable(table) {
      if (!withData.has(table)) return [];
      const plan = await planOf(table);
      // the control table is read with the job's own backup access (an S3 endpoint, credentials)
      const res = await compactionRun(plan, {
        pool: 'inline',
        sink: { kind: 'collect' },
        workers: 1,
        sourceOptions: so,
      });
      if (res.failed.length > 0) throw DatamoveError.fromData(res.failed[0]!.error!);
      const out: arrow.RecordBatch[] = [];
      for (const t of res.tasks) if (t.result?.ipc) out.push(...arrow.tableFromIPC(t.result.ipc).batches);
      return out;
    },
  });
  if (!sources.some((s) => s.role === 'main'))
    throw bad('connector', `: connector ${connector.name} declared no main source`);
  const passes: ConnectorJobPass[] = [];
  const models = new Map<string, TableModel>();
  for (const s of [
    ...sources.filter((x) => x.role === 'keyed'),
    ...sources.filter((x) => x.role === 'main'),
  ]) {
    for (const t of s.tables)
      if (!tables.includes(t))
        throw bad(
          'keyspace',
          `: ${job.keyspace} has no table ${t} in the backup (connector ${connector.name}, source ${s.name})`,
        );
    // a table without any SSTable (nothing was ever flushed) is empty: nothing to read
    const plans: CompactionPlan[] = [];
    for (const t of s.tables) if (withData.has(t)) plans.push(await planOf(t));
    if (plans.length === 0) continue;
    const plan = compactionPlanMerge(plans);
    const model = jobTableModel(taskJobContext(plan));
    if (model !== undefined) for (const t of s.tables) models.set(t, model);
    passes.push({ source: s, plan });
  }
  const decl = connector.target(models, sources, options);
  return {
    runId: job.runId ?? randomUUID(),
    jobName: job.jobName,
    connector: ref,
    connectorName: connector.name,
    connectorOptions: job.connector.options ?? {},
    metadataColumns: connector.metadataColumns(options),
    keyspace: job.keyspace,
    target: { ...decl, table: tableIdentifierParse(job.target.table), mode: job.target.mode },
    writer: { targetFileSizeBytes: 32 << 20, ...(job.target.writer ?? {}) },
    passes,
    now: first.now,
    asOfMicros: first.asOfMicros,
    sourceBackupIds: [...new Set(passes.flatMap((p) => p.plan.backupIds ?? []))].sort(),
    retries: job.retries ?? 2,
    tempDir: job.tempDir,
  };
}

export interface ConnectorJobRunOptions {
  readonly catalog: Catalog;
  readonly pool?: 'threads' | 'inline';
  readonly workers?: number;
  readonly workerHeapMb?: number;
  readonly sourceOptions?: BackupSourceOpenOptions;
  /** S3 settings of the workers' FileIO (tables in s3://). */
  readonly s3?: S3FileIOOptions;
  /** The compactor's events, with the pass they belong to (progress, task starts, retries, failures). */
  readonly onEvent?: (e: CompactionEvent, pass: { readonly index: number; readonly count: number }) => void;
  /** Cancels the run until its commit starts (see the module comment). */
  readonly signal?: AbortSignal;
}

export interface ConnectorJobResult {
  readonly runId: string;
  readonly table: TableIdentifier;
  readonly commit: CommitResult;
  readonly files: number;
  readonly rowsIn: number;
  readonly rowsWritten: number;
  /** Skipped items per kind (count and sample items). */
  readonly issues: IssueSummary;
  readonly elapsedMs: number;
}

/** The compiled sink module the workers import (dist, like the compactor's worker entry). */
export function connectorSinkModule(pool: 'threads' | 'inline'): string {
  return sinkModuleFile('connectors/runner/connector-sink', pool, 'connectors');
}

function issuesAdd(into: IssueSummary, more: IssueSummary): void {
  for (const [k, v] of Object.entries(more)) {
    const s = into[k] ?? { count: 0, samples: [] };
    into[k] = s;
    s.count += v.count;
    for (const x of v.samples) if (s.samples.length < 5) s.samples.push(x);
  }
}

export async function connectorJobRun(
  plan: ConnectorJobPlan,
  o: ConnectorJobRunOptions,
): Promise<ConnectorJobResult> {
  const started = Date.now();
  const catalog = o.catalog;
  const id = plan.target.table;
  const signal = o.signal;
  if (signal?.aborted) throw cancelledError('connectors', `run ${plan.runId}`, signal);
  if (!(await catalog.namespaceExists(id.namespace))) await catalog.createNamespace(id.namespace);
  const table = (await catalog.tableExists(id))
    ? await catalog.loadTable(id)
    : await catalog.createTable(id, {
        schema: plan.target.schema,
        partitionSpec: plan.target.spec,
        sortOrder: plan.target.sortOrder,
        properties: { 'datamove.connector': plan.connectorName },
      });
  const pool = o.pool ?? 'threads';
  const temp = mkdtempSync(join(plan.tempDir ?? tmpdir(), 'datamove-connector-'));
  const stores: Record<string, string> = {};
  const files: DataFile[] = [];
  const issues: IssueSummary = {};
  let rowsIn = 0;
  const prefix = `${plan.runId}`;
  /** Removes this run's data files not in `keep` (never after a commit whose state is unknown). */
  const uncommittedRemove = async (keep: ReadonlySet<string>): Promise<void> => {
    for (const f of await catalog.io.list(`${table.metadata.location}/data`).catch(() => []))
      if (f.uri.includes(prefix) && !keep.has(f.uri)) await catalog.io.delete(f.uri).catch(() => {});
  };
  let committing = false;
  try {
    for (const [p, pass] of plan.passes.entries()) {
      const keyed = pass.source.role === 'keyed';
      const sinkOptions: ConnectorSinkOptions = {
        connector: plan.connector,
        connectorOptions: plan.connectorOptions,
        source: pass.source.name,
        role: pass.source.role,
        ...(keyed
          ? { key: pass.source.key ?? [], storeDir: temp }
          : {
              target: {
                location: table.metadata.location,
                schema: plan.target.schema,
                spec: plan.target.spec,
                ...(plan.target.arrowOptions === undefined ? {} : { arrowOptions: plan.target.arrowOptions }),
                filePrefix: `${prefix}-p${p}`,
                writer: plan.writer,
                ...(o.s3 === undefined ? {} : { s3: o.s3 }),
              },
              stores,
            }),
      };
      const res = await compactionRun(pass.plan, {
        sink: { kind: 'module', module: connectorSinkModule(pool), options: sinkOptions },
        pool,
        retries: plan.retries,
        batch: { metadataColumns: plan.metadataColumns },
        ...(o.workers === undefined ? {} : { workers: o.workers }),
        ...(o.workerHeapMb === undefined ? {} : { workerHeapMb: o.workerHeapMb }),
        ...(o.sourceOptions === undefined ? {} : { sourceOptions: o.sourceOptions }),
        ...(signal === undefined ? {} : { signal }),
        ...(o.onEvent === undefined
          ? {}
          : { onEvent: (e: CompactionEvent) => o.onEvent!(e, { index: p, count: plan.passes.length }) }),
      });
      if (res.failed.length > 0) {
        const f = res.failed[0]!;
        throw new DatamoveError(
          f.error!.kind,
          `${f.error!.message} (source ${pass.source.name}, task ${f.taskId}; ${res.failed.length} task(s) failed, nothing committed)`,
          { context: { ...f.error!.context, source: pass.source.name, task: f.taskId } },
        );
      }
      const details = res.tasks.map((t) => t.result?.detail as ConnectorTaskDetail | undefined);
      if (keyed) {
        const index = keyedStoreIndexMerge(
          details.flatMap((d) => (d?.store ? [d.store as KeyedTaskStore] : [])),
        );
        const file = join(temp, `${pass.source.name}.index.json`);
        writeFileSync(file, JSON.stringify(index));
        stores[pass.source.name] = file;
      } else
        for (const d of details) {
          if (d === undefined) continue;
          files.push(...(d.files ?? []));
          rowsIn += d.rowsIn;
          issuesAdd(issues, d.issues);
        }
    }
    const rowsWritten = files.reduce((n, f) => n + f.recordCount, 0);
    const skipped = Object.values(issues).reduce((n, s) => n + s.count, 0);
    if (signal?.aborted) throw cancelledError('connectors', `run ${plan.runId}`, signal);
    committing = true;
    const commit = await icebergCommit(catalog, id, files, {
      mode: plan.target.mode,
      runId: plan.runId,
      ...(plan.jobName === undefined ? {} : { jobName: plan.jobName }),
      connector: plan.connectorName,
      referenceNow: new Date(plan.now * 1000).toISOString(),
      ...(plan.asOfMicros === undefined ? {} : { asOf: new Date(plan.asOfMicros / 1000).toISOString() }),
      ...(plan.sourceBackupIds.length === 0 ? {} : { sourceBackupIds: [...plan.sourceBackupIds] }),
      rowCounts: { read: rowsIn, written: rowsWritten, skipped },
    });
    // data files of failed attempts (a retried task) are never committed: remove them
    await uncommittedRemove(new Set(files.map((f) => f.filePath)));
    return {
      runId: plan.runId,
      table: id,
      commit,
      files: files.length,
      rowsIn,
      rowsWritten,
      issues,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    // a failed pass committed nothing: its files are garbage (a failed commit resolves itself by run id)
    if (!committing) await uncommittedRemove(new Set());
    throw e;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
