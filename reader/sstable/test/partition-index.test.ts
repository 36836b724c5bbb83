/**
 * Index.db and Summary.db against Data.db for every corpus SSTable: the index lists every partition with
 * its exact Data.db offset, and a seek by any partition's token lands on that partition.
 */
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../../infra/index.js';
import { localDirectory } from '../../../storage/index.js';
import { descriptorsInFolder } from '../descriptor.js';
import { sstableOpen } from '../sstable.js';

describe('partition index', () => {
  for (const c of corpusCases().filter((x) => x.spec.expected.error === undefined)) {
    it(c.name, async () => {
      const dir = localDirectory(c.dir);
      const files = await dir.list();
      for (const d of descriptorsInFolder(files)) {
        if (!files.includes(`${d.prefix}-Index.db`)) continue;
        const t = await sstableOpen(dir, d, undefined);
        try {
          const fromData: { key: string; position: number }[] = [];
          const s = t.scan();
          for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
            fromData.push({ key: Buffer.from(p.key).toString('hex'), position: p.position });
          }
          const index = await t.partitionIndex();
          const fromIndex: { key: string; position: number }[] = [];
          for await (const e of index.entries())
            fromIndex.push({ key: Buffer.from(e.key).toString('hex'), position: e.dataPosition });
          expect(fromIndex).toEqual(fromData);
          // seeks: a handful of partitions, spread over the file
          const step = Math.max(1, Math.floor(fromData.length / 7));
          for (let i = 0; i < fromData.length; i += step) {
            const token = t.partitioner.tokenOf(Buffer.from(fromData[i]!.key, 'hex'));
            expect(await index.dataPositionAtOrAfter(token)).toBe(fromData[i]!.position);
          }
          const samples = await index.samples();
          expect(samples.length).toBeGreaterThan(0);
          for (const sample of samples) {
            expect(fromData).toContainEqual({
              key: Buffer.from(sample.key).toString('hex'),
              position: sample.dataPosition,
            });
          }
        } finally {
          await t.close();
        }
      }
    });
  }
});
