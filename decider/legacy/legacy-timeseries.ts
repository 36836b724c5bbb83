/**
 * The legacy path for a `timeseries` job (connectors/timeseries/README.md), in the style of the engine it
 * replaces: every table read is staged cell by cell in DuckDB (legacy-stage.ts) and reconciled with the same
 * SQL as a raw job (legacy-reconcile.ts: latest timestamp per cell, tombstones, TTLs against the job's
 * reference time); the abstraction's rules are post-processing bolted on in SQL:
 *
 * 1. `time_slices` (the control table) is staged and reconciled on its own connection; the slice tables
 *    overlapping the job's window `[from, to)` are selected in SQL — `start_time < to` and (no `end_time` or
 *    `end_time > from`), `time_slices.namespace` when the job names one — each with its split tables
 *    `wide_<slice>_<n>` (found by name among the keyspace's tables, n all digits). A selected slice table
 *    missing from the backup fails the job, as on the new path.
 * 2. Each selected slice is staged and reconciled on its own connection, one slice at a time: the slice
 *    table and its split tables into the SAME staging tables, so a copied event and its original are
 *    reconciled cell by cell as one row (the partition and clustering keys are the same bytes), newest write
 *    winning — what the new path does by merging them as one table — and every event comes out once. The
 *    partition and clustering keys are decoded in SQL, the window `[from, to)` applied to `event_time`, the
 *    rows read back in (time_series_id, event_time) order; then the staging tables are dropped, so memory is
 *    bounded by one slice (with its splits), not the job.
 * 3. Values are decompressed as `value_metadata` says (the documented codecs of
 *    connectors/codec/value-metadata.ts); a value that does not decompress or has the wrong size is counted
 *    and skipped. One row per event item, `write_time` = the write time of the `event_item_value` cell.
 *
 * The output is the timeseries connector's declared target (its `target()`: schema, spec, sort order).
 * Cancellation (`signal`): every connection opened here is interrupted when it aborts, and the steps check
 * it between statements, slices and row chunks (legacy-job.ts deletes what was written).
 * Shared with the new path: the option schema, the value codecs, the Arrow column builders and the target
 * declaration. NOT shared: the merge, deletions, TTLs, the slice selection and the split-table dedupe.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import type { IssueSummary, SourceDecl } from '../../connectors/index.js';
import {
  type Int64Column,
  type OutColumn,
  outBatch,
  outColumns,
  type TimeseriesOptions,
  timeseriesConnector,
  type ValueProblem,
  type VarColumn,
  valueDecode,
  valueMetadataParse,
} from '../../connectors/index.js';
import { DatamoveError } from '../../core/index.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/index.js';
import type { CqlType, TableModel } from '../../reader/index.js';
import { backupLayoutResolve, backupSelect } from '../../reader/index.js';
import {
  type LegacyPrepared,
  type LegacyPrepareInput,
  legacyAbortCheck,
  legacyInterruptOn,
  legacyIssueAdd,
} from './legacy-prepared.js';
import { legacyReconcileSql, RECONCILE_TABLES } from './legacy-reconcile.js';
import { legacyStage, STAGING_DDL, STAGING_TABLES, type StageResult } from './legacy-stage.js';

/** A batch is cut past this many bytes of values. */
const BATCH_BYTES = 8 << 20;

const README = 'connectors/timeseries/README.md';

/** A signed big-endian 64-bit integer from 16 hex digits (a CQL timestamp: ms since the epoch). */
const i64OfHex = (h: string): string =>
  `(('0x' || ${h})::UBIGINT::HUGEINT - CASE WHEN ('0x' || ${h})::UBIGINT >= 9223372036854775808
    THEN 18446744073709551616::HUGEINT ELSE 0::HUGEINT END)::BIGINT`;

/** A u32 length of a clustering frame (flag byte, u32 length, bytes) starting at hex position `at`. */
const frameLen = (h: string, at: string): string => `('0x' || substr(${h}, ${at} + 2, 8))::BIGINT`;

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function typeName(t: CqlType): string {
  if (t.kind === 'reversed') return typeName(t.inner);
  return t.kind === 'native' ? t.name : t.kind;
}

/** Fails unless the table has the README's keys and the named regular columns; their column indexes. */
function modelCheck(
  model: TableModel,
  partition: readonly (readonly [string, string])[],
  clustering: readonly (readonly [string, string])[],
  columns: readonly (readonly [string, string])[],
): number[] {
  const table = `${model.keyspace}.${model.name}`;
  const keys = (k: readonly { name: string; type: CqlType }[]) =>
    k.map((c) => `${c.name} ${typeName(c.type)}`).join(', ');
  const want = (k: readonly (readonly [string, string])[]) => k.map(([n, t]) => `${n} ${t}`).join(', ');
  if (keys(model.partitionKey) !== want(partition) || keys(model.clustering) !== want(clustering))
    throw new DatamoveError(
      'DataInvalid',
      `legacy: ${table} is not the Time-Series model (${README}): expected PRIMARY KEY ((${want(partition)}), ${want(clustering)})`,
      { context: { table } },
    );
  return columns.map(([name, type]) => {
    const i = model.columns.findIndex((c) => c.name === name && !c.hidden);
    const c = model.columns[i];
    if (c === undefined || c.complex || c.type.kind !== 'native' || c.type.name !== type)
      throw new DatamoveError(
        'DataInvalid',
        `legacy: ${table} is not the Time-Series model (${README}): expected a column ${name} ${type}`,
        { context: { table, column: name } },
      );
    return i;
  });
}

const SLICE_KEYS = {
  partition: [['namespace', 'text']],
  clustering: [['start_time', 'timestamp']],
  columns: [
    ['slice_table', 'text'],
    ['end_time', 'timestamp'],
  ],
} as const;

const DATA_KEYS = {
  partition: [
    ['time_series_id', 'text'],
    ['time_bucket', 'int'],
    ['event_bucket', 'int'],
  ],
  clustering: [
    ['event_time', 'timestamp'],
    ['event_id', 'text'],
    ['event_item_key', 'text'],
  ],
  columns: [
    ['event_item_value', 'blob'],
    ['value_metadata', 'blob'],
  ],
} as const;

function bytesOf(v: DuckDBValue | undefined): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return (v as { bytes: Uint8Array }).bytes;
}

function numOf(v: DuckDBValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

const utf8 = new TextDecoder();

/** Counters of everything staged, shared by the selection and the slices (read after the batches). */
interface Staged {
  cells: number;
  sstables: number;
  readonly backupIds: Set<string>;
}

function stagedAdd(into: Staged, s: StageResult): void {
  into.cells += s.cells;
  into.sstables += s.sstables;
  for (const b of s.backupIds) into.backupIds.add(b);
}

/** The keyspace's tables in the selected backup, and which of them have data (as the new path plans). */
async function keyspaceTables(i: LegacyPrepareInput): Promise<{ name: string; data: boolean }[]> {
  const layout = await backupLayoutResolve(i.source, i.stage.layout);
  const set = await backupSelect(i.source, layout, {
    ...(i.stage.backupAsOf === undefined ? {} : { asOf: i.stage.backupAsOf }),
    filter: { keyspace: i.stage.keyspace },
    missingAllowed: () => true,
  });
  const data = new Map<string, boolean>();
  for (const n of set.nodes)
    for (const t of n.tables) {
      if (t.keyspace !== i.stage.keyspace) continue;
      data.set(t.table, (data.get(t.table) ?? false) || t.files.some((f) => f.name.endsWith('-Data.db')));
    }
  return [...data].map(([name, d]) => ({ name, data: d }));
}

/**
 * Step 1: `time_slices` staged and reconciled, the overlapping slices and their split tables selected in
 * SQL. Returns the slices in `time_slices` order, each with its tables that hold data (slice first).
 */
async function slicesSelect(
  i: LegacyPrepareInput,
  o: TimeseriesOptions,
  staged: Staged,
): Promise<{ slice: string; tables: string[] }[]> {
  const ks = i.stage.keyspace;
  const tables = await keyspaceTables(i);
  if (!tables.some((t) => t.name === o.slicesTable))
    throw new DatamoveError(
      'NotFound',
      `legacy: keyspace ${ks} has no table ${o.slicesTable} in the backup`,
      {
        context: { keyspace: ks, table: o.slicesTable },
      },
    );
  const conn = await i.db.connect();
  // cancellation interrupts this connection's query too (legacy-job.ts)
  const unlisten = legacyInterruptOn(i.signal, conn);
  try {
    await conn.run('CREATE TEMP TABLE legacy_ts_tables (name VARCHAR, has_data BOOLEAN)');
    const app = await conn.createAppender('legacy_ts_tables');
    for (const t of tables) {
      app.appendVarchar(t.name);
      app.appendBoolean(t.data);
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
    await conn.run(
      'CREATE TEMP TABLE legacy_ts_slices (namespace VARCHAR, slice_table VARCHAR, start_ms BIGINT, end_ms BIGINT)',
    );
    // a control table without any SSTable lists no slice (as on the new path)
    if (tables.find((t) => t.name === o.slicesTable)!.data) {
      for (const ddl of STAGING_DDL) await conn.run(ddl);
      i.onPhase?.(`legacy: loading every cell of ${ks}.${o.slicesTable} into the DuckDB staging table`);
      const s = await legacyStage(i.source, conn, { ...i.stage, table: o.slicesTable });
      stagedAdd(staged, s);
      for (const sql of legacyReconcileSql(i.now)) {
        legacyAbortCheck(i.signal);
        await conn.run(sql);
      }
      const [sliceCol, endCol] = modelCheck(
        s.model,
        SLICE_KEYS.partition,
        SLICE_KEYS.clustering,
        SLICE_KEYS.columns,
      );
      // start_time: the one clustering value (flag, u32 length 8, 8 bytes); end_time: an 8-byte cell
      await conn.run(`INSERT INTO legacy_ts_slices
        SELECT decode(r.pk), decode(n.value),
          CASE WHEN substr(hex(r.ckv), 1, 10) = '0100000008' THEN ${i64OfHex('substr(hex(r.ckv), 11, 16)')} END,
          CASE WHEN octet_length(e.value) = 8 THEN ${i64OfHex('hex(e.value)')} END
        FROM live_rows r
        LEFT JOIN live n ON n.pk = r.pk AND n.ck = r.ck AND n.col = ${sliceCol}
        LEFT JOIN live e ON e.pk = r.pk AND e.ck = r.ck AND e.col = ${endCol}`);
      for (const t of STAGING_TABLES) await conn.run(`DROP TABLE IF EXISTS ${t}`);
    }
    const fromMs = Date.parse(o.from);
    const toMs = Date.parse(o.to);
    await conn.run(`CREATE TEMP TABLE legacy_ts_selected AS
      SELECT slice_table, min(namespace) AS namespace, min(start_ms) AS start_ms FROM legacy_ts_slices
      WHERE slice_table IS NOT NULL AND start_ms IS NOT NULL
        AND ${o.namespace === undefined ? 'TRUE' : `namespace = ${sqlString(o.namespace)}`}
        AND start_ms < ${toMs} AND (end_ms IS NULL OR end_ms > ${fromMs})
      GROUP BY slice_table`);
    const missing = (
      await conn.runAndReadAll(`SELECT s.slice_table FROM legacy_ts_selected s
        WHERE NOT EXISTS (SELECT 1 FROM legacy_ts_tables t WHERE t.name = s.slice_table)
        ORDER BY s.namespace, s.start_ms LIMIT 1`)
    ).getRows();
    if (missing.length > 0)
      throw new DatamoveError(
        'NotFound',
        `legacy: ${ks}.${o.slicesTable} lists ${String(missing[0]![0])}, not in the backup`,
        { context: { keyspace: ks, table: String(missing[0]![0]) } },
      );
    // the slice itself, then its split tables wide_<slice>_<digits>
    const rows = (
      await conn.runAndReadAll(`SELECT s.slice_table, t.name, t.has_data FROM legacy_ts_selected s
        JOIN legacy_ts_tables t ON t.name = s.slice_table
          OR (starts_with(t.name, 'wide_' || s.slice_table || '_')
              AND regexp_full_match(substr(t.name, length(s.slice_table) + 7), '[0-9]+'))
        ORDER BY s.namespace, s.start_ms, s.slice_table, t.name <> s.slice_table, t.name`)
    ).getRows();
    const out: { slice: string; tables: string[] }[] = [];
    for (const [slice, name, data] of rows) {
      if (out.at(-1)?.slice !== slice) out.push({ slice: String(slice), tables: [] });
      if (data === true) out.at(-1)!.tables.push(String(name));
    }
    return out;
  } finally {
    unlisten();
    conn.closeSync();
  }
}

/**
 * Step 2 for one slice, on `conn`: its tables staged into one set of staging tables and reconciled; the
 * window's live event items as `legacy_ts_items`.
 */
async function sliceStage(
  i: LegacyPrepareInput,
  conn: DuckDBConnection,
  slice: { slice: string; tables: readonly string[] },
  o: TimeseriesOptions,
  staged: Staged,
): Promise<void> {
  const ks = i.stage.keyspace;
  for (const ddl of STAGING_DDL) await conn.run(ddl);
  let cols: number[] | undefined;
  for (const table of slice.tables) {
    i.onPhase?.(`legacy: loading every cell of ${ks}.${table} into the DuckDB staging table`);
    const s = await legacyStage(i.source, conn, { ...i.stage, table });
    stagedAdd(staged, s);
    const c = modelCheck(s.model, DATA_KEYS.partition, DATA_KEYS.clustering, DATA_KEYS.columns);
    // the tables of a slice are reconciled as one: the same columns must have the same numbers
    if (cols !== undefined && c.join() !== cols.join())
      throw new DatamoveError(
        'DataInvalid',
        `legacy: ${ks}.${table} does not have the columns of ${ks}.${slice.slice} in the same order; a split table must have the slice's schema`,
        { context: { table: `${ks}.${table}` } },
      );
    cols = c;
  }
  const [valueCol, metaCol] = cols!;
  i.onPhase?.(
    `legacy: ${slice.tables.join(' + ')}: ${staged.cells} cells staged so far; reconciling with SQL`,
  );
  for (const sql of legacyReconcileSql(i.now)) {
    legacyAbortCheck(i.signal);
    await conn.run(sql);
  }
  // keys: the partition key is a CompositeType (u16 length, bytes, 0x00 per component), the clustering
  // a frame per value (flag, u32 length, bytes); positions below are in hex digits, 1-based
  await conn.run(`CREATE TEMP TABLE legacy_ts_items AS
    WITH k0 AS (
      SELECT pk, ck, hex(pk) AS ph, hex(ckv) AS ch FROM live_rows),
    k1 AS (SELECT *, ('0x' || substr(ph, 1, 4))::BIGINT AS lp, ${frameLen('ch', '1')} AS l0 FROM k0),
    k2 AS (SELECT *, ${frameLen('ch', '11 + 2 * l0')} AS l1 FROM k1),
    k3 AS (SELECT *, ${frameLen('ch', '21 + 2 * l0 + 2 * l1')} AS l2 FROM k2),
    k AS (
      SELECT pk, ck,
        unhex(substr(ph, 5, 2 * lp)) AS sid,
        CASE WHEN l0 = 8 THEN ${i64OfHex('substr(ch, 11, 16)')} END AS time_ms,
        unhex(substr(ch, 21 + 2 * l0, 2 * l1)) AS eid,
        unhex(substr(ch, 31 + 2 * l0 + 2 * l1, 2 * l2)) AS ikey
      FROM k3)
    SELECT k.sid, k.time_ms, k.eid, k.ikey, v.value, v.ts AS value_ts, m.value AS meta
    FROM k
    LEFT JOIN live v ON v.pk = k.pk AND v.ck = k.ck AND v.col = ${valueCol}
    LEFT JOIN live m ON m.pk = k.pk AND m.ck = k.ck AND m.col = ${metaCol}
    WHERE k.time_ms >= ${Date.parse(o.from)} AND k.time_ms < ${Date.parse(o.to)}`);
}

/** Drops a slice's staging tables and the reconciliation's, keeping only its event items. */
async function sliceDrop(conn: DuckDBConnection): Promise<void> {
  for (const t of STAGING_TABLES) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  for (const t of RECONCILE_TABLES) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}

/** Selects the slices; the batches stage, reconcile and emit them one slice at a time. */
export async function legacyTimeseriesPrepare(
  i: LegacyPrepareInput,
  options: TimeseriesOptions,
): Promise<LegacyPrepared> {
  const staged: Staged = { cells: 0, sstables: 0, backupIds: new Set() };
  const slices = await slicesSelect(i, options, staged);
  if (slices.length === 0)
    throw new DatamoveError(
      'InvalidArgument',
      `legacy: job.connector.options: ${i.stage.keyspace}.${options.slicesTable} lists no slice table overlapping [${options.from}, ${options.to})${options.namespace === undefined ? '' : ` in namespace ${options.namespace}`}`,
      { context: { field: 'job.connector.options' } },
    );
  i.onPhase?.(
    `legacy: ${slices.length} slice table(s) overlap the window: ${slices.map((s) => s.slice).join(', ')}`,
  );

  // the target: exactly the timeseries connector's declaration
  const sources: SourceDecl[] = slices.map((s) => ({ name: s.slice, role: 'main', tables: s.tables }));
  const decl = timeseriesConnector.target(new Map(), sources, options);
  const schema = arrowSchemaFromIceberg(decl.schema, decl.arrowOptions);
  const issues: IssueSummary = {};

  async function* batches(): AsyncGenerator<arrow.RecordBatch> {
    const cols = outColumns(schema);
    const col = (name: string): OutColumn => cols[schema.fields.findIndex((f) => f.name === name)]!;
    const sid = col('time_series_id') as VarColumn;
    const time = col('event_time') as Int64Column;
    const eid = col('event_id') as VarColumn;
    const ikey = col('event_item_key') as VarColumn;
    const ival = col('event_item_value') as VarColumn;
    const wtime = col('write_time') as Int64Column;
    let rows = 0;
    for (const slice of slices) {
      if (slice.tables.length === 0) continue;
      legacyAbortCheck(i.signal);
      const conn = await i.db.connect();
      const unlisten = legacyInterruptOn(i.signal, conn);
      try {
        await sliceStage(i, conn, slice, options, staged);
        await sliceDrop(conn);
        const result = await conn.stream(
          'SELECT sid, time_ms, eid, ikey, value, value_ts, meta FROM legacy_ts_items ORDER BY sid, time_ms, eid, ikey',
        );
        for await (const chunk of result.yieldRows()) {
          legacyAbortCheck(i.signal);
          for (const r of chunk) {
            const t = numOf(r[1])! * 1000;
            let bytes = bytesOf(r[4]);
            let problem: ValueProblem | undefined;
            if (bytes !== null) {
              let decoded: Uint8Array | ValueProblem;
              try {
                decoded = valueDecode(valueMetadataParse(bytesOf(r[6])), bytes);
              } catch {
                decoded = 'corrupt-value'; // metadata that does not parse
              }
              if (typeof decoded === 'string') problem = decoded;
              else bytes = decoded;
            }
            if (problem !== undefined) {
              const s = (k: number) => utf8.decode(bytesOf(r[k])!);
              legacyIssueAdd(issues, problem, `${s(0)}/${t}/${s(2)}/${s(3)}`);
              continue;
            }
            sid.appendBytes(bytesOf(r[0]));
            time.append(t);
            eid.appendBytes(bytesOf(r[2]));
            ikey.appendBytes(bytesOf(r[3]));
            ival.appendBytes(bytes);
            wtime.append(bytes === null ? null : numOf(r[5]));
            rows++;
            if (rows >= options.batchRows || ival.bytes >= BATCH_BYTES) {
              yield outBatch(schema, cols, rows);
              rows = 0;
            }
          }
        }
      } finally {
        unlisten();
        await sliceDrop(conn).catch(() => undefined);
        conn.closeSync();
      }
    }
    if (rows > 0) yield outBatch(schema, cols, rows);
  }

  // the counters grow while the batches are pulled (each slice is staged when its turn comes)
  return {
    connector: 'timeseries',
    decl,
    batches: batches(),
    get cells() {
      return staged.cells;
    },
    get sstables() {
      return staged.sstables;
    },
    get backupIds() {
      return [...staged.backupIds];
    },
    issues,
  };
}
