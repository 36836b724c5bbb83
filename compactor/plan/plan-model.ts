/**
 * The compaction plan: plain, JSON-serialisable data (tokens as decimal strings, byte offsets as numbers)
 * that says which token range each task covers and which byte ranges of which SSTables of which replica it
 * reads. The planner (plan-build.ts) produces it without reading any Data.db; the executor ships one task at
 * a time to a worker; `--dry-run` prints it. Credentials never appear in it.
 */
import type { BackupSetFile } from '../../reader/index.js';

export type Consistency = 'one' | 'quorum' | 'all';

/** A token range `(start, end]` (Murmur3 signed 64-bit tokens as decimal strings). */
export interface TokenRange {
  readonly start: string;
  readonly end: string;
}

/** A byte range `[start, end)` of one SSTable's uncompressed Data.db, covering the token span `(fromToken, toToken]`. */
export interface DataRange {
  readonly start: number;
  readonly end: number;
  readonly fromToken: string;
  readonly toToken: string;
}

/** What one task reads of one SSTable of one replica. */
export interface TaskRead {
  readonly node: string;
  /** Data.db file name, e.g. `nb-1-big-Data.db`. */
  readonly sstable: string;
  /** Partition-aligned, ascending, disjoint. */
  readonly ranges: readonly DataRange[];
  /** Sum of the ranges' lengths. */
  readonly bytes: number;
}

/** The token ranges (within the task) where a node is one of the replicas read: only these partitions of it count. */
export interface TaskNodeRanges {
  readonly node: string;
  readonly ranges: readonly TokenRange[];
}

export interface CompactionTask {
  /** 0-based, in token order. */
  readonly id: number;
  readonly range: TokenRange;
  readonly owners: readonly TaskNodeRanges[];
  readonly reads: readonly TaskRead[];
  /** Estimated uncompressed Data.db bytes the task reads. */
  readonly bytes: number;
}

/** One replica's table in the backup: where its files are. */
export interface PlanNode {
  readonly node: string;
  readonly dc?: string;
  /** Folder (a name for messages) and files of the table, as the backup set lists them. */
  readonly folder: string;
  readonly files: readonly BackupSetFile[];
}

export interface PlanSizing {
  readonly cores: number;
  readonly memoryBytes: number;
  /** Memory the job may use (default 1 GiB, at most half the machine). */
  readonly memoryBudgetBytes: number;
  readonly estimatedWorkerBytes: number;
  readonly targetTaskBytes: number;
  /** From the Statistics.db partition size histograms. */
  readonly estimatedPartitions: number;
  readonly largestPartitionBytes: number;
  readonly tasksChosenBy: 'auto' | 'option';
  readonly workersChosenBy: 'auto' | 'option';
}

export interface CompactionPlan {
  readonly version: 1;
  /** URI or folder the data is read from. */
  readonly source: string;
  /** Backup layout, or `folder` for a plain folder of SSTables. */
  readonly layout: string;
  readonly keyspace: string;
  readonly table: string;
  readonly schemaText: string | undefined;
  /** The backup ids the replicas' backups come from (a backup layout; absent for a plain folder). */
  readonly backupIds?: readonly string[];
  readonly partitioner: string;
  /** Reference time for TTL expiry, seconds since the epoch (recorded in the output). */
  readonly now: number;
  /** Cells, markers and tombstones written after this (microseconds) are dropped; undefined = none. */
  readonly asOfMicros: number | undefined;
  readonly consistency: Consistency;
  readonly replicationFactor: number;
  readonly strategy: 'simple' | 'network-topology' | 'single-node';
  readonly nodes: readonly PlanNode[];
  /** Nodes of the ring without a usable backup. */
  readonly missingNodes: readonly string[];
  /** Uncompressed Data.db bytes of the SSTables read, all tasks. */
  readonly totalBytes: number;
  /** Uncompressed Data.db bytes of every SSTable of every node in the set. */
  readonly backupBytes: number;
  readonly workers: number;
  readonly tasks: readonly CompactionTask[];
  readonly sizing: PlanSizing;
  readonly warnings: readonly string[];
}
