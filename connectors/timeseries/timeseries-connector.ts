/**
 * `timeseries`: the Time-Series abstraction (connectors/timeseries/README.md) → one Iceberg table
 * `time_series_id string, event_time timestamptz, event_id string, event_item_key string,
 * event_item_value binary, write_time timestamptz`, partitioned by `day(event_time)`, sorted by
 * `time_series_id, event_time`; one row per event item.
 *
 * The job's window `[from, to)` selects the slice tables `time_slices` says overlap it (a small control
 * table, read on the main thread). Each slice is one main source whose tables are the slice and its
 * `wide_<slice>_<n>` split tables, merged as ONE table by the compactor: the copies share the schema and the
 * partition key, so a copied event is reconciled with its original like two replicas of one row and comes
 * out exactly once (the newest write wins), with no join and no memory beyond the compactor's. Rows outside
 * the window are dropped; values are decompressed per `value_metadata` (a size mismatch is reported and
 * the item skipped). `write_time` is the write time of the `event_item_value` cell.
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { bytesAt, Int64Column, int64At, outBatch, stringAt, VarColumn } from '../arrow/out-columns.js';
import { type ValueProblem, valueDecode, valueMetadataParse } from '../codec/value-metadata.js';
import type { Connector, SourceDecl } from '../connector.js';
import { sortOrderAscending } from '../connector.js';

const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO-8601 time');

export const timeseriesOptionsSchema = z
  .object({
    /** Window start (inclusive), ISO-8601. */
    from: isoTime,
    /** Window end (exclusive), ISO-8601. */
    to: isoTime,
    /** `time_slices.namespace` to read (default: every row of `time_slices`). */
    namespace: z.string().min(1).optional(),
    /** The control table (default `time_slices`). */
    slicesTable: z.string().min(1).default('time_slices'),
    /** Output rows per batch at most. */
    batchRows: z.number().int().min(1).default(8192),
  })
  .strict();

export type TimeseriesOptions = z.output<typeof timeseriesOptionsSchema>;

function col(batch: arrow.RecordBatch, name: string): arrow.Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`source batch has no column ${name}`);
  return batch.data.children[i]!;
}

/** The slice tables of `time_slices` overlapping `[fromMs, toMs)`, with their split tables. */
export function timeseriesSlices(
  slices: readonly arrow.RecordBatch[],
  tables: readonly string[],
  o: TimeseriesOptions,
): SourceDecl[] {
  const fromUs = Date.parse(o.from) * 1000;
  const toUs = Date.parse(o.to) * 1000;
  const out: SourceDecl[] = [];
  for (const b of slices) {
    const ns = col(b, 'namespace');
    const table = col(b, 'slice_table');
    const start = col(b, 'start_time');
    const end = col(b, 'end_time');
    for (let r = 0; r < b.numRows; r++) {
      if (o.namespace !== undefined && stringAt(ns, r) !== o.namespace) continue;
      const name = stringAt(table, r);
      const s = int64At(start, r);
      const e = int64At(end, r);
      if (name === null || s === null) continue;
      if (s >= toUs || (e !== null && e <= fromUs)) continue;
      if (!tables.includes(name)) throw new Error(`time_slices lists ${name}, not in the backup`);
      const splits = tables
        .filter((t) => t.startsWith(`wide_${name}_`) && /^\d+$/.test(t.slice(`wide_${name}_`.length)))
        .sort();
      out.push({ name, role: 'main', tables: [name, ...splits] });
    }
  }
  return out;
}

export const timeseriesConnector: Connector<TimeseriesOptions> = {
  name: 'timeseries',
  options: timeseriesOptionsSchema,
  metadataColumns: () => true,
  async sources(ctx) {
    const o = ctx.options;
    if (!ctx.tables.includes(o.slicesTable))
      throw new Error(`keyspace ${ctx.keyspace} has no table ${o.slicesTable}`);
    return timeseriesSlices(await ctx.readTable(o.slicesTable), ctx.tables, o);
  },
  target() {
    return {
      schema: {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'time_series_id', required: true, type: 'string' },
          { id: 2, name: 'event_time', required: true, type: 'timestamptz' },
          { id: 3, name: 'event_id', required: true, type: 'string' },
          { id: 4, name: 'event_item_key', required: true, type: 'string' },
          { id: 5, name: 'event_item_value', required: false, type: 'binary' },
          { id: 6, name: 'write_time', required: false, type: 'timestamptz' },
        ],
      },
      spec: {
        'spec-id': 0,
        fields: [{ 'source-id': 2, 'field-id': 1000, name: 'event_time_day', transform: 'day' }],
      },
      sortOrder: sortOrderAscending([1, 2]),
    };
  },
  async *transform(input, ctx) {
    const schema = ctx.schema;
    const fromUs = Date.parse(ctx.options.from) * 1000;
    const toUs = Date.parse(ctx.options.to) * 1000;
    const cols = [
      new VarColumn(new arrow.Utf8()),
      new Int64Column(new arrow.TimestampMicrosecond('UTC')),
      new VarColumn(new arrow.Utf8()),
      new VarColumn(new arrow.Utf8()),
      new VarColumn(new arrow.Binary()),
      new Int64Column(new arrow.TimestampMicrosecond('UTC')),
    ] as const;
    const [sid, time, eid, ikey, ival, wtime] = cols;
    let rows = 0;
    for await (const batch of input) {
      const cSid = col(batch, 'time_series_id');
      const cTime = col(batch, 'event_time');
      const cEid = col(batch, 'event_id');
      const cKey = col(batch, 'event_item_key');
      const cVal = col(batch, 'event_item_value');
      const cMeta = col(batch, 'value_metadata');
      const cW = col(batch, '_writetime_event_item_value');
      for (let r = 0; r < batch.numRows; r++) {
        const t = int64At(cTime, r);
        if (t === null || t < fromUs || t >= toUs) continue;
        const item = (): string => `${stringAt(cSid, r)}/${t}/${stringAt(cEid, r)}/${stringAt(cKey, r)}`;
        let bytes = bytesAt(cVal, r);
        if (bytes !== null) {
          let decoded: Uint8Array | ValueProblem;
          try {
            decoded = valueDecode(valueMetadataParse(bytesAt(cMeta, r)), bytes);
          } catch {
            decoded = 'corrupt-value'; // metadata that does not parse
          }
          if (typeof decoded === 'string') {
            ctx.report({ kind: decoded, item: item() });
            continue;
          }
          bytes = decoded;
        }
        sid.appendBytes(bytesAt(cSid, r));
        time.append(t);
        eid.appendBytes(bytesAt(cEid, r));
        ikey.appendBytes(bytesAt(cKey, r));
        ival.appendBytes(bytes);
        wtime.append(int64At(cW, r));
        if (++rows >= ctx.options.batchRows) {
          yield outBatch(schema, cols, rows);
          rows = 0;
        }
      }
    }
    if (rows > 0) yield outBatch(schema, cols, rows);
  },
};
