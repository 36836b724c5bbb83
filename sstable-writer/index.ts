/**
 * sstable-writer: writes SSTables in the big format (`nb`, `mc`) with every component Cassandra loads —
 * Data.db, CompressionInfo.db or CRC.db, Index.db, Summary.db, Filter.db, Statistics.db, Digest, TOC —
 * and encodes CQL values from their JSON form for it. Restore (decider) and the test-data generator
 * (infra) use it. It builds on reader/ (types, table models, the Statistics codec) and storage/ (sinks).
 */

export {
  BloomFilterBuilder,
  type BloomSpec,
  bloomFilterBytes,
  bloomFilterFor,
  bloomFilterOldFormat,
  bloomFilterWordCount,
  bloomSpec,
} from './components/bloom-filter.js';
export { cardinalityBytes, HyperLogLogPlus, murmurHash2_64 } from './components/cardinality.js';
export { type IndexDbEntry, indexDbEntries } from './components/index-entries.js';
export {
  type CollectedCell,
  type CollectedDeletion,
  type CollectedMarker,
  type CollectedRow,
  comparatorForType,
  StatsCollector,
  type StatsCollectorOptions,
  type ValueComparator,
} from './components/stats-collector.js';
export {
  BASE_SAMPLING_LEVEL,
  DEFAULT_MIN_INDEX_INTERVAL,
  IndexSummaryBuilder,
} from './components/summary-builder.js';
export type { CqlEncodeOptions, CqlMultiCellEncodeOptions } from './cql/cql-encode.js';
export {
  cqlKeyFromJson,
  cqlListCellPath,
  cqlMultiCellFromJson,
  cqlValueFromJson,
  DEFAULT_COUNTER_ID,
} from './cql/cql-encode.js';
export { DataFileWriter } from './data-file-writer.js';
export {
  type DataOutput,
  type IndexEntry,
  PartitionSerializer,
  type SerializerLayout,
} from './partition-serializer.js';
export { type ComponentsInput, type CompressionInput, WriterStatsCollector } from './sstable-components.js';
export {
  NO_STATS,
  SSTableWriter,
  type SSTableWriterOptions,
  type WriterCompression,
  type WrittenSSTable,
} from './sstable-writer.js';
