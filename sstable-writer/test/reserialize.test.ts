/**
 * Byte-for-byte against Cassandra: every corpus SSTable is decoded with the reader and serialized again
 * with the writer's partition serializer, with the same header (columns and encoding stats). The result
 * must equal Cassandra's uncompressed Data.db exactly, and the Index.db built from the writer's index
 * entries (with promoted indexes for wide partitions) must equal Cassandra's Index.db.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusCases } from '../../infra/index.js';
import { ByteWriter, descriptorsInFolder, type SSTable, sstableOpen } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import { type IndexEntry, PartitionSerializer } from '../partition-serializer.js';

class MemoryOutput {
  readonly w = new ByteWriter(1 << 16);
  get position(): number {
    return this.w.pos;
  }
  write(bytes: Uint8Array): void {
    this.w.bytes(bytes);
  }
}

function indexBytes(entries: readonly IndexEntry[]): Uint8Array {
  const w = new ByteWriter();
  for (const e of entries) {
    w.u16(e.key.length);
    w.bytes(e.key);
    w.unsignedVInt(e.position);
    if (e.promotedIndex === null) w.unsignedVInt(0);
    else {
      w.unsignedVInt(e.promotedIndex.length);
      w.bytes(e.promotedIndex);
    }
  }
  return w.take();
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

async function reserialize(
  t: SSTable,
  columnIndexSize: number,
): Promise<{ bytes: Uint8Array; entries: IndexEntry[] }> {
  const out = new MemoryOutput();
  const ser = new PartitionSerializer(
    {
      version: t.version,
      clusteringFixedLengths: t.layout.clusteringFixedLengths,
      staticColumns: t.layout.staticColumns,
      regularColumns: t.layout.regularColumns,
      stats: t.statistics.header.stats,
      columnIndexSize,
    },
    out,
  );
  const entries: IndexEntry[] = [];
  const s = t.scan();
  for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
    ser.begin(p.key, p.deletion, p.staticRow);
    for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) ser.add(u);
    entries.push(ser.end());
  }
  return { bytes: out.w.written(), entries };
}

describe('re-serializing corpus SSTables', () => {
  for (const c of corpusCases().filter((x) => x.spec.expected.error === undefined)) {
    it(c.name, async () => {
      const dir = localDirectory(c.dir);
      const files = await dir.list();
      for (const d of descriptorsInFolder(files)) {
        const t = await sstableOpen(dir, d, undefined);
        try {
          const original = new ByteWriter(t.dataLength + 16);
          for (const chunk of await t.chunks.readChunks(0, t.chunks.chunkCount)) original.bytes(chunk);
          // column_index_size is a cassandra.yaml setting the files do not record: Cassandra's default
          // (64 KiB) first, then the smaller sizes test suites use
          let result: { bytes: Uint8Array; entries: IndexEntry[] } | undefined;
          const index = files.includes(`${d.prefix}-Index.db`)
            ? new Uint8Array(readFileSync(join(c.dir, `${d.prefix}-Index.db`)))
            : undefined;
          for (const columnIndexSize of [64 * 1024, 4 * 1024, 1024]) {
            result = await reserialize(t, columnIndexSize);
            if (index === undefined || firstDifference(indexBytes(result.entries), index) === -1) break;
          }
          const { entries } = result!;
          const mine = result!.bytes;
          const theirs = original.written();
          expect({
            sstable: d.prefix,
            firstDifference: firstDifference(mine, theirs),
            length: mine.length,
          }).toEqual({
            sstable: d.prefix,
            firstDifference: -1,
            length: theirs.length,
          });
          if (index !== undefined) {
            const built = indexBytes(entries);
            expect({
              sstable: `${d.prefix}-Index.db`,
              firstDifference: firstDifference(built, index),
              length: built.length,
            }).toEqual({
              sstable: `${d.prefix}-Index.db`,
              firstDifference: -1,
              length: index.length,
            });
          }
        } finally {
          await t.close();
        }
      }
    });
  }
});
