/**
 * The small components of an SSTable, built from what the writer saw: Statistics.db (validation, the
 * cardinality estimator, the STATS collected per partition, the serialization header), Filter.db,
 * Summary.db, and CompressionInfo.db or CRC.db. The encoders live in components/ and reproduce Cassandra's
 * bytes for every corpus file; this module feeds them.
 */

import type {
  ColumnInfo,
  CqlType,
  DeletionTime,
  EncodingStats,
  Partitioner,
  Row,
  SSTableVersion,
  TableModel,
  Unfiltered,
} from '../reader/index.js';
import { ByteWriter, encodingStatsOf, statisticsFeatures, statisticsFullSerialize } from '../reader/index.js';
import { bloomFilterFor, bloomFilterOldFormat } from './components/bloom-filter.js';
import { comparatorForType, StatsCollector } from './components/stats-collector.js';
import { IndexSummaryBuilder } from './components/summary-builder.js';

/** Collects, while partitions are written, what the small components need. */
export class WriterStatsCollector {
  private readonly stats: StatsCollector;
  private readonly summary = new IndexSummaryBuilder();
  private readonly keys: Uint8Array[] = [];
  private firstKey: Uint8Array | null = null;
  private lastKey: Uint8Array | null = null;

  constructor(version: SSTableVersion, clusteringMarshal: readonly string[], hostId: Uint8Array | null) {
    this.stats = new StatsCollector({
      version: version.version,
      clusteringComparators: clusteringMarshal.map(comparatorForType),
      originatingHostId: hostId,
    });
  }

  partitionStart(key: Uint8Array, deletion: DeletionTime, staticRow: Row | null): void {
    const k = key.slice();
    this.keys.push(k);
    this.firstKey ??= k;
    this.lastKey = k;
    this.stats.startPartition(k, deletion);
    if (staticRow !== null && (staticRow.cells.length > 0 || staticRow.complexDeletions !== null))
      this.stats.addRow(staticRow);
  }

  unfiltered(u: Unfiltered): void {
    if (u.kind === 0) this.stats.addRow(u);
    else this.stats.addMarker(u);
  }

  partitionEnd(serializedSize: number): void {
    this.stats.endPartition(serializedSize);
  }

  indexEntry(key: Uint8Array, indexPosition: number): void {
    this.summary.add(key, indexPosition);
  }

  setCompressionRatio(compressed: number, uncompressed: number): void {
    this.stats.setCompressionRatio(compressed, uncompressed);
  }

  components(input: ComponentsInput): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    const version = input.version.version;
    const features = statisticsFeatures(version);
    const utf8 = new TextEncoder();
    const column = (c: ColumnInfo): { name: Uint8Array; type: string } => ({
      name: utf8.encode(c.name),
      type: input.marshal(c.type),
    });
    const keyTypes = input.model.partitionKey.map((c) => c.type);
    const keyType: CqlType =
      keyTypes.length === 1 ? keyTypes[0]! : { kind: 'composite', components: keyTypes };
    out.set(
      'Statistics.db',
      statisticsFullSerialize(
        {
          validation: { partitioner: input.partitioner.name, bloomFilterFpChance: input.bloomFilterFpChance },
          compaction: { cardinalityEstimator: this.stats.cardinalityBytes() },
          stats: this.stats.finish(),
          header: {
            stats: encodingStatsOf(
              BigInt(input.encodingStats.minTimestamp),
              input.encodingStats.minLocalDeletionTime,
              input.encodingStats.minTTL,
              features,
            ),
            keyType: input.marshal(keyType),
            clusteringTypes: input.model.clustering.map((c) => input.marshal(c.type)),
            staticColumns: input.staticColumns.map(column),
            regularColumns: input.regularColumns.map(column),
          },
        },
        version,
      ),
    );
    if (input.bloomFilterFpChance < 1) {
      const bloom = bloomFilterFor(this.keys.length, input.bloomFilterFpChance);
      for (const k of this.keys) bloom.add(k);
      out.set('Filter.db', bloom.serialize(bloomFilterOldFormat(version)));
    }
    const empty = new Uint8Array(0);
    out.set('Summary.db', this.summary.serialize(this.firstKey ?? empty, this.lastKey ?? empty));
    if (input.compression !== null)
      out.set('CompressionInfo.db', compressionInfoBytes(input.version, input.compression));
    if (input.chunkCrcs !== null) out.set('CRC.db', crcBytes(input.chunkCrcs));
    return out;
  }
}

export interface ComponentsInput {
  readonly version: SSTableVersion;
  readonly model: TableModel;
  readonly staticColumns: readonly ColumnInfo[];
  readonly regularColumns: readonly ColumnInfo[];
  readonly encodingStats: EncodingStats;
  readonly partitioner: Partitioner;
  readonly bloomFilterFpChance: number;
  readonly compression: CompressionInput | null;
  readonly chunkCrcs: { chunkLength: number; crcs: readonly number[] } | null;
  readonly marshal: (t: CqlType) => string;
}

export interface CompressionInput {
  /** Simple class name, e.g. `LZ4Compressor`. */
  readonly compressorClass: string;
  readonly options: Readonly<Record<string, string>>;
  readonly chunkLength: number;
  readonly dataLength: number;
  readonly chunkOffsets: readonly number[];
}

/** io/compress/CompressionMetadata.java `Writer`. */
function compressionInfoBytes(version: SSTableVersion, c: CompressionInput): Uint8Array {
  const w = new ByteWriter(256 + c.chunkOffsets.length * 8);
  const utf = (s: string): void => {
    const b = new TextEncoder().encode(s);
    w.u16(b.length);
    w.bytes(b);
  };
  utf(c.compressorClass);
  const entries = Object.entries(c.options);
  w.i32(entries.length);
  for (const [k, v] of entries) {
    utf(k);
    utf(v);
  }
  w.i32(c.chunkLength);
  if (version.maxCompressedLength) w.i32(2147483647);
  w.i64(c.dataLength);
  w.i32(c.chunkOffsets.length);
  for (const o of c.chunkOffsets) w.i64(o);
  return w.take();
}

/** CRC.db: the chunk size, then one CRC32 per chunk. */
function crcBytes(c: { chunkLength: number; crcs: readonly number[] }): Uint8Array {
  const w = new ByteWriter(4 + c.crcs.length * 4);
  w.i32(c.chunkLength);
  for (const x of c.crcs) w.i32(x | 0);
  return w.take();
}
