/**
 * Connectors: data-model-aware transforms from compacted Cassandra rows (Arrow, raw model) to the Iceberg
 * table of an abstraction — `raw`, `kv` (Key-Value), `timeseries` (Time-Series) or a module of the user's —
 * and the runner of a connector job (plan, worker passes, one commit).
 */

export { Int64Column, type OutColumn, outBatch, outColumns, VarColumn } from './arrow/out-columns.js';
export {
  type ValueMetadata,
  type ValueProblem,
  valueDecode,
  valueDecompress,
  valueMetadataParse,
} from './codec/value-metadata.js';
export type {
  Connector,
  ConnectorIssue,
  SourceContext,
  SourceDecl,
  TargetDecl,
  TransformContext,
} from './connector.js';
export { keyedKey } from './connector.js';
export { connectorBatchCheck, connectorError } from './connector-check.js';
export {
  type CqlColumnMapping,
  type CqlTableMapping,
  icebergSchemaFromTable,
  icebergTypeFromArrow,
} from './cql-mapping.js';
export type { KvOptions } from './kv/kv-connector.js';
export { kvConnector, kvIcebergSchema, kvOptionsSchema } from './kv/kv-connector.js';
export type { RawOptions } from './raw/raw-connector.js';
export { rawConnector, rawOptionsSchema, rawTarget } from './raw/raw-connector.js';
export type { ConnectorRef } from './registry.js';
export { BUILTIN_CONNECTORS, connectorOptionsResolve, connectorResolve } from './registry.js';
export type {
  ConnectorJob,
  ConnectorJobEnv,
  ConnectorJobPass,
  ConnectorJobPlan,
  ConnectorJobResult,
  ConnectorJobRunOptions,
} from './runner/connector-job.js';
export {
  connectorJobPlan,
  connectorJobRun,
  connectorJobSchema,
  connectorSinkModule,
} from './runner/connector-job.js';
export type { ConnectorSinkOptions, ConnectorTaskDetail, IssueSummary } from './runner/connector-sink.js';
export { compactionPlanMerge } from './runner/plan-merge.js';
export type { TimeseriesOptions } from './timeseries/timeseries-connector.js';
export {
  timeseriesConnector,
  timeseriesOptionsSchema,
  timeseriesSlices,
} from './timeseries/timeseries-connector.js';
