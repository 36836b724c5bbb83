/**
 * The legacy path: a second, independent implementation of a connector job in the style of the engine it
 * replaces — one process, every cell of the backup staged in DuckDB (legacy-stage.ts), reconciled with SQL
 * (legacy-reconcile.ts), the live rows turned into the connector's target batches and written with the
 * Iceberg DataWriter as ONE snapshot of the same target table, same schema (the connector's own target
 * declaration), so a diff against the new path compares like for like.
 *
 * Connectors: `raw` (legacy-raw.ts), `kv` (legacy-kv.ts: both of the abstraction's tables staged and
 * reconciled, items joined with their chunks in SQL, reassembled and decompressed in JS) and `timeseries`
 * (legacy-timeseries.ts: the slices overlapping the window selected from `time_slices` in SQL, each slice
 * staged with its split tables and reconciled as one, one slice at a time, values decompressed in JS).
 *
 * Shared with the new path: the SSTable decoder (reader/), replica placement (token-ring.ts), Arrow encoding
 * of values this path reconciled, value codecs, and the writer/commit. NOT shared: merging, tombstones,
 * TTLs, row liveness — the reconciliation is all SQL here. Slower than the compactor and needs memory
 * proportional to the data, by design.
 *
 * Cancellation (`signal`): the running DuckDB query is interrupted (`interrupt()` on every connection),
 * staging and the write loop stop at the next partition or batch, the Parquet files written so far are
 * deleted, the instance is closed, and the run rejects with `legacy: run cancelled: <reason>` — nothing is
 * committed. A commit already under way is let finish.
 */
import { randomUUID } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import type { z } from 'zod';
import type { IssueSummary } from '../../connectors/index.js';
import { kvOptionsSchema, rawOptionsSchema, timeseriesOptionsSchema } from '../../connectors/index.js';
import { cancelledError, DatamoveError } from '../../core/index.js';
import type { Catalog, DataFile, TableIdentifier } from '../../iceberg-writer/index.js';
import { type CommitResult, DataWriter, icebergCommit } from '../../iceberg-writer/index.js';
import { type BackupSourceOpenOptions, backupSourceOpen } from '../../reader/index.js';
import { targetTableEnsure } from '../target-table.js';
import { legacyKvPrepare } from './legacy-kv.js';
import { type LegacyPrepared, legacyAbortCheck, legacyInterruptOn } from './legacy-prepared.js';
import { legacyRawPrepare } from './legacy-raw.js';
import { legacyTimeseriesPrepare } from './legacy-timeseries.js';

/** The connectors the legacy path implements. */
export const LEGACY_CONNECTORS = ['raw', 'kv', 'timeseries'] as const;

/** Whether the legacy path can run a job of this (built-in) connector — the decider's fallback gate. */
export function legacySupports(connector: string | undefined): boolean {
  return (LEGACY_CONNECTORS as readonly (string | undefined)[]).includes(connector);
}

export interface LegacyJob {
  readonly source: string;
  readonly layout?: string;
  readonly keyspace: string;
  /** The built-in connector the job names (one of LEGACY_CONNECTORS); default `raw`. */
  readonly connector?: string;
  /** That connector's options (raw: `table`, `metadataColumns`, …; kv: `table`, `keyAs`, `valueAs`, …;
   * timeseries: `from`, `to`, `namespace`, …). */
  readonly connectorOptions: unknown;
  readonly target: { readonly table: TableIdentifier; readonly mode: 'append' | 'overwrite' };
  readonly properties?: Record<string, string>;
  readonly runId: string;
  readonly jobName?: string;
  /** Reference time for TTLs, seconds. */
  readonly now: number;
  readonly asOfMicros?: number;
  readonly backupAsOf?: number;
  readonly replicationFactor?: number;
  readonly writer?: Record<string, unknown>;
}

export interface LegacyJobResult {
  readonly runId: string;
  readonly table: TableIdentifier;
  readonly commit: CommitResult;
  readonly files: number;
  readonly bytes: number;
  readonly rowsWritten: number;
  readonly cellsStaged: number;
  readonly sstables: number;
  /** Skipped items per kind (kv: missing chunk, size mismatch, …), as the new path reports them. */
  readonly issues: IssueSummary;
  readonly elapsedMs: number;
}

export interface LegacyRunOptions {
  readonly catalog: Catalog;
  readonly sourceOptions?: BackupSourceOpenOptions;
  /** DuckDB `memory_limit` (e.g. `2GB`); default DuckDB's. */
  readonly memoryLimit?: string;
  readonly onPhase?: (phase: string) => void;
  /** Cancels the run until its commit starts (see the module comment). */
  readonly signal?: AbortSignal;
}

function optionsParse<T>(schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options);
  if (!parsed.success)
    throw new DatamoveError(
      'InvalidArgument',
      `legacy: job.connector.options.${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
      { context: { field: 'job.connector.options' } },
    );
  return parsed.data;
}

/** Runs the legacy path for a `raw`, `kv` or `timeseries` job and commits one snapshot. */
export async function legacyJobRun(job: LegacyJob, o: LegacyRunOptions): Promise<LegacyJobResult> {
  const started = Date.now();
  const connector = job.connector ?? 'raw';
  if (!legacySupports(connector))
    throw new DatamoveError(
      'FeatureUnsupported',
      `legacy: the legacy path runs the ${LEGACY_CONNECTORS.join(', ')} connectors only, not '${connector}'`,
      { context: { field: 'job.connector' } },
    );
  // options first: a bad option fails before anything is read
  const rawOptions = connector === 'raw' ? optionsParse(rawOptionsSchema, job.connectorOptions) : undefined;
  const kvOptions = connector === 'kv' ? optionsParse(kvOptionsSchema, job.connectorOptions) : undefined;
  const tsOptions =
    connector === 'timeseries' ? optionsParse(timeseriesOptionsSchema, job.connectorOptions) : undefined;
  const signal = o.signal;
  legacyAbortCheck(signal);
  const db = await DuckDBInstance.create(
    ':memory:',
    o.memoryLimit === undefined ? {} : { memory_limit: o.memoryLimit },
  );
  const conn = await db.connect();
  const unlisten = legacyInterruptOn(signal, conn);
  const source = backupSourceOpen(job.source, o.sourceOptions ?? {});
  // never the run id: the new path's clean-up removes uncommitted files whose names hold it
  const filePrefix = `legacy-${randomUUID()}`;
  let dataDir: string | undefined;
  let committing = false;
  try {
    const input = {
      db,
      conn,
      source,
      stage: {
        layout: job.layout ?? 'auto',
        keyspace: job.keyspace,
        ...(job.backupAsOf === undefined ? {} : { backupAsOf: job.backupAsOf }),
        ...(job.replicationFactor === undefined ? {} : { replicationFactor: job.replicationFactor }),
        ...(job.asOfMicros === undefined ? {} : { asOfMicros: job.asOfMicros }),
        ...(signal === undefined ? {} : { signal }),
      },
      now: job.now,
      ...(o.onPhase === undefined ? {} : { onPhase: o.onPhase }),
      ...(signal === undefined ? {} : { signal }),
    };
    const prepared: LegacyPrepared =
      kvOptions !== undefined
        ? await legacyKvPrepare(input, kvOptions)
        : tsOptions !== undefined
          ? await legacyTimeseriesPrepare(input, tsOptions)
          : await legacyRawPrepare(input, rawOptions!);
    const decl = prepared.decl;
    const table = await targetTableEnsure(o.catalog, job.target.table, decl, {
      ...(job.properties ?? {}),
      'datamove.connector': prepared.connector,
    });
    dataDir = `${table.metadata.location}/data`;
    const writer = new DataWriter({
      io: o.catalog.io,
      location: table.metadata.location,
      schema: decl.schema,
      spec: decl.spec,
      ...(decl.arrowOptions === undefined ? {} : { arrowOptions: decl.arrowOptions }),
      options: { targetFileSizeBytes: 32 << 20, ...(job.writer ?? {}) },
      filePrefix,
    });
    o.onPhase?.('legacy: writing Parquet');
    let rows = 0;
    // on a failure the files not yet flushed are dropped with the writer; those written are removed below
    for await (const b of prepared.batches) {
      legacyAbortCheck(signal);
      rows += b.numRows;
      await writer.write(b);
    }
    const files: DataFile[] = await writer.close();
    const skipped = Object.entries(prepared.issues);
    if (skipped.length > 0)
      o.onPhase?.(
        `legacy: skipped ${skipped.map(([k, v]) => `${v.count} ${k} (e.g. ${v.samples.join(', ')})`).join('; ')}`,
      );
    legacyAbortCheck(signal);
    committing = true;
    const commit = await icebergCommit(o.catalog, job.target.table, files, {
      mode: job.target.mode,
      runId: job.runId,
      ...(job.jobName === undefined ? {} : { jobName: job.jobName }),
      connector: prepared.connector,
      sourceBackupIds: [...prepared.backupIds],
      referenceNow: new Date(job.now * 1000).toISOString(),
      ...(job.asOfMicros === undefined ? {} : { asOf: new Date(job.asOfMicros / 1000).toISOString() }),
      rowCounts: {
        read: prepared.cells,
        written: rows,
        skipped: skipped.reduce((n, [, v]) => n + v.count, 0),
      },
    });
    return {
      runId: job.runId,
      table: job.target.table,
      commit,
      files: files.length,
      bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0),
      rowsWritten: rows,
      cellsStaged: prepared.cells,
      sstables: prepared.sstables,
      issues: prepared.issues,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    // nothing was committed: the Parquet files written so far are garbage (never after a commit started:
    // its state may be unknown)
    if (!committing && dataDir !== undefined) {
      for (const f of await o.catalog.io.list(dataDir).catch(() => []))
        if (f.uri.includes(filePrefix)) await o.catalog.io.delete(f.uri).catch(() => {});
    }
    // an interrupted DuckDB query fails with its own INTERRUPT error: say why it was interrupted
    if (signal?.aborted && !committing) throw cancelledError('legacy', 'run', signal, { runId: job.runId });
    throw e;
  } finally {
    unlisten();
    await source.close();
    conn.closeSync();
    db.closeSync();
  }
}
