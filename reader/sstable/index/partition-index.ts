/**
 * Access to an SSTable's partition index, whatever its format: the big format's Index.db + Summary.db
 * (big-partition-index.ts) today, the BTI format's Partitions.db trie later. The compactor uses it to
 * find where a token range starts in Data.db and to sample partition boundaries for planning tasks.
 */
import type { Token } from '../../partitioner/partitioner.js';

export interface PartitionIndexEntry {
  readonly key: Uint8Array;
  /** Offset of the partition in the uncompressed Data.db. */
  readonly dataPosition: number;
}

export interface PartitionIndex {
  /** Every partition, in token order, from the first whose token is >= `from` (all when omitted). */
  entries(from?: Token): AsyncIterable<PartitionIndexEntry>;
  /** Data.db offset of the first partition whose token is >= `token`; the data length if there is none. */
  dataPositionAtOrAfter(token: Token): Promise<number>;
  /** A sample of partitions in token order (the summary), for splitting the ring into tasks. */
  samples(): Promise<readonly PartitionIndexEntry[]>;
}
