/**
 * The live rows of a table: its SSTables merged (reconciled as Cassandra's read path does), in token order
 * then clustering order, at one reference time.
 */
import type { CqlType, Partitioner, PartitionStream, TableFolder, TableModel } from '../reader/index.js';
import { type LiveRow, partitionLiveRows } from './live-rows.js';
import { PartitionMerger } from './partition-merge.js';

export interface LiveRowsOptions {
  /** Reference time for TTL expiry, in seconds since the epoch. */
  readonly now: number;
}

export function tableLiveRows(table: TableFolder, options: LiveRowsOptions): AsyncGenerator<LiveRow> {
  const first = table.sstables[0]!;
  return mergedLiveRows(
    table.sstables.map((t) => t.scan()),
    first.partitioner,
    first.layout.clusteringTypes,
    table.model,
    options,
  );
}

/** Live rows of any set of partition streams of one table (SSTables of several nodes, filtered scans…). */
export async function* mergedLiveRows(
  streams: readonly PartitionStream[],
  partitioner: Partitioner,
  clusteringTypes: readonly CqlType[],
  model: TableModel,
  options: LiveRowsOptions,
): AsyncGenerator<LiveRow> {
  const merger = new PartitionMerger(
    streams.map((scanner, i) => ({ scanner, name: `source ${i}` })),
    partitioner,
    clusteringTypes,
    model,
    options.now,
  );
  for (let p = await merger.nextPartition(); p !== undefined; p = await merger.nextPartition()) {
    yield* partitionLiveRows(p, model, options.now);
  }
}
