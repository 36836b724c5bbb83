/**
 * SSTable writer components other than Data.db/Index.db: Statistics.db (full parser/serializer),
 * the STATS collector, the COMPACTION cardinality estimator, Filter.db and Summary.db.
 */

export { ByteWriter } from '../../../bytes/byte-writer.js';
export {
  BloomFilterBuilder,
  type BloomSpec,
  bloomFilterBytes,
  bloomFilterFor,
  bloomFilterOldFormat,
  bloomFilterWordCount,
  bloomSpec,
} from './bloom-filter.js';
export { ByteReader } from './byte-writer.js';
export { cardinalityBytes, HyperLogLogPlus, murmurHash2_64 } from './cardinality.js';
export { type IndexDbEntry, indexDbEntries } from './index-entries.js';
export {
  type ClusteringBoundData,
  type CommitLogInterval,
  type CommitLogPosition,
  type CompactionMetadata,
  type CoveredClustering,
  ENCODING_DELETION_TIME_EPOCH,
  ENCODING_TIMESTAMP_EPOCH,
  type EncodingStatsRaw,
  type EstimatedHistogramData,
  encodingStatsOf,
  encodingStatsValues,
  estimatedHistogramBucket,
  estimatedHistogramOffsets,
  fixedValueLength,
  type HeaderColumnFull,
  METADATA_COMPACTION,
  METADATA_HEADER,
  METADATA_STATS,
  METADATA_VALIDATION,
  type SerializationHeaderFull,
  type StatisticsFeatures,
  type StatisticsFull,
  type StatsMetadata,
  statisticsComponentSerialize,
  statisticsFeatures,
  statisticsFullParse,
  statisticsFullSerialize,
  type TombstoneBin,
  type TombstoneHistogramData,
  type ValidationMetadata,
} from './statistics-full.js';
export {
  type CollectedCell,
  type CollectedDeletion,
  type CollectedMarker,
  type CollectedRow,
  comparatorForType,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  StatsCollector,
  type StatsCollectorOptions,
  type ValueComparator,
} from './stats-collector.js';
export { BASE_SAMPLING_LEVEL, DEFAULT_MIN_INDEX_INTERVAL, IndexSummaryBuilder } from './summary-builder.js';
