/**
 * `raw`: the like-for-like output — one Iceberg column per CQL column (the CQL → Iceberg mapping,
 * `icebergSchemaFromTable` in ../cql-mapping.ts), optionally `<col>__writetime` (timestamptz, the cell's
 * write time) and `<col>__ttl` (int, seconds) per simple regular/static column, and identity or bucket partitioning on the
 * partition key columns. The raw batches the compactor builds are already in this schema, so the transform
 * only re-labels the metadata columns (the same buffers: no copy).
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { PartitionField } from '../../iceberg-writer/index.js';
import { type IcebergField, icebergSchemaMaxId } from '../../iceberg-writer/index.js';
import type { TableModel } from '../../reader/index.js';
import type { Connector, TargetDecl } from '../connector.js';
import { sortOrderAscending } from '../connector.js';
import { icebergSchemaFromTable } from '../cql-mapping.js';

export const rawOptionsSchema = z
  .object({
    /** The table to move. */
    table: z.string().min(1),
    /** Add `<col>__writetime` and `<col>__ttl` per simple regular/static column. */
    metadataColumns: z.boolean().default(false),
    /** Partitioning on the partition key columns: none, identity, or `{bucket: N}` (bucket[N] of each). */
    partitioning: z
      .union([
        z.literal('none'),
        z.literal('identity'),
        z.object({ bucket: z.number().int().min(1) }).strict(),
      ])
      .default('none'),
    /** CQL → Iceberg mapping options (compactor/arrow/cql-mapping-options.ts). */
    mapping: z.unknown().optional(),
  })
  .strict();

export type RawOptions = z.output<typeof rawOptionsSchema>;

/** The simple regular/static columns that get metadata columns, in the compactor's order. */
function metaColumns(model: TableModel): string[] {
  return model.columns.filter((c) => !c.hidden && !c.complex).map((c) => c.name);
}

export function rawTarget(model: TableModel, o: RawOptions): TargetDecl {
  const mapping = icebergSchemaFromTable(model, o.mapping ?? {});
  const fields: IcebergField[] = [...mapping.schema.fields];
  if (o.metadataColumns) {
    let id = icebergSchemaMaxId(mapping.schema);
    for (const name of metaColumns(model)) {
      fields.push({ id: ++id, name: `${name}__writetime`, required: false, type: 'timestamptz' });
      fields.push({ id: ++id, name: `${name}__ttl`, required: false, type: 'int' });
    }
  }
  const keys = mapping.columns.filter((c) => c.role === 'partition-key');
  const part = o.partitioning;
  const partition: PartitionField[] =
    part === 'none'
      ? []
      : keys.map((c, i) => ({
          'source-id': c.fieldId,
          'field-id': 1000 + i,
          name: part === 'identity' ? c.name : `${c.name}_bucket`,
          transform: part === 'identity' ? 'identity' : `bucket[${part.bucket}]`,
        }));
  const sortOrder = sortOrderAscending(
    mapping.columns
      .filter((c) => c.role === 'partition-key' || c.role === 'clustering')
      .map((c) => c.fieldId),
  );
  return {
    schema: { ...mapping.schema, fields },
    spec: { 'spec-id': 0, fields: partition },
    sortOrder,
    ...(mapping.fixedSizeLists.size === 0
      ? {}
      : { arrowOptions: { fixedSizeLists: mapping.fixedSizeLists } }),
  };
}

const TIMESTAMP = new arrow.TimestampMicrosecond('UTC');

/** Re-labels a raw batch (with `_writetime_<col>` Int64 columns) into the target schema, sharing buffers. */
function relabel(batch: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  const children = batch.data.children.map((d, i) => {
    const f = schema.fields[i];
    if (f === undefined || !(f.type instanceof arrow.Timestamp) || !(d.type instanceof arrow.Int64)) return d;
    return arrow.makeData({
      type: TIMESTAMP,
      offset: d.offset,
      length: d.length,
      nullCount: d.nullCount,
      nullBitmap: d.nullBitmap,
      data: d.values as BigInt64Array,
    });
  });
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

export const rawConnector: Connector<RawOptions> = {
  name: 'raw',
  options: rawOptionsSchema,
  metadataColumns: (o) => o.metadataColumns,
  async sources(ctx) {
    return [{ name: ctx.options.table, role: 'main', tables: [ctx.options.table] }];
  },
  target(models, _sources, o) {
    return rawTarget(models.get(o.table)!, o);
  },
  async *transform(input, ctx) {
    for await (const b of input) yield relabel(b, ctx.schema);
  },
};
