/**
 * Cassandra's reconciliation rules, one scenario each, on hand-built SSTables: which version of a cell
 * wins, how row, range, partition and collection deletions shadow older data in other SSTables, TTL expiry
 * at the reference time, counters, shadowable deletions and static-only partitions.
 */
import { describe, expect, it } from 'vitest';
import type { CqlType, TableModel } from '../../reader/index.js';
import { EXCL_END_BOUND, INCL_END_BOUND, INCL_START_BOUND, murmur3Partitioner } from '../../reader/index.js';
import { partitionLiveRows } from '../live-rows.js';
import { PartitionMerger } from '../partition-merge.js';
import { rowJsonFormatter } from '../row-json.js';
import {
  cell,
  del,
  int32,
  type MemoryPartition,
  marker,
  memoryStream,
  row,
  tombstone,
} from './memory-stream.js';

const INT: CqlType = { kind: 'native', name: 'int' };
const model: TableModel = {
  keyspace: 'ks',
  name: 't',
  partitionKey: [{ name: 'pk', type: INT }],
  clustering: [{ name: 'ck', type: INT }],
  columns: [
    { id: 0, name: 'v', type: INT, kind: 'regular', complex: false, hidden: false },
    {
      id: 1,
      name: 's',
      type: { kind: 'set', element: INT, frozen: false },
      kind: 'regular',
      complex: true,
      hidden: false,
    },
    { id: 2, name: 'st', type: INT, kind: 'static', complex: false, hidden: false },
    { id: 3, name: 'w', type: INT, kind: 'regular', complex: false, hidden: false },
  ],
  compactStorage: false,
  fromSchema: true,
};
const NOW = 1_700_000_000;
const V = 0;
const S = 1;
const ST = 2;
const W = 3;
const EMPTY = new Uint8Array(0);

async function select(sstables: MemoryPartition[][], now = NOW): Promise<Record<string, unknown>[]> {
  const merger = new PartitionMerger(
    sstables.map((parts, i) => ({ scanner: memoryStream(parts), name: `sstable-${i}` })),
    murmur3Partitioner,
    [INT],
    model,
    now,
  );
  const fmt = rowJsonFormatter(model);
  const out: Record<string, unknown>[] = [];
  for (let p = await merger.nextPartition(); p; p = await merger.nextPartition()) {
    for await (const r of partitionLiveRows(p, model, now)) out.push(fmt.format(r));
  }
  return out;
}

const pk = int32(1);

describe('reconciliation', () => {
  it('keeps the cell with the highest timestamp, whichever SSTable holds it', async () => {
    const older = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(10), 100), cell(W, int32(7), 300)], { timestamp: 100 })],
      },
    ];
    const newer = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(20), 200), cell(W, int32(8), 250)], { timestamp: 200 })],
      },
    ];
    const rows = await select([older, newer]);
    expect(rows).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: 20, w: 7 }]);
    expect(await select([newer, older])).toEqual(rows);
  });

  it('breaks timestamp ties: a tombstone beats a live cell, then the greater value wins', async () => {
    const a = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(5), 100), cell(W, int32(1), 100)], { timestamp: 100 })],
      },
    ];
    const b = [{ key: pk, unfiltereds: [row([int32(1)], [tombstone(V, 100), cell(W, int32(9), 100)])] }];
    expect(await select([a, b])).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: null, w: 9 }]);
    expect(await select([b, a])).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: null, w: 9 }]);
  });

  it('applies a row deletion to older cells of other SSTables but not newer ones', async () => {
    const data = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(1), 100), cell(W, int32(2), 300)], { timestamp: 100 })],
      },
    ];
    const deletion = [{ key: pk, unfiltereds: [row([int32(1)], [], { deletion: del(200) })] }];
    expect(await select([data, deletion])).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: null, w: 2 }]);
  });

  it('applies a range tombstone from one SSTable to the rows it covers in another', async () => {
    const data = [
      {
        key: pk,
        unfiltereds: [1, 2, 3, 4].map((c) =>
          row([int32(c)], [cell(V, int32(c), c === 3 ? 500 : 100)], { timestamp: c === 3 ? 500 : 100 }),
        ),
      },
    ];
    // DELETE … WHERE ck >= 2 AND ck < 4 at timestamp 200: removes 2; 3 was rewritten later
    const rt = [
      {
        key: pk,
        unfiltereds: [
          marker(INCL_START_BOUND, [int32(2)], del(200)),
          marker(EXCL_END_BOUND, [int32(4)], del(200)),
        ],
      },
    ];
    const rows = await select([data, rt]);
    expect(rows.map((r) => r.ck)).toEqual([1, 3, 4]);
    // an inclusive end covers its own clustering
    const rt2 = [
      {
        key: pk,
        unfiltereds: [
          marker(INCL_START_BOUND, [int32(2)], del(200)),
          marker(INCL_END_BOUND, [int32(4)], del(200)),
        ],
      },
    ];
    expect((await select([data, rt2])).map((r) => r.ck)).toEqual([1, 3]);
  });

  it('applies a partition deletion across SSTables', async () => {
    const data = [
      {
        key: pk,
        unfiltereds: [
          row([int32(1)], [cell(V, int32(1), 100)], { timestamp: 100 }),
          row([int32(2)], [cell(V, int32(2), 300)], { timestamp: 300 }),
        ],
      },
    ];
    const deletion = [{ key: pk, deletion: del(200), unfiltereds: [] }];
    expect((await select([data, deletion])).map((r) => r.ck)).toEqual([2]);
  });

  it('merges collection cells by path and applies a collection deletion to older elements', async () => {
    const older = [
      {
        key: pk,
        unfiltereds: [
          row(
            [int32(1)],
            [cell(S, EMPTY, 100, { path: int32(1) }), cell(S, EMPTY, 100, { path: int32(5) })],
            { timestamp: 100 },
          ),
        ],
      },
    ];
    // s = {3, 9} written at 200 replaces the whole set: a collection tombstone at 199 plus the new elements
    const newer = [
      {
        key: pk,
        unfiltereds: [
          row(
            [int32(1)],
            [cell(S, EMPTY, 200, { path: int32(3) }), cell(S, EMPTY, 200, { path: int32(9) })],
            {
              complex: [{ column: S, deletion: del(199) }],
            },
          ),
        ],
      },
    ];
    expect(await select([older, newer])).toEqual([{ pk: 1, ck: 1, s: [3, 9], st: null, v: null, w: null }]);
    // appending instead (no collection tombstone): union in element order
    const appended = [{ key: pk, unfiltereds: [row([int32(1)], [cell(S, EMPTY, 200, { path: int32(3) })])] }];
    expect((await select([older, appended]))[0]!.s).toEqual([1, 3, 5]);
  });

  it('expires TTLs at the reference time, and an expired cell still shadows older data', async () => {
    const base = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(1), 100), cell(W, int32(1), 100)], { timestamp: 100 })],
      },
    ];
    const ttl = [
      {
        key: pk,
        unfiltereds: [row([int32(1)], [cell(V, int32(2), 200, { ttl: 60, localDeletionTime: NOW + 10 })])],
      },
    ];
    expect(await select([base, ttl], NOW)).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: 2, w: 1 }]);
    expect(await select([base, ttl], NOW + 10)).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: null, w: 1 }]);
    // a row that exists only through an expiring row marker disappears with it
    const marked = [
      { key: int32(2), unfiltereds: [row([int32(1)], [], { timestamp: 100, ttl: 60, expires: NOW + 5 })] },
    ];
    expect(await select([marked], NOW)).toHaveLength(1);
    expect(await select([marked], NOW + 5)).toHaveLength(0);
  });

  it('yields one row for a partition with only a live static row', async () => {
    const staticOnly = [
      { key: pk, staticRow: row([], [cell(ST, int32(7), 100)], { isStatic: true }), unfiltereds: [] },
    ];
    expect(await select([staticOnly])).toEqual([{ pk: 1, ck: null, s: null, st: 7, v: null, w: null }]);
    const withRow = [
      { key: pk, unfiltereds: [row([int32(4)], [cell(V, int32(1), 100)], { timestamp: 100 })] },
    ];
    expect(await select([staticOnly, withRow])).toEqual([{ pk: 1, ck: 4, s: null, st: 7, v: 1, w: null }]);
  });

  it('ignores a shadowable deletion once a newer row marker shadows it', async () => {
    const data = [{ key: pk, unfiltereds: [row([int32(1)], [cell(V, int32(1), 100)], { timestamp: 300 })] }];
    const shadowable = [
      { key: pk, unfiltereds: [row([int32(1)], [], { deletion: del(200), shadowable: true })] },
    ];
    // the row marker (300) is newer than the shadowable deletion (200): the row lives, its old cell does not
    expect(await select([data, shadowable])).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: 1, w: null }]);
    const regular = [{ key: pk, unfiltereds: [row([int32(1)], [], { deletion: del(200) })] }];
    expect(await select([data, regular])).toEqual([{ pk: 1, ck: 1, s: null, st: null, v: null, w: null }]);
  });

  it('orders partitions by token and merges equal keys', async () => {
    const a = [int32(5), int32(2)].map((k) => ({
      key: k,
      unfiltereds: [row([int32(1)], [cell(V, int32(1), 1)], { timestamp: 1 })],
    }));
    const b = [int32(1), int32(2)].map((k) => ({
      key: k,
      unfiltereds: [row([int32(1)], [cell(W, int32(2), 1)], { timestamp: 1 })],
    }));
    // Murmur3 order of int keys: 5, 1, 2 (the corpus's mc-uncompressed-simple)
    const rows = await select([a, b]);
    expect(rows.map((r) => r.pk)).toEqual([5, 1, 2]);
    expect(rows[2]).toEqual({ pk: 2, ck: 1, s: null, st: null, v: 1, w: 2 });
  });
});

/** A counter context with global shards `[id byte, clock, count]`. */
function counterContext(shards: [number, number, number][]): Uint8Array {
  const out = new Uint8Array(2 + 2 * shards.length + 32 * shards.length);
  const v = new DataView(out.buffer);
  v.setInt16(0, shards.length);
  shards.forEach((_, i) => {
    v.setInt16(2 + 2 * i, i - 32768);
  });
  shards.forEach(([id, clock, count], i) => {
    const o = 2 + 2 * shards.length + 32 * i;
    out[o + 15] = id;
    v.setBigInt64(o + 16, BigInt(clock));
    v.setBigInt64(o + 24, BigInt(count));
  });
  return out;
}

describe('counters', () => {
  const counterModel: TableModel = {
    ...model,
    clustering: [],
    columns: [
      {
        id: 0,
        name: 'c',
        type: { kind: 'native', name: 'counter' },
        kind: 'regular',
        complex: false,
        hidden: false,
      },
    ],
  };
  async function total(sstables: MemoryPartition[][]): Promise<unknown> {
    const merger = new PartitionMerger(
      sstables.map((parts, i) => ({ scanner: memoryStream(parts), name: `s${i}` })),
      murmur3Partitioner,
      [],
      counterModel,
      NOW,
    );
    const p = (await merger.nextPartition())!;
    for await (const r of partitionLiveRows(p, counterModel, NOW))
      return rowJsonFormatter(counterModel).format(r).c;
    return undefined;
  }
  const part = (ctx: Uint8Array, ts: number): MemoryPartition[] => [
    { key: pk, unfiltereds: [row([], [cell(0, ctx, ts)])] },
  ];

  it('adds the shards of different replicas and keeps the highest clock of one replica', async () => {
    // replica 1 counted 3 then 5 (clock 1 then 2); replica 2 counted 4
    expect(
      await total([
        part(counterContext([[1, 1, 3]]), 10),
        part(counterContext([[1, 2, 5]]), 20),
        part(counterContext([[2, 1, 4]]), 15),
      ]),
    ).toBe(9);
  });

  it('lets a counter tombstone win regardless of timestamps', async () => {
    const dead: MemoryPartition[] = [{ key: pk, unfiltereds: [row([], [tombstone(0, 5)])] }];
    expect(await total([part(counterContext([[1, 1, 3]]), 10), dead])).toBeUndefined();
  });
});
