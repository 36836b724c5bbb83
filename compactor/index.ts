/**
 * The compactor: Cassandra's reconciliation of SSTables (merge, live rows), and at scale the planner
 * (token-range tasks over all replicas of a backup), the worker-pool executor and the Arrow output.
 */
export {
  type CqlMappingOptions,
  cqlMappingOptionsResolve,
  cqlMappingOptionsSchema,
  type ResolvedCqlMappingOptions,
} from './arrow/cql-mapping-options.js';
export { GrowableArray, Validity } from './arrow/growable.js';
export { type RawArrowSchema, type RawColumn, rawArrowSchema } from './arrow/raw-arrow-schema.js';
export type { RawBatchOptions } from './arrow/raw-batch-builder.js';
export { RawBatchBuilder } from './arrow/raw-batch-builder.js';
export type {
  CompactionEvent,
  CompactionRunOptions,
  CompactionRunResult,
  TaskOutcome,
  TaskState,
} from './execute/compaction-run.js';
export { compactionRun } from './execute/compaction-run.js';
export { compactWorkerFile, sinkModuleFile } from './execute/worker-file.js';
export type { LiveRow } from './live-rows.js';
export { partitionLiveRows } from './live-rows.js';
export { partitionsWhere } from './partition-filter.js';
export type { MergedPartition, MergedRow, MergeSource } from './partition-merge.js';
export { PartitionMerger } from './partition-merge.js';
export type { CompactOptions, ResolvedCompactOptions } from './plan/compact-options.js';
export { compactOptionsResolve, compactOptionsSchema } from './plan/compact-options.js';
export { compactionPlan, compactionPlanInput } from './plan/compaction-plan.js';
export { compactionPlanBuild } from './plan/plan-build.js';
export { compactionPlanFormat } from './plan/plan-format.js';
export type {
  PartitionSample,
  PlanInput,
  PlanInputNode,
  PlanSSTable,
  ResolvedPlanOptions,
} from './plan/plan-input.js';
export type {
  CompactionPlan,
  CompactionTask,
  Consistency,
  DataRange,
  PlanNode,
  PlanSizing,
  TaskNodeRanges,
  TaskRead,
  TokenRange,
} from './plan/plan-model.js';
export { planInputFromBackup, planInputFromFolder } from './plan/plan-read.js';
export type { ReplicaRange, RingMember, RingPlacement } from './plan/token-ring.js';
export {
  MAX_TOKEN,
  MIN_TOKEN,
  replicasNeeded,
  replicationFactorFromSchema,
  ringPlacement,
} from './plan/token-ring.js';
export type { JsonRow, RowJsonFormatter } from './row-json.js';
export { rowJsonFormatter } from './row-json.js';
export type { LiveRowsOptions } from './table-rows.js';
export { mergedLiveRows, tableLiveRows } from './table-rows.js';
export type { ModuleSinkCreate, ModuleSinkTask } from './worker/module-sink.js';
export { partitionStreamConcat, partitionsInRanges, writtenAtOrBefore } from './worker/stream-filters.js';
export type { TaskJobContext, TaskProgress, TaskRunHooks, TaskRunResult } from './worker/task-run.js';
export { compactionTaskRun, jobTableModel, taskJobContext } from './worker/task-run.js';
export type { SinkSpec, TaskOutput, TaskSink } from './worker/task-sink.js';
export { collectingSink, countingSink } from './worker/task-sink.js';
