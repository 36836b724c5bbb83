/** Statistics.db: parse → serialize is byte-identical for every corpus file (ma..oa). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../../infra/index.js';
import {
  estimatedHistogramOffsets,
  statisticsFullParse,
  statisticsFullSerialize,
} from '../statistics-full.js';

describe('statistics-full round trip', () => {
  for (const c of corpusCases()) {
    it(c.name, () => {
      const files = readdirSync(c.dir).filter((f) => f.endsWith('-Statistics.db'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const bytes = readFileSync(join(c.dir, f));
        const version = f.split('-')[0]!;
        const parsed = statisticsFullParse(bytes, version, f);
        expect(Buffer.from(statisticsFullSerialize(parsed, version)).equals(bytes)).toBe(true);
        const stats = parsed.stats!;
        const n = stats.estimatedPartitionSize.bucketOffsets.length;
        expect(stats.estimatedPartitionSize.bucketOffsets).toEqual(estimatedHistogramOffsets(n));
      }
    });
  }

  it('rejects a corrupted checksum', () => {
    const c = corpusCases().find((x) => readdirSync(x.dir).some((f) => f.startsWith('nb-')))!;
    const f = readdirSync(c.dir).find((x) => x.endsWith('-Statistics.db'))!;
    const bytes = Uint8Array.from(readFileSync(join(c.dir, f)));
    bytes[60]! ^= 1;
    expect(() => statisticsFullParse(bytes, 'nb', f)).toThrow(/CRC mismatch/);
  });
});
