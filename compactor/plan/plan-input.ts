/**
 * What the planner needs to know about a backup, as plain data: per replica its tokens and, per SSTable of
 * the table, its uncompressed length, first and last token and a sample of partition positions (from
 * Summary.db/Index.db) plus the Statistics.db partition-size estimates. plan-read.ts gathers it (I/O on
 * small files only); plan-build.ts turns it into a plan without any I/O.
 */
import type { Consistency, PlanNode } from './plan-model.js';

/** A sampled partition: its token and where it starts in the uncompressed Data.db. */
export interface PartitionSample {
  readonly token: string;
  readonly position: number;
}

export interface PlanSSTable {
  /** Data.db file name. */
  readonly sstable: string;
  readonly dataLength: number;
  readonly firstToken: string;
  readonly lastToken: string;
  /** Ascending by token; the first is the SSTable's first partition at position 0. */
  readonly samples: readonly PartitionSample[];
  /** Statistics.db estimated partition size histogram: partition count and largest bucket bound. */
  readonly estimatedPartitions: number;
  readonly largestPartitionBytes: number;
}

export interface PlanInputNode extends PlanNode {
  readonly tokens: readonly string[];
  readonly sstables: readonly PlanSSTable[];
  /** Set when the node's table could not be opened: it is then never chosen as a replica. */
  readonly problem?: string;
}

export interface PlanInput {
  readonly source: string;
  readonly layout: string;
  readonly keyspace: string;
  readonly table: string;
  readonly schemaText: string | undefined;
  /** The selected backup set's backup ids (backup layouts only). */
  readonly backupIds?: readonly string[];
  readonly partitioner: string;
  readonly nodes: readonly PlanInputNode[];
  /** Ring members without a usable backup, with their tokens when the layout's token map records them. */
  readonly missingNodes: readonly {
    readonly node: string;
    readonly dc?: string;
    readonly tokens: readonly string[];
  }[];
  /** True for a plain folder of SSTables: one "replica" owning the whole ring. */
  readonly singleNode: boolean;
  readonly warnings: readonly string[];
}

/** The job's choices, defaults applied (compact-options.ts). */
export interface ResolvedPlanOptions {
  readonly consistency: Consistency;
  readonly replicationFactor: number | undefined;
  readonly tasks: number | undefined;
  readonly workers: number | undefined;
  readonly now: number;
  readonly asOfMicros: number | undefined;
  readonly memoryBudgetBytes: number | undefined;
  readonly machine: { readonly cores: number; readonly memoryBytes: number };
  /** Byte gap below which two byte ranges of one SSTable are read as one (default 1 MiB). */
  readonly mergeGapBytes?: number;
}
