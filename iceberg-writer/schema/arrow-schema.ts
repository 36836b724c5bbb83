/**
 * The Arrow schema producers must build batches in for a given Iceberg schema. Every field, nested ones
 * included, carries its Iceberg id as the `PARQUET:field_id` metadata key, which the Parquet writer turns
 * into the Parquet `field_id` (format/spec.md "Parquet" appendix: "field IDs must be written").
 *
 * Type choices follow the spec's Parquet table: timestamps are microseconds (UTC-adjusted for
 * timestamptz), time is Time64(µs), uuid is FixedSizeBinary(16), decimals are Decimal128, list elements are
 * named `element` and map entries `key_value { key, value }`.
 */
import * as arrow from 'apache-arrow';
import {
  type IcebergField,
  type IcebergStructType,
  type IcebergType,
  icebergPrimitiveParse,
} from './iceberg-schema.js';

/** Arrow field metadata key read by Parquet writers (arrow-rs, pyarrow) for the Parquet field id. */
export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id';

export interface ArrowSchemaOptions {
  /** Field ids of list fields to lay out as FixedSizeList of the given size (CQL vectors). */
  readonly fixedSizeLists?: ReadonlyMap<number, number>;
}

const idMeta = (id: number): Map<string, string> => new Map([[PARQUET_FIELD_ID_KEY, String(id)]]);

/** Arrow data type of an Iceberg type. */
export function arrowTypeFromIceberg(
  type: IcebergType,
  options: ArrowSchemaOptions = {},
  fieldId?: number,
): arrow.DataType {
  if (typeof type === 'string') {
    const p = icebergPrimitiveParse(type);
    switch (p.name) {
      case 'boolean':
        return new arrow.Bool();
      case 'int':
        return new arrow.Int32();
      case 'long':
        return new arrow.Int64();
      case 'float':
        return new arrow.Float32();
      case 'double':
        return new arrow.Float64();
      case 'date':
        return new arrow.DateDay();
      case 'time':
        return new arrow.TimeMicrosecond();
      case 'timestamp':
        return new arrow.TimestampMicrosecond();
      case 'timestamptz':
        return new arrow.TimestampMicrosecond('UTC');
      case 'string':
        return new arrow.Utf8();
      case 'uuid':
        return new arrow.FixedSizeBinary(16);
      case 'binary':
        return new arrow.Binary();
      case 'decimal':
        return new arrow.Decimal(p.scale, p.precision, 128);
      case 'fixed':
        return new arrow.FixedSizeBinary(p.length);
    }
  }
  switch (type.type) {
    case 'struct':
      return new arrow.Struct(type.fields.map((f) => arrowFieldFromIceberg(f, options)));
    case 'list': {
      const element = new arrow.Field(
        'element',
        arrowTypeFromIceberg(type.element, options, type['element-id']),
        !type['element-required'],
        idMeta(type['element-id']),
      );
      const size = fieldId === undefined ? undefined : options.fixedSizeLists?.get(fieldId);
      return size === undefined ? new arrow.List(element) : new arrow.FixedSizeList(size, element);
    }
    case 'map': {
      const key = new arrow.Field(
        'key',
        arrowTypeFromIceberg(type.key, options, type['key-id']),
        false,
        idMeta(type['key-id']),
      );
      const value = new arrow.Field(
        'value',
        arrowTypeFromIceberg(type.value, options, type['value-id']),
        !type['value-required'],
        idMeta(type['value-id']),
      );
      return new arrow.Map_(
        new arrow.Field('key_value', new arrow.Struct([key, value]), false) as arrow.Field<
          arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>
        >,
      );
    }
  }
}

/** Arrow field of an Iceberg field, with its id in the metadata. */
export function arrowFieldFromIceberg(field: IcebergField, options: ArrowSchemaOptions = {}): arrow.Field {
  return new arrow.Field(
    field.name,
    arrowTypeFromIceberg(field.type, options, field.id),
    !field.required,
    idMeta(field.id),
  );
}

/** Arrow schema of an Iceberg schema: build RecordBatches with exactly this schema. */
export function arrowSchemaFromIceberg(
  schema: IcebergStructType,
  options: ArrowSchemaOptions = {},
): arrow.Schema {
  return new arrow.Schema(schema.fields.map((f) => arrowFieldFromIceberg(f, options)));
}
