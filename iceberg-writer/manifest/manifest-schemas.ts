/**
 * The Avro schemas of manifests and manifest lists, with the spec's field ids (format/spec.md "Manifests"
 * → "Manifest Entry Fields" / "Data File Fields", and "Manifest Lists"), format version 2. Record names
 * (`r2`, `r102`, `k117_v118`, `r508`) follow Iceberg's Java writer, which every engine reads.
 */
import {
  type IcebergSchema,
  type IcebergType,
  icebergPrimitiveParse,
  icebergSchemaIndex,
} from '../schema/iceberg-schema.js';
import { type PartitionSpec, partitionResultType } from '../write/partition-spec.js';

const opt = (name: string, type: unknown, id: number, doc?: string) => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': id,
  ...(doc ? { doc } : {}),
});
const req = (name: string, type: unknown, id: number, doc?: string) => ({
  name,
  type,
  'field-id': id,
  ...(doc ? { doc } : {}),
});
const intMap = (k: number, v: number, value: string) => ({
  type: 'array',
  items: {
    type: 'record',
    name: `k${k}_v${v}`,
    fields: [
      { name: 'key', type: 'int', 'field-id': k },
      { name: 'value', type: value, 'field-id': v },
    ],
  },
  logicalType: 'map',
});

/** Minimal bytes holding a decimal of `precision` digits (spec: decimal as fixed). */
export function decimalFixedSize(precision: number): number {
  let size = 1;
  while (10 ** precision > 2 ** (8 * size - 1)) size++;
  return size;
}

/** Avro schema of an Iceberg primitive for partition tuples (spec Appendix A "Avro"). */
export function avroTypeOfPrimitive(type: string): unknown {
  const p = icebergPrimitiveParse(type);
  switch (p.name) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return p.name;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'uuid':
      return { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${p.length}`, size: p.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${p.precision}_${p.scale}`,
        size: decimalFixedSize(p.precision),
        logicalType: 'decimal',
        precision: p.precision,
        scale: p.scale,
      };
  }
}

/** The Iceberg result type of each partition field of `spec` over `schema`. */
export function partitionFieldTypes(spec: PartitionSpec, schema: IcebergSchema): IcebergType[] {
  const index = icebergSchemaIndex(schema);
  return spec.fields.map((f) => partitionResultType(f.transform, index.get(f['source-id'])!.type));
}

/** Avro schema of a v2 manifest (`manifest_entry`) for a partition spec. */
export function manifestEntryAvroSchema(spec: PartitionSpec, schema: IcebergSchema): object {
  const types = partitionFieldTypes(spec, schema);
  const partition = {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f, i) => opt(f.name, avroTypeOfPrimitive(types[i] as string), f['field-id'])),
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      req('status', 'int', 0),
      opt('snapshot_id', 'long', 1),
      opt('sequence_number', 'long', 3),
      opt('file_sequence_number', 'long', 4),
      req(
        'data_file',
        {
          type: 'record',
          name: 'r2',
          fields: [
            req(
              'content',
              'int',
              134,
              'Contents of the file: 0=data, 1=position deletes, 2=equality deletes',
            ),
            req('file_path', 'string', 100, 'Location URI with FS scheme'),
            req('file_format', 'string', 101, 'File format name: avro, orc, or parquet'),
            req('partition', partition, 102, 'Partition data tuple, schema based on the partition spec'),
            req('record_count', 'long', 103, 'Number of records in the file'),
            req('file_size_in_bytes', 'long', 104, 'Total file size in bytes'),
            opt('column_sizes', intMap(117, 118, 'long'), 108, 'Map of column id to total size on disk'),
            opt(
              'value_counts',
              intMap(119, 120, 'long'),
              109,
              'Map of column id to total count, including null and NaN',
            ),
            opt('null_value_counts', intMap(121, 122, 'long'), 110, 'Map of column id to null value count'),
            opt(
              'nan_value_counts',
              intMap(138, 139, 'long'),
              137,
              'Map of column id to number of NaN values in the column',
            ),
            opt('lower_bounds', intMap(126, 127, 'bytes'), 125, 'Map of column id to lower bound'),
            opt('upper_bounds', intMap(129, 130, 'bytes'), 128, 'Map of column id to upper bound'),
            opt('key_metadata', 'bytes', 131, 'Encryption key metadata blob'),
            opt(
              'split_offsets',
              { type: 'array', items: 'long', 'element-id': 133 },
              132,
              'Splittable offsets',
            ),
            opt(
              'equality_ids',
              { type: 'array', items: 'int', 'element-id': 136 },
              135,
              'Equality comparison field IDs',
            ),
            opt('sort_order_id', 'int', 140, 'Sort order ID'),
          ],
        },
        2,
      ),
    ],
  };
}

/** Avro schema of a v2 manifest list (`manifest_file`). */
export const MANIFEST_LIST_AVRO_SCHEMA: object = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    req('manifest_path', 'string', 500, 'Location URI with FS scheme'),
    req('manifest_length', 'long', 501, 'Total file size in bytes'),
    req('partition_spec_id', 'int', 502, 'Spec ID used to write'),
    req('content', 'int', 517, 'Contents of the manifest: 0=data, 1=deletes'),
    req('sequence_number', 'long', 515, 'Sequence number when the manifest was added'),
    req('min_sequence_number', 'long', 516, 'Lowest sequence number in the manifest'),
    req('added_snapshot_id', 'long', 503, 'Snapshot ID that added the manifest'),
    req('added_files_count', 'int', 504, 'Added entry count'),
    req('existing_files_count', 'int', 505, 'Existing entry count'),
    req('deleted_files_count', 'int', 506, 'Deleted entry count'),
    req('added_rows_count', 'long', 512, 'Added rows count'),
    req('existing_rows_count', 'long', 513, 'Existing rows count'),
    req('deleted_rows_count', 'long', 514, 'Deleted rows count'),
    opt(
      'partitions',
      {
        type: 'array',
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            req('contains_null', 'boolean', 509, 'True if any file has a null partition value'),
            opt('contains_nan', 'boolean', 518, 'True if any file has a nan partition value'),
            opt('lower_bound', 'bytes', 510, 'Partition lower bound for all files'),
            opt('upper_bound', 'bytes', 511, 'Partition upper bound for all files'),
          ],
        },
        'element-id': 508,
      },
      507,
      'Summary for each partition',
    ),
    opt('key_metadata', 'bytes', 519, 'Encryption key metadata blob'),
  ],
};
