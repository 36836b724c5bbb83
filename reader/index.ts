/**
 * reader: Cassandra backups and SSTables, read — backup layouts (snapshot, Medusa, Scylla Manager), their
 * catalog and selection as of a time, backup sources over S3 and local folders, the SSTable components
 * (Data, Index, Summary, Statistics, CompressionInfo, TOC), the scanner of unfiltereds, compression
 * codecs, partitioners and the CQL type and value model. Imports storage and core only.
 */
export { type BackupCatalog, type BackupSetSummary, backupCatalog } from './backup/backup-catalog.js';
export type {
  BackupFileEntry,
  BackupProblem,
  BackupProblemKind,
  BackupSet,
  BackupSetFile,
  BackupSetNode,
  BackupSetTable,
  NodeBackup,
  NodeTableBackup,
  RingNode,
  TableFilter,
} from './backup/backup-model.js';
export { type BackupSelectOptions, backupSelect, DEFAULT_SKEW_MS } from './backup/backup-select.js';
export { backupTableDirectory } from './backup/backup-table-directory.js';
export { type NodeBackupVerified, nodeBackupVerify } from './backup/backup-verify.js';
export type { BackupLayout } from './backup/layout.js';
export { BACKUP_LAYOUTS, type BackupLayoutName, backupLayoutResolve } from './backup/layouts.js';
export { medusaLayout } from './backup/medusa/medusa-layout.js';
export { scyllaManagerLayout, smTagFor } from './backup/scylla-manager/scylla-manager-layout.js';
export { snapshotLayout } from './backup/snapshot/snapshot-layout.js';
export { ByteReader } from './bytes/byte-reader.js';
export { ByteWriter, unsignedVIntSize } from './bytes/byte-writer.js';
export {
  type ChunkCodec,
  type ChunkCompressor,
  type ChunkDecompressor,
  compressorForClass,
} from './codec/compressor.js';
export { crc32 } from './codec/crc32.js';
export {
  compareUnsigned,
  fromHex,
  readFloat32,
  readFloat64,
  readInt16,
  readInt32,
  readInt64Big,
  readInt64Safe,
  readUint16,
  readUint32,
  TWO_32,
  toHex,
} from './cql/binary.js';
export {
  type CounterShard,
  counterContextShards,
  counterContextTotal,
  counterContextTotalNumber,
} from './cql/counter-context.js';
export { compareVarint, compositeJoin, compositeSplit, cqlCompare } from './cql/cql-compare.js';
export {
  type CqlToken,
  type CqlTokenKind,
  CqlTokenStream,
  cqlSyntaxError,
  tokenizeCql,
} from './cql/cql-lexer.js';
export {
  type CqlTypeScope,
  cqlTypeFromCql,
  cqlTypeToCql,
  parseCqlType,
  quoteCqlIdentifier,
} from './cql/cql-syntax.js';
export type { CqlType, NativeTypeName } from './cql/cql-type.js';
export {
  type ComplexCell,
  cqlMultiCellToJson,
  cqlValueToJson,
  decimalToString,
  decodeUtf8,
  durationToString,
  float32ToShortestNumber,
  formatBigDecimal,
  inetToString,
  type JsonValue,
  jsonKey,
  uuidToString,
  varintToBigInt,
  varintToJson,
} from './cql/cql-value.js';
export { cqlValueFixedLength, VARIABLE_LENGTH } from './cql/fixed-length.js';
export { cqlTypeFromMarshal, cqlTypeToMarshal, MARSHAL_PACKAGE, nativeType } from './cql/marshal-type.js';
export {
  type ColumnSchema,
  type DroppedColumn,
  parseSchemaCql,
  type SchemaCql,
  type TableSchema,
} from './cql/schema-cql.js';
export {
  formatDuration,
  formatEpochDay,
  formatTimeNanos,
  formatTimestampMillis,
  formatTimestampMillisBig,
} from './cql/temporal-text.js';
export {
  encodeUnsignedVInt,
  encodeVInt,
  readUnsignedVInt,
  readUnsignedVIntBig,
  readVIntBig,
  type VIntRead,
} from './cql/vint.js';
export { type TableFolder, tableFolderOpen } from './folder.js';
export {
  byteOrderedToken,
  byteTokenToString,
  compareByteTokens,
  compareStringTokens,
  orderPreservingToken,
} from './partitioner/byte-ordered.js';
export {
  compareMurmur3Tokens,
  type Murmur3Hash128,
  Murmur3Token,
  murmur3Hash128,
  murmur3Token,
  murmur3TokenBigInt,
  murmur3TokenToString,
} from './partitioner/murmur3.js';
export {
  byteOrderedPartitioner,
  murmur3Partitioner,
  orderPreservingPartitioner,
  type Partitioner,
  partitionerForClass,
  randomPartitioner,
  type Token,
} from './partitioner/partitioner.js';
export { compareRandomTokens, RANDOM_MIN_TOKEN, randomToken } from './partitioner/random.js';
export {
  type BackupSource,
  backupDirectory,
  type DirectoryFile,
  type ObjectInfo,
  sourceFolderDirectory,
} from './source/backup-source.js';
export { localBackupSource } from './source/local/local-backup-source.js';
export { type S3SourceHooks, s3BackupSource } from './source/s3/s3-backup-source.js';
export { type BackupSourceOpenOptions, backupSourceOpen, tableFolderResolve } from './source/source-uri.js';
export {
  componentFile,
  descriptorParse,
  descriptorsInFolder,
  type SSTableDescriptor,
} from './sstable/descriptor.js';
export { summaryParse } from './sstable/index/summary.js';
export { rawJsonFormatter } from './sstable/raw-json.js';
export {
  NOT_READY,
  type NotReady,
  type PartitionStart,
  type PartitionStream,
  partitionStreamSync,
  type SyncPartitionStream,
  syncPartitionStream,
} from './sstable/scanner.js';
export { type SSTable, sstableOpen } from './sstable/sstable.js';
export { DELETION_TIME_EPOCH, type EncodingStats, TIMESTAMP_EPOCH, TTL_EPOCH } from './sstable/statistics.js';
export {
  type EstimatedHistogramData,
  encodingStatsOf,
  estimatedHistogramBucket,
  estimatedHistogramOffsets,
  type StatsMetadata,
  statisticsFeatures,
  statisticsFullParse,
  statisticsFullSerialize,
  type TombstoneBin,
} from './sstable/statistics-full.js';
export { sortColumns, type TableModel, tableModelFromSchema } from './sstable/table-model.js';
export {
  boundIsBoundary,
  boundIsEnd,
  boundIsStart,
  CELL_DELETED,
  CELL_EXPIRING,
  type Cell,
  CLUSTERING,
  type ClusteringValues,
  type ColumnInfo,
  type ComplexDeletion,
  type DeletionTime,
  deletionIsLive,
  END_OF_PARTITION,
  EXCL_END_BOUND,
  EXCL_END_INCL_START_BOUNDARY,
  EXCL_START_BOUND,
  EXTENSION_FLAG,
  HAS_ALL_COLUMNS,
  HAS_COMPLEX_DELETION,
  HAS_DELETION,
  HAS_EMPTY_VALUE,
  HAS_SHADOWABLE_DELETION,
  HAS_TIMESTAMP,
  HAS_TTL,
  INCL_END_BOUND,
  INCL_END_EXCL_START_BOUNDARY,
  INCL_START_BOUND,
  IS_MARKER,
  IS_STATIC,
  LIVE,
  MARKER,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  NO_TTL,
  type PartitionHeader,
  type RangeTombstoneMarker,
  ROW,
  type Row,
  type Unfiltered,
  USE_ROW_TIMESTAMP,
  USE_ROW_TTL,
} from './sstable/unfiltered.js';
export { type SSTableVersion, sstableVersion } from './sstable/version.js';
