/**
 * Validation: diffs of Iceberg snapshots (C−M, M−C, keyed missing/phantom/changed), shadow runs of the
 * legacy and new paths, the rules that categorise differences, and the investigation log.
 */
export type { Categorization, CategorizeInput, Category } from './categorize.js';
export { CATEGORIES, diffCategorize } from './categorize.js';
export type {
  ChangedSample,
  ColumnInfo,
  DiffOptions,
  DiffReport,
  DiffSession,
  DiffSide,
  DiffSideInfo,
  KeyedCounts,
  SampleRow,
  SchemaComparison,
  TableRef,
} from './diff.js';
export {
  diffSessionOpen,
  diffSideOf,
  parquetDiff,
  similarityOf,
  tableDiff,
  tableDiffOpen,
  tableRefParse,
} from './diff.js';
export { diffReportFormat } from './diff-format.js';
export type {
  CategorySummary,
  Investigation,
  InvestigationInput,
  InvestigationStatus,
  ShadowRunInput,
  ShadowRunRecord,
  ValidationStore,
} from './investigations.js';
export { validationStoreOpen } from './investigations.js';
export type { ReplicaCheckResult, ReplicaCheckSource } from './replica-check.js';
export { replicaCheck } from './replica-check.js';
export type { ShadowOptions, ShadowResult } from './shadow.js';
export { shadowRun, shadowTableOf, tableKeyColumns } from './shadow.js';
