/**
 * The SSTable writer end to end: every corpus SSTable is decoded and written again as `nb` and as `mc`,
 * with each compression in turn; the written SSTable must read back to exactly the same unmerged contents
 * (sstabledump-style, positions included). For `mc` without compression, Index.db, Summary.db and
 * Filter.db must also equal Cassandra's bytes (Data.db equality is in reserialize.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusCases } from '../../infra/index.js';
import { descriptorsInFolder, rawJsonFormatter, type SSTable, sstableOpen } from '../../reader/index.js';
import { localDirectory, localSinkDirectory } from '../../storage/index.js';
import { SSTableWriter, type WriterCompression } from '../sstable-writer.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-writer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function rawDump(t: SSTable): Promise<unknown[]> {
  const fmt = rawJsonFormatter(t.model, t.layout.clusteringTypes);
  const out: unknown[] = [];
  const s = t.scan();
  for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
    const { sstable: _, ...header } = fmt.partition(
      '',
      p,
      t.partitioner.tokenToString(t.partitioner.tokenOf(p.key)),
    );
    out.push(header);
    for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) out.push(fmt.unfiltered(u));
  }
  return out;
}

async function rewrite(
  t: SSTable,
  dir: string,
  version: 'nb' | 'mc',
  compression: WriterCompression,
): Promise<SSTable> {
  const sink = await localSinkDirectory(dir);
  const w = await SSTableWriter.create(sink, t.model, {
    version,
    generation: 1,
    compression,
    partitioner: t.partitioner,
    stats: t.statistics.header.stats,
    columns: [...t.layout.staticColumns, ...t.layout.regularColumns].map((c) => c.id),
    bloomFilterFpChance: t.statistics.bloomFilterFpChance,
  });
  const s = t.scan();
  for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
    w.begin(p.key, p.deletion, p.staticRow);
    for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) w.add(u);
    await w.end();
  }
  const written = await w.finish();
  const dirSource = localDirectory(dir);
  return sstableOpen(dirSource, written.descriptor, t.model);
}

function withoutPositions(key: string, value: unknown): unknown {
  return key === 'position' ? undefined : value;
}

const COMPRESSIONS: WriterCompression[] = ['lz4', 'zstd', 'snappy', 'deflate', 'none'];

describe('SSTable writer round trip', () => {
  let n = 0;
  for (const c of corpusCases().filter((x) => x.spec.expected.error === undefined)) {
    it(c.name, async () => {
      const dir = localDirectory(c.dir);
      const files = await dir.list();
      for (const d of descriptorsInFolder(files)) {
        const t = await sstableOpen(dir, d, undefined);
        try {
          const original = await rawDump(t);
          for (const version of ['nb', 'mc'] as const) {
            const compression = COMPRESSIONS[n++ % COMPRESSIONS.length]!;
            const out = join(work, `${c.name}-${d.prefix}-${version}-${compression}`);
            const written = await rewrite(t, out, version, compression);
            try {
              // positions shift only when the partition header format changes (5.0's compact deletion time)
              const same = t.version.uintDeletionTime === written.version.uintDeletionTime;
              expect(JSON.stringify(await rawDump(written), same ? undefined : withoutPositions)).toBe(
                JSON.stringify(original, same ? undefined : withoutPositions),
              );
              const index = await written.partitionIndex();
              let entries = 0;
              for await (const _ of index.entries()) entries++;
              expect(entries).toBe(
                original.filter((x) => (x as { partition?: unknown }).partition !== undefined).length,
              );
            } finally {
              await written.close();
            }
          }
          // mc, uncompressed: the index, summary and filter are Cassandra's own bytes
          if (t.version.version !== 'mc' || t.compression !== undefined) continue;
          const out = join(work, `${c.name}-${d.prefix}-mc-exact`);
          const written = await rewrite(t, out, 'mc', 'none');
          await written.close();
          for (const component of ['Index.db', 'Summary.db', 'Filter.db']) {
            const theirs = join(c.dir, `${d.prefix}-${component}`);
            if (!existsSync(theirs)) continue;
            const mine = readFileSync(join(out, `mc-1-big-${component}`));
            expect({ component, same: Buffer.compare(mine, readFileSync(theirs)) === 0 }).toEqual({
              component,
              same: true,
            });
          }
        } finally {
          await t.close();
        }
      }
    });
  }
});
