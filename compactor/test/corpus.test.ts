/**
 * The reader and the merge against every real SSTable in ../shared/corpus: the live rows of each case
 * folder must equal `expected.rows` as a multiset (or the partition keys, in token order, where only those
 * are documented), and the deliberately corrupted cases must fail with a checksum error.
 */
import { describe, expect, it } from 'vitest';
import { type CorpusCase, canonicalRow, corpusCases } from '../../infra/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import { rowJsonFormatter } from '../row-json.js';
import { tableLiveRows } from '../table-rows.js';

async function liveRows(c: CorpusCase, nowIso?: string): Promise<Record<string, unknown>[]> {
  const table = await tableFolderOpen(localDirectory(c.dir));
  try {
    const fmt = rowJsonFormatter(table.model);
    const now = Math.floor(Date.parse(nowIso ?? new Date().toISOString()) / 1000);
    const out: Record<string, unknown>[] = [];
    for await (const r of tableLiveRows(table, { now })) out.push(fmt.format(r));
    return out;
  } finally {
    await table.close();
  }
}

function multiset(rows: Record<string, unknown>[]): string[] {
  return rows.map(canonicalRow).sort();
}

describe('corpus', () => {
  for (const c of corpusCases()) {
    const e = c.spec.expected;
    it(c.name, async () => {
      if (e.error !== undefined) {
        await expect(liveRows(c)).rejects.toThrow(/crc mismatch|digest mismatch/);
        return;
      }
      const rows = await liveRows(c, c.spec.now);
      if (e.rows) {
        expect(multiset(rows)).toEqual(multiset(e.rows));
      } else if (e.partitions) {
        const keys = Object.keys(e.partitions[0] ?? {});
        const seen: string[] = [];
        for (const r of rows) {
          const k = canonicalRow(Object.fromEntries(keys.map((n) => [n, r[n]])));
          if (seen[seen.length - 1] !== k) seen.push(k);
        }
        expect(seen).toEqual(e.partitions.map(canonicalRow));
      }
      if (e.row_count !== undefined) expect(rows.length).toBe(e.row_count);
      if (c.spec.expected_later) {
        const later = await liveRows(c, c.spec.expected_later.now);
        expect(multiset(later)).toEqual(multiset(c.spec.expected_later.rows));
      }
    });
  }
});
