/**
 * infra: what runs around the product — the SSTable corpus locator, the test-data generator (tables,
 * backup histories, layouts), the embedded S3 server, backup fixtures and sinks, and testing/ (helpers
 * shared by the tests and benchmarks of several folders: running the CLI, a REST catalog server, row
 * oracles). Only cli/ imports it in product code; tests and benchmarks of every folder may.
 */
export {
  CASSANDRA_CORPUS,
  type CorpusCase,
  canonicalRow,
  cassandraClusterCases,
  cassandraCorpusCases,
  cassandraCorpusVersions,
  corpusCase,
  corpusCaseReadable,
  corpusCaseSnapshotTree,
  corpusCases,
  corpusCaseWriterModelled,
  REPO_ROOT,
  sharedCorpusRoot,
} from './corpus.js';
export { type GenerateOptions, type GenerateResult, generate } from './generator/generate.js';
export { generateHistory, type HistoryResult, historyOracleRows } from './generator/history.js';
export { PRESETS, type PresetName } from './generator/presets.js';
export { backupFixtureWrite, FIXTURE_NODES, type FixtureLayout } from './s3/backup-fixture.js';
export { LAYOUT_NAMES, type LayoutName, snapshotManifestText } from './s3/backup-layout-write.js';
export { localSink } from './s3/backup-sink.js';
export {
  EMBEDDED_S3_ACCESS_KEY,
  EMBEDDED_S3_SECRET_KEY,
  type EmbeddedS3,
  embeddedS3Start,
} from './s3/embedded-s3.js';
export {
  ALLTYPES_SCHEMA,
  alltypesBatch,
  BASE_TS_US,
  NARROW_SCHEMA,
  narrowBatch,
} from './testing/batch-presets.js';
export { BASE, jsonlFile, planFor, runToRows } from './testing/compaction-helpers.js';
export {
  digest,
  GEN,
  hex,
  hexBytes,
  type Json,
  kvActual,
  kvExpected,
  MACHINE,
  NOW,
  oracleRows,
  tableRead,
  timeseriesActual,
  timeseriesExpected,
} from './testing/connector-helpers.js';
export { type OptionalTool, optionalTool } from './testing/optional-tool.js';
export {
  type PostgresServer,
  postgresAvailable,
  postgresBinDir,
  postgresServerStart,
} from './testing/postgres-server.js';
export { liveRows } from './testing/read-rows.js';
export { type RestServer, restCatalogServerStart } from './testing/rest-catalog-server.js';
export { canon, folderState, HISTORY_START, historyJob } from './testing/restore-helpers.js';
export { type CliResult, runCli } from './testing/run-cli.js';
export { slowConnectorWrite, slowJobYaml } from './testing/scheduler-helpers.js';
export {
  icebergJson,
  icebergRows,
  multiset,
  type Row,
  runToIceberg,
  snapshotTreeChecks,
} from './testing/snapshot-tree-check.js';
