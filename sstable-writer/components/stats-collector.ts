/**
 * Collects the STATS metadata (and the COMPACTION cardinality estimator) of an sstable being written,
 * with the semantics of apache/cassandra io/sstable/metadata/MetadataCollector.java as
 * io/sstable/format/big/BigTableWriter.java drives it (its `StatsCollector` transformation and
 * db/rows/Rows.java `collectStats`), for Cassandra 3.11 (`mc`) and 4.0/4.1 (`nb`):
 *
 * - per partition: the key goes to the HyperLogLog++ estimator (cardinality.ts); the partition's
 *   serialized size in Data.db (key included, uncompressed) to `estimatedPartitionSize`; its cell count to
 *   `estimatedCellPerPartitionCount` (EstimatedHistogram of 150 / 114 buckets for 3.11, 150 / 118 for
 *   4.0.0+, 155 / 118 from `oa`; see the options); the partition deletion, when not live, updates timestamps and deletion times;
 * - per row (static rows included when not empty): the primary-key liveness (when present), the row
 *   deletion (when not live), every complex deletion (when not live) and every cell update the trackers;
 *   each cell counts as one cell; `totalRows` += 1 and `totalColumnsSet` += the number of columns with
 *   data (a simple column, or a complex column with at least one cell); non-static rows and every range
 *   tombstone marker update the per-component min/max clustering values;
 * - a range tombstone marker updates with its deletion (both deletions for a boundary);
 * - trackers: min/max timestamp (defaults Long.MIN/Long.MAX when nothing was seen), min/max local
 *   deletion time (default Integer.MAX_VALUE = no deletion), min/max TTL (default 0); each local deletion
 *   time other than Integer.MAX_VALUE also goes to the tombstone drop-time histogram, rounded up to a
 *   multiple of 60 s (SSTable.TOMBSTONE_HISTOGRAM_TTL_ROUND_SECONDS) with at most 100 bins
 *   (TOMBSTONE_HISTOGRAM_BIN_SIZE). Cassandra 3.0.x (before 3.11) neither rounded nor skipped live cells;
 *   `cassandra30TombstoneHistogram` reproduces that.
 *
 * Commit log positions/intervals are empty, sstable level 0 and repairedAt 0 (unrepaired), as for an
 * sstable that did not come from a flush.
 */

import {
  type EstimatedHistogramData,
  estimatedHistogramBucket,
  estimatedHistogramOffsets,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  type StatsMetadata,
  type TombstoneBin,
} from '../../reader/index.js';
import { HyperLogLogPlus } from './cardinality.js';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A deletion (partition, row, complex column or range tombstone). */
export interface CollectedDeletion {
  readonly markedForDeleteAt: number;
  readonly localDeletionTime: number;
}

/** A cell: timestamp (µs), TTL (0 = none) and local deletion time (expiry or tombstone time, else MAX). */
export interface CollectedCell {
  readonly timestamp: number;
  readonly ttl: number;
  readonly localDeletionTime: number;
  /** Table column the cell belongs to (to count columns set per row). */
  readonly column: number;
}

/** A row as the collector needs it (matches the reader's `Row` shape). */
export interface CollectedRow {
  readonly isStatic: boolean;
  readonly clustering: readonly (Uint8Array | null)[];
  /** Primary-key liveness timestamp; NO_TIMESTAMP when the row has none. */
  readonly timestamp: number;
  readonly ttl: number;
  readonly localExpirationTime: number;
  readonly deletion: CollectedDeletion;
  readonly cells: readonly CollectedCell[];
  readonly complexDeletions: readonly { readonly deletion: CollectedDeletion }[] | null;
}

/** A range tombstone bound or boundary (matches the reader's `RangeTombstoneMarker`). */
export interface CollectedMarker {
  readonly clustering: readonly (Uint8Array | null)[];
  readonly deletion: CollectedDeletion;
  /** For a boundary: the deletion it closes. */
  readonly endDeletion: CollectedDeletion | null;
}

/** Compares two serialized clustering values of one clustering column. */
export type ValueComparator = (a: Uint8Array, b: Uint8Array) => number;

export interface StatsCollectorOptions {
  /** Target sstable version (`mc`, `nb`; `md`/`me`/`na`/`oa` follow the same rules). */
  readonly version: string;
  /** One comparator per clustering column (see {@link comparatorForType}); default: unsigned bytes. */
  readonly clusteringComparators?: readonly ValueComparator[];
  /** Host id stored from `me`/`nb` on (16 bytes), or null. */
  readonly originatingHostId?: Uint8Array | null;
  /**
   * Buckets of the partition-size EstimatedHistogram: 150 before `oa` (default), 155 from `oa`.
   */
  readonly partitionSizeHistogramSize?: number;
  /**
   * Buckets of the cells-per-partition EstimatedHistogram. The corpus shows 114 for Cassandra 3.11 `mc`
   * and the 2018 4.0 `na` build, and 118 for the 3.0 branch (2016 `mc`, 2021 `md`/`me`), 4.0.0-rc2 and
   * 4.1 `nb`, and 5.0 `oa`. Default: 118 from `nb`, else 114.
   */
  readonly cellCountHistogramSize?: number;
  /** Reproduce Cassandra 3.0.x's histogram (no rounding, live cells counted at Integer.MAX_VALUE). */
  readonly cassandra30TombstoneHistogram?: boolean;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function compareSigned(a: Uint8Array, b: Uint8Array): number {
  if (a.length === 0 || b.length === 0) return a.length - b.length;
  const sa = a[0]! ^ 0x80;
  const sb = b[0]! ^ 0x80;
  if (sa !== sb) return sa - sb;
  return compareBytes(a.subarray(1), b.subarray(1));
}

function compareFloat(a: Uint8Array, b: Uint8Array, size: 4 | 8): number {
  if (a.length === 0 || b.length === 0) return a.length - b.length;
  const da = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const db = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x = size === 4 ? da.getFloat32(0) : da.getFloat64(0);
  const y = size === 4 ? db.getFloat32(0) : db.getFloat64(0);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A comparator for a marshal type string (AbstractType.compare): signed big-endian for the integer
 * types, numeric for float/double, unsigned bytes for text/blob/ascii/inet and (as an approximation)
 * anything else; ReversedType negates. TimeUUID/UUID/decimal/varint ordering is not modelled.
 */
export function comparatorForType(type: string): ValueComparator {
  const reversed = /^org\.apache\.cassandra\.db\.marshal\.ReversedType\((.*)\)$/.exec(type.trim());
  if (reversed) {
    const inner = comparatorForType(reversed[1]!);
    return (a, b) => -inner(a, b);
  }
  const name = type.trim().replace(/^org\.apache\.cassandra\.db\.marshal\./, '');
  switch (name) {
    case 'Int32Type':
    case 'LongType':
    case 'ShortType':
    case 'ByteType':
    case 'TimestampType':
    case 'DateType':
    case 'TimeType':
    case 'CounterColumnType':
      return compareSigned;
    case 'FloatType':
      return (a, b) => compareFloat(a, b, 4);
    case 'DoubleType':
      return (a, b) => compareFloat(a, b, 8);
    default:
      return compareBytes;
  }
}

const ROUND_SECONDS = 60;
const MAX_BINS = 100;

/** StreamingHistogram-style bins: at most 100, the closest two merged into their weighted mean. */
class TombstoneHistogramBuilder {
  // bins kept sorted by point, so a merge is one linear scan (no sort per point)
  private readonly points: number[] = [];
  private readonly counts: number[] = [];

  constructor(private readonly round: boolean) {}

  update(point: number): void {
    let p = point;
    if (this.round) {
      const d = p % ROUND_SECONDS;
      if (d > 0) p += ROUND_SECONDS - d;
    }
    this.add(p, 1);
    while (this.points.length > MAX_BINS) this.mergeClosest();
  }

  private add(p: number, n: number): void {
    const pts = this.points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    if (lo < pts.length && pts[lo] === p) this.counts[lo]! += n;
    else {
      pts.splice(lo, 0, p);
      this.counts.splice(lo, 0, n);
    }
  }

  private mergeClosest(): void {
    const keys = this.points;
    let best = 0;
    let gap = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < keys.length; i++) {
      const g = keys[i + 1]! - keys[i]!;
      if (g < gap) {
        gap = g;
        best = i;
      }
    }
    const a = keys[best]!;
    const b = keys[best + 1]!;
    const ka = this.counts[best]!;
    const kb = this.counts[best + 1]!;
    keys.splice(best, 2);
    this.counts.splice(best, 2);
    const merged = (a * ka + b * kb) / (ka + kb);
    this.add(this.round ? Math.round(merged) : merged, ka + kb);
  }

  build(): TombstoneBin[] {
    return this.points.map((point, i) => ({ point, count: this.counts[i]! }));
  }
}

class Histogram {
  readonly offsets: number[];
  readonly buckets: number[];

  constructor(size: number) {
    this.offsets = estimatedHistogramOffsets(size);
    this.buckets = new Array<number>(size + 1).fill(0);
  }

  add(v: number): void {
    this.buckets[estimatedHistogramBucket(this.offsets, v)]!++;
  }

  data(): EstimatedHistogramData {
    return { bucketOffsets: [...this.offsets], buckets: [...this.buckets] };
  }
}

/** Builds StatsMetadata while an sstable is written; see the module comment for what counts. */
export class StatsCollector {
  readonly version: string;
  readonly cardinality = new HyperLogLogPlus(13, 25);
  private readonly partitionSizes: Histogram;
  private readonly cellCounts: Histogram;
  private readonly tombstones: TombstoneHistogramBuilder;
  private readonly cassandra30: boolean;
  private readonly comparators: readonly ValueComparator[];
  private readonly hostId: Uint8Array | null;
  private minTs = 0;
  private maxTs = 0;
  private tsSet = false;
  private minLdt = NO_DELETION_TIME;
  private maxLdt = NO_DELETION_TIME;
  private ldtSet = false;
  private minTtl = 0;
  private maxTtl = 0;
  private ttlSet = false;
  private minClustering: (Uint8Array | null)[] = [];
  private maxClustering: (Uint8Array | null)[] = [];
  private partitionCells = 0;
  private hasLegacyCounterShards = false;
  private totalColumnsSet = 0;
  private totalRows = 0;
  private compressionRatio = -1;
  private firstKey: Uint8Array | null = null;
  private lastKey: Uint8Array | null = null;
  private hasPartitionLevelDeletions = false;

  constructor(options: StatsCollectorOptions) {
    this.version = options.version;
    this.partitionSizes = new Histogram(
      options.partitionSizeHistogramSize ?? (options.version >= 'oa' ? 155 : 150),
    );
    this.cellCounts = new Histogram(options.cellCountHistogramSize ?? (options.version >= 'nb' ? 118 : 114));
    this.cassandra30 = options.cassandra30TombstoneHistogram ?? false;
    this.tombstones = new TombstoneHistogramBuilder(!this.cassandra30);
    this.comparators = options.clusteringComparators ?? [];
    this.hostId = options.originatingHostId ?? null;
  }

  /** Starts a partition: its key feeds the cardinality estimator. */
  startPartition(key: Uint8Array, deletion?: CollectedDeletion): void {
    this.cardinality.offerKey(key);
    if (this.firstKey === null) this.firstKey = key.slice();
    this.lastKey = key;
    this.partitionCells = 0;
    if (deletion && deletion.markedForDeleteAt !== NO_TIMESTAMP) {
      this.hasPartitionLevelDeletions = true;
      this.updateDeletion(deletion);
    }
  }

  /** Ends the partition: `serializedSize` is its length in (uncompressed) Data.db, key included. */
  endPartition(serializedSize: number): void {
    this.partitionSizes.add(serializedSize);
    this.cellCounts.add(this.partitionCells);
    this.partitionCells = 0;
  }

  /** A row (static or not), as BigTableWriter's StatsCollector + Rows.collectStats see it. */
  addRow(row: CollectedRow): void {
    const empty =
      row.timestamp === NO_TIMESTAMP &&
      row.deletion.markedForDeleteAt === NO_TIMESTAMP &&
      row.cells.length === 0 &&
      (row.complexDeletions === null || row.complexDeletions.length === 0);
    if (row.isStatic && empty) return;
    if (!row.isStatic) this.updateClustering(row.clustering);
    if (row.timestamp !== NO_TIMESTAMP) {
      this.updateTimestamp(row.timestamp);
      this.updateTtl(row.ttl);
      this.updateLocalDeletionTime(row.localExpirationTime);
    }
    this.updateDeletion(row.deletion);
    for (const cd of row.complexDeletions ?? []) this.updateDeletion(cd.deletion);
    let columns = 0;
    let lastColumn = -1;
    for (const cell of row.cells) {
      if (cell.column !== lastColumn) {
        columns++;
        lastColumn = cell.column;
      }
      this.addCell(cell);
    }
    this.totalColumnsSet += columns;
    this.totalRows++;
  }

  /** One cell (already counted by `addRow`; use directly only when not passing whole rows). */
  addCell(cell: CollectedCell): void {
    this.partitionCells++;
    this.updateTimestamp(cell.timestamp);
    this.updateTtl(cell.ttl);
    this.updateLocalDeletionTime(cell.localDeletionTime);
  }

  /** A range tombstone bound or boundary. */
  addMarker(marker: CollectedMarker): void {
    this.updateClustering(marker.clustering);
    if (marker.endDeletion) this.updateDeletion(marker.endDeletion);
    this.updateDeletion(marker.deletion);
  }

  /** Counter cells with legacy (pre-2.1) shards set `hasLegacyCounterShards`. */
  updateHasLegacyCounterShards(value: boolean): void {
    this.hasLegacyCounterShards ||= value;
  }

  /** compressed / uncompressed Data.db length (CompressedSequentialWriter); -1 (default) when uncompressed. */
  setCompressionRatio(compressed: number, uncompressed: number): void {
    this.compressionRatio = compressed / uncompressed;
  }

  private updateDeletion(d: CollectedDeletion): void {
    if (d.markedForDeleteAt === NO_TIMESTAMP) return;
    this.updateTimestamp(d.markedForDeleteAt);
    this.updateLocalDeletionTime(d.localDeletionTime);
  }

  private updateTimestamp(ts: number): void {
    if (!this.tsSet) {
      this.minTs = this.maxTs = ts;
      this.tsSet = true;
    } else if (ts < this.minTs) this.minTs = ts;
    else if (ts > this.maxTs) this.maxTs = ts;
  }

  private updateTtl(ttl: number): void {
    if (!this.ttlSet) {
      this.minTtl = this.maxTtl = ttl;
      this.ttlSet = true;
    } else if (ttl < this.minTtl) this.minTtl = ttl;
    else if (ttl > this.maxTtl) this.maxTtl = ttl;
  }

  private updateLocalDeletionTime(ldt: number): void {
    if (!this.ldtSet) {
      this.minLdt = this.maxLdt = ldt;
      this.ldtSet = true;
    } else if (ldt < this.minLdt) this.minLdt = ldt;
    else if (ldt > this.maxLdt) this.maxLdt = ldt;
    if (this.cassandra30 || ldt !== NO_DELETION_TIME) this.tombstones.update(ldt);
  }

  private updateClustering(values: readonly (Uint8Array | null)[]): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const cmp = this.comparators[i] ?? compareBytes;
      const min = this.minClustering[i];
      const max = this.maxClustering[i];
      if (min === null || min === undefined || cmp(min, v) >= 0) this.minClustering[i] = v.slice();
      if (max === null || max === undefined || cmp(max, v) < 0) this.maxClustering[i] = v.slice();
    }
  }

  /** The COMPACTION component bytes (HyperLogLog++). */
  cardinalityBytes(): Uint8Array {
    return this.cardinality.getBytes();
  }

  /** The STATS component for the target version. */
  finish(): StatsMetadata {
    const untilNull = (a: (Uint8Array | null)[]): Uint8Array[] => {
      const out: Uint8Array[] = [];
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v === null || v === undefined) break;
        out.push(v);
      }
      return out;
    };
    const bins = this.tombstones.build();
    const zero = { segmentId: 0n, position: 0 };
    const v = this.version;
    const stats: { -readonly [K in keyof StatsMetadata]: StatsMetadata[K] } = {
      estimatedPartitionSize: this.partitionSizes.data(),
      estimatedCellPerPartitionCount: this.cellCounts.data(),
      commitLogUpperBound: zero,
      minTimestamp: this.tsSet ? BigInt(this.minTs) : LONG_MIN,
      maxTimestamp: this.tsSet ? BigInt(this.maxTs) : LONG_MAX,
      // from `oa` deletion times are unsigned and "no deletion" is stored as 0xFFFFFFFF
      minLocalDeletionTime: v >= 'oa' && this.minLdt === NO_DELETION_TIME ? 0xffffffff : this.minLdt,
      maxLocalDeletionTime: v >= 'oa' && this.maxLdt === NO_DELETION_TIME ? 0xffffffff : this.maxLdt,
      minTTL: this.minTtl,
      maxTTL: this.maxTtl,
      compressionRatio: this.compressionRatio,
      // 3.x wrote the builder's max bin size (100); 4.0+ writes the bin count in that slot
      estimatedTombstoneDropTime: { maxBinSize: v < 'na' ? MAX_BINS : bins.length, bins },
      sstableLevel: 0,
      repairedAt: 0n,
      minClusteringValues: untilNull(this.minClustering),
      maxClusteringValues: untilNull(this.maxClustering),
      hasLegacyCounterShards: this.hasLegacyCounterShards,
      totalColumnsSet: BigInt(this.totalColumnsSet),
      totalRows: BigInt(this.totalRows),
      commitLogLowerBound: zero,
      commitLogIntervals: [],
      pendingRepair: null,
      isTransient: false,
      originatingHostId: this.hostId,
    };
    if (v >= 'nc') {
      stats.hasPartitionLevelDeletions = this.hasPartitionLevelDeletions;
      stats.firstKey = this.firstKey ?? new Uint8Array(0);
      stats.lastKey = this.lastKey?.slice() ?? new Uint8Array(0);
      stats.tokenSpaceCoverage = Number.NaN;
    }
    return stats;
  }
}
