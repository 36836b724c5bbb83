/**
 * `datamove restore`: a table as it was at T — the latest complete backup set at or before T (its schema
 * and its topology), cells written after T dropped (the compactor's as-of filter), TTLs judged at T
 * (`now` = T). Two outputs:
 *
 * - Iceberg (`restoreToIceberg`): the job runs once (decider/job-run.ts `jobRun`, purpose `restore`, new
 *   path, no fallback) into `<table>__asof_<yyyymmddThhmmss>` or `--into`; the snapshot summary records
 *   `datamove.as-of`, `datamove.reference-now` and `datamove.source-backup-ids`. Restoring over the job's
 *   own table (an `overwrite` snapshot) or over any existing table needs `force`.
 * - SSTables (`restoreToSSTables`): the same merge on the worker pool like `datamove run` (the compactor's
 *   `compactionRun` with a module sink, sstable-task-sink.ts): each task writes its live rows, in token
 *   order, into its own `nb` SSTables (generation = task id + 1) inside its worker, one set folder per range
 *   of `--topology` (a task crossing a boundary splits its output), else one folder; restore.json lists
 *   each folder with its range, generations and files.
 *
 * Every check (time, backups, target) runs before anything is written; a failure is one line.
 */
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CompactionPlan } from '../../compactor/index.js';
import {
  compactionPlan,
  compactionRun,
  compactOptionsResolve,
  sinkModuleFile,
} from '../../compactor/index.js';
import { DatamoveError } from '../../core/index.js';
import {
  catalogOpen,
  type OpenedCatalog,
  type TableIdentifier,
  tableIdentifierParse,
  tableIdentifierString,
} from '../../iceberg-writer/index.js';
import type { BackupSet } from '../../reader/index.js';
import { type BackupSourceOpenOptions, backupSourceOpen } from '../../reader/index.js';
import {
  isS3Uri,
  type S3Options,
  s3ClientCreate,
  s3OptionsFromEnv,
  s3OptionsResolve,
  s3UriParse,
} from '../../storage/index.js';
import type { Job } from '../job-file.js';
import { jobTables } from '../job-file.js';
import { type JobRunSummary, jobRun, jobSourceOptions } from '../job-run.js';
import { restoreBackupSelect } from './restore-select.js';
import { restoreTableName, restoreTimeParse } from './restore-time.js';
import type { WrittenSet } from './sstable-set-writer.js';
import { RESTORE_STAGING, type SSTableTaskDetail, type SSTableTaskSinkOptions } from './sstable-task-sink.js';
import { type Topology, topologyLoad } from './tokenmap.js';

export interface RestoreCommonOptions {
  /** ISO-8601 time T. */
  readonly asOf: string;
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly log?: (line: string) => void;
  /** Test hook: "now" for the future-time check. */
  readonly clock?: () => number;
}

export interface RestoreIcebergOptions extends RestoreCommonOptions {
  /** `namespace.table` (default `<table>__asof_<yyyymmddThhmmss>` in the job's namespace). */
  readonly into?: string;
  readonly force?: boolean;
  readonly catalog?: OpenedCatalog;
  readonly historyPath?: string;
  readonly workers?: number;
  readonly pool?: 'threads' | 'inline';
}

export interface RestoreIcebergSummary {
  readonly table: string;
  readonly asOf: string;
  readonly mode: 'new-table' | 'overwrite';
  readonly backupIds: readonly string[];
  readonly backupTimes: { readonly earliest: string; readonly latest: string };
  readonly nodes: readonly string[];
  readonly schemaVersion: string | undefined;
  readonly run: JobRunSummary;
}

/** The one table a restore reads (raw-style jobs name one table). */
function jobTable(job: Job): string {
  const tables = jobTables(job);
  if (tables.length !== 1)
    throw new DatamoveError(
      'InvalidArgument',
      `restore: ${job.file}: source.table must name exactly one table to restore (got ${tables.length === 0 ? 'none' : tables.join(', ')})`,
      { context: { file: job.file, field: 'source.table' } },
    );
  return tables[0]!;
}

async function backupsAt(job: Job, asOfMs: number, so: BackupSourceOpenOptions): Promise<BackupSet> {
  return restoreBackupSelect(
    { uri: job.source.uri, layout: job.source.layout, keyspace: job.source.keyspace, table: jobTable(job) },
    asOfMs,
    so,
  );
}

/** Restores the job's table as of T into an Iceberg table (see the module comment). */
export async function restoreToIceberg(job: Job, o: RestoreIcebergOptions): Promise<RestoreIcebergSummary> {
  const log = o.log ?? (() => {});
  const asOfMs = restoreTimeParse(o.asOf, o.clock);
  const asOf = new Date(asOfMs).toISOString();
  const sourceOptions = o.sourceOptions ?? jobSourceOptions(job);
  const own: TableIdentifier = { namespace: [job.target.namespace], name: job.target.table };
  const target: TableIdentifier =
    o.into === undefined
      ? { namespace: own.namespace, name: restoreTableName(job.target.table, asOfMs) }
      : tableIdentifierParse(o.into);
  const targetName = tableIdentifierString(target);
  const isOwn = targetName === tableIdentifierString(own);
  const set = await backupsAt(job, asOfMs, sourceOptions);
  log(
    `restore: as of ${asOf}: backups ${set.backupIds.join(', ')} (${set.earliest} … ${set.latest}), ${set.nodes.length} nodes, schema ${set.schema?.version ?? '-'}`,
  );
  const opened =
    o.catalog ??
    (await catalogOpen({
      ...(job.target.catalog === undefined ? {} : { catalog: job.target.catalog }),
      ...(job.target.warehouse === undefined ? {} : { warehouse: job.target.warehouse }),
    }));
  try {
    const exists = await opened.catalog.tableExists(target);
    if ((exists || isOwn) && o.force !== true)
      throw new DatamoveError(
        'InvalidArgument',
        isOwn
          ? `restore: ${targetName} is the job's own table: restoring over it replaces its contents (an overwrite snapshot); add --force, or restore into a new table with --into`
          : `restore: table ${targetName} already exists; add --force to overwrite it, or choose another with --into`,
        { context: { table: targetName } },
      );
    const restoreJob: Job = Object.freeze({
      ...job,
      asOf,
      now: Math.floor(asOfMs / 1000),
      source: { ...job.source, backupAsOf: asOf },
      target: {
        ...job.target,
        mode: 'overwrite' as const,
        properties: {
          ...(job.target.properties ?? {}),
          'datamove.restore.as-of': asOf,
          'datamove.restore.source-backup-ids': set.backupIds.join(','),
        },
      },
    });
    const run = await jobRun(restoreJob, {
      catalog: opened,
      target,
      purpose: 'restore',
      override: 'new',
      fallback: false,
      sourceOptions,
      log,
      ...(o.historyPath === undefined ? {} : { historyPath: o.historyPath }),
      ...(o.workers === undefined ? {} : { workers: o.workers }),
      ...(o.pool === undefined ? {} : { pool: o.pool }),
    });
    return {
      table: targetName,
      asOf,
      mode: exists ? 'overwrite' : 'new-table',
      backupIds: set.backupIds,
      backupTimes: { earliest: set.earliest, latest: set.latest },
      nodes: set.nodes.map((n) => n.node),
      schemaVersion: set.schema?.version,
      run,
    };
  } finally {
    if (o.catalog === undefined) await opened.close();
  }
}

export interface RestoreSSTablesOptions extends RestoreCommonOptions {
  /** A local folder (must be empty or absent) or `s3://bucket/prefix`. */
  readonly out: string;
  /** Path of a tokenmap.json (tokenmap.ts): one SSTable set per token range. */
  readonly topology?: string;
  /** Staging folder for s3:// outputs (default the OS temp folder). */
  readonly tempDir?: string;
  /** S3 settings of an s3:// `out` (default: the job's source S3 settings over the environment's). */
  readonly s3?: S3Options;
  /** Worker threads (default: the job's `workers`, else the plan's sizing). */
  readonly workers?: number;
  /** Compaction tasks (default: the plan's sizing). */
  readonly tasks?: number;
  /** `threads` (default) or `inline` (in this thread, for debugging). */
  readonly pool?: 'threads' | 'inline';
}

export interface RestoreSSTablesSummary {
  readonly out: string;
  readonly asOf: string;
  readonly keyspace: string;
  readonly table: string;
  readonly backupIds: readonly string[];
  readonly sets: readonly WrittenSet[];
  readonly partitions: number;
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** Restores the job's table as of T as `nb` SSTables (see the module comment and sstable-set-writer.ts). */
export async function restoreToSSTables(
  job: Job,
  o: RestoreSSTablesOptions,
): Promise<RestoreSSTablesSummary> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const asOfMs = restoreTimeParse(o.asOf, o.clock);
  const asOf = new Date(asOfMs).toISOString();
  const sourceOptions = o.sourceOptions ?? jobSourceOptions(job);
  const table = jobTable(job);
  const toS3 = isS3Uri(o.out);
  if (!toS3 && existsSync(o.out) && (!statSync(o.out).isDirectory() || readdirSync(o.out).length > 0))
    throw new DatamoveError('InvalidArgument', `restore: --out ${o.out} exists and is not an empty folder`, {
      context: { out: o.out },
    });
  const topology: Topology | undefined = o.topology === undefined ? undefined : topologyLoad(o.topology);
  const set = await backupsAt(job, asOfMs, sourceOptions);
  if (set.schema === undefined)
    throw new DatamoveError(
      'NotFound',
      `restore: backups ${set.backupIds.join(', ')} hold no schema for ${job.source.keyspace}.${table}: an SSTable restore needs the table's schema as of T`,
      { context: { keyspace: job.source.keyspace, table } },
    );
  const tableId =
    set.nodes.flatMap((n) => n.tables).find((t) => t.table === table && t.tableId !== undefined)?.tableId ??
    '00000000000000000000000000000000';
  const options = compactOptionsResolve(
    {
      keyspace: job.source.keyspace,
      table,
      layout: job.source.layout,
      now: Math.floor(asOfMs / 1000),
      asOf: asOfMs * 1000,
      backupAsOf: asOf,
      consistency: job.consistency,
      ...(job.source.replicationFactor === undefined
        ? {}
        : { replicationFactor: job.source.replicationFactor }),
      ...((o.workers ?? job.workers) === undefined ? {} : { workers: o.workers ?? job.workers }),
      ...(o.tasks === undefined ? {} : { tasks: o.tasks }),
    },
    { cores: cpus().length, memoryBytes: totalmem() },
  );
  const source = backupSourceOpen(job.source.uri, sourceOptions);
  let plan: CompactionPlan;
  try {
    plan = await compactionPlan(source, options);
  } finally {
    await source.close();
  }
  const pool = o.pool ?? 'threads';
  log(
    `restore: as of ${asOf}: backups ${(plan.backupIds ?? []).join(', ')}, ${plan.tasks.length} tasks on ${plan.workers} workers, ${plan.nodes.length} replicas read → ${topology === undefined ? 'one SSTable set' : `${topology.ranges.length} token ranges`}`,
  );
  const root = toS3 ? mkdtempSync(join(o.tempDir ?? tmpdir(), 'datamove-restore-')) : o.out;
  const sinkOptions: SSTableTaskSinkOptions = {
    root,
    tableDir: `${table}-${tableId}`,
    ...(topology === undefined ? {} : { topology }),
  };
  let sets: WrittenSet[];
  try {
    let reported = 0;
    const run = await compactionRun(plan, {
      sink: { kind: 'module', module: restoreSinkModule(pool), options: sinkOptions, accepts: 'rows' },
      pool,
      retries: job.retries,
      sourceOptions,
      onEvent: (e) => {
        if (e.type !== 'progress' || e.tasksTotal < 2) return;
        const tenth = Math.floor(((e.tasksDone + e.tasksFailed) * 10) / e.tasksTotal);
        if (tenth <= reported) return;
        reported = tenth;
        log(`restore: ${e.tasksDone}/${e.tasksTotal} tasks written`);
      },
    });
    // attempts of workers that died mid-task (never part of the output)
    rmSync(join(root, RESTORE_STAGING), { recursive: true, force: true });
    if (run.failed.length > 0) {
      const f = run.failed[0]!;
      throw new DatamoveError(
        f.error!.kind,
        `${f.error!.message} (task ${f.taskId}; ${run.failed.length} task(s) failed, nothing written)`,
        { context: { ...f.error!.context, task: f.taskId } },
      );
    }
    sets = setsMerge(
      run.tasks.map((t) => (t.result!.detail as SSTableTaskDetail | undefined)?.sets ?? []),
      set.schema.text,
    );
    for (const s of sets) writeFileSync(join(root, ...s.folder.split('/'), 'schema.cql'), set.schema.text);
    const manifest = {
      asOf,
      keyspace: job.source.keyspace,
      table,
      backupIds: plan.backupIds ?? [],
      schemaVersion: set.schema.version,
      sets,
    };
    writeFileSync(join(root, 'restore.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (toS3) await uploadFolder(root, o.out, o.s3 ?? sourceOptions.s3 ?? s3OptionsFromEnv(process.env));
  } catch (e) {
    // nothing half-written stays behind
    if (toS3 || existsSync(root)) rmSync(root, { recursive: true, force: true });
    throw e;
  } finally {
    if (toS3) rmSync(root, { recursive: true, force: true });
  }
  return {
    out: o.out,
    asOf,
    keyspace: job.source.keyspace,
    table,
    backupIds: plan.backupIds ?? [],
    sets,
    partitions: sets.reduce((n, s) => n + s.partitions, 0),
    rows: sets.reduce((n, s) => n + s.rows, 0),
    bytes: sets.reduce((n, s) => n + s.files.reduce((m, f) => m + f.size, 0), 0),
    durationMs: Date.now() - started,
  };
}

/**
 * One `WrittenSet` per folder from the tasks' sets (in task order, so in token order): the generations and
 * files of every task that wrote into the folder, and the folder's `schema.cql`.
 */
function setsMerge(perTask: readonly (readonly WrittenSet[])[], schemaCql: string): WrittenSet[] {
  const byFolder = new Map<string, WrittenSet[]>();
  for (const sets of perTask)
    for (const s of sets) {
      const list = byFolder.get(s.folder) ?? [];
      byFolder.set(s.folder, list);
      list.push(s);
    }
  const schemaSize = Buffer.byteLength(schemaCql, 'utf8');
  return [...byFolder.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([folder, list]) => ({
      folder,
      ...(list[0]!.range === undefined ? {} : { range: list[0]!.range }),
      generations: list.flatMap((s) => s.generations),
      partitions: list.reduce((n, s) => n + s.partitions, 0),
      rows: list.reduce((n, s) => n + s.rows, 0),
      files: [...list.flatMap((s) => s.files), { name: 'schema.cql', size: schemaSize }],
    }));
}

/** The compiled sink module the workers import (dist, like the compactor's worker entry). */
export function restoreSinkModule(pool: 'threads' | 'inline'): string {
  return sinkModuleFile('decider/restore/sstable-task-sink', pool, 'restore');
}

/** Uploads a staged folder to s3://bucket/prefix, one streamed PUT per file. */
async function uploadFolder(dir: string, uri: string, s3: S3Options): Promise<void> {
  const { bucket, prefix } = s3UriParse(uri);
  const client = s3ClientCreate(s3OptionsResolve(s3));
  try {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
      );
    for (const file of walk(dir)) {
      const key = `${prefix.replace(/\/+$/, '')}${prefix === '' ? '' : '/'}${relative(dir, file).split('\\').join('/')}`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: statSync(file).size,
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
