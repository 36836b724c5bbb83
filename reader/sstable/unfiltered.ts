/**
 * What a partition holds, as Cassandra 3.0+ stores it, and the decoder for it.
 *
 * Data.db is a sequence of partitions: `u16 keyLength, key, DeletionTime`, an optional static row, then
 * rows and range tombstone markers ("unfiltereds") in clustering order up to an END_OF_PARTITION flag
 * byte (db/rows/UnfilteredSerializer.java). Timestamps, TTLs and local deletion times inside rows are
 * unsigned vints relative to the minimums in the serialization header (db/SerializationHeader.java);
 * cells follow db/rows/Cell.java `Serializer`; clustering prefixes db/ClusteringPrefix.java.
 *
 * Every record carries its own size (rowSize / markerSize vints), so the decoder asks the stream for
 * exactly one record's bytes and checks that the record ends where its size says: a type decoded with
 * the wrong length is caught at the row that holds it, with its offset.
 */
import { DatamoveError } from '../../core/index.js';
import type { Cursor } from '../bytes/cursor.js';
import type { CqlType } from '../cql/cql-type.js';
import type { SSTableVersion } from './version.js';

/** LivenessInfo.NO_TIMESTAMP / DeletionTime.LIVE.markedForDeleteAt (Long.MIN_VALUE). */
export const NO_TIMESTAMP = -(2 ** 63);
export const NO_TTL = 0;
/** Cell.NO_DELETION_TIME / LivenessInfo.NO_EXPIRATION_TIME (Integer.MAX_VALUE). */
export const NO_DELETION_TIME = 2147483647;

export interface DeletionTime {
  readonly markedForDeleteAt: number;
  readonly localDeletionTime: number;
}

export const LIVE: DeletionTime = Object.freeze({
  markedForDeleteAt: NO_TIMESTAMP,
  localDeletionTime: NO_DELETION_TIME,
});

export function deletionIsLive(d: DeletionTime): boolean {
  return d.markedForDeleteAt === NO_TIMESTAMP;
}

/** Cell flags we keep (Cell.Serializer masks). */
export const CELL_DELETED = 0x01;
export const CELL_EXPIRING = 0x02;

export interface Cell {
  /** Table-level column id (`TableModel.columns` index). */
  readonly column: number;
  /** CELL_DELETED | CELL_EXPIRING. */
  readonly flags: number;
  readonly timestamp: number;
  /** Expiry (expiring cell) or deletion (tombstone) time in seconds; NO_DELETION_TIME otherwise. */
  readonly localDeletionTime: number;
  readonly ttl: number;
  /** The cell path of a multi-cell column (list timeuuid, set element, map key, UDT field index). */
  readonly path: Uint8Array | null;
  readonly value: Uint8Array;
}

export interface ComplexDeletion {
  readonly column: number;
  readonly deletion: DeletionTime;
}

export const ROW = 0;
export const MARKER = 1;

/** A clustering prefix: one value per clustering column given; `null` for a null (absent) value. */
export type ClusteringValues = readonly (Uint8Array | null)[];

export interface Row {
  readonly kind: typeof ROW;
  readonly isStatic: boolean;
  readonly clustering: ClusteringValues;
  /** Primary key liveness (the row marker): NO_TIMESTAMP when absent. */
  readonly timestamp: number;
  readonly ttl: number;
  readonly localExpirationTime: number;
  readonly deletion: DeletionTime;
  readonly shadowable: boolean;
  /** Cells in column order; the cells of one multi-cell column in path order. */
  readonly cells: readonly Cell[];
  readonly complexDeletions: readonly ComplexDeletion[] | null;
  /** Offset of the row in the uncompressed Data.db. */
  readonly position: number;
}

/**
 * ClusteringPrefix.Kind ordinals, as written in Data.db. A boundary closes one range tombstone and opens
 * the next at the same place.
 */
export const EXCL_END_BOUND = 0;
export const INCL_START_BOUND = 1;
export const EXCL_END_INCL_START_BOUNDARY = 2;
export const STATIC_CLUSTERING = 3;
export const CLUSTERING = 4;
export const INCL_END_EXCL_START_BOUNDARY = 5;
export const INCL_END_BOUND = 6;
export const EXCL_START_BOUND = 7;

export const BOUND_KIND_NAMES = [
  'EXCL_END_BOUND',
  'INCL_START_BOUND',
  'EXCL_END_INCL_START_BOUNDARY',
  'STATIC_CLUSTERING',
  'CLUSTERING',
  'INCL_END_EXCL_START_BOUNDARY',
  'INCL_END_BOUND',
  'EXCL_START_BOUND',
] as const;

export function boundIsBoundary(kind: number): boolean {
  return kind === EXCL_END_INCL_START_BOUNDARY || kind === INCL_END_EXCL_START_BOUNDARY;
}
export function boundIsStart(kind: number): boolean {
  return kind === INCL_START_BOUND || kind === EXCL_START_BOUND;
}
export function boundIsEnd(kind: number): boolean {
  return kind === INCL_END_BOUND || kind === EXCL_END_BOUND;
}

export interface RangeTombstoneMarker {
  readonly kind: typeof MARKER;
  readonly boundKind: number;
  readonly clustering: ClusteringValues;
  /** For a bound: its deletion. For a boundary: the deletion it opens (same as `startDeletion`). */
  readonly deletion: DeletionTime;
  /** For a boundary: the deletion it closes. */
  readonly endDeletion: DeletionTime | null;
  readonly position: number;
}

export type Unfiltered = Row | RangeTombstoneMarker;

/** A column of the serialization header, resolved for decoding. */
export interface ColumnInfo {
  /** Table-level column id (TableModel.columns index): what cells are labelled with. */
  readonly id: number;
  readonly name: string;
  readonly type: CqlType;
  /** Multi-cell (non-frozen collection or UDT): cells carry a path. */
  readonly complex: boolean;
  /** Serialized length of a simple cell's value if fixed, else -1 (then a vint length precedes it). */
  readonly valueFixedLength: number;
}

export interface HeaderLayout {
  readonly clusteringTypes: readonly CqlType[];
  /** Fixed value length per clustering column, -1 when variable. */
  readonly clusteringFixedLengths: readonly number[];
  readonly staticColumns: readonly ColumnInfo[];
  readonly regularColumns: readonly ColumnInfo[];
  readonly minTimestamp: number;
  readonly minLocalDeletionTime: number;
  readonly minTTL: number;
}

// UnfilteredSerializer flags (shared with the writer)
export const END_OF_PARTITION = 0x01;
export const IS_MARKER = 0x02;
export const HAS_TIMESTAMP = 0x04;
export const HAS_TTL = 0x08;
export const HAS_DELETION = 0x10;
export const HAS_ALL_COLUMNS = 0x20;
export const HAS_COMPLEX_DELETION = 0x40;
export const EXTENSION_FLAG = 0x80;
// extended flags
export const IS_STATIC = 0x01;
export const HAS_SHADOWABLE_DELETION = 0x02;
// Cell.Serializer flags (besides CELL_DELETED and CELL_EXPIRING)
export const HAS_EMPTY_VALUE = 0x04;
export const USE_ROW_TIMESTAMP = 0x08;
export const USE_ROW_TTL = 0x10;

const TWO_53 = 9007199254740992;
const EMPTY: Uint8Array = new Uint8Array(0);

export interface PartitionHeader {
  readonly key: Uint8Array;
  readonly deletion: DeletionTime;
  readonly position: number;
}

/** Decodes partitions and unfiltereds of one SSTable. Stateless between calls except for the file name. */
export class UnfilteredDecoder {
  private readonly staticAll: readonly number[];
  private readonly regularAll: readonly number[];

  constructor(
    private readonly layout: HeaderLayout,
    private readonly version: SSTableVersion,
    private readonly file: string,
  ) {
    this.staticAll = layout.staticColumns.map((_, i) => i);
    this.regularAll = layout.regularColumns.map((_, i) => i);
  }

  /** `u16 length, key, DeletionTime` (the fixed-width form; compact in `oa`). */
  readPartitionHeader(c: Cursor): PartitionHeader {
    const position = c.position;
    const keyLength = c.u16();
    const key = c.bytes(keyLength);
    const deletion = this.readFixedDeletionTime(c);
    return { key, deletion, position };
  }

  /** db/DeletionTime.java serializer: legacy `int ldt, long mfda`; `oa` a LIVE byte or `long mfda, uint ldt`. */
  readFixedDeletionTime(c: Cursor): DeletionTime {
    if (this.version.uintDeletionTime) {
      c.require(1);
      if ((c.buf[c.pos]! & 0x80) !== 0) {
        c.pos++;
        return LIVE;
      }
      const mfda = c.i64();
      const ldt = c.u32();
      return { markedForDeleteAt: mfda, localDeletionTime: ldt };
    }
    const ldt = c.i32();
    const mfda = c.i64();
    if (mfda === NO_TIMESTAMP && ldt === NO_DELETION_TIME) return LIVE;
    return { markedForDeleteAt: mfda, localDeletionTime: ldt };
  }

  /**
   * The next unfiltered of the current partition, or `null` at END_OF_PARTITION. The static row, when
   * present, is the first unfiltered after the partition header (flagged IS_STATIC).
   */
  readUnfiltered(c: Cursor): Unfiltered | null {
    const position = c.position;
    const flags = c.u8();
    if ((flags & END_OF_PARTITION) !== 0) return null;
    const extended = (flags & EXTENSION_FLAG) !== 0 ? c.u8() : 0;
    if ((flags & IS_MARKER) !== 0) return this.readMarker(c, position);
    const isStatic = (extended & IS_STATIC) !== 0;
    const clustering = isStatic
      ? STATIC_VALUES
      : this.readClusteringValues(c, this.layout.clusteringTypes.length);
    return this.readRowBody(c, flags, extended, isStatic, clustering, position);
  }

  private readMarker(c: Cursor, position: number): RangeTombstoneMarker {
    const boundKind = c.u8();
    if (boundKind > EXCL_START_BOUND || boundKind === STATIC_CLUSTERING || boundKind === CLUSTERING) {
      throw this.corrupt(position, `range tombstone bound kind ${boundKind}`);
    }
    const size = c.u16();
    if (size > this.layout.clusteringTypes.length) {
      throw this.corrupt(
        position,
        `range tombstone bound of ${size} values for ${this.layout.clusteringTypes.length} clustering columns`,
      );
    }
    const clustering = this.readClusteringValues(c, size);
    const markerSize = c.unsignedVInt();
    const bodyStart = c.pos;
    c.require(markerSize);
    c.unsignedVInt(); // previous unfiltered size
    let deletion: DeletionTime;
    let endDeletion: DeletionTime | null = null;
    if (boundIsBoundary(boundKind)) {
      endDeletion = this.readDeltaDeletionTime(c);
      deletion = this.readDeltaDeletionTime(c);
    } else {
      deletion = this.readDeltaDeletionTime(c);
    }
    if (c.pos !== bodyStart + markerSize) {
      throw this.corrupt(
        position,
        `range tombstone marker body is ${c.pos - bodyStart} bytes, its header says ${markerSize}`,
      );
    }
    return { kind: MARKER, boundKind, clustering, deletion, endDeletion, position };
  }

  private readRowBody(
    c: Cursor,
    flags: number,
    extended: number,
    isStatic: boolean,
    clustering: ClusteringValues,
    position: number,
  ): Row {
    const rowSize = c.unsignedVInt();
    const bodyStart = c.pos;
    c.require(rowSize);
    c.unsignedVInt(); // previous unfiltered size

    let timestamp = NO_TIMESTAMP;
    let ttl = NO_TTL;
    let localExpirationTime = NO_DELETION_TIME;
    if ((flags & HAS_TIMESTAMP) !== 0) timestamp = this.readTimestamp(c);
    if ((flags & HAS_TTL) !== 0) {
      ttl = this.readTTL(c);
      localExpirationTime = this.readLocalDeletionTime(c);
    }
    const deletion = (flags & HAS_DELETION) !== 0 ? this.readDeltaDeletionTime(c) : LIVE;
    const shadowable = (extended & HAS_SHADOWABLE_DELETION) !== 0;

    const columns = isStatic ? this.layout.staticColumns : this.layout.regularColumns;
    const all = isStatic ? this.staticAll : this.regularAll;
    const present =
      (flags & HAS_ALL_COLUMNS) !== 0 ? all : this.readColumnSubset(c, columns.length, position);
    const hasComplexDeletion = (flags & HAS_COMPLEX_DELETION) !== 0;

    const cells: Cell[] = [];
    let complexDeletions: ComplexDeletion[] | null = null;
    for (let k = 0; k < present.length; k++) {
      const ci = present[k]!;
      const col = columns[ci]!;
      if (!col.complex) {
        cells.push(
          this.readCell(c, col.id, col.valueFixedLength, false, timestamp, ttl, localExpirationTime),
        );
        continue;
      }
      if (hasComplexDeletion) {
        const d = this.readDeltaDeletionTime(c);
        if (!deletionIsLive(d)) {
          complexDeletions ??= [];
          complexDeletions.push({ column: col.id, deletion: d });
        }
      }
      const n = c.unsignedVInt();
      for (let j = 0; j < n; j++)
        cells.push(this.readCell(c, col.id, -1, true, timestamp, ttl, localExpirationTime));
    }
    if (c.pos !== bodyStart + rowSize) {
      throw this.corrupt(position, `row body is ${c.pos - bodyStart} bytes, its header says ${rowSize}`);
    }
    return {
      kind: ROW,
      isStatic,
      clustering,
      timestamp,
      ttl,
      localExpirationTime,
      deletion,
      shadowable,
      cells,
      complexDeletions,
      position,
    };
  }

  private readCell(
    c: Cursor,
    column: number,
    fixedLength: number,
    complex: boolean,
    rowTimestamp: number,
    rowTTL: number,
    rowExpiration: number,
  ): Cell {
    const f = c.u8();
    const deleted = f & CELL_DELETED;
    const expiring = f & CELL_EXPIRING;
    const useRowTTL = (f & USE_ROW_TTL) !== 0;
    const timestamp = (f & USE_ROW_TIMESTAMP) !== 0 ? rowTimestamp : this.readTimestamp(c);
    const localDeletionTime = useRowTTL
      ? rowExpiration
      : deleted !== 0 || expiring !== 0
        ? this.readLocalDeletionTime(c)
        : NO_DELETION_TIME;
    const ttl = useRowTTL ? rowTTL : expiring !== 0 ? this.readTTL(c) : NO_TTL;
    const path = complex ? c.bytes(c.unsignedVInt32()) : null;
    let value = EMPTY;
    if ((f & HAS_EMPTY_VALUE) === 0) value = c.bytes(fixedLength >= 0 ? fixedLength : c.unsignedVInt32());
    // a USE_ROW_TTL cell is expiring exactly when the row's liveness is
    const flags = useRowTTL ? deleted | (rowTTL !== NO_TTL ? CELL_EXPIRING : 0) : deleted | expiring;
    return { column, flags, timestamp, localDeletionTime, ttl, path, value };
  }

  /** ClusteringPrefix values: per 32 values a vint header with 2 bits each (empty, null), then the values. */
  readClusteringValues(c: Cursor, size: number): ClusteringValues {
    if (size === 0) return NO_VALUES;
    const values: (Uint8Array | null)[] = new Array(size);
    const fixed = this.layout.clusteringFixedLengths;
    for (let offset = 0; offset < size; ) {
      c.unsignedVInt();
      const lo = c.vlo;
      const hi = c.vhi;
      const limit = Math.min(size, offset + 32);
      for (let i = 0; offset < limit; i++, offset++) {
        // bit 2i: empty value; bit 2i+1: null value
        const word = i < 16 ? lo : hi;
        const shift = (i & 15) * 2;
        if ((word >>> (shift + 1)) & 1) values[offset] = null;
        else if ((word >>> shift) & 1) values[offset] = EMPTY;
        else {
          const len = fixed[offset]!;
          values[offset] = c.bytes(len >= 0 ? len : c.unsignedVInt32());
        }
      }
    }
    return values;
  }

  /** db/Columns.java `deserializeSubset`: which of the header's columns the row has. */
  private readColumnSubset(c: Cursor, count: number, position: number): readonly number[] {
    const encoded = c.unsignedVInt();
    if (encoded === 0) return count === 0 ? NO_INDEXES : range(count);
    if (count >= 64) return this.readLargeSubset(c, count, encoded, position);
    // bitmap of the missing columns
    const lo = c.vlo;
    const hi = c.vhi;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const bit = i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
      if (bit === 0) out.push(i);
    }
    return out;
  }

  private readLargeSubset(c: Cursor, count: number, missing: number, position: number): readonly number[] {
    const present = count - missing;
    if (present < 0) throw this.corrupt(position, `${missing} missing columns of ${count}`);
    const out: number[] = [];
    if (present < count >> 1) {
      for (let i = 0; i < present; i++) {
        const idx = c.unsignedVInt();
        if (idx >= count) throw this.corrupt(position, `column index ${idx} of ${count}`);
        out.push(idx);
      }
      return out;
    }
    let idx = 0;
    for (let skipped = 0; ; ) {
      const nextMissing = skipped < missing ? c.unsignedVInt() : count;
      while (idx < nextMissing && idx < count) out.push(idx++);
      if (idx >= count) break;
      idx++;
      skipped++;
    }
    return out;
  }

  readTimestamp(c: Cursor): number {
    const d = c.unsignedVInt();
    if (d < TWO_53) return d + this.layout.minTimestamp;
    return Number(BigInt.asIntN(64, c.lastVIntBig() + BigInt(this.layout.minTimestamp)));
  }

  readLocalDeletionTime(c: Cursor): number {
    const v = c.unsignedVInt() + this.layout.minLocalDeletionTime;
    return this.version.uintDeletionTime ? v >>> 0 : v | 0;
  }

  readTTL(c: Cursor): number {
    return (c.unsignedVInt() + this.layout.minTTL) | 0;
  }

  readDeltaDeletionTime(c: Cursor): DeletionTime {
    const markedForDeleteAt = this.readTimestamp(c);
    const localDeletionTime = this.readLocalDeletionTime(c);
    return { markedForDeleteAt, localDeletionTime };
  }

  corrupt(offset: number, what: string): DatamoveError {
    return new DatamoveError('DataInvalid', `sstable: ${this.file} at offset ${offset}: ${what}`, {
      context: { file: this.file, offset },
    });
  }
}

const STATIC_VALUES: ClusteringValues = Object.freeze([]);
const NO_VALUES: ClusteringValues = Object.freeze([]);
const NO_INDEXES: readonly number[] = Object.freeze([]);
const RANGES: (readonly number[])[] = [];
function range(n: number): readonly number[] {
  let r = RANGES[n];
  if (r === undefined) {
    r = Object.freeze(Array.from({ length: n }, (_, i) => i));
    RANGES[n] = r;
  }
  return r;
}
