/**
 * Table metadata, format version 2 (format/spec.md "Table Metadata" and Appendix C "JSON serialization").
 * The in-memory shape is the JSON shape, except that snapshot ids are `bigint`: they use all 63 bits
 * (Java and pyiceberg draw them at random), which `JSON.parse` would round. `metadataParse` and
 * `metadataStringify` keep them exact. Reading is lenient (fields other engines write are kept as they are),
 * writing emits every field the spec requires for v2.
 */
import { randomUUID } from 'node:crypto';
import { DatamoveError } from '../../core/index.js';
import { type IcebergSchema, icebergSchemaMaxId } from '../schema/iceberg-schema.js';
import { PARTITION_FIELD_ID_START, type PartitionSpec } from '../write/partition-spec.js';

export interface SortField {
  readonly transform: string;
  readonly 'source-id': number;
  readonly direction: 'asc' | 'desc';
  readonly 'null-order': 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  readonly 'order-id': number;
  readonly fields: readonly SortField[];
}

export interface Snapshot {
  readonly 'snapshot-id': bigint;
  readonly 'parent-snapshot-id'?: bigint;
  readonly 'sequence-number': number;
  readonly 'timestamp-ms': number;
  readonly 'manifest-list': string;
  readonly summary: { readonly operation: string; readonly [key: string]: string };
  readonly 'schema-id'?: number;
}

export interface SnapshotRef {
  readonly 'snapshot-id': bigint;
  readonly type: 'branch' | 'tag';
  readonly 'max-ref-age-ms'?: number;
  readonly 'max-snapshot-age-ms'?: number;
  readonly 'min-snapshots-to-keep'?: number;
}

export interface TableMetadata {
  readonly 'format-version': number;
  readonly 'table-uuid': string;
  readonly location: string;
  readonly 'last-sequence-number': number;
  readonly 'last-updated-ms': number;
  readonly 'last-column-id': number;
  readonly 'current-schema-id': number;
  readonly schemas: readonly IcebergSchema[];
  readonly 'default-spec-id': number;
  readonly 'partition-specs': readonly PartitionSpec[];
  readonly 'last-partition-id': number;
  readonly 'default-sort-order-id': number;
  readonly 'sort-orders': readonly SortOrder[];
  readonly properties: Readonly<Record<string, string>>;
  /** -1n when the table has no snapshot. */
  readonly 'current-snapshot-id': bigint;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  readonly snapshots: readonly Snapshot[];
  readonly 'snapshot-log': readonly { readonly 'timestamp-ms': number; readonly 'snapshot-id': bigint }[];
  readonly 'metadata-log': readonly { readonly 'timestamp-ms': number; readonly 'metadata-file': string }[];
  readonly statistics?: readonly unknown[];
  readonly 'partition-statistics'?: readonly unknown[];
}

/** JSON keys whose integer values are snapshot ids. */
const ID_KEYS = new Set(['snapshot-id', 'parent-snapshot-id', 'current-snapshot-id']);
const ID_RE = /"(snapshot-id|parent-snapshot-id|current-snapshot-id)"(\s*):(\s*)(-?\d+)/g;
const IDS_RE = /"snapshot-ids"(\s*):(\s*)\[([^\]]*)\]/g;

/** `JSON.parse` that reads snapshot ids (also in `snapshot-ids` arrays) as exact bigints. */
export function jsonParseWithIds(text: string): unknown {
  const quoted = text
    .replace(ID_RE, (_m, k: string, a: string, b: string, n: string) => `"${k}"${a}:${b}"${n}"`)
    .replace(IDS_RE, (_m, a: string, b: string, list: string) => {
      const items = list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => (/^-?\d+$/.test(s) ? `"${s}"` : s));
      return `"snapshot-ids"${a}:${b}[${items.join(',')}]`;
    });
  return JSON.parse(quoted, (key: string, value: unknown) => {
    if (typeof value === 'string' && ID_KEYS.has(key) && /^-?\d+$/.test(value)) return BigInt(value);
    if (key === 'snapshot-ids' && Array.isArray(value)) return value.map((v) => BigInt(v as string));
    return value;
  });
}

/** `JSON.stringify` that writes bigints as bare integers. */
export function jsonStringifyWithIds(value: unknown, indent?: number): string {
  const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__bigint__${v}` : v), indent);
  return s.replace(/"__bigint__(-?\d+)"/g, '$1');
}

/** Parses a metadata.json (any engine's, v1 or v2 fields). */
export function metadataParse(text: string, file = 'metadata.json'): TableMetadata {
  let raw: Record<string, unknown>;
  try {
    raw = jsonParseWithIds(text) as Record<string, unknown>;
  } catch (e) {
    throw new DatamoveError('DataInvalid', `iceberg: ${file} is not valid JSON`, {
      context: { file },
      cause: e,
    });
  }
  const fv = raw['format-version'];
  if (fv !== 1 && fv !== 2) {
    throw new DatamoveError(
      'FeatureUnsupported',
      `iceberg: ${file}: format-version ${String(fv)} is not supported (1 or 2)`,
      {
        context: { file },
      },
    );
  }
  const cur = raw['current-snapshot-id'];
  return {
    ...raw,
    'last-sequence-number': (raw['last-sequence-number'] as number | undefined) ?? 0,
    properties: (raw.properties as Record<string, string> | undefined) ?? {},
    'current-snapshot-id': cur === undefined || cur === null ? -1n : BigInt(cur as bigint),
    refs: (raw.refs as Record<string, SnapshotRef> | undefined) ?? {},
    snapshots: (raw.snapshots as Snapshot[] | undefined) ?? [],
    'snapshot-log': (raw['snapshot-log'] as TableMetadata['snapshot-log'] | undefined) ?? [],
    'metadata-log': (raw['metadata-log'] as TableMetadata['metadata-log'] | undefined) ?? [],
    'sort-orders': (raw['sort-orders'] as SortOrder[] | undefined) ?? [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': (raw['default-sort-order-id'] as number | undefined) ?? 0,
  } as unknown as TableMetadata;
}

/** Serializes metadata as metadata.json. */
export function metadataStringify(m: TableMetadata): string {
  return jsonStringifyWithIds(m, 2);
}

/** Creation request for a new table. */
export interface TableCreate {
  readonly schema: IcebergSchema;
  readonly partitionSpec?: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly properties?: Record<string, string>;
  readonly location: string;
}

/** Default properties of tables datamove creates. */
export const DEFAULT_TABLE_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({
  'write.parquet.compression-codec': 'zstd',
  'write.format.default': 'parquet',
});

/** Metadata of a new, empty table (no snapshot). */
export function metadataNew(
  create: TableCreate,
  now = Date.now(),
  uuid: string = randomUUID(),
): TableMetadata {
  const spec = create.partitionSpec ?? { 'spec-id': 0, fields: [] };
  const lastPartitionId = spec.fields.reduce(
    (m, f) => Math.max(m, f['field-id']),
    PARTITION_FIELD_ID_START - 1,
  );
  const order = create.sortOrder ?? { 'order-id': 0, fields: [] };
  return {
    'format-version': 2,
    'table-uuid': uuid,
    location: create.location.replace(/\/+$/, ''),
    'last-sequence-number': 0,
    'last-updated-ms': now,
    'last-column-id': icebergSchemaMaxId(create.schema),
    'current-schema-id': create.schema['schema-id'],
    schemas: [create.schema],
    'default-spec-id': spec['spec-id'],
    'partition-specs': [spec],
    'last-partition-id': lastPartitionId,
    'default-sort-order-id': order['order-id'],
    'sort-orders': [order],
    properties: { ...DEFAULT_TABLE_PROPERTIES, ...create.properties },
    'current-snapshot-id': -1n,
    refs: {},
    snapshots: [],
    statistics: [],
    'partition-statistics': [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

/** The current schema. */
export function metadataSchema(m: TableMetadata): IcebergSchema {
  const s = m.schemas.find((x) => x['schema-id'] === m['current-schema-id']);
  if (s === undefined)
    throw new DatamoveError('DataInvalid', `iceberg: current schema ${m['current-schema-id']} is missing`);
  return s;
}

/** The default partition spec. */
export function metadataSpec(m: TableMetadata, id = m['default-spec-id']): PartitionSpec {
  const s = m['partition-specs'].find((x) => x['spec-id'] === id);
  if (s === undefined) throw new DatamoveError('DataInvalid', `iceberg: partition spec ${id} is missing`);
  return s;
}

/** The snapshot a branch points at (main by default), or undefined for an empty table. */
export function metadataSnapshot(m: TableMetadata, ref = 'main'): Snapshot | undefined {
  const id = m.refs[ref]?.['snapshot-id'] ?? (ref === 'main' ? m['current-snapshot-id'] : undefined);
  if (id === undefined || id === -1n) return undefined;
  return m.snapshots.find((s) => s['snapshot-id'] === id);
}

/** A fresh positive 63-bit snapshot id (as Java: from a random UUID). */
export function snapshotIdNew(): bigint {
  const hex = randomUUID().replace(/-/g, '');
  const v = BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`);
  return v & 0x7fffffffffffffffn;
}
