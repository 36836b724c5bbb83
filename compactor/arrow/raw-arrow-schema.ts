/**
 * CQL → Arrow: the schema of the raw batches the compactor builds — one field per visible CQL column in
 * CQL order (partition key, clustering, static, regular), keys non-null. Every field, nested ones too,
 * carries a field id as `PARQUET:field_id` metadata: top-level columns 1…n, then nested ids in the order
 * the types are walked. The ids and the nullability are what the Iceberg schema of the table is derived
 * from (connectors/cql-mapping.ts), so the batches and the table agree by construction.
 *
 * Type choices follow the Iceberg spec's Parquet table for the mapped type: integers → Int32/Int64,
 * varint → Decimal128(38, 0) or Utf8, decimal → Utf8 or a fixed Decimal128(p, s), text/ascii/inet → Utf8,
 * blob → Binary, uuid/timeuuid → FixedSizeBinary(16), timestamp → Timestamp(µs, UTC), date → DateDay,
 * time → Time64(µs), duration → struct<months, days, nanos>, list/set → List, vector → List (or
 * FixedSizeList, by option) of non-null elements, map → Map, tuple/UDT → Struct, custom → Binary.
 */
import * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';
import type { CqlType, TableModel } from '../../reader/index.js';
import { cqlMappingOptionsResolve, type ResolvedCqlMappingOptions } from './cql-mapping-options.js';

/** Arrow field metadata key read by Parquet writers (arrow-rs, pyarrow) for the Parquet field id. */
const FIELD_ID_KEY = 'PARQUET:field_id';

/** One CQL column of the raw batches. */
export interface RawColumn {
  readonly name: string;
  readonly fieldId: number;
  readonly role: 'partition-key' | 'clustering' | 'static' | 'regular';
  readonly cqlType: CqlType;
  /** The column's Arrow field (non-null for keys), its id in the metadata. */
  readonly field: arrow.Field;
  /** Set when a vector column is laid out as an Arrow FixedSizeList of this dimension. */
  readonly fixedSizeList?: number;
}

export interface RawArrowSchema {
  /** The CQL columns' fields, in column order (no metadata columns). */
  readonly schema: arrow.Schema;
  readonly columns: readonly RawColumn[];
}

/** Allocates nested field ids. */
interface IdAllocator {
  next(): number;
}

const idMeta = (id: number): Map<string, string> => new Map([[FIELD_ID_KEY, String(id)]]);

function idField(name: string, type: arrow.DataType, nullable: boolean, id: number): arrow.Field {
  return new arrow.Field(name, type, nullable, idMeta(id));
}

/** The Arrow type of a native CQL type under the mapping options. */
function arrowTypeFromNative(
  name: Extract<CqlType, { kind: 'native' }>['name'],
  options: ResolvedCqlMappingOptions,
  ids: IdAllocator,
): arrow.DataType {
  switch (name) {
    case 'int':
    case 'smallint':
    case 'tinyint':
      return new arrow.Int32();
    case 'bigint':
    case 'counter':
      return new arrow.Int64();
    case 'varint':
      return options.varint === 'decimal' ? new arrow.Decimal(0, 38, 128) : new arrow.Utf8();
    case 'decimal':
      return options.decimal === 'string'
        ? new arrow.Utf8()
        : new arrow.Decimal(options.decimal.scale, options.decimal.precision, 128);
    case 'float':
      return new arrow.Float32();
    case 'double':
      return new arrow.Float64();
    case 'boolean':
      return new arrow.Bool();
    case 'text':
    case 'ascii':
    case 'inet':
      return new arrow.Utf8();
    case 'blob':
    case 'empty':
      return new arrow.Binary();
    case 'uuid':
    case 'timeuuid':
      return new arrow.FixedSizeBinary(16);
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
    case 'date':
      return new arrow.DateDay();
    case 'time':
      return new arrow.TimeMicrosecond();
    case 'duration': {
      const months = ids.next();
      const days = ids.next();
      const nanos = ids.next();
      return new arrow.Struct([
        idField('months', new arrow.Int32(), false, months),
        idField('days', new arrow.Int32(), false, days),
        idField('nanos', new arrow.Int64(), false, nanos),
      ]);
    }
  }
}

/**
 * The Arrow type of a CQL type, taking nested ids from `ids` (each container takes its own ids before
 * its children's). `column` names the column in errors; `fixedSizeList` lays a vector out as a
 * FixedSizeList. A `reversed` clustering type maps like its inner type.
 */
function arrowTypeFromCql(
  type: CqlType,
  options: ResolvedCqlMappingOptions,
  ids: IdAllocator,
  column: string,
  fixedSizeList = false,
): arrow.DataType {
  switch (type.kind) {
    case 'native':
      return arrowTypeFromNative(type.name, options, ids);
    case 'list':
    case 'set': {
      const id = ids.next();
      return new arrow.List(
        idField('element', arrowTypeFromCql(type.element, options, ids, column), true, id),
      );
    }
    case 'vector': {
      const id = ids.next();
      const element = idField('element', arrowTypeFromCql(type.element, options, ids, column), false, id);
      return fixedSizeList ? new arrow.FixedSizeList(type.dimension, element) : new arrow.List(element);
    }
    case 'map': {
      const keyId = ids.next();
      const valueId = ids.next();
      const key = idField('key', arrowTypeFromCql(type.key, options, ids, column), false, keyId);
      const value = idField('value', arrowTypeFromCql(type.value, options, ids, column), true, valueId);
      return new arrow.Map_(
        new arrow.Field('key_value', new arrow.Struct([key, value]), false) as arrow.Field<
          arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>
        >,
      );
    }
    case 'tuple': {
      const fieldIds = type.elements.map(() => ids.next());
      return new arrow.Struct(
        type.elements.map((e, i) =>
          idField(`f${i}`, arrowTypeFromCql(e, options, ids, column), true, fieldIds[i]!),
        ),
      );
    }
    case 'udt': {
      const fieldIds = type.fieldNames.map(() => ids.next());
      return new arrow.Struct(
        type.fieldNames.map((n, i) =>
          idField(n, arrowTypeFromCql(type.fieldTypes[i]!, options, ids, column), true, fieldIds[i]!),
        ),
      );
    }
    case 'reversed':
      return arrowTypeFromCql(type.inner, options, ids, column, fixedSizeList);
    case 'custom':
      return new arrow.Binary();
    case 'composite':
      break;
  }
  throw new DatamoveError(
    'FeatureUnsupported',
    `iceberg: column ${column}: CQL type ${type.kind} has no Iceberg mapping`,
    { context: { column } },
  );
}

/**
 * The raw Arrow schema of a Cassandra table: every visible column, keys non-null, ids fresh. Hidden
 * columns (compact-storage placeholders, dropped columns) are left out. `mappingOptions` are validated
 * (cql-mapping-options.ts).
 */
export function rawArrowSchema(model: TableModel, mappingOptions: unknown = {}): RawArrowSchema {
  const options = cqlMappingOptionsResolve(mappingOptions);
  const cols: { name: string; type: CqlType; role: RawColumn['role'] }[] = [
    ...model.partitionKey.map((c) => ({ name: c.name, type: c.type, role: 'partition-key' as const })),
    ...model.clustering.map((c) => ({ name: c.name, type: c.type, role: 'clustering' as const })),
    ...model.columns.filter((c) => !c.hidden).map((c) => ({ name: c.name, type: c.type, role: c.kind })),
  ];
  let nextId = cols.length + 1;
  const ids: IdAllocator = { next: () => nextId++ };
  const columns: RawColumn[] = cols.map((c, i) => {
    const id = i + 1;
    const inner = c.type.kind === 'reversed' ? c.type.inner : c.type;
    const fsl = inner.kind === 'vector' && options.vector === 'fixed-size-list' ? inner.dimension : undefined;
    const type = arrowTypeFromCql(c.type, options, ids, c.name, fsl !== undefined);
    const key = c.role === 'partition-key' || c.role === 'clustering';
    return {
      name: c.name,
      fieldId: id,
      role: c.role,
      cqlType: c.type,
      field: idField(c.name, type, !key, id),
      ...(fsl === undefined ? {} : { fixedSizeList: fsl }),
    };
  });
  return { schema: new arrow.Schema(columns.map((c) => c.field)), columns };
}
