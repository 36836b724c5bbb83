/**
 * The legacy path for a `kv` job (connectors/kv/README.md), in the style of the engine it replaces: each of
 * the abstraction's two tables — `<t>_chunks`, then `<t>` — has its every cell staged in DuckDB
 * (legacy-stage.ts) and reconciled with the same SQL as a raw job (legacy-reconcile.ts: latest timestamp per
 * cell, tombstones, TTLs against the job's reference time). Post-processing as that engine bolted it on:
 * the live items are joined with their live chunks in SQL (the chunk table's composite partition key
 * `(id, key)` rebuilt from the item's id and key), ordered by item and chunk, and reassembled in JS; values
 * are decompressed as `value_metadata` says, sizes checked, and an item that cannot be rebuilt (missing chunk,
 * size mismatch, unreadable metadata or value) is counted and skipped, never written truncated. The output
 * is the kv connector's declared target (same schema, spec, sort order, key/value-as-string options).
 *
 * Shared with the new path: the codecs of `value_metadata` (connectors/codec/value-metadata.ts — decoding a
 * documented format), the Arrow column builders, and the kv connector's target declaration. NOT shared: the
 * merge, deletions, TTLs, the item/chunk join and the reassembly rules.
 *
 * The chunks table is staged and reconciled on its own connection (the reconciliation's temporary tables are
 * per connection), its live chunks kept as `legacy_kv_chunks`, its staging tables dropped; then the items
 * table is staged on the job's connection. Memory grows with the data, by design.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import type { IssueSummary } from '../../connectors/index.js';
import {
  type Int64Column,
  type KvOptions,
  keyedKey,
  kvConnector,
  type OutColumn,
  outBatch,
  outColumns,
  type ValueMetadata,
  type VarColumn,
  valueDecode,
  valueMetadataParse,
} from '../../connectors/index.js';
import { DatamoveError } from '../../core/index.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/index.js';
import type { CqlType, TableModel } from '../../reader/index.js';
import {
  type LegacyPrepared,
  type LegacyPrepareInput,
  legacyAbortCheck,
  legacyInterruptOn,
  legacyIssueAdd,
} from './legacy-prepared.js';
import { legacyReconcileSql } from './legacy-reconcile.js';
import { legacyStage, STAGING_DDL, STAGING_TABLES, type StageResult } from './legacy-stage.js';

/** A batch is cut past this many bytes of values (as the kv connector does). */
const BATCH_BYTES = 8 << 20;

const isType = (t: CqlType, name: string): boolean => t.kind === 'native' && t.name === name;

/** The index of a regular column of the Key-Value model, checked against the README's schema. */
function columnOf(model: TableModel, name: string, type: string): number {
  const i = model.columns.findIndex((c) => c.name === name && !c.hidden);
  if (i < 0 || !isType(model.columns[i]!.type, type) || model.columns[i]!.complex)
    throw new DatamoveError(
      'DataInvalid',
      `legacy: ${model.keyspace}.${model.name} is not the Key-Value model (connectors/kv/README.md): expected a column ${name} ${type}`,
      { context: { table: `${model.keyspace}.${model.name}`, column: name } },
    );
  return i;
}

function keysCheck(
  model: TableModel,
  partition: readonly string[],
  clustering: readonly [string, string],
): void {
  const pk = model.partitionKey.map((k) => k.name);
  const ck = model.clustering;
  if (
    pk.join(',') !== partition.join(',') ||
    ck.length !== 1 ||
    ck[0]!.name !== clustering[0] ||
    !isType(ck[0]!.type, clustering[1])
  )
    throw new DatamoveError(
      'DataInvalid',
      `legacy: ${model.keyspace}.${model.name} is not the Key-Value model (connectors/kv/README.md): expected PRIMARY KEY ((${partition.join(', ')}), ${clustering[0]}) with ${clustering[0]} ${clustering[1]}`,
      { context: { table: `${model.keyspace}.${model.name}` } },
    );
}

/** Stages and reconciles one table on `conn` (which then holds the reconciliation's `live` / `live_rows`). */
async function stageAndReconcile(
  i: LegacyPrepareInput,
  conn: DuckDBConnection,
  table: string,
): Promise<StageResult> {
  legacyAbortCheck(i.signal);
  for (const ddl of STAGING_DDL) await conn.run(ddl);
  i.onPhase?.(`legacy: loading every cell of ${i.stage.keyspace}.${table} into the DuckDB staging table`);
  const staged = await legacyStage(i.source, conn, { ...i.stage, table });
  i.onPhase?.(
    `legacy: ${table}: ${staged.cells} cells of ${staged.sstables} SSTables staged; reconciling with SQL`,
  );
  for (const sql of legacyReconcileSql(i.now)) {
    legacyAbortCheck(i.signal);
    await conn.run(sql);
  }
  return staged;
}

/** The 4-byte big-endian int of a one-int clustering's frame (flag, u32 length, value), signed. */
const CHUNK_OF_CKV = `(CASE WHEN ('0x' || substr(hex(r.ckv), 11))::BIGINT >= 2147483648
  THEN ('0x' || substr(hex(r.ckv), 11))::BIGINT - 4294967296
  ELSE ('0x' || substr(hex(r.ckv), 11))::BIGINT END)`;

/** A one-blob clustering's value: the frame without its flag byte and u32 length. */
const KEY_OF_CKV = 'unhex(substr(hex(r.ckv), 11))';

/** The chunks table's partition key for an item: CompositeType (u16 length, bytes, 0x00 per component). */
const CHUNK_PK_OF_ITEM = `(unhex(printf('%04x', octet_length(id))) || id || '\\x00'::BLOB
  || unhex(printf('%04x', octet_length(key))) || key || '\\x00'::BLOB)`;

function bytesOf(v: DuckDBValue | undefined): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return (v as { bytes: Uint8Array }).bytes;
}

function numOf(v: DuckDBValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

const utf8 = new TextDecoder();

/** One joined item: its live cells and its live chunks in chunk order (none for an inline item). */
interface JoinedItem {
  readonly id: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly valueTs: number | null;
  readonly meta: Uint8Array | null;
  readonly metaTs: number | null;
  readonly chunks: { n: number; data: Uint8Array }[];
}

/** The live items joined with their live chunks, one item at a time, in (id, key) order. */
async function* joinedItems(conn: DuckDBConnection): AsyncGenerator<JoinedItem> {
  const result = await conn.stream(`
    SELECT i.id, i.key, i.value, i.value_ts, i.meta, i.meta_ts, c.chunk, c.data
    FROM legacy_kv_items i
    LEFT JOIN legacy_kv_chunks c ON i.value IS NULL AND c.pk = i.chunk_pk
    ORDER BY i.id, i.ck, c.chunk`);
  let current: JoinedItem | undefined;
  for await (const rows of result.yieldRows()) {
    for (const r of rows) {
      const id = bytesOf(r[0])!;
      const key = bytesOf(r[1])!;
      if (current === undefined || !sameBytes(current.id, id) || !sameBytes(current.key, key)) {
        if (current !== undefined) yield current;
        current = {
          id,
          key,
          value: bytesOf(r[2]),
          valueTs: numOf(r[3]),
          meta: bytesOf(r[4]),
          metaTs: numOf(r[5]),
          chunks: [],
        };
      }
      const n = numOf(r[6]);
      const data = bytesOf(r[7]);
      if (n !== null && data !== null) current.chunks.push({ n, data });
    }
  }
  if (current !== undefined) yield current;
}

/**
 * The item's value as the abstraction defines it, or the kind of problem that makes it unrecoverable;
 * `undefined`: no item at all (no value and not chunked — a value expired under a live row marker).
 */
function itemValue(
  it: JoinedItem,
): { bytes: Uint8Array; meta: ValueMetadata; time: number | null } | { problem: string } | undefined {
  let meta: ValueMetadata;
  try {
    meta = valueMetadataParse(it.meta);
  } catch {
    return { problem: 'bad-metadata' };
  }
  let stored = it.value;
  let time = it.valueTs;
  if (stored === null) {
    if (meta.chunks === undefined) return undefined;
    time = it.metaTs;
    // chunks arrive ordered by number: each of 0 … chunks-1 must be there, later ones are not the item's
    const parts: Uint8Array[] = [];
    for (const c of it.chunks) {
      if (c.n < 0 || c.n >= meta.chunks) continue;
      if (c.n !== parts.length) return { problem: 'missing-chunk' };
      parts.push(c.data);
    }
    if (parts.length !== meta.chunks) return { problem: 'missing-chunk' };
    stored = new Uint8Array(Buffer.concat(parts));
  }
  const bytes = valueDecode(meta, stored);
  return typeof bytes === 'string' ? { problem: bytes } : { bytes, meta, time };
}

/** Stages and reconciles both tables of a kv job; the batches are the kv connector's target rows. */
export async function legacyKvPrepare(i: LegacyPrepareInput, options: KvOptions): Promise<LegacyPrepared> {
  const t = options.table;
  const chunksTable = `${t}_chunks`;
  const ks = i.stage.keyspace;
  const models = new Map<string, TableModel>();
  let cells = 0;
  let sstables = 0;
  const backupIds = new Set<string>();

  // 1. the chunks table, on its own connection; its live chunks kept, its staging tables dropped
  const cc = await i.db.connect();
  const unlisten = legacyInterruptOn(i.signal, cc);
  let hasChunks = true;
  try {
    let staged: StageResult | undefined;
    try {
      staged = await stageAndReconcile(i, cc, chunksTable);
    } catch (e) {
      // like the kv connector: no chunks table, no chunks (every chunked item is then reported missing)
      if (!(e instanceof DatamoveError && e.kind === 'NotFound' && e.context.table === chunksTable)) throw e;
      hasChunks = false;
    }
    if (staged !== undefined) {
      const m = staged.model;
      keysCheck(m, ['id', 'key'], ['chunk', 'int']);
      const dataCol = columnOf(m, 'data', 'blob');
      models.set(chunksTable, m);
      cells += staged.cells;
      sstables += staged.sstables;
      for (const b of staged.backupIds) backupIds.add(b);
      await cc.run(`CREATE TABLE legacy_kv_chunks AS
        SELECT r.pk, ${CHUNK_OF_CKV} AS chunk, l.value AS data
        FROM live_rows r JOIN live l ON l.pk = r.pk AND l.ck = r.ck AND l.col = ${dataCol}`);
    } else await cc.run('CREATE TABLE legacy_kv_chunks (pk BLOB, chunk BIGINT, data BLOB)');
    for (const s of STAGING_TABLES) await cc.run(`DROP TABLE IF EXISTS ${s}`);
  } finally {
    unlisten();
    cc.closeSync();
  }

  // 2. the items table, on the job's connection
  const conn = i.conn;
  const staged = await stageAndReconcile(i, conn, t);
  const m = staged.model;
  keysCheck(m, ['id'], ['key', 'blob']);
  if (!isType(m.partitionKey[0]!.type, 'text'))
    throw new DatamoveError(
      'DataInvalid',
      `legacy: ${ks}.${t} is not the Key-Value model (connectors/kv/README.md): expected id text`,
      { context: { table: `${ks}.${t}`, column: 'id' } },
    );
  const valueCol = columnOf(m, 'value', 'blob');
  const metaCol = columnOf(m, 'value_metadata', 'blob');
  models.set(t, m);
  cells += staged.cells;
  sstables += staged.sstables;
  for (const b of staged.backupIds) backupIds.add(b);
  await conn.run(`CREATE TEMP TABLE legacy_kv_items AS
    SELECT *, ${CHUNK_PK_OF_ITEM} AS chunk_pk FROM (
      SELECT r.pk AS id, r.ck, ${KEY_OF_CKV} AS key,
        v.value AS value, v.ts AS value_ts, x.value AS meta, x.ts AS meta_ts
      FROM live_rows r
      LEFT JOIN live v ON v.pk = r.pk AND v.ck = r.ck AND v.col = ${valueCol}
      LEFT JOIN live x ON x.pk = r.pk AND x.ck = r.ck AND x.col = ${metaCol})`);
  i.onPhase?.('legacy: joining items with their chunks in SQL; reassembling and decompressing');

  // 3. the target: exactly the kv connector's declaration
  const sources = await kvConnector.sources({
    keyspace: ks,
    options,
    tables: hasChunks ? [t, chunksTable] : [t],
    readTable: () =>
      Promise.reject(
        new DatamoveError('FeatureUnsupported', 'legacy: the kv connector reads no control table'),
      ),
  });
  const decl = kvConnector.target(models, sources, options);
  const schema = arrowSchemaFromIceberg(decl.schema, decl.arrowOptions);
  const issues: IssueSummary = {};

  async function* batches(): AsyncGenerator<arrow.RecordBatch> {
    const cols = outColumns(schema);
    const col = (name: string): OutColumn => cols[schema.fields.findIndex((f) => f.name === name)]!;
    const id = col('id') as VarColumn;
    const key = col('key') as VarColumn;
    const value = col('value') as VarColumn;
    const contentType = col('content_type') as VarColumn;
    const size = col('size') as Int64Column;
    const writeTime = col('write_time') as Int64Column;
    let rows = 0;
    for await (const it of joinedItems(conn)) {
      legacyAbortCheck(i.signal);
      const v = itemValue(it);
      if (v === undefined) continue;
      if ('problem' in v) {
        legacyIssueAdd(issues, v.problem, `${utf8.decode(it.id)}/${keyedKey([it.key])}`);
        continue;
      }
      // key/value as string (keyAs/valueAs): the same bytes in a Utf8 column
      id.appendBytes(it.id);
      key.appendBytes(it.key);
      value.appendBytes(v.bytes);
      contentType.appendString(v.meta.contentType ?? null);
      size.append(v.bytes.length);
      writeTime.append(v.time);
      rows++;
      if (rows >= options.batchRows || value.bytes >= BATCH_BYTES) {
        yield outBatch(schema, cols, rows);
        rows = 0;
      }
    }
    if (rows > 0) yield outBatch(schema, cols, rows);
  }

  return {
    connector: 'kv',
    decl,
    batches: batches(),
    cells,
    sstables,
    backupIds: [...backupIds],
    issues,
  };
}
