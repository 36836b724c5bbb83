/**
 * Serializes partitions into Data.db bytes exactly as Cassandra does (db/rows/UnfilteredSerializer.java,
 * db/rows/Cell.java `Serializer`, db/ClusteringPrefix.java, db/Columns.java `serializeSubset`) and builds the
 * partition's Index.db entry with its promoted column index (db/ColumnIndex.java,
 * io/sstable/IndexInfo.java, db/RowIndexEntry.java): a new index block starts once a block reaches the
 * column index size, and a partition with more than one block gets a promoted index.
 *
 * Work is incremental — `begin`, `add` each unfiltered, `end` — and bytes go to a `DataOutput` the caller
 * drains, so a partition of any size streams through.
 */

import type { EncodingStats, SSTableVersion } from '../reader/index.js';
import {
  ByteWriter,
  boundIsBoundary,
  CELL_DELETED,
  CELL_EXPIRING,
  type Cell,
  type ClusteringValues,
  type ColumnInfo,
  type DeletionTime,
  deletionIsLive,
  END_OF_PARTITION,
  EXTENSION_FLAG,
  HAS_ALL_COLUMNS,
  HAS_COMPLEX_DELETION,
  HAS_DELETION,
  HAS_EMPTY_VALUE,
  HAS_SHADOWABLE_DELETION,
  HAS_TIMESTAMP,
  HAS_TTL,
  IS_MARKER,
  IS_STATIC,
  NO_TIMESTAMP,
  NO_TTL,
  type RangeTombstoneMarker,
  type Row,
  type Unfiltered,
  USE_ROW_TIMESTAMP,
  USE_ROW_TTL,
  unsignedVIntSize,
} from '../reader/index.js';

/** The Data.db stream being written: bytes appended in order, drained by the caller. */
export interface DataOutput {
  /** Absolute position (uncompressed) of the next byte. */
  readonly position: number;
  write(bytes: Uint8Array): void;
}

export interface SerializerLayout {
  readonly version: SSTableVersion;
  readonly clusteringFixedLengths: readonly number[];
  readonly staticColumns: readonly ColumnInfo[];
  readonly regularColumns: readonly ColumnInfo[];
  readonly stats: EncodingStats;
  /** column_index_size: bytes of a promoted-index block (Cassandra's default 64 KiB). */
  readonly columnIndexSize: number;
}

export interface IndexEntry {
  readonly key: Uint8Array;
  /** Partition start in the uncompressed Data.db. */
  readonly position: number;
  /** The promoted index (everything after the position vint of the Index.db entry), or null. */
  readonly promotedIndex: Uint8Array | null;
}

const CLUSTERING_KIND = 4;
/** IndexInfo.WIDTH_BASE: widths are written relative to 64 KiB. */
const WIDTH_BASE = 64 * 1024;

export class PartitionSerializer {
  private readonly scratch = new ByteWriter();
  private readonly body = new ByteWriter();
  private readonly index = new ByteWriter(256);
  private readonly staticIndex: Map<number, number>;
  private readonly regularIndex: Map<number, number>;
  private readonly staticFixed: readonly number[];
  private readonly regularFixed: readonly number[];
  private readonly staticComplex: readonly boolean[];
  private readonly regularComplex: readonly boolean[];

  // partition state
  private key: Uint8Array = new Uint8Array(0);
  private start = 0;
  private deletion: DeletionTime | null = null;
  private headerLength = 0;
  private previousStart = 0;
  private written = 0;
  private blockStart = 0;
  private firstInBlock: Unfiltered | null = null;
  private lastInBlock: Unfiltered | null = null;
  private openMarker: DeletionTime | null = null;
  private blocks = 0;
  private blockOffsets: number[] = [];

  constructor(
    private readonly layout: SerializerLayout,
    private readonly out: DataOutput,
  ) {
    this.staticIndex = new Map(layout.staticColumns.map((c, i) => [c.id, i]));
    this.regularIndex = new Map(layout.regularColumns.map((c, i) => [c.id, i]));
    this.staticFixed = layout.staticColumns.map((c) => c.valueFixedLength);
    this.regularFixed = layout.regularColumns.map((c) => c.valueFixedLength);
    this.staticComplex = layout.staticColumns.map((c) => c.complex);
    this.regularComplex = layout.regularColumns.map((c) => c.complex);
  }

  /** Writes the partition header and the static row (always present when the table has static columns). */
  begin(key: Uint8Array, deletion: DeletionTime, staticRow: Row | null): void {
    this.key = key;
    this.start = this.out.position;
    this.deletion = deletion;
    const w = this.scratch;
    w.pos = 0;
    w.u16(key.length);
    w.bytes(key);
    writeFixedDeletion(w, deletion, this.layout.version);
    this.out.write(w.written());
    if (this.layout.staticColumns.length > 0) {
      const row = staticRow ?? EMPTY_STATIC;
      this.writeRow(row, 0);
    }
    this.headerLength = this.out.position - this.start;
    this.previousStart = 0;
    this.written = 0;
    this.blocks = 0;
    this.blockOffsets = [];
    this.index.pos = 0;
    this.firstInBlock = null;
    this.openMarker = null;
  }

  /** Appends a row or range tombstone marker (in clustering order). */
  add(u: Unfiltered): void {
    const pos = this.out.position - this.start;
    if (this.firstInBlock === null) {
      this.firstInBlock = u;
      this.blockStart = pos;
    }
    if (u.kind === 0) this.writeRow(u, pos - this.previousStart);
    else this.writeMarker(u, pos - this.previousStart);
    this.lastInBlock = u;
    this.previousStart = pos;
    this.written++;
    if (u.kind === 1) this.openMarker = isOpen(u) ? u.deletion : null;
    if (this.out.position - this.start - this.blockStart >= this.layout.columnIndexSize) this.addIndexBlock();
  }

  /** Writes END_OF_PARTITION and returns the partition's Index.db entry. */
  end(): IndexEntry {
    this.scratch.pos = 0;
    this.scratch.u8(END_OF_PARTITION);
    this.out.write(this.scratch.written());
    if (this.written > 0 && this.firstInBlock !== null) this.addIndexBlock();
    let promotedIndex: Uint8Array | null = null;
    if (this.blocks > 1) {
      const w = new ByteWriter(this.index.pos + 64 + this.blocks * 4);
      w.unsignedVInt(this.headerLength);
      writeFixedDeletion(w, this.deletion!, this.layout.version);
      w.unsignedVInt(this.blocks);
      w.bytes(this.index.written());
      for (const o of this.blockOffsets) w.i32(o);
      promotedIndex = w.take();
    }
    return { key: this.key, position: this.start, promotedIndex };
  }

  private addIndexBlock(): void {
    const w = this.index;
    this.blockOffsets.push(w.pos);
    this.writePrefix(w, this.firstInBlock!);
    this.writePrefix(w, this.lastInBlock!);
    w.unsignedVInt(this.blockStart);
    w.vint(this.out.position - this.start - this.blockStart - WIDTH_BASE);
    if (this.openMarker !== null) {
      w.u8(1);
      writeFixedDeletion(w, this.openMarker, this.layout.version);
    } else w.u8(0);
    this.blocks++;
    this.firstInBlock = null;
  }

  /** ClusteringPrefix.serializer: a row's clustering as kind + values; a bound as kind + size + values. */
  private writePrefix(w: ByteWriter, u: Unfiltered): void {
    if (u.kind === 0) {
      w.u8(CLUSTERING_KIND);
      this.writeClusteringValues(w, u.clustering);
    } else {
      w.u8(u.boundKind);
      w.u16(u.clustering.length);
      this.writeClusteringValues(w, u.clustering);
    }
  }

  private writeClusteringValues(w: ByteWriter, values: ClusteringValues): void {
    const fixed = this.layout.clusteringFixedLengths;
    for (let offset = 0; offset < values.length; ) {
      const limit = Math.min(values.length, offset + 32);
      let lo = 0;
      let hi = 0;
      for (let i = offset; i < limit; i++) {
        const v = values[i];
        const bit = ((i - offset) % 16) * 2;
        const word = v === null || v === undefined ? 2 : v.length === 0 ? 1 : 0;
        if (i - offset < 16) lo |= word << bit;
        else hi |= word << bit;
      }
      writeBits64(w, hi, lo);
      for (; offset < limit; offset++) {
        const v = values[offset];
        if (v === null || v === undefined || v.length === 0) continue;
        if (fixed[offset]! < 0) w.unsignedVInt(v.length);
        w.bytes(v);
      }
    }
  }

  private writeMarker(m: RangeTombstoneMarker, previousSize: number): void {
    const w = this.scratch;
    w.pos = 0;
    w.u8(IS_MARKER);
    w.u8(m.boundKind);
    w.u16(m.clustering.length);
    this.writeClusteringValues(w, m.clustering);
    const body = this.body;
    body.pos = 0;
    if (boundIsBoundary(m.boundKind)) {
      this.writeDeltaDeletion(body, m.endDeletion!);
      this.writeDeltaDeletion(body, m.deletion);
    } else this.writeDeltaDeletion(body, m.deletion);
    w.unsignedVInt(body.pos + unsignedVIntSize(previousSize));
    w.unsignedVInt(previousSize);
    w.bytes(body.written());
    this.out.write(w.written());
  }

  private writeRow(r: Row, previousSize: number): void {
    const isStatic = r.isStatic;
    const colIndex = isStatic ? this.staticIndex : this.regularIndex;
    const fixed = isStatic ? this.staticFixed : this.regularFixed;
    const complexCols = isStatic ? this.staticComplex : this.regularComplex;
    const columnCount = isStatic ? this.staticIndex.size : this.regularIndex.size;

    // the row's columns in header order: simple cells, then complex columns (deletion and cells)
    const present = rowColumns(r, colIndex);
    const hasLiveness = r.timestamp !== NO_TIMESTAMP;
    const expiringLiveness = hasLiveness && r.ttl !== NO_TTL;
    const hasDeletion = !deletionIsLive(r.deletion);
    const hasComplexDeletion = r.complexDeletions !== null && r.complexDeletions.length > 0;
    const hasAll = present.length === columnCount;
    const extended = isStatic || (hasDeletion && r.shadowable);

    let flags = 0;
    if (hasLiveness) flags |= HAS_TIMESTAMP;
    if (expiringLiveness) flags |= HAS_TTL;
    if (hasDeletion) flags |= HAS_DELETION;
    if (hasComplexDeletion) flags |= HAS_COMPLEX_DELETION;
    if (hasAll) flags |= HAS_ALL_COLUMNS;
    if (extended) flags |= EXTENSION_FLAG;

    const body = this.body;
    body.pos = 0;
    if (hasLiveness) this.writeTimestamp(body, r.timestamp);
    if (expiringLiveness) {
      this.writeTTL(body, r.ttl);
      this.writeLocalDeletionTime(body, r.localExpirationTime);
    }
    if (hasDeletion) this.writeDeltaDeletion(body, r.deletion);
    if (!hasAll) writeColumnSubset(body, present, columnCount);
    let c = 0;
    const cells = sortedCells(r.cells, colIndex);
    for (const idx of present) {
      if (!complexCols[idx]) {
        this.writeCell(body, cells[c++]!, fixed[idx]!, false, r);
        continue;
      }
      const column = isStatic ? this.layout.staticColumns[idx]!.id : this.layout.regularColumns[idx]!.id;
      if (hasComplexDeletion) {
        const cd = r.complexDeletions!.find((d) => d.column === column);
        this.writeDeltaDeletion(body, cd ? cd.deletion : LIVE_DT);
      }
      let n = 0;
      while (c + n < cells.length && cells[c + n]!.column === column) n++;
      body.unsignedVInt(n);
      for (let j = 0; j < n; j++) this.writeCell(body, cells[c + j]!, -1, true, r);
      c += n;
    }

    const w = this.scratch;
    w.pos = 0;
    w.u8(flags);
    if (extended)
      w.u8((isStatic ? IS_STATIC : 0) | (hasDeletion && r.shadowable ? HAS_SHADOWABLE_DELETION : 0));
    if (!isStatic) this.writeClusteringValues(w, r.clustering);
    w.unsignedVInt(body.pos + unsignedVIntSize(previousSize));
    w.unsignedVInt(previousSize);
    w.bytes(body.written());
    this.out.write(w.written());
  }

  private writeCell(w: ByteWriter, cell: Cell, fixedLength: number, complex: boolean, row: Row): void {
    const deleted = (cell.flags & CELL_DELETED) !== 0;
    const expiring = !deleted && cell.ttl !== NO_TTL;
    const rowHasLiveness = row.timestamp !== NO_TIMESTAMP;
    const useRowTimestamp = rowHasLiveness && cell.timestamp === row.timestamp;
    const useRowTTL =
      expiring &&
      rowHasLiveness &&
      row.ttl !== NO_TTL &&
      cell.ttl === row.ttl &&
      cell.localDeletionTime === row.localExpirationTime;
    const hasValue = cell.value.length > 0;
    let flags = 0;
    if (!hasValue) flags |= HAS_EMPTY_VALUE;
    if (deleted) flags |= CELL_DELETED;
    else if (expiring) flags |= CELL_EXPIRING;
    if (useRowTimestamp) flags |= USE_ROW_TIMESTAMP;
    if (useRowTTL) flags |= USE_ROW_TTL;
    w.u8(flags);
    if (!useRowTimestamp) this.writeTimestamp(w, cell.timestamp);
    if ((deleted || expiring) && !useRowTTL) this.writeLocalDeletionTime(w, cell.localDeletionTime);
    if (expiring && !useRowTTL) this.writeTTL(w, cell.ttl);
    if (complex) {
      w.unsignedVInt(cell.path!.length);
      w.bytes(cell.path!);
    }
    if (hasValue) {
      if (fixedLength < 0) w.unsignedVInt(cell.value.length);
      w.bytes(cell.value);
    }
  }

  private writeTimestamp(w: ByteWriter, ts: number): void {
    const d = ts - this.layout.stats.minTimestamp;
    if (Number.isSafeInteger(d) && d >= 0) w.unsignedVInt(d);
    else w.unsignedVIntBig(BigInt.asUintN(64, BigInt(ts) - BigInt(this.layout.stats.minTimestamp)));
  }

  private writeLocalDeletionTime(w: ByteWriter, ldt: number): void {
    // Java int arithmetic: the delta wraps at 32 bits, then widens to a (possibly negative) long
    w.unsignedVInt((ldt - this.layout.stats.minLocalDeletionTime) | 0);
  }

  private writeTTL(w: ByteWriter, ttl: number): void {
    w.unsignedVInt((ttl - this.layout.stats.minTTL) | 0);
  }

  private writeDeltaDeletion(w: ByteWriter, d: DeletionTime): void {
    this.writeTimestamp(w, d.markedForDeleteAt);
    this.writeLocalDeletionTime(w, d.localDeletionTime);
  }
}

const LIVE_DT: DeletionTime = { markedForDeleteAt: NO_TIMESTAMP, localDeletionTime: 2147483647 };

const EMPTY_STATIC: Row = {
  kind: 0,
  isStatic: true,
  clustering: [],
  timestamp: NO_TIMESTAMP,
  ttl: NO_TTL,
  localExpirationTime: 2147483647,
  deletion: LIVE_DT,
  shadowable: false,
  cells: [],
  complexDeletions: null,
  position: 0,
};

/** A marker leaves a range tombstone open after it: a start bound or a boundary. */
function isOpen(m: RangeTombstoneMarker): boolean {
  return m.boundKind === 1 || m.boundKind === 7 || boundIsBoundary(m.boundKind);
}

/** Header indexes of the columns a row has data for (cells or a collection deletion), ascending. */
function rowColumns(r: Row, colIndex: ReadonlyMap<number, number>): number[] {
  const set = new Set<number>();
  for (const c of r.cells) set.add(headerIndex(colIndex, c.column));
  if (r.complexDeletions !== null)
    for (const cd of r.complexDeletions) set.add(headerIndex(colIndex, cd.column));
  return [...set].sort((a, b) => a - b);
}

function headerIndex(colIndex: ReadonlyMap<number, number>, column: number): number {
  const i = colIndex.get(column);
  if (i === undefined) throw new Error(`sstable writer: column id ${column} is not in the SSTable header`);
  return i;
}

/** The row's cells in header column order, keeping each column's cells (paths) in their given order. */
function sortedCells(cells: readonly Cell[], colIndex: ReadonlyMap<number, number>): readonly Cell[] {
  let sorted = true;
  for (let i = 1; i < cells.length; i++) {
    if (colIndex.get(cells[i - 1]!.column)! > colIndex.get(cells[i]!.column)!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return cells;
  return cells
    .map((c, i) => ({ c, i, h: colIndex.get(c.column)! }))
    .sort((a, b) => a.h - b.h || a.i - b.i)
    .map((x) => x.c);
}

/** db/Columns.java `serializeSubset`. */
function writeColumnSubset(w: ByteWriter, present: readonly number[], count: number): void {
  if (count < 64) {
    // bitmap of the missing columns
    let lo = 0;
    let hi = 0;
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (present[p] === i) {
        p++;
        continue;
      }
      if (i < 32) lo |= 1 << i;
      else hi |= 1 << (i - 32);
    }
    writeBits64(w, hi, lo);
    return;
  }
  const missing = count - present.length;
  w.unsignedVInt(missing);
  if (present.length < count >> 1) {
    for (const i of present) w.unsignedVInt(i);
    return;
  }
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (present[p] === i) p++;
    else w.unsignedVInt(i);
  }
}

/** A 64-bit bitmap given as two 32-bit halves, as an unsigned vint (exact past 2^53). */
function writeBits64(w: ByteWriter, hi: number, lo: number): void {
  if (hi >>> 0 < 1 << 21) w.unsignedVInt((hi >>> 0) * 4294967296 + (lo >>> 0));
  else w.unsignedVIntBig((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/** db/DeletionTime.java serializer: `int ldt, long mfda`; from `oa` a LIVE byte or `long mfda, uint ldt`. */
function writeFixedDeletion(w: ByteWriter, d: DeletionTime, version: SSTableVersion): void {
  if (!version.uintDeletionTime) {
    w.i32(d.localDeletionTime);
    w.i64(d.markedForDeleteAt);
  } else if (deletionIsLive(d)) w.u8(0x80);
  else {
    w.i64(d.markedForDeleteAt);
    w.i32(d.localDeletionTime | 0);
  }
}
