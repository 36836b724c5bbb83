/**
 * CQL → Iceberg, where the two meet: the Iceberg schema of a Cassandra table, derived from the raw Arrow
 * schema the compactor builds its batches in (compactor/arrow/raw-arrow-schema.ts) — field ids,
 * names, nullability and types — so the table and the batches cannot disagree. Keys are required and
 * become identifier fields when the spec allows it (format/spec.md "Identifier Field IDs"). The table
 * of the mapping is in iceberg-writer/README.md.
 */
import * as arrow from 'apache-arrow';
import type { RawColumn } from '../compactor/index.js';
import { rawArrowSchema } from '../compactor/index.js';
import { DatamoveError } from '../core/index.js';
import {
  type IcebergField,
  type IcebergSchema,
  type IcebergType,
  icebergDecimal,
} from '../iceberg-writer/index.js';
import type { CqlType, TableModel } from '../reader/index.js';

/** How one CQL column landed in the Iceberg schema. */
export interface CqlColumnMapping {
  readonly name: string;
  readonly fieldId: number;
  readonly role: RawColumn['role'];
  readonly cqlType: CqlType;
  readonly icebergType: IcebergType;
  /** Set when a vector column should be laid out as an Arrow FixedSizeList of this dimension. */
  readonly fixedSizeList?: number;
}

export interface CqlTableMapping {
  readonly schema: IcebergSchema;
  readonly columns: readonly CqlColumnMapping[];
  /** Field ids laid out as Arrow FixedSizeList (vectors with `vector: 'fixed-size-list'`). */
  readonly fixedSizeLists: ReadonlyMap<number, number>;
}

function fieldId(f: arrow.Field, column: string): number {
  const id = Number(f.metadata.get('PARQUET:field_id'));
  if (!Number.isInteger(id)) {
    throw new DatamoveError(
      'Unexpected',
      `connectors: column ${column}: Arrow field ${f.name} has no field id`,
      {
        context: { column, field: f.name },
      },
    );
  }
  return id;
}

/**
 * The Iceberg type of a field of the raw Arrow schema. The raw schema has no Iceberg `fixed` type, so a
 * FixedSizeBinary(16) is a uuid; a FixedSizeList is a list.
 */
export function icebergTypeFromArrow(type: arrow.DataType, column: string): IcebergType {
  if (arrow.DataType.isBool(type)) return 'boolean';
  if (arrow.DataType.isInt(type) && type.bitWidth === 32) return 'int';
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) return 'long';
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.SINGLE ? 'float' : 'double';
  if (arrow.DataType.isDecimal(type)) return icebergDecimal(type.precision, type.scale);
  if (arrow.DataType.isUtf8(type)) return 'string';
  if (arrow.DataType.isBinary(type)) return 'binary';
  if (arrow.DataType.isFixedSizeBinary(type) && type.byteWidth === 16) return 'uuid';
  if (arrow.DataType.isDate(type) && type.unit === arrow.DateUnit.DAY) return 'date';
  if (arrow.DataType.isTime(type) && type.unit === arrow.TimeUnit.MICROSECOND) return 'time';
  if (arrow.DataType.isTimestamp(type) && type.unit === arrow.TimeUnit.MICROSECOND) {
    return type.timezone ? 'timestamptz' : 'timestamp';
  }
  if (arrow.DataType.isStruct(type)) {
    return {
      type: 'struct',
      fields: type.children.map((f) => ({
        id: fieldId(f, column),
        name: f.name,
        required: !f.nullable,
        type: icebergTypeFromArrow(f.type, column),
      })),
    };
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) {
    const e = type.children[0]!;
    return {
      type: 'list',
      'element-id': fieldId(e, column),
      element: icebergTypeFromArrow(e.type, column),
      'element-required': !e.nullable,
    };
  }
  if (arrow.DataType.isMap(type)) {
    const [k, v] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    return {
      type: 'map',
      'key-id': fieldId(k, column),
      key: icebergTypeFromArrow(k.type, column),
      'value-id': fieldId(v, column),
      value: icebergTypeFromArrow(v.type, column),
      'value-required': !v.nullable,
    };
  }
  throw new DatamoveError(
    'Unexpected',
    `connectors: column ${column}: Arrow type ${type} has no Iceberg type`,
    {
      context: { column },
    },
  );
}

const IDENTIFIER_OK = new Set([
  'int',
  'long',
  'string',
  'uuid',
  'date',
  'time',
  'timestamptz',
  'boolean',
  'binary',
]);

/**
 * The Iceberg schema of a Cassandra table: every visible column, keys required, ids fresh. Hidden columns
 * (compact-storage placeholders, dropped columns) are left out. `mappingOptions`: CqlMappingOptions.
 */
export function icebergSchemaFromTable(model: TableModel, mappingOptions: unknown = {}): CqlTableMapping {
  const raw = rawArrowSchema(model, mappingOptions);
  const fields: IcebergField[] = [];
  const columns: CqlColumnMapping[] = [];
  const fixedSizeLists = new Map<number, number>();
  for (const c of raw.columns) {
    const type = icebergTypeFromArrow(c.field.type, c.name);
    fields.push({ id: c.fieldId, name: c.name, required: !c.field.nullable, type });
    if (c.fixedSizeList !== undefined) fixedSizeLists.set(c.fieldId, c.fixedSizeList);
    columns.push({
      name: c.name,
      fieldId: c.fieldId,
      role: c.role,
      cqlType: c.cqlType,
      icebergType: type,
      ...(c.fixedSizeList === undefined ? {} : { fixedSizeList: c.fixedSizeList }),
    });
  }
  const keyFields = fields.filter(
    (_, i) => columns[i]!.role === 'partition-key' || columns[i]!.role === 'clustering',
  );
  const identifierOk = keyFields.every((f) => typeof f.type === 'string' && IDENTIFIER_OK.has(f.type));
  const schema: IcebergSchema = {
    type: 'struct',
    'schema-id': 0,
    fields,
    ...(identifierOk && keyFields.length > 0 ? { 'identifier-field-ids': keyFields.map((f) => f.id) } : {}),
  };
  return { schema, columns, fixedSizeLists };
}
