/** Hand-built partitions as a `PartitionStream`, for merge tests that need exact control of each SSTable. */
import type { PartitionStream } from '../../reader/index.js';
import {
  type Cell,
  type ComplexDeletion,
  type DeletionTime,
  LIVE,
  MARKER,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  NO_TTL,
  type RangeTombstoneMarker,
  ROW,
  type Row,
  type Unfiltered,
} from '../../reader/index.js';

export interface MemoryPartition {
  readonly key: Uint8Array;
  readonly deletion?: DeletionTime;
  readonly staticRow?: Row;
  readonly unfiltereds: readonly Unfiltered[];
}

export function memoryStream(partitions: readonly MemoryPartition[]): PartitionStream {
  let p = -1;
  let u = 0;
  return {
    async nextPartition() {
      p++;
      u = 0;
      const part = partitions[p];
      if (part === undefined) return undefined;
      return {
        key: part.key,
        deletion: part.deletion ?? LIVE,
        position: 0,
        staticRow: part.staticRow ?? null,
      };
    },
    async nextUnfiltered() {
      return partitions[p]?.unfiltereds[u++] ?? null;
    },
  };
}

export function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}

export function cell(column: number, value: Uint8Array, timestamp: number, extra: Partial<Cell> = {}): Cell {
  return {
    column,
    flags: 0,
    timestamp,
    localDeletionTime: NO_DELETION_TIME,
    ttl: NO_TTL,
    path: null,
    value,
    ...extra,
  };
}

export function tombstone(
  column: number,
  timestamp: number,
  localDeletionTime = 1_600_000_000,
  path: Uint8Array | null = null,
): Cell {
  return { column, flags: 1, timestamp, localDeletionTime, ttl: NO_TTL, path, value: new Uint8Array(0) };
}

export function row(
  clustering: (Uint8Array | null)[],
  cells: Cell[],
  opts: {
    timestamp?: number;
    ttl?: number;
    expires?: number;
    deletion?: DeletionTime;
    shadowable?: boolean;
    complex?: ComplexDeletion[];
    isStatic?: boolean;
  } = {},
): Row {
  return {
    kind: ROW,
    isStatic: opts.isStatic ?? false,
    clustering,
    timestamp: opts.timestamp ?? NO_TIMESTAMP,
    ttl: opts.ttl ?? NO_TTL,
    localExpirationTime: opts.expires ?? NO_DELETION_TIME,
    deletion: opts.deletion ?? LIVE,
    shadowable: opts.shadowable ?? false,
    cells,
    complexDeletions: opts.complex ?? null,
    position: 0,
  };
}

export function marker(
  boundKind: number,
  clustering: Uint8Array[],
  deletion: DeletionTime,
  endDeletion: DeletionTime | null = null,
): RangeTombstoneMarker {
  return { kind: MARKER, boundKind, clustering, deletion, endDeletion, position: 0 };
}

export function del(markedForDeleteAt: number, localDeletionTime = 1_600_000_000): DeletionTime {
  return { markedForDeleteAt, localDeletionTime };
}
