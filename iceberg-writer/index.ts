/**
 * The Iceberg writer: Arrow batches → Parquet data files with Iceberg field ids and metrics → manifests →
 * snapshots committed through a catalog (SQL or REST), plus the table operations behind `datamove table`.
 */

export type { Catalog, CreateTableRequest, LoadedTable, TableIdentifier } from './catalog/catalog.js';
export { tableIdentifierParse, tableIdentifierString } from './catalog/catalog.js';
export type { OpenedCatalog } from './catalog/catalog-open.js';
export { catalogOpen } from './catalog/catalog-open.js';
export type { CatalogOpenOptions, ResolvedCatalogOpenOptions } from './catalog/catalog-open-options.js';
export {
  catalogOpenOptionsResolve,
  catalogUriRedact,
  DEFAULT_CATALOG_PATH,
  DEFAULT_WAREHOUSE_PATH,
} from './catalog/catalog-open-options.js';
export { metadataFileRead, metadataFileWrite, versionHintWrite } from './catalog/metadata-file.js';
export { RestCatalog, restCatalogOpen } from './catalog/rest/rest-catalog.js';
export type { RestCatalogOptions } from './catalog/rest/rest-catalog-options.js';
export { restCatalogOptionsResolve } from './catalog/rest/rest-catalog-options.js';
export { SqlCatalog, sqlCatalogOpen } from './catalog/sql/sql-catalog.js';
export type { SqlCatalogOptions } from './catalog/sql/sql-catalog-options.js';
export { SQL_CATALOG_DEFAULT_URI, sqlCatalogOptionsResolve } from './catalog/sql/sql-catalog-options.js';
export type { CommitOptions } from './commit/commit-options.js';
export { commitOptionsResolve } from './commit/commit-options.js';
export type { CommitResult } from './commit/table-commit.js';
export { icebergCommit, RUN_ID_KEY, snapshotEntries, snapshotOfRun } from './commit/table-commit.js';
export type { FileInfo, FileIO } from './io/file-io.js';
export { locationJoin } from './io/file-io.js';
export { LocalFileIO } from './io/local/local-file-io.js';
export type { ResolvingFileIOOptions } from './io/resolving-file-io.js';
export { ResolvingFileIO } from './io/resolving-file-io.js';
export type { S3FileIOHooks } from './io/s3/s3-file-io.js';
export { isS3Location, S3FileIO, s3LocationParse } from './io/s3/s3-file-io.js';
export type { ResolvedS3FileIOOptions, S3FileIOOptions } from './io/s3/s3-file-io-options.js';
export { s3FileIOOptionsResolve } from './io/s3/s3-file-io-options.js';
export type { DataFile, ManifestEntry } from './manifest/data-file.js';
export type { FieldSummary, ManifestFile } from './manifest/manifest-file.js';
export {
  manifestListRead,
  manifestListWrite,
  manifestRead,
  manifestWrite,
} from './manifest/manifest-file.js';
export type { Snapshot, SnapshotRef, SortOrder, TableMetadata } from './metadata/table-metadata.js';
export {
  jsonParseWithIds,
  jsonStringifyWithIds,
  metadataNew,
  metadataParse,
  metadataSchema,
  metadataSnapshot,
  metadataSpec,
  metadataStringify,
} from './metadata/table-metadata.js';
export type { TableRequirement, TableUpdate } from './metadata/table-update.js';
export { metadataApplyUpdates, requirementsCheck } from './metadata/table-update.js';
export type { ParquetEncoder, ParquetEncoderOptions } from './parquet/parquet-encoder.js';
export { parquetWasmEncoder } from './parquet/parquet-encoder.js';
export type { DataFileMetrics } from './parquet/parquet-metrics.js';
export { parquetFileMetrics, parquetFooterRead } from './parquet/parquet-metrics.js';
export { icebergValueToBytes } from './parquet/single-value.js';
export type { ArrowSchemaOptions } from './schema/arrow-schema.js';
export {
  arrowFieldFromIceberg,
  arrowSchemaFromIceberg,
  arrowTypeFromIceberg,
  PARQUET_FIELD_ID_KEY,
} from './schema/arrow-schema.js';
export type {
  FieldInfo,
  IcebergField,
  IcebergListType,
  IcebergMapType,
  IcebergSchema,
  IcebergStructType,
  IcebergType,
} from './schema/iceberg-schema.js';
export {
  icebergDecimal,
  icebergPrimitiveParse,
  icebergSchemaIndex,
  icebergSchemaMaxId,
} from './schema/iceberg-schema.js';
export type { HistoryEntry, SnapshotInfo, SnapshotSelector } from './table/table-ops.js';
export {
  snapshotSelect,
  tableClean,
  tableExpireSnapshots,
  tableFilesAt,
  tableHistory,
  tableRollback,
  tableSnapshots,
} from './table/table-ops.js';
export type { DataWriterArgs } from './write/data-writer.js';
export { DataWriter } from './write/data-writer.js';
export type { DataWriterOptions, ResolvedDataWriterOptions } from './write/data-writer-options.js';
export { dataWriterOptionsResolve } from './write/data-writer-options.js';
export { murmur3Bytes, murmur3Int, murmur3Long } from './write/murmur3.js';
export type { PartitionField, PartitionSpec, PartitionValue } from './write/partition-spec.js';
export {
  partitionSpecValidate,
  partitionTransformParse,
  UNPARTITIONED_SPEC,
} from './write/partition-spec.js';
