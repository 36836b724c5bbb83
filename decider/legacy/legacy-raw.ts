/**
 * The legacy path for a `raw` job: the table's every cell staged in DuckDB (legacy-stage.ts), reconciled
 * with SQL (legacy-reconcile.ts), the live rows read back in (pk, clustering) order and turned into the
 * raw connector's target batches — the same schema as the new path's (`rawTarget`), like for like.
 *
 * Shared with the new path: the Arrow encoding of live values (RawBatchBuilder, fed with rows this path
 * reconciled) and the raw connector's column mapping. NOT shared: merging, tombstones, TTLs, row liveness.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import type { LiveRow } from '../../compactor/index.js';
import { RawBatchBuilder } from '../../compactor/index.js';
import { type RawOptions, rawConnector, rawTarget } from '../../connectors/index.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/index.js';
import type { TableModel } from '../../reader/index.js';
import { CELL_EXPIRING, type Cell, NO_DELETION_TIME } from '../../reader/index.js';
import { type LegacyPrepared, type LegacyPrepareInput, legacyAbortCheck } from './legacy-prepared.js';
import { LIVE_ROWS_SQL, LIVE_STATIC_SQL, legacyReconcileSql } from './legacy-reconcile.js';
import { legacyStage, STAGING_DDL } from './legacy-stage.js';
import { clusteringUnframe } from './sort-key.js';

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

/** Stages and reconciles the raw job's table; the batches are the raw connector's target rows. */
export async function legacyRawPrepare(i: LegacyPrepareInput, options: RawOptions): Promise<LegacyPrepared> {
  const { conn } = i;
  for (const ddl of STAGING_DDL) await conn.run(ddl);
  i.onPhase?.('legacy: loading every cell into the DuckDB staging table');
  const staged = await legacyStage(i.source, conn, { ...i.stage, table: options.table });
  i.onPhase?.(`legacy: ${staged.cells} cells of ${staged.sstables} SSTables staged; reconciling with SQL`);
  for (const sql of legacyReconcileSql(i.now)) {
    legacyAbortCheck(i.signal);
    await conn.run(sql);
  }
  const model = staged.model;
  const decl = rawTarget(model, options);
  const schema = arrowSchemaFromIceberg(decl.schema, decl.arrowOptions);
  const builder = new RawBatchBuilder(model, {
    metadataColumns: options.metadataColumns,
    ...(options.mapping === undefined ? {} : { mapping: options.mapping }),
  });
  async function* rawBatches(): AsyncGenerator<arrow.RecordBatch> {
    for await (const row of liveRows(conn, model)) {
      const b = builder.add(row);
      if (b !== undefined) yield b;
    }
    const last = builder.flush();
    if (last !== undefined) yield last;
  }
  return {
    connector: 'raw',
    decl,
    batches: rawConnector.transform(rawBatches(), {
      connector: 'raw',
      options,
      source: options.table,
      model,
      schema,
      now: i.now,
      async *lookup() {},
      report() {},
    }),
    cells: staged.cells,
    sstables: staged.sstables,
    backupIds: staged.backupIds,
    issues: {},
  };
}
