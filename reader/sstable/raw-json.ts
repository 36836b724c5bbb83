/**
 * The unmerged contents of an SSTable as JSON, in the spirit of Cassandra's `sstabledump`: one object per
 * partition header and per row or range tombstone marker, with write timestamps, TTLs, expiry and
 * deletion times, cell paths and every tombstone. Values are decoded with the column types; keys and
 * clustering values too. Used by `datamove sstable dump --raw` and by writer round-trip tests.
 */
import { toHex } from '../cql/binary.js';
import { compositeSplit } from '../cql/cql-compare.js';
import type { CqlType } from '../cql/cql-type.js';
import { cqlValueToJson, type JsonValue } from '../cql/cql-value.js';
import type { TableModel } from './table-model.js';
import {
  BOUND_KIND_NAMES,
  CELL_DELETED,
  type Cell,
  type ClusteringValues,
  type DeletionTime,
  deletionIsLive,
  NO_TIMESTAMP,
  NO_TTL,
  type PartitionHeader,
  type Row,
  type Unfiltered,
} from './unfiltered.js';

export type RawJson = { [key: string]: JsonValue };

function unreversed(t: CqlType): CqlType {
  return t.kind === 'reversed' ? t.inner : t;
}

function decode(t: CqlType, v: Uint8Array): JsonValue {
  try {
    return cqlValueToJson(unreversed(t), v);
  } catch {
    // a value that does not decode with its declared type is shown as bytes rather than hiding the row
    return `0x${toHex(v)}`;
  }
}

function deletionJson(d: DeletionTime): RawJson {
  return { marked_deleted: d.markedForDeleteAt, local_delete_time: d.localDeletionTime };
}

export interface RawJsonFormatter {
  partition(sstable: string, p: PartitionHeader & { staticRow: Row | null }, token: string): RawJson;
  unfiltered(u: Unfiltered): RawJson;
}

export function rawJsonFormatter(model: TableModel, clusteringTypes: readonly CqlType[]): RawJsonFormatter {
  const keyTypes = model.partitionKey.map((c) => c.type);
  const clustering = (values: ClusteringValues): JsonValue[] =>
    values.map((v, i) =>
      v === null ? null : decode(clusteringTypes[i] ?? { kind: 'native', name: 'blob' }, v),
    );
  const cellJson = (c: Cell): RawJson => {
    const col = model.columns[c.column]!;
    const out: RawJson = { name: col.name };
    if (c.path !== null) out.path = pathJson(col.type, c.path);
    if ((c.flags & CELL_DELETED) !== 0) out.deletion_info = { local_delete_time: c.localDeletionTime };
    else out.value = decode(cellValueType(col.type, c.path), c.value);
    out.tstamp = c.timestamp;
    if (c.ttl !== NO_TTL) {
      out.ttl = c.ttl;
      out.expires_at = c.localDeletionTime;
    }
    return out;
  };
  const rowJson = (r: Row): RawJson => {
    const out: RawJson = { type: r.isStatic ? 'static_block' : 'row', position: r.position };
    if (!r.isStatic) out.clustering = clustering(r.clustering);
    if (r.timestamp !== NO_TIMESTAMP) {
      const l: RawJson = { tstamp: r.timestamp };
      if (r.ttl !== NO_TTL) {
        l.ttl = r.ttl;
        l.expires_at = r.localExpirationTime;
      }
      out.liveness_info = l;
    }
    if (!deletionIsLive(r.deletion))
      out.deletion_info = { ...deletionJson(r.deletion), ...(r.shadowable ? { shadowable: true } : {}) };
    if (r.complexDeletions !== null) {
      out.complex_deletions = r.complexDeletions.map((cd) => ({
        name: model.columns[cd.column]!.name,
        ...deletionJson(cd.deletion),
      }));
    }
    out.cells = r.cells.map(cellJson);
    return out;
  };
  return {
    partition(sstable, p, token) {
      const parts = keyTypes.length === 1 ? [p.key] : compositeSplit(p.key);
      const out: RawJson = {
        sstable,
        partition: { key: parts.map((v, i) => decode(keyTypes[i]!, v)), token, position: p.position },
      };
      if (!deletionIsLive(p.deletion)) (out.partition as RawJson).deletion_info = deletionJson(p.deletion);
      if (p.staticRow !== null) out.static_block = rowJson(p.staticRow);
      return out;
    },
    unfiltered(u) {
      if (u.kind === 0) return rowJson(u);
      const out: RawJson = {
        type: u.endDeletion === null ? 'range_tombstone_bound' : 'range_tombstone_boundary',
        position: u.position,
        kind: BOUND_KIND_NAMES[u.boundKind]!,
        clustering: clustering(u.clustering),
      };
      if (u.endDeletion !== null) {
        out.end = deletionJson(u.endDeletion);
        out.start = deletionJson(u.deletion);
      } else out.deletion_info = deletionJson(u.deletion);
      return out;
    },
  };
}

/** The type of a multi-cell column's cell path. */
function pathJson(t: CqlType, path: Uint8Array): JsonValue {
  switch (t.kind) {
    case 'list':
      return decode({ kind: 'native', name: 'timeuuid' }, path);
    case 'set':
      return decode(t.element, path);
    case 'map':
      return decode(t.key, path);
    case 'udt': {
      const i = path.length === 2 ? (path[0]! << 8) | path[1]! : -1;
      return t.fieldNames[i] ?? i;
    }
    default:
      return `0x${toHex(path)}`;
  }
}

/** The type of a cell's value: the column type, or a collection's element/value type, or a UDT field type. */
function cellValueType(t: CqlType, path: Uint8Array | null): CqlType {
  if (path === null) return t;
  switch (t.kind) {
    case 'list':
      return t.element;
    case 'set':
      return { kind: 'native', name: 'empty' };
    case 'map':
      return t.value;
    case 'udt': {
      const i = path.length === 2 ? (path[0]! << 8) | path[1]! : -1;
      return t.fieldTypes[i] ?? { kind: 'native', name: 'blob' };
    }
    default:
      return t;
  }
}
