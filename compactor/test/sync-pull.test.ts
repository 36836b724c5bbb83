/**
 * The merge's synchronous pulls (tryNextPartition / tryNextRow / PartitionLiveRows.tryNext) stop with
 * NOT_READY whenever a source has no bytes yet and resume after `ready()`. Here every source stops at
 * random before most items; the live rows must be exactly those of the promise-based path, also when the
 * consumer leaves partitions half-read, and no source may be asked to fill twice at once.
 */
import { describe, expect, it } from 'vitest';
import type { CqlType, TableModel } from '../../reader/index.js';
import {
  INCL_END_BOUND,
  INCL_START_BOUND,
  LIVE,
  murmur3Partitioner,
  NOT_READY,
  type SyncPartitionStream,
  type Unfiltered,
} from '../../reader/index.js';
import { PartitionLiveRows, partitionLiveRows } from '../live-rows.js';
import { type MergeSource, PartitionMerger } from '../partition-merge.js';
import { rowJsonFormatter } from '../row-json.js';
import { cell, del, int32, type MemoryPartition, marker, memoryStream, row } from './memory-stream.js';

const INT: CqlType = { kind: 'native', name: 'int' };
const model: TableModel = {
  keyspace: 'ks',
  name: 't',
  partitionKey: [{ name: 'pk', type: INT }],
  clustering: [{ name: 'ck', type: INT }],
  columns: [
    { id: 0, name: 'v', type: INT, kind: 'regular', complex: false, hidden: false },
    { id: 1, name: 'st', type: INT, kind: 'static', complex: false, hidden: false },
    { id: 2, name: 'w', type: INT, kind: 'regular', complex: false, hidden: false },
  ],
  compactStorage: false,
  fromSchema: true,
};
const NOW = 1_700_000_000;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `sources` SSTables over 60 partitions (in token order), with overlapping rows, deletions and statics. */
function sstables(seed: number, sources: number): MemoryPartition[][] {
  const r = rng(seed);
  const keys = Array.from({ length: 60 }, (_, i) => int32(i)).sort((a, b) =>
    murmur3Partitioner.compareTokens(murmur3Partitioner.tokenOf(a), murmur3Partitioner.tokenOf(b)),
  );
  const out: MemoryPartition[][] = [];
  for (let s = 0; s < sources; s++) {
    const parts: MemoryPartition[] = [];
    for (const key of keys) {
      if (r() < 0.35) continue;
      const unfiltereds: Unfiltered[] = [];
      const rt = r() < 0.2 ? [Math.floor(r() * 10), 0] : undefined;
      if (rt !== undefined) rt[1] = rt[0]! + Math.floor(r() * 4);
      for (let ck = 0; ck < 10; ck++) {
        if (rt !== undefined && ck === rt[0])
          unfiltereds.push(marker(INCL_START_BOUND, [int32(ck)], del(1000 + Math.floor(r() * 200))));
        if (r() < 0.6) {
          const ts = 1000 + Math.floor(r() * 300);
          const cells = [cell(0, int32(Math.floor(r() * 5)), ts)];
          if (r() < 0.5) cells.push(cell(2, int32(Math.floor(r() * 5)), ts + Math.floor(r() * 3)));
          unfiltereds.push(
            row([int32(ck)], cells, {
              timestamp: r() < 0.7 ? ts : undefined,
              deletion: r() < 0.1 ? del(1000 + Math.floor(r() * 300)) : LIVE,
            }),
          );
        }
        if (rt !== undefined && ck === rt[1])
          unfiltereds.push(marker(INCL_END_BOUND, [int32(ck)], del(1000 + Math.floor(r() * 200))));
      }
      parts.push({
        key,
        ...(r() < 0.1 ? { deletion: del(1000 + Math.floor(r() * 100)) } : {}),
        ...(r() < 0.3
          ? { staticRow: row([], [cell(1, int32(s), 900 + Math.floor(r() * 300))], { isStatic: true }) }
          : {}),
        unfiltereds,
      });
    }
    out.push(parts);
  }
  return out;
}

/** A synchronous stream over memory partitions that stops (NOT_READY) before most items, at random. */
function stutterStream(partitions: readonly MemoryPartition[], seed: number): SyncPartitionStream {
  const r = rng(seed);
  const inner = memoryStream(partitions);
  let p = -1;
  let u = 0;
  let closed = true;
  let filling = false;
  const step = (): boolean => {
    if (closed) return false;
    closed = r() < 0.6;
    return true;
  };
  const s: SyncPartitionStream = {
    tryNextPartition() {
      if (!step()) return NOT_READY;
      p++;
      u = 0;
      const part = partitions[p];
      if (part === undefined) return undefined;
      return {
        key: part.key,
        deletion: part.deletion ?? LIVE,
        position: 0,
        staticRow: part.staticRow ?? null,
      };
    },
    tryNextUnfiltered() {
      const part = partitions[p];
      if (part === undefined || u >= part.unfiltereds.length) {
        if (!step()) return NOT_READY;
        return null;
      }
      if (!step()) return NOT_READY;
      return part.unfiltereds[u++]!;
    },
    async ready() {
      if (filling) throw new Error('ready() while a fill is under way');
      if (!closed) throw new Error('ready() without a NOT_READY');
      filling = true;
      await new Promise((resolve) => setImmediate(resolve));
      closed = false;
      filling = false;
    },
    nextPartition: () => inner.nextPartition(),
    nextUnfiltered: () => inner.nextUnfiltered(),
  };
  return s;
}

function merger(streams: MergeSource['scanner'][]): PartitionMerger {
  return new PartitionMerger(
    streams.map((scanner, i) => ({ scanner, name: `s${i}` })),
    murmur3Partitioner,
    [INT],
    model,
    NOW,
  );
}

const fmt = rowJsonFormatter(model);

/** The promise-based path, rows per partition; `keep(i)` rows of the i-th partition are read, the rest skipped. */
async function viaPromises(ssts: MemoryPartition[][], keep: (i: number) => number): Promise<unknown[][]> {
  const m = merger(ssts.map((parts) => memoryStream(parts)));
  const out: unknown[][] = [];
  for (let p = await m.nextPartition(); p !== undefined; p = await m.nextPartition()) {
    const rows: unknown[] = [];
    let n = keep(out.length);
    for await (const r of partitionLiveRows(p, model, NOW)) {
      if (n-- <= 0) break;
      rows.push(fmt.format(r));
    }
    out.push(rows);
  }
  return out;
}

/**
 * The synchronous path over stuttering sources, rows per partition. `leave(i)`: the i-th partition is left
 * at its first stop for bytes (the next partition call then skips its rest).
 */
async function viaSyncPulls(
  ssts: MemoryPartition[][],
  seed: number,
  keep: (i: number) => number,
  leave: (i: number) => boolean = () => false,
): Promise<{ parts: unknown[][]; stops: number; left: Set<number> }> {
  const m = merger(ssts.map((parts, k) => stutterStream(parts, seed * 31 + k)));
  const parts: unknown[][] = [];
  const left = new Set<number>();
  let stops = 0;
  for (let i = 0; ; i++) {
    let p = m.tryNextPartition();
    while (p === NOT_READY) {
      stops++;
      await m.ready();
      p = m.tryNextPartition();
    }
    if (p === undefined) break;
    const rows: unknown[] = [];
    let n = keep(i);
    const live = new PartitionLiveRows(p, model, NOW);
    for (let r = live.tryNext(); r !== null && n > 0; r = live.tryNext()) {
      if (r === NOT_READY) {
        stops++;
        if (leave(i)) {
          left.add(i);
          break;
        }
        await m.ready();
        continue;
      }
      n--;
      rows.push(fmt.format(r));
    }
    parts.push(rows);
  }
  return { parts, stops, left };
}

const ALL = (): number => Number.POSITIVE_INFINITY;

describe('synchronous pulls through the merge', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`gives the rows of the promise-based path (seed ${seed}, 3 sources)`, async () => {
      const ssts = sstables(seed, 3);
      const expected = await viaPromises(ssts, ALL);
      const { parts, stops } = await viaSyncPulls(ssts, seed, ALL);
      expect(expected.flat().length).toBeGreaterThan(50);
      expect(stops).toBeGreaterThan(100);
      expect(parts).toEqual(expected);
    });
  }

  it('skips the rest of partitions read in part', async () => {
    const ssts = sstables(9, 4);
    // every third partition: only its first live row
    const keep = (i: number): number => (i % 3 === 0 ? 1 : Number.POSITIVE_INFINITY);
    const expected = await viaPromises(ssts, keep);
    expect(expected.flat().length).toBeLessThan((await viaPromises(ssts, ALL)).flat().length);
    const { parts } = await viaSyncPulls(ssts, 9, keep);
    expect(parts).toEqual(expected);
  });

  it('resumes correctly when a partition is left while its sources wait for bytes', async () => {
    const ssts = sstables(5, 4);
    const all = await viaPromises(ssts, ALL);
    const { parts, left } = await viaSyncPulls(ssts, 5, ALL, (i) => i % 4 === 1);
    expect(left.size).toBeGreaterThan(3);
    expect(parts.length).toBe(all.length);
    for (let i = 0; i < all.length; i++) {
      if (left.has(i)) expect(parts[i]).toEqual(all[i]!.slice(0, parts[i]!.length));
      else expect(parts[i]).toEqual(all[i]);
    }
  });
});
