/**
 * The table an SSTable belongs to, with names: from the schema.cql stored beside the SSTables (every backup
 * tool keeps one), or, without it, derived from the serialization header with Cassandra's default key names
 * (`key`, `key2`…, `column1`…). Each SSTable's header is then checked against it and turned into the
 * `HeaderLayout` the decoder uses, with cells labelled by table-level column ids so SSTables whose headers
 * list different columns (one per flush) merge column by column.
 *
 * COMPACT STORAGE (db/CompactTables.java in 3.x): a table without clustering columns stores its values
 * as static cells beside a hidden UTF8 clustering column; a dense table without a value column has a
 * hidden regular column with an empty name. Both are accepted here and hidden from output.
 */
import { DatamoveError } from '../../core/index.js';
import type { CqlType } from '../cql/cql-type.js';
import { cqlValueFixedLength } from '../cql/fixed-length.js';
import { cqlTypeFromMarshal } from '../cql/marshal-type.js';
import type { TableSchema } from '../cql/schema-cql.js';
import type { SerializationHeaderComponent } from './statistics.js';
import type { ColumnInfo, HeaderLayout } from './unfiltered.js';

export interface KeyColumn {
  readonly name: string;
  /** For clustering columns, `reversed` wraps the type of a DESC column. */
  readonly type: CqlType;
}

export interface TableColumn {
  readonly id: number;
  readonly name: string;
  readonly type: CqlType;
  readonly kind: 'static' | 'regular';
  readonly complex: boolean;
  /** Not a CQL column (a compact-storage placeholder or a dropped column): decoded, never output. */
  readonly hidden: boolean;
  /** Microsecond timestamp of the column's last drop: cells at or before it are ignored. */
  readonly droppedAt?: number;
}

export interface TableModel {
  readonly keyspace: string;
  readonly name: string;
  readonly partitionKey: readonly KeyColumn[];
  readonly clustering: readonly KeyColumn[];
  /** Static and regular columns; `columns[i].id === i`. Grows when an SSTable carries a hidden column. */
  readonly columns: TableColumn[];
  readonly compactStorage: boolean;
  /** True when names come from a schema.cql. */
  readonly fromSchema: boolean;
}

export function isMultiCell(t: CqlType): boolean {
  return (t.kind === 'list' || t.kind === 'set' || t.kind === 'map' || t.kind === 'udt') && !t.frozen;
}

export function tableModelFromSchema(schema: TableSchema): TableModel {
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const key = (n: string): KeyColumn => ({ name: n, type: byName.get(n)!.type });
  const partitionKey = schema.partitionKey.map(key);
  const clustering = schema.clustering.map((n, i) => {
    const t = byName.get(n)!.type;
    return {
      name: n,
      type: schema.clusteringOrder[i] === 'DESC' ? ({ kind: 'reversed', inner: t } as const) : t,
    };
  });
  // a compact table without clustering columns keeps its values in the static row
  const staticCompact = schema.compactStorage && schema.clustering.length === 0;
  const columns: TableColumn[] = [];
  const dropped = new Map<string, number>();
  for (const d of schema.dropped)
    dropped.set(d.name, Math.max(dropped.get(d.name) ?? Number.NEGATIVE_INFINITY, d.droppedAt));
  for (const c of schema.columns) {
    if (c.kind !== 'static' && c.kind !== 'regular') continue;
    const droppedAt = dropped.get(c.name);
    columns.push({
      id: columns.length,
      name: c.name,
      type: c.type,
      kind: staticCompact ? 'static' : c.kind,
      complex: isMultiCell(c.type),
      hidden: false,
      ...(droppedAt === undefined ? {} : { droppedAt }),
    });
  }
  for (const d of schema.dropped) {
    if (columns.some((c) => c.name === d.name)) continue;
    // a dropped column not re-added: its data is ignored, but SSTables written before the drop still carry it
    columns.push({
      id: columns.length,
      name: d.name,
      type: d.type ?? { kind: 'custom', className: 'org.apache.cassandra.db.marshal.BytesType' },
      kind: 'regular',
      complex: d.type ? isMultiCell(d.type) : false,
      hidden: true,
      droppedAt: dropped.get(d.name)!,
    });
  }
  return {
    keyspace: schema.keyspace,
    name: schema.name,
    partitionKey,
    clustering,
    columns,
    compactStorage: schema.compactStorage,
    fromSchema: true,
  };
}

/** Without a schema: names from the header, keys named as Cassandra names them by default. */
export function tableModelFromHeader(header: SerializationHeaderComponent, table = 'table'): TableModel {
  const keyType = cqlTypeFromMarshal(header.keyType);
  const keyTypes = keyType.kind === 'composite' ? keyType.components : [keyType];
  const partitionKey = keyTypes.map((type, i) => ({ name: i === 0 ? 'key' : `key${i + 1}`, type }));
  const clustering = header.clusteringTypes.map((t, i) => ({
    name: `column${i + 1}`,
    type: cqlTypeFromMarshal(t),
  }));
  const columns: TableColumn[] = [];
  for (const [kind, list] of [
    ['static', header.staticColumns],
    ['regular', header.regularColumns],
  ] as const) {
    for (const c of list) {
      const type = cqlTypeFromMarshal(c.type);
      columns.push({
        id: columns.length,
        name: c.name,
        type,
        kind,
        complex: isMultiCell(type),
        hidden: c.name === '',
      });
    }
  }
  return {
    keyspace: '',
    name: table,
    partitionKey,
    clustering,
    columns,
    compactStorage: false,
    fromSchema: false,
  };
}

/**
 * Checks one SSTable's header against the table and builds the decoder's layout. A schema that contradicts
 * the header (a key or column type, a column the schema does not know) is an error naming the column.
 */
export function headerLayout(
  model: TableModel,
  header: SerializationHeaderComponent,
  file: string,
): HeaderLayout {
  const mismatch = (what: string): DatamoveError =>
    new DatamoveError('DataInvalid', `sstable: ${file}: schema.cql contradicts the SSTable header: ${what}`, {
      context: { file },
    });

  const keyType = cqlTypeFromMarshal(header.keyType);
  const keyTypes = keyType.kind === 'composite' ? keyType.components : [keyType];
  if (keyTypes.length !== model.partitionKey.length) {
    throw mismatch(
      `the partition key has ${keyTypes.length} components in the header, ${model.partitionKey.length} in the schema`,
    );
  }
  keyTypes.forEach((t, i) => {
    const col = model.partitionKey[i]!;
    if (!sameType(t, col.type))
      throw mismatch(
        `partition key column ${col.name} is ${show(t)} in the header, ${show(col.type)} in the schema`,
      );
  });

  const clusteringTypes = header.clusteringTypes.map(cqlTypeFromMarshal);
  const staticCompact = model.compactStorage && model.clustering.length === 0;
  if (!(staticCompact && clusteringTypes.length <= 1) && clusteringTypes.length !== model.clustering.length) {
    throw mismatch(
      `${clusteringTypes.length} clustering columns in the header, ${model.clustering.length} in the schema`,
    );
  }
  if (!staticCompact) {
    clusteringTypes.forEach((t, i) => {
      const col = model.clustering[i]!;
      if (!sameType(t, col.type))
        throw mismatch(
          `clustering column ${col.name} is ${show(t)} in the header, ${show(col.type)} in the schema`,
        );
      if ((t.kind === 'reversed') !== (col.type.kind === 'reversed')) {
        throw mismatch(
          `clustering column ${col.name} is ${t.kind === 'reversed' ? 'DESC' : 'ASC'} in the header but not in the schema`,
        );
      }
    });
  }

  const resolve = (name: string, marshal: string, kind: 'static' | 'regular'): ColumnInfo => {
    const type = cqlTypeFromMarshal(marshal);
    let col = model.columns.find((c) => c.name === name && (c.kind === kind || c.hidden));
    if (col === undefined) {
      const hiddenOk = name === '' || (type.kind === 'native' && type.name === 'empty') || !model.fromSchema;
      if (!hiddenOk) {
        const other = model.columns.find((c) => c.name === name);
        throw mismatch(
          other
            ? `column ${name} is ${kind} in the header, ${other.kind} in the schema`
            : `column ${name} (${show(type)}) is not in the schema`,
        );
      }
      col = {
        id: model.columns.length,
        name,
        type,
        kind,
        complex: isMultiCell(type),
        hidden: model.fromSchema || name === '',
      };
      model.columns.push(col);
    } else if (!col.hidden && !sameType(type, col.type)) {
      throw mismatch(`column ${name} is ${show(type)} in the header, ${show(col.type)} in the schema`);
    }
    const complex = isMultiCell(type);
    return { id: col.id, name, type, complex, valueFixedLength: complex ? -1 : cqlValueFixedLength(type) };
  };
  const staticColumns = sortColumns(header.staticColumns.map((c) => resolve(c.name, c.type, 'static')));
  const regularColumns = sortColumns(header.regularColumns.map((c) => resolve(c.name, c.type, 'regular')));
  return {
    clusteringTypes,
    clusteringFixedLengths: clusteringTypes.map(cqlValueFixedLength),
    staticColumns,
    regularColumns,
    minTimestamp: header.stats.minTimestamp,
    minLocalDeletionTime: header.stats.minLocalDeletionTime,
    minTTL: header.stats.minTTL,
  };
}

const utf8 = new TextEncoder();

/** Cassandra's column order (ColumnMetadata.compareTo): simple before complex, then by name bytes. */
export function sortColumns<T extends ColumnInfo>(cols: T[]): T[] {
  const keyed = cols.map((c) => ({ c, k: utf8.encode(c.name) }));
  keyed.sort((a, b) => {
    if (a.c.complex !== b.c.complex) return a.c.complex ? 1 : -1;
    const n = Math.min(a.k.length, b.k.length);
    for (let i = 0; i < n; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
    return a.k.length - b.k.length;
  });
  return keyed.map((x) => x.c);
}

/** Structural type equality, ignoring frozen-ness of nested types and the DESC wrapper. */
export function sameType(a: CqlType, b: CqlType): boolean {
  if (a.kind === 'reversed') return sameType(a.inner, b);
  if (b.kind === 'reversed') return sameType(a, b.inner);
  switch (a.kind) {
    case 'native':
      return b.kind === 'native' && a.name === b.name;
    case 'list':
    case 'set':
      return b.kind === a.kind && sameType(a.element, (b as typeof a).element);
    case 'map':
      return b.kind === 'map' && sameType(a.key, b.key) && sameType(a.value, b.value);
    case 'tuple':
      return (
        b.kind === 'tuple' &&
        a.elements.length === b.elements.length &&
        a.elements.every((t, i) => sameType(t, b.elements[i]!))
      );
    case 'udt':
      return (
        b.kind === 'udt' &&
        a.fieldTypes.length === b.fieldTypes.length &&
        a.fieldTypes.every((t, i) => sameType(t, b.fieldTypes[i]!))
      );
    case 'vector':
      return b.kind === 'vector' && a.dimension === b.dimension && sameType(a.element, b.element);
    case 'composite':
      return (
        b.kind === 'composite' &&
        a.components.length === b.components.length &&
        a.components.every((t, i) => sameType(t, b.components[i]!))
      );
    case 'custom':
      return b.kind === 'custom' ? a.className === b.className : b.kind === 'native' && b.name === 'blob';
  }
}

function show(t: CqlType): string {
  switch (t.kind) {
    case 'native':
      return t.name;
    case 'reversed':
      return show(t.inner);
    case 'list':
    case 'set':
      return `${t.frozen ? 'frozen ' : ''}${t.kind}<${show(t.element)}>`;
    case 'map':
      return `${t.frozen ? 'frozen ' : ''}map<${show(t.key)}, ${show(t.value)}>`;
    case 'tuple':
      return `tuple<${t.elements.map(show).join(', ')}>`;
    case 'udt':
      return `${t.frozen ? 'frozen ' : ''}${t.name}`;
    case 'vector':
      return `vector<${show(t.element)}, ${t.dimension}>`;
    case 'composite':
      return `(${t.components.map(show).join(', ')})`;
    case 'custom':
      return `'${t.className}'`;
  }
}
