/**
 * From a partition's write history to what one node's memtable would have flushed in one time window:
 * the partition deletion, range tombstone markers, and one row per written clustering with the latest
 * version of each cell written in the window (tombstones included), as the SSTable writer takes them.
 * Whole-collection writes become a collection deletion just below the write plus the element cells, as
 * Cassandra stores `SET c = …`.
 */

import type { JsonValue, TableModel } from '../../reader/index.js';
import {
  CELL_DELETED,
  type Cell,
  type ComplexDeletion,
  compositeJoin,
  type DeletionTime,
  EXCL_END_BOUND,
  INCL_START_BOUND,
  LIVE,
  MARKER,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  NO_TTL,
  type RangeTombstoneMarker,
  ROW,
  type Row,
} from '../../reader/index.js';
import { cqlMultiCellFromJson, cqlValueFromJson } from '../../sstable-writer/index.js';
import type { RowOp } from './model.js';

const EMPTY = new Uint8Array(0);

export function deletionAt(ts: number): DeletionTime {
  return { markedForDeleteAt: ts, localDeletionTime: Math.floor(ts / 1e6) };
}

export function partitionKeyBytes(model: TableModel, values: readonly JsonValue[]): Uint8Array {
  const parts = model.partitionKey.map((c, i) => cqlValueFromJson(c.type, values[i]!));
  return parts.length === 1 ? parts[0]! : compositeJoin(parts);
}

export function clusteringBytes(model: TableModel, values: readonly JsonValue[]): Uint8Array[] {
  return model.clustering.map((c, i) => cqlValueFromJson(c.type, values[i]!));
}

export function rangeMarker(start: boolean, clustering: Uint8Array[], ts: number): RangeTombstoneMarker {
  return {
    kind: MARKER,
    boundKind: start ? INCL_START_BOUND : EXCL_END_BOUND,
    clustering,
    deletion: deletionAt(ts),
    endDeletion: null,
    position: 0,
  };
}

/**
 * The row a memtable holding `ops` (one window's writes to one row) flushes, or null if `ops` is empty.
 */
export function rowFromOps(
  model: TableModel,
  clustering: Uint8Array[],
  ops: readonly RowOp[],
  isStatic = false,
): Row | null {
  if (ops.length === 0) return null;
  let timestamp = NO_TIMESTAMP;
  let ttl = NO_TTL;
  let localExpirationTime = NO_DELETION_TIME;
  let deletion = LIVE;
  // latest op per column
  const latest = new Map<number, { ts: number; ttl: number; value: JsonValue | undefined }>();
  for (const op of ops) {
    switch (op.kind) {
      case 'insert':
      case 'update':
        if (op.kind === 'insert' && op.ts > timestamp) {
          timestamp = op.ts;
          ttl = op.ttl > 0 ? op.ttl : NO_TTL;
          localExpirationTime = op.ttl > 0 ? Math.floor(op.ts / 1e6) + op.ttl : NO_DELETION_TIME;
        }
        for (const [column, value] of op.cells) {
          const prev = latest.get(column);
          if (!prev || prev.ts < op.ts) latest.set(column, { ts: op.ts, ttl: op.ttl, value });
        }
        break;
      case 'delete-cell': {
        const prev = latest.get(op.column);
        if (!prev || prev.ts < op.ts) latest.set(op.column, { ts: op.ts, ttl: 0, value: undefined });
        break;
      }
      case 'delete-row':
        if (op.ts > deletion.markedForDeleteAt) deletion = deletionAt(op.ts);
        break;
    }
  }
  const cells: Cell[] = [];
  let complexDeletions: ComplexDeletion[] | null = null;
  for (const [column, w] of [...latest.entries()].sort((a, b) => a[0] - b[0])) {
    const col = model.columns[column]!;
    const ldt = Math.floor(w.ts / 1e6);
    if (col.complex) {
      // a whole-collection write (or delete): the collection tombstone, then the new elements
      complexDeletions ??= [];
      complexDeletions.push({
        column,
        deletion: deletionAt(w.value === undefined || w.value === null ? w.ts : w.ts - 1),
      });
      if (w.value === undefined || w.value === null) continue;
      for (const c of cqlMultiCellFromJson(col.type, w.value)) {
        cells.push(cell(column, c.value, w.ts, w.ttl, ldt, c.path));
      }
      continue;
    }
    if (w.value === undefined || w.value === null) {
      cells.push({
        column,
        flags: CELL_DELETED,
        timestamp: w.ts,
        localDeletionTime: ldt,
        ttl: NO_TTL,
        path: null,
        value: EMPTY,
      });
    } else cells.push(cell(column, cqlValueFromJson(col.type, w.value), w.ts, w.ttl, ldt, null));
  }
  if (cells.length === 0 && complexDeletions === null && timestamp === NO_TIMESTAMP && deletion === LIVE)
    return null;
  return {
    kind: ROW,
    isStatic,
    clustering: isStatic ? [] : clustering,
    timestamp,
    ttl,
    localExpirationTime,
    deletion,
    shadowable: false,
    cells,
    complexDeletions,
    position: 0,
  };
}

function cell(
  column: number,
  value: Uint8Array,
  ts: number,
  ttl: number,
  writeSec: number,
  path: Uint8Array | null,
): Cell {
  return ttl > 0
    ? { column, flags: 2, timestamp: ts, localDeletionTime: writeSec + ttl, ttl, path, value }
    : { column, flags: 0, timestamp: ts, localDeletionTime: NO_DELETION_TIME, ttl: NO_TTL, path, value };
}
