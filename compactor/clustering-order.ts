/**
 * Clustering order (db/ClusteringComparator.java): value by value with each column's type (DESC columns
 * are `reversed`), null before any value; when one prefix is shorter, the bound kind decides where a
 * range tombstone bound sits relative to the rows it covers (ClusteringPrefix.Kind).
 */

import type { CqlType } from '../reader/index.js';
import { CLUSTERING, type ClusteringValues, cqlCompare, type Unfiltered } from '../reader/index.js';

/** Kind.comparison and Kind.comparedToClustering, by kind ordinal. */
const KIND_COMPARISON = [0, 0, 0, 1, 2, 3, 3, 3];
const KIND_VS_CLUSTERING = [-1, -1, -1, -1, 0, 1, 1, 1];

export type UnfilteredComparator = (a: Unfiltered, b: Unfiltered) => number;

export function clusteringComparator(types: readonly CqlType[]): UnfilteredComparator {
  const compareValues = (a: ClusteringValues, b: ClusteringValues): number => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (x === null) {
        if (y !== null) return -1;
        continue;
      }
      if (y === null) return 1;
      const c = cqlCompare(types[i]!, x, y);
      if (c !== 0) return c;
    }
    return 0;
  };
  return (a, b) => {
    const c = compareValues(a.clustering, b.clustering);
    if (c !== 0) return c;
    const ka = a.kind === 0 ? CLUSTERING : a.boundKind;
    const kb = b.kind === 0 ? CLUSTERING : b.boundKind;
    const sa = a.clustering.length;
    const sb = b.clustering.length;
    if (sa === sb) return KIND_COMPARISON[ka]! - KIND_COMPARISON[kb]!;
    return sa < sb ? KIND_VS_CLUSTERING[ka]! : -KIND_VS_CLUSTERING[kb]!;
  };
}
