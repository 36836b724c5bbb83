/**
 * The live rows of a whole table folder: all SSTables merged (reconciled as Cassandra's read path does),
 * in token order then clustering order, at one reference time.
 */
import type { TableFolder } from '../reader/folder.js';
import { type LiveRow, partitionLiveRows } from './live-rows.js';
import { PartitionMerger } from './partition-merge.js';

export interface LiveRowsOptions {
  /** Reference time for TTL expiry, in seconds since the epoch. */
  readonly now: number;
}

export async function* tableLiveRows(table: TableFolder, options: LiveRowsOptions): AsyncGenerator<LiveRow> {
  const first = table.sstables[0]!;
  const merger = new PartitionMerger(
    table.sstables.map((t) => ({ scanner: t.scan(), name: t.dataFile })),
    first.partitioner,
    first.layout.clusteringTypes,
    table.model,
    options.now,
  );
  for (let p = await merger.nextPartition(); p !== undefined; p = await merger.nextPartition()) {
    yield* partitionLiveRows(p, table.model, options.now);
  }
}
