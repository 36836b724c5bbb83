/**
 * The legacy path: a second, independent implementation of a `raw` connector job in the style of the
 * engine it replaces — one process, every cell of the backup staged in DuckDB (legacy-stage.ts),
 * reconciled with SQL (legacy-reconcile.ts), the live rows turned into the raw connector's target batches
 * and written with the Iceberg DataWriter as ONE snapshot of the same target table, same schema (the raw
 * connector's `rawTarget`), so a diff against the new path compares like for like.
 *
 * Shared with the new path: the SSTable decoder (reader/), replica placement (token-ring.ts), the Arrow
 * encoding of live values (RawBatchBuilder, fed with rows this path reconciled) and the writer/commit.
 * NOT shared: merging, tombstones, TTLs, row liveness — the reconciliation is all SQL here.
 * Slower than the compactor and needs memory proportional to the data, by design.
 */
import { randomUUID } from 'node:crypto';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import { RawBatchBuilder } from '../../compactor/arrow/raw-batch-builder.js';
import type { LiveRow } from '../../compactor/live-rows.js';
import {
  type RawOptions,
  rawConnector,
  rawOptionsSchema,
  rawTarget,
} from '../../connectors/raw/raw-connector.js';
import { DatamoveError } from '../../core/errors.js';
import type { Catalog, TableIdentifier } from '../../iceberg-writer/catalog/catalog.js';
import { type CommitResult, icebergCommit } from '../../iceberg-writer/commit/table-commit.js';
import type { DataFile } from '../../iceberg-writer/manifest/data-file.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/schema/arrow-schema.js';
import { DataWriter } from '../../iceberg-writer/write/data-writer.js';
import { type BackupSourceOpenOptions, backupSourceOpen } from '../../reader/source/source-uri.js';
import type { TableModel } from '../../reader/sstable/table-model.js';
import { CELL_EXPIRING, type Cell, NO_DELETION_TIME } from '../../reader/sstable/unfiltered.js';
import { targetTableEnsure } from '../target-table.js';
import { LIVE_ROWS_SQL, LIVE_STATIC_SQL, legacyReconcileSql } from './legacy-reconcile.js';
import { legacyStage, STAGING_DDL } from './legacy-stage.js';
import { clusteringUnframe } from './sort-key.js';

export interface LegacyJob {
  readonly source: string;
  readonly layout?: string;
  readonly keyspace: string;
  /** The raw connector's options (`table`, `metadataColumns`, `partitioning`, `mapping`). */
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
  readonly elapsedMs: number;
}

export interface LegacyRunOptions {
  readonly catalog: Catalog;
  readonly sourceOptions?: BackupSourceOpenOptions;
  /** DuckDB `memory_limit` (e.g. `2GB`); default DuckDB's. */
  readonly memoryLimit?: string;
  readonly onPhase?: (phase: string) => void;
}

function bytesOf(v: DuckDBValue): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return (v as { bytes: Uint8Array }).bytes;
}

function num(v: DuckDBValue): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function cellOf(r: readonly DuckDBValue[], at: number): Cell {
  const ttl = num(r[at + 4]!);
  return {
    column: num(r[at]!),
    flags: r[at + 6] === true ? CELL_EXPIRING : 0,
    timestamp: num(r[at + 3]!),
    localDeletionTime: num(r[at + 5] ?? NO_DELETION_TIME),
    ttl,
    path: bytesOf(r[at + 1]!),
    value: bytesOf(r[at + 2]!) ?? new Uint8Array(0),
  };
}

function put(values: (Cell | Cell[] | undefined)[], model: TableModel, c: Cell): void {
  const col = model.columns[c.column];
  if (col === undefined || col.hidden) return;
  if (col.complex) {
    const list = (values[c.column] as Cell[] | undefined) ?? [];
    list.push(c);
    values[c.column] = list;
  } else values[c.column] = c;
}

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The live rows of the reconciled staging tables, statics joined, static-only partitions included. */
async function* liveRows(conn: DuckDBConnection, model: TableModel): AsyncGenerator<LiveRow> {
  const statics = new Map<string, { key: Uint8Array; cells: Cell[]; used: boolean }>();
  for (const r of (await conn.runAndReadAll(LIVE_STATIC_SQL)).getRows()) {
    const key = bytesOf(r[0]!)!;
    const h = hexOf(key);
    let s = statics.get(h);
    if (s === undefined) {
      s = { key, cells: [], used: false };
      statics.set(h, s);
    }
    s.cells.push(cellOf(r, 1));
  }
  const width = model.columns.length;
  const fresh = (pkHex: string): (Cell | Cell[] | undefined)[] => {
    const values = new Array<Cell | Cell[] | undefined>(width);
    const s = statics.get(pkHex);
    if (s !== undefined) {
      s.used = true;
      for (const c of s.cells) put(values, model, c);
    }
    return values;
  };
  const result = await conn.runAndReadAll(LIVE_ROWS_SQL);
  let current: { key: Uint8Array; ckv: Uint8Array; values: (Cell | Cell[] | undefined)[] } | undefined;
  for (const r of result.getRows()) {
    const key = bytesOf(r[0]!)!;
    const ckv = bytesOf(r[1]!)!;
    if (
      current === undefined ||
      !Buffer.from(current.key).equals(key) ||
      !Buffer.from(current.ckv).equals(ckv)
    ) {
      if (current !== undefined)
        yield { key: current.key, clustering: clusteringUnframe(current.ckv), values: current.values };
      current = { key, ckv, values: fresh(hexOf(key)) };
    }
    if (r[2] !== null) put(current.values, model, cellOf(r, 2));
  }
  if (current !== undefined)
    yield { key: current.key, clustering: clusteringUnframe(current.ckv), values: current.values };
  // a partition with only a live static row is one row with null clustering values
  for (const s of statics.values())
    if (!s.used) yield { key: s.key, clustering: null, values: fresh(hexOf(s.key)) };
}

/** Runs the legacy path for a `raw` job and commits one snapshot. */
export async function legacyJobRun(job: LegacyJob, o: LegacyRunOptions): Promise<LegacyJobResult> {
  const started = Date.now();
  const parsed = rawOptionsSchema.safeParse(job.connectorOptions);
  if (!parsed.success)
    throw new DatamoveError(
      'InvalidArgument',
      `legacy: job.connector.options.${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
      { context: { field: 'job.connector.options' } },
    );
  const options: RawOptions = parsed.data;
  const db = await DuckDBInstance.create(
    ':memory:',
    o.memoryLimit === undefined ? {} : { memory_limit: o.memoryLimit },
  );
  const conn = await db.connect();
  const source = backupSourceOpen(job.source, o.sourceOptions ?? {});
  try {
    for (const ddl of STAGING_DDL) await conn.run(ddl);
    o.onPhase?.('legacy: loading every cell into the DuckDB staging table');
    const staged = await legacyStage(source, conn, {
      layout: job.layout ?? 'auto',
      keyspace: job.keyspace,
      table: options.table,
      ...(job.backupAsOf === undefined ? {} : { backupAsOf: job.backupAsOf }),
      ...(job.replicationFactor === undefined ? {} : { replicationFactor: job.replicationFactor }),
      ...(job.asOfMicros === undefined ? {} : { asOfMicros: job.asOfMicros }),
    });
    o.onPhase?.(`legacy: ${staged.cells} cells of ${staged.sstables} SSTables staged; reconciling with SQL`);
    for (const sql of legacyReconcileSql(job.now)) await conn.run(sql);
    const model = staged.model;
    const decl = rawTarget(model, options);
    const table = await targetTableEnsure(o.catalog, job.target.table, decl, {
      ...(job.properties ?? {}),
      'datamove.connector': 'raw',
    });
    const writer = new DataWriter({
      io: o.catalog.io,
      location: table.metadata.location,
      schema: decl.schema,
      spec: decl.spec,
      ...(decl.arrowOptions === undefined ? {} : { arrowOptions: decl.arrowOptions }),
      options: { targetFileSizeBytes: 32 << 20, ...(job.writer ?? {}) },
      // never the run id: the new path's clean-up removes uncommitted files whose names hold it
      filePrefix: `legacy-${randomUUID()}`,
    });
    const schema = arrowSchemaFromIceberg(decl.schema, decl.arrowOptions);
    const builder = new RawBatchBuilder(model, {
      metadataColumns: options.metadataColumns,
      ...(options.mapping === undefined ? {} : { mapping: options.mapping }),
    });
    o.onPhase?.('legacy: writing Parquet');
    async function* batches(): AsyncGenerator<arrow.RecordBatch> {
      for await (const row of liveRows(conn, model)) {
        const b = builder.add(row);
        if (b !== undefined) yield b;
      }
      const last = builder.flush();
      if (last !== undefined) yield last;
    }
    let rows = 0;
    let files: DataFile[];
    try {
      const out = rawConnector.transform(batches(), {
        connector: 'raw',
        options,
        source: options.table,
        model,
        schema,
        now: job.now,
        async *lookup() {},
        report() {},
      });
      for await (const b of out) {
        rows += b.numRows;
        await writer.write(b);
      }
      files = await writer.close();
    } catch (e) {
      await writer.close().catch(() => []);
      throw e;
    }
    const commit = await icebergCommit(o.catalog, job.target.table, files, {
      mode: job.target.mode,
      runId: job.runId,
      ...(job.jobName === undefined ? {} : { jobName: job.jobName }),
      connector: 'raw',
      sourceBackupIds: [...staged.backupIds],
      referenceNow: new Date(job.now * 1000).toISOString(),
      ...(job.asOfMicros === undefined ? {} : { asOf: new Date(job.asOfMicros / 1000).toISOString() }),
      rowCounts: { read: staged.cells, written: rows },
    });
    return {
      runId: job.runId,
      table: job.target.table,
      commit,
      files: files.length,
      bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0),
      rowsWritten: rows,
      cellsStaged: staged.cells,
      sstables: staged.sstables,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await source.close();
    conn.closeSync();
    db.closeSync();
  }
}
