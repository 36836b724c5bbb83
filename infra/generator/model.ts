/**
 * What the generator generates: per table, a number of partitions, and for each partition its rows and the
 * history of CQL writes that produced them — inserts and updates with write timestamps and TTLs, cell, row,
 * range and partition deletions. Everything is a pure function of (seed, partition, row), so a partition's
 * history can be produced twice — once to write SSTables, once for the oracle — and rows of a huge
 * partition are produced one at a time.
 */
import type { JsonValue, TableModel, TableSchema } from '../../reader/index.js';

/** One write to one row, as a CQL statement would make it. Column values are JSON (corpus conventions). */
export type RowOp =
  | {
      /** INSERT: writes the row marker and the given columns. UPDATE: only the columns. */
      readonly kind: 'insert' | 'update';
      readonly ts: number;
      /** Seconds; 0 for no TTL. */
      readonly ttl: number;
      /** [column id, value]; a multi-cell column's value replaces the whole collection. */
      readonly cells: readonly (readonly [number, JsonValue])[];
    }
  | { readonly kind: 'delete-cell'; readonly ts: number; readonly column: number }
  | { readonly kind: 'delete-row'; readonly ts: number };

export interface RangeDelete {
  /** First row index covered (inclusive). */
  readonly from: number;
  /** Row index where the range ends (exclusive). */
  readonly to: number;
  readonly ts: number;
}

export interface PartitionHistory {
  /** Timestamp of a partition deletion (DELETE FROM t WHERE pk = …), if any. */
  readonly deletion?: number;
  readonly ranges: readonly RangeDelete[];
  /** Writes to the static columns. */
  readonly staticOps: readonly RowOp[];
}

export interface TableGen {
  readonly schema: TableSchema;
  readonly model: TableModel;
  /** CREATE TABLE statement (and CREATE TYPE before it) for schema.cql. */
  readonly cql: string;
  readonly partitions: number;
  /** Partition key column values, in partition key order. */
  partitionKey(p: number): readonly JsonValue[];
  rowCount(p: number): number;
  /** Clustering values of row j; rows are numbered in storage (clustering) order. */
  clustering(p: number, j: number): readonly JsonValue[];
  /** The writes to row j, in timestamp order. */
  rowOps(p: number, j: number): readonly RowOp[];
  partitionHistory(p: number): PartitionHistory;
}

export interface GenContext {
  readonly seed: number;
  /** Reference time (seconds): TTLs are judged against it; every write happens before it. */
  readonly now: number;
  /** Earliest write, microseconds. */
  readonly t0: number;
  /** Latest write, microseconds. */
  readonly t1: number;
}
