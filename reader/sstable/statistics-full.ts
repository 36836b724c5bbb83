/**
 * Statistics.db, complete: parser and serializer for every `big` version from `ma` to `oa`.
 *
 * Follows apache/cassandra io/sstable/metadata/MetadataSerializer.java (file layout and, from `na`, the
 * CRC32 trailers), ValidationMetadata.java, CompactionMetadata.java, StatsMetadata.java
 * (`StatsMetadataSerializer`, gated by the `BigVersion` flags of io/sstable/format/big/BigFormat.java),
 * utils/EstimatedHistogram.java (`EstimatedHistogramSerializer`), utils/streamhist/TombstoneHistogram.java
 * (legacy and `oa` serializers), db/commitlog/CommitLogPosition.java, db/commitlog/IntervalSet.java,
 * db/SerializationHeader.java (`Component`) with db/rows/EncodingStats.java, and, for `oa`'s improved
 * min/max, db/marshal/AbstractTypeSerializer.java, db/Slice.java and db/ClusteringBoundOrBoundary.java.
 *
 * File layout: `int count`, [`na`+: CRC32 of the count], `count` × (`int type`, `int offset`),
 * [`na`+: CRC32 of count + table of contents], then each component in type order, [`na`+: followed by
 * the CRC32 of that component's bytes]. Every multi-byte value is big-endian (Java `DataOutput`).
 *
 * Values are kept as stored (64-bit values as `bigint`, vint deltas raw) so that parse → serialize is
 * byte-identical; helpers give the decoded meaning where it is not obvious. It lives in reader/ because
 * the compactor's planner parses it as well as sstable-writer/ serializing it.
 */
import { crc32 } from 'node:zlib';
import { DatamoveError } from '../../core/index.js';
import { ByteReader } from '../bytes/byte-reader.js';
import { ByteWriter } from '../bytes/byte-writer.js';

/** MetadataType ordinals. */
export const METADATA_VALIDATION = 0;
export const METADATA_COMPACTION = 1;
export const METADATA_STATS = 2;
export const METADATA_HEADER = 3;

/** db/rows/EncodingStats.java epochs. */
export const ENCODING_TIMESTAMP_EPOCH = 1442880000000000n;
export const ENCODING_DELETION_TIME_EPOCH = 1442880000;

/** What a Statistics.db version stores (BigFormat `BigVersion` flags that affect Statistics.db). */
export interface StatisticsFeatures {
  readonly version: string;
  readonly hasCommitLogLowerBound: boolean;
  readonly hasCommitLogIntervals: boolean;
  readonly hasLegacyMinMax: boolean;
  readonly hasAccurateMinMax: boolean;
  readonly hasImprovedMinMax: boolean;
  readonly hasOriginatingHostId: boolean;
  readonly hasPendingRepair: boolean;
  readonly hasIsTransient: boolean;
  readonly hasMetadataChecksum: boolean;
  readonly hasPartitionLevelDeletionsPresenceMarker: boolean;
  readonly hasKeyRange: boolean;
  readonly hasUIntDeletionTime: boolean;
  readonly hasTokenSpaceCoverage: boolean;
  /** Filter.db uses the pre-4.0 serialization (`ma`..`me`). */
  readonly hasOldBfFormat: boolean;
  /**
   * The tombstone histogram is `int size, (int, int)*` instead of `int maxBinSize, int size, (double,
   * long)*`. Cassandra trunk gates this on `hasUIntDeletionTime`, but the corpus `oa` file written by
   * Cassandra 5.0 (2025) still has the legacy layout, so no supported version uses it.
   */
  readonly hasCompactTombstoneHistogram: boolean;
}

/** The Statistics.db feature flags of a `big` format version (`ma`..`oa`). */
export function statisticsFeatures(version: string): StatisticsFeatures {
  if (!/^[m-o][a-z]$/.test(version) || version < 'ma') {
    throw new DatamoveError(
      'FeatureUnsupported',
      `sstable: Statistics.db version '${version}' is not supported`,
      {
        context: { version },
      },
    );
  }
  const ge = (v: string): boolean => version >= v;
  return {
    version,
    hasCommitLogLowerBound: ge('mb'),
    hasCommitLogIntervals: ge('mc'),
    hasLegacyMinMax: /^[mn][a-z]$/.test(version),
    hasAccurateMinMax: /^(m[d-z]|n[a-z])$/.test(version),
    hasImprovedMinMax: ge('nc'),
    hasOriginatingHostId: ge('nb') || /^m[e-z]$/.test(version),
    hasPendingRepair: ge('na'),
    hasIsTransient: ge('na'),
    hasMetadataChecksum: ge('na'),
    hasPartitionLevelDeletionsPresenceMarker: ge('nc'),
    hasKeyRange: ge('nc'),
    hasUIntDeletionTime: ge('oa'),
    hasTokenSpaceCoverage: ge('oa'),
    hasOldBfFormat: version < 'na',
    hasCompactTombstoneHistogram: false,
  };
}

/** VALIDATION: the partitioner class and the bloom filter false-positive chance. */
export interface ValidationMetadata {
  readonly partitioner: string;
  readonly bloomFilterFpChance: number;
}

/** COMPACTION: the serialized HyperLogLogPlus cardinality estimator (see cardinality.ts). */
export interface CompactionMetadata {
  readonly cardinalityEstimator: Uint8Array;
}

/**
 * utils/EstimatedHistogram.java. `bucketOffsets[i]` is the inclusive upper bound of bucket `i`
 * (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, …); `buckets` has one more element, the overflow bucket
 * (values above the last offset). Bucket `i` counts values in (bucketOffsets[i-1], bucketOffsets[i]].
 */
export interface EstimatedHistogramData {
  readonly bucketOffsets: readonly number[];
  readonly buckets: readonly number[];
}

/** A commit log position: segment id (a millisecond timestamp) and the offset within it. */
export interface CommitLogPosition {
  readonly segmentId: bigint;
  readonly position: number;
}

export interface CommitLogInterval {
  readonly start: CommitLogPosition;
  readonly end: CommitLogPosition;
}

/** One bin of the tombstone drop-time histogram: a local deletion time (seconds) and a count. */
export interface TombstoneBin {
  readonly point: number;
  readonly count: number;
}

/**
 * utils/streamhist/TombstoneHistogram.java. The (legacy) serializer writes `int maxBinSize` (3.0 wrote
 * the builder's max bin size, 100; later versions write the bin count), `int size`, then `double point,
 * long count` pairs. Cassandra trunk has a compact form (`int size`, then `int point (unsigned), int
 * count` pairs) that the `oa` files of Cassandra 5.0 do not use (see `hasCompactTombstoneHistogram`).
 */
export interface TombstoneHistogramData {
  /** Legacy serializations only: the stored max bin size. */
  readonly maxBinSize: number;
  readonly bins: readonly TombstoneBin[];
}

/** A clustering bound as `oa` stores it (db/ClusteringBoundOrBoundary.java serializer). */
export interface ClusteringBoundData {
  /** ClusteringPrefix.Kind ordinal (0 EXCL_END_BOUND, 1 INCL_START_BOUND, …, 6 INCL_END_BOUND, 7 EXCL_START_BOUND). */
  readonly kind: number;
  /** The component values; `null` for a null component. */
  readonly values: readonly (Uint8Array | null)[];
}

/** `oa` improved min/max: the clustering types and the slice covering every clustering in the sstable. */
export interface CoveredClustering {
  readonly clusteringTypes: readonly string[];
  readonly start: ClusteringBoundData;
  readonly end: ClusteringBoundData;
}

/** STATS (io/sstable/metadata/StatsMetadata.java), every field any version stores. */
export interface StatsMetadata {
  readonly estimatedPartitionSize: EstimatedHistogramData;
  readonly estimatedCellPerPartitionCount: EstimatedHistogramData;
  readonly commitLogUpperBound: CommitLogPosition;
  readonly minTimestamp: bigint;
  readonly maxTimestamp: bigint;
  /** As stored: a signed int before `oa` (Integer.MAX_VALUE = no deletion), an unsigned int from `oa`. */
  readonly minLocalDeletionTime: number;
  readonly maxLocalDeletionTime: number;
  readonly minTTL: number;
  readonly maxTTL: number;
  /** compressed / uncompressed, or -1 when not compressed. */
  readonly compressionRatio: number;
  readonly estimatedTombstoneDropTime: TombstoneHistogramData;
  readonly sstableLevel: number;
  readonly repairedAt: bigint;
  /** Legacy min/max (before `oa`): per-component minimum and maximum clustering values. */
  readonly minClusteringValues: readonly Uint8Array[];
  readonly maxClusteringValues: readonly Uint8Array[];
  /** Improved min/max (`nc`/`oa`+). */
  readonly coveredClustering?: CoveredClustering;
  readonly hasLegacyCounterShards: boolean;
  readonly totalColumnsSet: bigint;
  readonly totalRows: bigint;
  /** `mb`+. */
  readonly commitLogLowerBound?: CommitLogPosition;
  /** `mc`+. */
  readonly commitLogIntervals?: readonly CommitLogInterval[];
  /** `na`+: the pending repair session (16-byte TimeUUID) or null. */
  readonly pendingRepair?: Uint8Array | null;
  /** `na`+. */
  readonly isTransient?: boolean;
  /** `me` and `nb`+: the 16-byte host id of the node that wrote the sstable, or null. */
  readonly originatingHostId?: Uint8Array | null;
  /** `nc`/`oa`+. */
  readonly hasPartitionLevelDeletions?: boolean;
  /** `nc`/`oa`+: first and last partition keys. */
  readonly firstKey?: Uint8Array;
  readonly lastKey?: Uint8Array;
  /** `oa`+ (NaN when unknown). */
  readonly tokenSpaceCoverage?: number;
}

/**
 * db/rows/EncodingStats.java as stored in HEADER: the three unsigned vints raw (deltas from the epochs,
 * computed in Java int/long arithmetic). Use {@link encodingStatsOf} / {@link encodingStatsValues}.
 */
export interface EncodingStatsRaw {
  readonly timestampDelta: bigint;
  readonly localDeletionTimeDelta: bigint;
  readonly ttlDelta: bigint;
}

export interface HeaderColumnFull {
  readonly name: Uint8Array;
  readonly type: string;
}

/** HEADER (db/SerializationHeader.java `Component`). */
export interface SerializationHeaderFull {
  readonly stats: EncodingStatsRaw;
  readonly keyType: string;
  readonly clusteringTypes: readonly string[];
  readonly staticColumns: readonly HeaderColumnFull[];
  readonly regularColumns: readonly HeaderColumnFull[];
}

/** A whole Statistics.db. Components that are absent are `undefined`. */
export interface StatisticsFull {
  readonly validation?: ValidationMetadata;
  readonly compaction?: CompactionMetadata;
  readonly stats?: StatsMetadata;
  readonly header?: SerializationHeaderFull;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding stats helpers

/** The EncodingStats of a header from its decoded minimums (Java arithmetic: int ldt delta, long others). */
export function encodingStatsOf(
  minTimestamp: bigint,
  minLocalDeletionTime: number,
  minTTL: number,
  features: StatisticsFeatures,
): EncodingStatsRaw {
  const ldtDelta = features.hasUIntDeletionTime
    ? BigInt.asUintN(64, BigInt(minLocalDeletionTime >>> 0) - BigInt(ENCODING_DELETION_TIME_EPOCH))
    : BigInt.asUintN(64, BigInt((minLocalDeletionTime - ENCODING_DELETION_TIME_EPOCH) | 0));
  return {
    timestampDelta: BigInt.asUintN(64, minTimestamp - ENCODING_TIMESTAMP_EPOCH),
    localDeletionTimeDelta: ldtDelta,
    ttlDelta: BigInt.asUintN(64, BigInt(minTTL | 0)),
  };
}

/** The decoded minimums of stored EncodingStats. */
export function encodingStatsValues(raw: EncodingStatsRaw): {
  minTimestamp: bigint;
  minLocalDeletionTime: number;
  minTTL: number;
} {
  return {
    minTimestamp: BigInt.asIntN(64, ENCODING_TIMESTAMP_EPOCH + raw.timestampDelta),
    minLocalDeletionTime: Number(
      BigInt.asIntN(32, raw.localDeletionTimeDelta + BigInt(ENCODING_DELETION_TIME_EPOCH)),
    ),
    minTTL: Number(BigInt.asIntN(32, raw.ttlDelta)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// EstimatedHistogram

/** EstimatedHistogram.newOffsets: 1, then ×1.2 rounded (Math.round), +1 when rounding does not move. */
export function estimatedHistogramOffsets(size: number): number[] {
  const out = new Array<number>(size);
  let last = 1;
  out[0] = 1;
  for (let i = 1; i < size; i++) {
    // Java Math.round(double): floor(x + 0.5)
    let next = Math.floor(last * 1.2 + 0.5);
    if (next === last) next++;
    out[i] = next;
    last = next;
  }
  return out;
}

/** The bucket a value falls in: the first offset >= value (Arrays.binarySearch rounding up), or overflow. */
export function estimatedHistogramBucket(offsets: readonly number[], value: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = offsets[mid]!;
    if (v < value) lo = mid + 1;
    else if (v > value) hi = mid - 1;
    else return mid;
  }
  return lo;
}

function readHistogram(r: ByteReader): EstimatedHistogramData {
  const size = r.i32();
  if (size < 1 || size > 100000) throw new RangeError(`estimated histogram of ${size} buckets`);
  const offsets = new Array<number>(size - 1);
  const buckets = new Array<number>(size);
  let first = 0;
  for (let i = 0; i < size; i++) {
    const off = Number(r.i64());
    if (i === 0) first = off;
    else offsets[i - 1] = off;
    buckets[i] = Number(r.i64());
  }
  if (size === 1) return { bucketOffsets: [], buckets };
  if (first !== offsets[0])
    throw new RangeError(`estimated histogram first offset ${first} != ${offsets[0]}`);
  return { bucketOffsets: offsets, buckets };
}

function writeHistogram(w: ByteWriter, h: EstimatedHistogramData): void {
  const n = h.buckets.length;
  if (h.bucketOffsets.length !== n - 1)
    throw new RangeError('estimated histogram: offsets/buckets length mismatch');
  w.i32(n);
  for (let i = 0; i < n; i++) {
    w.i64(BigInt(h.bucketOffsets[i === 0 ? 0 : i - 1] ?? 0));
    w.i64(BigInt(h.buckets[i]!));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Components

function readPosition(r: ByteReader): CommitLogPosition {
  return { segmentId: r.i64(), position: r.i32() };
}

function writePosition(w: ByteWriter, p: CommitLogPosition): void {
  w.i64(p.segmentId).i32(p.position);
}

function readTombstones(r: ByteReader, f: StatisticsFeatures): TombstoneHistogramData {
  if (f.hasCompactTombstoneHistogram) {
    const size = r.i32();
    if (size < 0 || size > 1 << 20) throw new RangeError(`tombstone histogram of ${size} bins`);
    const bins: TombstoneBin[] = [];
    for (let i = 0; i < size; i++) bins.push({ point: r.i32() >>> 0, count: r.i32() });
    return { maxBinSize: size, bins };
  }
  const maxBinSize = r.i32();
  const size = r.i32();
  if (size < 0 || size > 1 << 20) throw new RangeError(`tombstone histogram of ${size} bins`);
  const bins: TombstoneBin[] = [];
  for (let i = 0; i < size; i++) bins.push({ point: r.f64(), count: Number(r.i64()) });
  return { maxBinSize, bins };
}

function writeTombstones(w: ByteWriter, h: TombstoneHistogramData, f: StatisticsFeatures): void {
  if (f.hasCompactTombstoneHistogram) {
    w.i32(h.bins.length);
    for (const b of h.bins) w.i32(b.point >>> 0).i32(b.count);
    return;
  }
  w.i32(h.maxBinSize).i32(h.bins.length);
  for (const b of h.bins) w.f64(b.point).i64(BigInt(b.count));
}

function readShortValues(r: ByteReader): Uint8Array[] {
  const n = r.i32();
  if (n < 0 || n > 65535) throw new RangeError(`${n} clustering values`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(r.u16()));
  return out;
}

function writeShortValues(w: ByteWriter, values: readonly Uint8Array[]): void {
  w.i32(values.length);
  for (const v of values) w.u16(v.length).bytes(v);
}

function readVIntBytes(r: ByteReader): Uint8Array {
  return r.bytes(r.unsignedVInt32());
}

function writeVIntBytes(w: ByteWriter, b: Uint8Array): void {
  w.unsignedVInt(b.length).bytes(b);
}

const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();

function readTypeString(r: ByteReader): string {
  return utf8.decode(readVIntBytes(r));
}

function writeTypeString(w: ByteWriter, s: string): void {
  writeVIntBytes(w, utf8enc.encode(s));
}

/**
 * Fixed value lengths of the marshal types (AbstractType.valueLengthIfFixed), for `oa` clustering bounds;
 * every other type is written with a vint length.
 */
const FIXED_LENGTH: Record<string, number> = {
  BooleanType: 1,
  Int32Type: 4,
  LongType: 8,
  FloatType: 4,
  DoubleType: 8,
  DateType: 8,
  TimestampType: 8,
  UUIDType: 16,
  TimeUUIDType: 16,
  LexicalUUIDType: 16,
  CounterColumnType: 8,
  EmptyType: 0,
};

/** The fixed value length of a marshal type string, or -1 when values carry a length. */
export function fixedValueLength(type: string): number {
  let t = type.trim();
  const reversed = /^org\.apache\.cassandra\.db\.marshal\.ReversedType\((.*)\)$/.exec(t);
  if (reversed) t = reversed[1]!;
  const m = /^org\.apache\.cassandra\.db\.marshal\.([A-Za-z0-9]+)$/.exec(t);
  if (!m) return -1;
  return FIXED_LENGTH[m[1]!] ?? -1;
}

function readBound(r: ByteReader, types: readonly string[]): ClusteringBoundData {
  const kind = r.u8();
  const size = r.u16();
  const values: (Uint8Array | null)[] = [];
  // ClusteringPrefix.Serializer.deserializeValuesWithoutSize: a vint header per 32 values, 2 bits each
  let header = 0n;
  for (let i = 0; i < size; i++) {
    if (i % 32 === 0) header = r.unsignedVInt();
    const shift = BigInt((i % 32) * 2);
    const isNull = ((header >> (shift + 1n)) & 1n) === 1n;
    const isEmpty = ((header >> shift) & 1n) === 1n;
    if (isNull) values.push(null);
    else if (isEmpty) values.push(new Uint8Array(0));
    else {
      const fixed = fixedValueLength(types[i] ?? '');
      values.push(fixed >= 0 ? r.bytes(fixed) : readVIntBytes(r));
    }
  }
  return { kind, values };
}

function writeBound(w: ByteWriter, b: ClusteringBoundData, types: readonly string[]): void {
  w.u8(b.kind).u16(b.values.length);
  for (let start = 0; start < b.values.length; start += 32) {
    let header = 0n;
    const end = Math.min(b.values.length, start + 32);
    for (let i = start; i < end; i++) {
      const v = b.values[i];
      const shift = BigInt((i - start) * 2);
      if (v === null || v === undefined) header |= 1n << (shift + 1n);
      else if (v.length === 0) header |= 1n << shift;
    }
    w.unsignedVInt(header);
    for (let i = start; i < end; i++) {
      const v = b.values[i];
      if (v === null || v === undefined || v.length === 0) continue;
      if (fixedValueLength(types[i] ?? '') >= 0) w.bytes(v);
      else writeVIntBytes(w, v);
    }
  }
}

function readCovered(r: ByteReader): CoveredClustering {
  const n = r.unsignedVInt32();
  const clusteringTypes: string[] = [];
  for (let i = 0; i < n; i++) clusteringTypes.push(readTypeString(r));
  const start = readBound(r, clusteringTypes);
  const end = readBound(r, clusteringTypes);
  return { clusteringTypes, start, end };
}

function writeCovered(w: ByteWriter, c: CoveredClustering): void {
  w.unsignedVInt(c.clusteringTypes.length);
  for (const t of c.clusteringTypes) writeTypeString(w, t);
  writeBound(w, c.start, c.clusteringTypes);
  writeBound(w, c.end, c.clusteringTypes);
}

function readOptionalUuid(r: ByteReader): Uint8Array | null {
  const present = r.u8();
  return present !== 0 ? r.bytes(16).slice() : null;
}

function writeOptionalUuid(w: ByteWriter, u: Uint8Array | null | undefined): void {
  if (u) {
    if (u.length !== 16) throw new RangeError('a UUID is 16 bytes');
    w.u8(1).bytes(u);
  } else w.u8(0);
}

function readStats(r: ByteReader, f: StatisticsFeatures): StatsMetadata {
  const estimatedPartitionSize = readHistogram(r);
  const estimatedCellPerPartitionCount = readHistogram(r);
  const commitLogUpperBound = readPosition(r);
  const minTimestamp = r.i64();
  const maxTimestamp = r.i64();
  const minLocalDeletionTime = f.hasUIntDeletionTime ? r.i32() >>> 0 : r.i32();
  const maxLocalDeletionTime = f.hasUIntDeletionTime ? r.i32() >>> 0 : r.i32();
  const minTTL = r.i32();
  const maxTTL = r.i32();
  const compressionRatio = r.f64();
  const estimatedTombstoneDropTime = readTombstones(r, f);
  const sstableLevel = r.i32();
  const repairedAt = r.i64();
  let minClusteringValues: Uint8Array[] = [];
  let maxClusteringValues: Uint8Array[] = [];
  let coveredClustering: CoveredClustering | undefined;
  if (f.hasLegacyMinMax) {
    minClusteringValues = readShortValues(r);
    maxClusteringValues = readShortValues(r);
  } else if (f.hasImprovedMinMax) {
    coveredClustering = readCovered(r);
  }
  const hasLegacyCounterShards = r.u8() !== 0;
  const totalColumnsSet = r.i64();
  const totalRows = r.i64();
  const out: {
    -readonly [K in keyof StatsMetadata]: StatsMetadata[K];
  } = {
    estimatedPartitionSize,
    estimatedCellPerPartitionCount,
    commitLogUpperBound,
    minTimestamp,
    maxTimestamp,
    minLocalDeletionTime,
    maxLocalDeletionTime,
    minTTL,
    maxTTL,
    compressionRatio,
    estimatedTombstoneDropTime,
    sstableLevel,
    repairedAt,
    minClusteringValues,
    maxClusteringValues,
    hasLegacyCounterShards,
    totalColumnsSet,
    totalRows,
  };
  if (coveredClustering) out.coveredClustering = coveredClustering;
  if (f.hasCommitLogLowerBound) out.commitLogLowerBound = readPosition(r);
  if (f.hasCommitLogIntervals) {
    const n = r.i32();
    if (n < 0 || n > 1 << 20) throw new RangeError(`${n} commit log intervals`);
    const intervals: CommitLogInterval[] = [];
    for (let i = 0; i < n; i++) intervals.push({ start: readPosition(r), end: readPosition(r) });
    out.commitLogIntervals = intervals;
  }
  if (f.hasPendingRepair) out.pendingRepair = readOptionalUuid(r);
  if (f.hasIsTransient) out.isTransient = r.u8() !== 0;
  if (f.hasOriginatingHostId) out.originatingHostId = readOptionalUuid(r);
  if (f.hasPartitionLevelDeletionsPresenceMarker) out.hasPartitionLevelDeletions = r.u8() !== 0;
  if (f.hasImprovedMinMax && f.hasLegacyMinMax) out.coveredClustering = readCovered(r);
  if (f.hasKeyRange) {
    out.firstKey = readVIntBytes(r).slice();
    out.lastKey = readVIntBytes(r).slice();
  }
  if (f.hasTokenSpaceCoverage) out.tokenSpaceCoverage = r.f64();
  return out;
}

function missing(what: string): RangeError {
  return new RangeError(`StatsMetadata.${what} is required by this version`);
}

function writeStats(w: ByteWriter, s: StatsMetadata, f: StatisticsFeatures): void {
  writeHistogram(w, s.estimatedPartitionSize);
  writeHistogram(w, s.estimatedCellPerPartitionCount);
  writePosition(w, s.commitLogUpperBound);
  w.i64(s.minTimestamp).i64(s.maxTimestamp);
  w.i32(s.minLocalDeletionTime).i32(s.maxLocalDeletionTime);
  w.i32(s.minTTL).i32(s.maxTTL);
  w.f64(s.compressionRatio);
  writeTombstones(w, s.estimatedTombstoneDropTime, f);
  w.i32(s.sstableLevel).i64(s.repairedAt);
  if (f.hasLegacyMinMax) {
    writeShortValues(w, s.minClusteringValues);
    writeShortValues(w, s.maxClusteringValues);
  } else if (f.hasImprovedMinMax) {
    if (!s.coveredClustering) throw missing('coveredClustering');
    writeCovered(w, s.coveredClustering);
  }
  w.u8(s.hasLegacyCounterShards ? 1 : 0);
  w.i64(s.totalColumnsSet).i64(s.totalRows);
  if (f.hasCommitLogLowerBound) writePosition(w, s.commitLogLowerBound ?? { segmentId: 0n, position: 0 });
  if (f.hasCommitLogIntervals) {
    const intervals = s.commitLogIntervals ?? [];
    w.i32(intervals.length);
    for (const iv of intervals) {
      writePosition(w, iv.start);
      writePosition(w, iv.end);
    }
  }
  if (f.hasPendingRepair) writeOptionalUuid(w, s.pendingRepair);
  if (f.hasIsTransient) w.u8(s.isTransient ? 1 : 0);
  if (f.hasOriginatingHostId) writeOptionalUuid(w, s.originatingHostId);
  if (f.hasPartitionLevelDeletionsPresenceMarker) w.u8(s.hasPartitionLevelDeletions ? 1 : 0);
  if (f.hasImprovedMinMax && f.hasLegacyMinMax) {
    if (!s.coveredClustering) throw missing('coveredClustering');
    writeCovered(w, s.coveredClustering);
  }
  if (f.hasKeyRange) {
    if (!s.firstKey || !s.lastKey) throw missing('firstKey/lastKey');
    writeVIntBytes(w, s.firstKey);
    writeVIntBytes(w, s.lastKey);
  }
  if (f.hasTokenSpaceCoverage) w.f64(s.tokenSpaceCoverage ?? Number.NaN);
}

function readHeader(r: ByteReader): SerializationHeaderFull {
  const stats: EncodingStatsRaw = {
    timestampDelta: r.unsignedVInt(),
    localDeletionTimeDelta: r.unsignedVInt(),
    ttlDelta: r.unsignedVInt(),
  };
  const keyType = readTypeString(r);
  const n = r.unsignedVInt32();
  const clusteringTypes: string[] = [];
  for (let i = 0; i < n; i++) clusteringTypes.push(readTypeString(r));
  const readColumns = (): HeaderColumnFull[] => {
    const count = r.unsignedVInt32();
    const out: HeaderColumnFull[] = [];
    for (let i = 0; i < count; i++) {
      const name = readVIntBytes(r).slice();
      out.push({ name, type: readTypeString(r) });
    }
    return out;
  };
  const staticColumns = readColumns();
  const regularColumns = readColumns();
  return { stats, keyType, clusteringTypes, staticColumns, regularColumns };
}

function writeHeader(w: ByteWriter, h: SerializationHeaderFull): void {
  w.unsignedVInt(h.stats.timestampDelta)
    .unsignedVInt(h.stats.localDeletionTimeDelta)
    .unsignedVInt(h.stats.ttlDelta);
  writeTypeString(w, h.keyType);
  w.unsignedVInt(h.clusteringTypes.length);
  for (const t of h.clusteringTypes) writeTypeString(w, t);
  for (const cols of [h.staticColumns, h.regularColumns]) {
    w.unsignedVInt(cols.length);
    for (const c of cols) {
      writeVIntBytes(w, c.name);
      writeTypeString(w, c.type);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Whole file

function invalid(file: string, offset: number, what: string, cause?: unknown): DatamoveError {
  return new DatamoveError(
    'DataInvalid',
    `sstable: ${file} at offset ${offset}: invalid Statistics.db: ${what}`,
    {
      context: { file, offset },
      cause,
    },
  );
}

/**
 * Parses a whole Statistics.db of `version` (`ma`..`oa`). With `verifyChecksums` (default true), the `na`+
 * CRC32 trailers are checked.
 */
export function statisticsFullParse(
  bytes: Uint8Array,
  version: string,
  file = 'Statistics.db',
  verifyChecksums = true,
): StatisticsFull {
  const f = statisticsFeatures(version);
  const r = new ByteReader(bytes);
  let at = 0;
  try {
    const count = r.i32();
    if (count < 0 || count > 16) throw invalid(file, 0, `${count} metadata components`);
    if (f.hasMetadataChecksum) {
      const crc = r.i32() >>> 0;
      if (verifyChecksums && crc !== crc32(bytes.subarray(0, 4)))
        throw invalid(file, 4, 'component count CRC mismatch');
    }
    const tocStart = r.pos;
    const toc: { type: number; offset: number }[] = [];
    for (let i = 0; i < count; i++) {
      const type = r.i32();
      const offset = r.i32();
      if (type < 0 || type > 3) throw invalid(file, r.pos - 8, `unknown metadata component type ${type}`);
      if (offset < 0 || offset > bytes.length)
        throw invalid(file, r.pos - 4, `component ${type} offset ${offset}`);
      toc.push({ type, offset });
    }
    if (f.hasMetadataChecksum) {
      const expected = crc32(bytes.subarray(tocStart, r.pos), crc32(bytes.subarray(0, 4)));
      const crc = r.i32() >>> 0;
      if (verifyChecksums && crc !== expected)
        throw invalid(file, r.pos - 4, 'table of contents CRC mismatch');
    }
    const out: { -readonly [K in keyof StatisticsFull]: StatisticsFull[K] } = {};
    const sorted = [...toc].sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < sorted.length; i++) {
      const { type, offset } = sorted[i]!;
      at = offset;
      const limit = i + 1 < sorted.length ? sorted[i + 1]!.offset : bytes.length;
      const cr = new ByteReader(bytes, offset, limit);
      switch (type) {
        case METADATA_VALIDATION:
          out.validation = { partitioner: cr.utf(), bloomFilterFpChance: cr.f64() };
          break;
        case METADATA_COMPACTION: {
          const n = cr.i32();
          out.compaction = { cardinalityEstimator: cr.bytes(n).slice() };
          break;
        }
        case METADATA_STATS:
          out.stats = readStats(cr, f);
          break;
        default:
          out.header = readHeader(cr);
      }
      if (f.hasMetadataChecksum) {
        const crc = cr.i32() >>> 0;
        if (verifyChecksums && crc !== crc32(bytes.subarray(offset, cr.pos - 4)))
          throw invalid(file, cr.pos - 4, `component ${type} CRC mismatch`);
      }
      if (cr.pos !== limit)
        throw invalid(file, cr.pos, `component ${type} ends ${limit - cr.pos} bytes early`);
    }
    return out;
  } catch (e) {
    if (e instanceof DatamoveError) throw e;
    if (e instanceof RangeError) throw invalid(file, at, e.message, e);
    throw e;
  }
}

/** Serializes one component (no CRC). */
export function statisticsComponentSerialize(
  type: number,
  full: StatisticsFull,
  version: string,
): Uint8Array {
  const f = statisticsFeatures(version);
  const w = new ByteWriter(1024);
  switch (type) {
    case METADATA_VALIDATION:
      if (!full.validation) throw new RangeError('no VALIDATION');
      w.utf(full.validation.partitioner).f64(full.validation.bloomFilterFpChance);
      break;
    case METADATA_COMPACTION:
      if (!full.compaction) throw new RangeError('no COMPACTION');
      w.i32(full.compaction.cardinalityEstimator.length).bytes(full.compaction.cardinalityEstimator);
      break;
    case METADATA_STATS:
      if (!full.stats) throw new RangeError('no STATS');
      writeStats(w, full.stats, f);
      break;
    case METADATA_HEADER:
      if (!full.header) throw new RangeError('no HEADER');
      writeHeader(w, full.header);
      break;
    default:
      throw new RangeError(`unknown metadata component type ${type}`);
  }
  return w.finish();
}

/** Serializes a whole Statistics.db for `version`, components in type order, with `na`+ CRC32 trailers. */
export function statisticsFullSerialize(full: StatisticsFull, version: string): Uint8Array {
  const f = statisticsFeatures(version);
  const types: number[] = [];
  if (full.validation) types.push(METADATA_VALIDATION);
  if (full.compaction) types.push(METADATA_COMPACTION);
  if (full.stats) types.push(METADATA_STATS);
  if (full.header) types.push(METADATA_HEADER);
  const parts = types.map((t) => statisticsComponentSerialize(t, full, version));
  const crcLen = f.hasMetadataChecksum ? 4 : 0;
  const w = new ByteWriter(parts.reduce((n, p) => n + p.length + 8, 64));
  w.i32(types.length);
  if (f.hasMetadataChecksum) w.i32(crc32(w.finish()));
  let position = 4 + 8 * types.length + 2 * crcLen;
  for (let i = 0; i < types.length; i++) {
    w.i32(types[i]!).i32(position);
    position += parts[i]!.length + crcLen;
  }
  if (f.hasMetadataChecksum) {
    const head = w.finish();
    w.i32(crc32(head.subarray(8), crc32(head.subarray(0, 4))));
  }
  for (const p of parts) {
    w.bytes(p);
    if (f.hasMetadataChecksum) w.i32(crc32(p));
  }
  return w.finish();
}
