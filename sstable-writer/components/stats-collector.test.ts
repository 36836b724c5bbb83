/**
 * StatsCollector against the corpus: every sstable is decoded with the reader and fed to the collector;
 * the fields Cassandra derives from the data alone must equal the file's own STATS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../infra/index.js';
import { descriptorsInFolder, MARKER, sstableOpen, statisticsFullParse } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import { indexDbEntries } from './index-entries.js';
import { comparatorForType, StatsCollector } from './stats-collector.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('stats collector', () => {
  for (const c of corpusCases().filter((x) => x.spec.expected.error === undefined)) {
    it(c.name, async () => {
      const dir = localDirectory(c.dir);
      const files = await dir.list();
      for (const d of descriptorsInFolder(files)) {
        if (!files.includes(`${d.prefix}-Index.db`)) continue;
        const full = statisticsFullParse(readFileSync(join(c.dir, `${d.prefix}-Statistics.db`)), d.version);
        const want = full.stats!;
        const t = await sstableOpen(dir, d, undefined);
        try {
          const entries = indexDbEntries(readFileSync(join(c.dir, `${d.prefix}-Index.db`)));
          const sizes = entries.map(
            (e, i) => (entries[i + 1]?.dataPosition ?? t.dataLength) - e.dataPosition,
          );
          // 3.0.x builds (bins at Integer.MAX_VALUE or a stored bin size of 100 with unrounded points)
          const cassandra30 = want.estimatedTombstoneDropTime.bins.some((b) => b.point === 2147483647);
          const col = new StatsCollector({
            version: d.version,
            clusteringComparators: full.header!.clusteringTypes.map(comparatorForType),
            originatingHostId: want.originatingHostId ?? null,
            cassandra30TombstoneHistogram: cassandra30,
            // the bucket counts changed within release lines (see the option's doc): take the file's
            partitionSizeHistogramSize: want.estimatedPartitionSize.bucketOffsets.length,
            cellCountHistogramSize: want.estimatedCellPerPartitionCount.bucketOffsets.length,
          });
          const s = t.scan();
          let i = 0;
          for (let p = await s.nextPartition(); p; p = await s.nextPartition(), i++) {
            col.startPartition(p.key, p.deletion);
            if (p.staticRow) col.addRow(p.staticRow);
            for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) {
              if (u.kind === MARKER) col.addMarker(u);
              else col.addRow(u);
            }
            col.endPartition(sizes[i]!);
          }
          const got = col.finish();
          expect(hex(col.cardinalityBytes())).toBe(hex(full.compaction!.cardinalityEstimator));
          expect(got.minTimestamp).toBe(want.minTimestamp);
          expect(got.maxTimestamp).toBe(want.maxTimestamp);
          expect(got.minLocalDeletionTime).toBe(want.minLocalDeletionTime);
          expect(got.maxLocalDeletionTime).toBe(want.maxLocalDeletionTime);
          expect([got.minTTL, got.maxTTL]).toEqual([want.minTTL, want.maxTTL]);
          expect(got.totalRows).toBe(want.totalRows);
          expect(got.totalColumnsSet).toBe(want.totalColumnsSet);
          expect(got.estimatedPartitionSize).toEqual(want.estimatedPartitionSize);
          // 3.0.8-era (2016 `mc`) and 2018 trunk (`na`) builds recorded every partition's cell count twice
          const sum = (h: readonly number[]): number => h.reduce((a, b) => a + b, 0);
          const twice = sum(want.estimatedCellPerPartitionCount.buckets) === 2 * entries.length;
          const cells = got.estimatedCellPerPartitionCount;
          expect(twice ? { ...cells, buckets: cells.buckets.map((n) => 2 * n) } : cells).toEqual(
            want.estimatedCellPerPartitionCount,
          );
          // ma (a 3.0.0 release candidate) did not count row liveness in the histogram
          if (d.version !== 'ma')
            expect(got.estimatedTombstoneDropTime.bins).toEqual(want.estimatedTombstoneDropTime.bins);
          if (d.version >= 'mb' && d.version < 'oa') {
            expect(got.minClusteringValues.map(hex)).toEqual(want.minClusteringValues.map(hex));
            expect(got.maxClusteringValues.map(hex)).toEqual(want.maxClusteringValues.map(hex));
          }
        } finally {
          await t.close();
        }
      }
    });
  }
});
