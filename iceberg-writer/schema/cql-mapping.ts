/**
 * CQL → Iceberg type mapping (format/spec.md "Primitive Types", "Nested Types"): one pure function over the
 * `CqlType` tree of reader/cql/cql-type.ts, and a table-level function that turns a `TableModel` into an
 * Iceberg schema with fresh field ids (top-level columns first, 1…n, then nested ids), in CQL order:
 * partition key, clustering, static, regular. Key columns are required (clustering columns only when the
 * table has no static column: a partition with only its static row reads with null clustering values) and
 * become identifier fields when the spec allows it. The table of the mapping is in iceberg-writer/README.md.
 */
import { DatamoveError } from '../../core/errors.js';
import type { CqlType } from '../../reader/cql/cql-type.js';
import type { TableModel } from '../../reader/sstable/table-model.js';
import { cqlMappingOptionsResolve, type ResolvedCqlMappingOptions } from './cql-mapping-options.js';
import { type IcebergField, type IcebergSchema, type IcebergType, icebergDecimal } from './iceberg-schema.js';

/** How one CQL column landed in the Iceberg schema. */
export interface CqlColumnMapping {
  readonly name: string;
  readonly fieldId: number;
  readonly role: 'partition-key' | 'clustering' | 'static' | 'regular';
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

/** Allocates nested field ids. */
export interface IdAllocator {
  next(): number;
}

/**
 * Maps one CQL type to an Iceberg type, taking nested ids from `ids`. `column` names the column in
 * errors. A `reversed` clustering type maps like its inner type.
 */
export function icebergTypeFromCql(
  type: CqlType,
  options: ResolvedCqlMappingOptions,
  ids: IdAllocator,
  column: string,
): IcebergType {
  switch (type.kind) {
    case 'native':
      switch (type.name) {
        case 'int':
        case 'smallint':
        case 'tinyint':
          return 'int';
        case 'bigint':
        case 'counter':
          return 'long';
        case 'varint':
          return options.varint === 'decimal' ? icebergDecimal(38, 0) : 'string';
        case 'decimal':
          return options.decimal === 'string'
            ? 'string'
            : icebergDecimal(options.decimal.precision, options.decimal.scale);
        case 'float':
          return 'float';
        case 'double':
          return 'double';
        case 'boolean':
          return 'boolean';
        case 'text':
        case 'ascii':
        case 'inet':
          return 'string';
        case 'blob':
        case 'empty':
          return 'binary';
        case 'uuid':
        case 'timeuuid':
          return 'uuid';
        case 'timestamp':
          return 'timestamptz';
        case 'date':
          return 'date';
        case 'time':
          return 'time';
        case 'duration': {
          const fields: IcebergField[] = [
            { id: ids.next(), name: 'months', required: true, type: 'int' },
            { id: ids.next(), name: 'days', required: true, type: 'int' },
            { id: ids.next(), name: 'nanos', required: true, type: 'long' },
          ];
          return { type: 'struct', fields };
        }
      }
      break;
    case 'list':
    case 'set': {
      const id = ids.next();
      return {
        type: 'list',
        'element-id': id,
        element: icebergTypeFromCql(type.element, options, ids, column),
        'element-required': false,
      };
    }
    case 'vector': {
      const id = ids.next();
      return {
        type: 'list',
        'element-id': id,
        element: icebergTypeFromCql(type.element, options, ids, column),
        'element-required': true,
      };
    }
    case 'map': {
      const keyId = ids.next();
      const valueId = ids.next();
      return {
        type: 'map',
        'key-id': keyId,
        key: icebergTypeFromCql(type.key, options, ids, column),
        'value-id': valueId,
        value: icebergTypeFromCql(type.value, options, ids, column),
        'value-required': false,
      };
    }
    case 'tuple': {
      const fieldIds = type.elements.map(() => ids.next());
      return {
        type: 'struct',
        fields: type.elements.map((e, i) => ({
          id: fieldIds[i]!,
          name: `f${i}`,
          required: false,
          type: icebergTypeFromCql(e, options, ids, column),
        })),
      };
    }
    case 'udt': {
      const fieldIds = type.fieldNames.map(() => ids.next());
      return {
        type: 'struct',
        fields: type.fieldNames.map((n, i) => ({
          id: fieldIds[i]!,
          name: n,
          required: false,
          type: icebergTypeFromCql(type.fieldTypes[i]!, options, ids, column),
        })),
      };
    }
    case 'reversed':
      return icebergTypeFromCql(type.inner, options, ids, column);
    case 'custom':
      return 'binary';
    case 'composite':
      break;
  }
  throw new DatamoveError(
    'FeatureUnsupported',
    `iceberg: column ${column}: CQL type ${type.kind} has no Iceberg mapping`,
    { context: { column } },
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
 * (compact-storage placeholders, dropped columns) are left out.
 */
export function icebergSchemaFromTable(model: TableModel, mappingOptions: unknown = {}): CqlTableMapping {
  const options = cqlMappingOptionsResolve(mappingOptions);
  const cols: { name: string; type: CqlType; role: CqlColumnMapping['role'] }[] = [
    ...model.partitionKey.map((c) => ({ name: c.name, type: c.type, role: 'partition-key' as const })),
    ...model.clustering.map((c) => ({ name: c.name, type: c.type, role: 'clustering' as const })),
    ...model.columns.filter((c) => !c.hidden).map((c) => ({ name: c.name, type: c.type, role: c.kind })),
  ];
  const hasStatic = cols.some((c) => c.role === 'static');
  let nextId = cols.length + 1;
  const ids: IdAllocator = { next: () => nextId++ };
  const fields: IcebergField[] = [];
  const columns: CqlColumnMapping[] = [];
  const fixedSizeLists = new Map<number, number>();
  cols.forEach((c, i) => {
    const id = i + 1;
    const type = icebergTypeFromCql(c.type, options, ids, c.name);
    // a partition holding only its static row reads as one row with null clustering columns
    const required = c.role === 'partition-key' || (c.role === 'clustering' && !hasStatic);
    fields.push({ id, name: c.name, required, type });
    const inner = c.type.kind === 'reversed' ? c.type.inner : c.type;
    const fsl = inner.kind === 'vector' && options.vector === 'fixed-size-list' ? inner.dimension : undefined;
    if (fsl !== undefined) fixedSizeLists.set(id, fsl);
    columns.push({
      name: c.name,
      fieldId: id,
      role: c.role,
      cqlType: c.type,
      icebergType: type,
      ...(fsl === undefined ? {} : { fixedSizeList: fsl }),
    });
  });
  const keyFields = fields.filter(
    (_, i) => cols[i]!.role === 'partition-key' || cols[i]!.role === 'clustering',
  );
  const identifierOk = keyFields.every(
    (f) => f.required && typeof f.type === 'string' && IDENTIFIER_OK.has(f.type),
  );
  const schema: IcebergSchema = {
    type: 'struct',
    'schema-id': 0,
    fields,
    ...(identifierOk && keyFields.length > 0 ? { 'identifier-field-ids': keyFields.map((f) => f.id) } : {}),
  };
  return { schema, columns, fixedSizeLists };
}
