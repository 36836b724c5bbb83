/**
 * A partition stream restricted to the partitions a predicate accepts — e.g. the token ranges a node owns,
 * so data a node still holds for ranges it gave away (before `nodetool cleanup`) is never read.
 */
import type { PartitionStream } from '../reader/index.js';

export function partitionsWhere(
  stream: PartitionStream,
  accept: (key: Uint8Array) => boolean,
): PartitionStream {
  return {
    async nextPartition() {
      for (let p = await stream.nextPartition(); p !== undefined; p = await stream.nextPartition()) {
        if (accept(p.key)) return p;
      }
      return undefined;
    },
    nextUnfiltered: () => stream.nextUnfiltered(),
  };
}
