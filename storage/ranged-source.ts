/**
 * A `ByteSource` over an object store's range reads, shaped for SSTable scans: the object is read in
 * aligned blocks of a few MiB (one ranged GET each — S3 serves 8–16 MiB ranges at close to a
 * connection's full speed, while the decoder asks for ~1 MiB of compressed chunks at a time), blocks
 * are cached LRU per object, and a sequential reader gets the next blocks fetched ahead of it while the
 * shared memory budget has room. All requests go through the source's concurrency limit. Retries live
 * in `fetch` (see s3/s3-backup-source.ts), so a block that still fails is dropped from the cache and
 * the error reaches the reader.
 *
 * Rejected: reading exactly the ranges the decoder asks for — one request per 64 KiB chunk batch is
 * dominated by request latency (~20–50 ms on S3), and a whole-object GET holds the object in memory.
 */
import type { ByteSource } from './byte-source.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { MemoryBudget } from './memory-budget.js';

export interface RangedSourceOptions {
  /** Bytes per request (default 8 MiB). */
  readonly blockBytes: number;
  /** Blocks fetched ahead of a sequential reader (default 2). */
  readonly readAheadBlocks: number;
  readonly limit: ConcurrencyLimit;
  readonly budget: MemoryBudget;
}

interface Block {
  readonly promise: Promise<Uint8Array>;
  readonly bytes: number;
}

/**
 * @param fetch - reads `[start, end)` of the object (already clamped to its size) with retries
 */
export function rangedByteSource(
  name: string,
  size: number,
  fetch: (start: number, end: number) => Promise<Uint8Array>,
  options: RangedSourceOptions,
): ByteSource {
  const { blockBytes, readAheadBlocks, limit, budget } = options;
  const blockCount = Math.ceil(size / blockBytes);
  const maxBlocks = readAheadBlocks + 2;
  const blocks = new Map<number, Block>();
  let lastBlock = -2;

  const drop = (index: number): void => {
    const b = blocks.get(index);
    if (b === undefined) return;
    blocks.delete(index);
    budget.release(b.bytes);
  };
  const load = (index: number, demand: boolean): Promise<Uint8Array> | undefined => {
    const cached = blocks.get(index);
    if (cached !== undefined) {
      blocks.delete(index);
      blocks.set(index, cached);
      return cached.promise;
    }
    if (index >= blockCount) return undefined;
    const start = index * blockBytes;
    const end = Math.min(size, start + blockBytes);
    if (demand) budget.reserve(end - start);
    else if (!budget.tryReserve(end - start)) return undefined;
    const promise = limit.run(() => fetch(start, end));
    blocks.set(index, { promise, bytes: end - start });
    promise.catch(() => {
      if (blocks.get(index)?.promise === promise) drop(index);
    });
    return promise;
  };

  return {
    name,
    byteLength: size,
    async read(start, end) {
      const s = Math.max(0, start);
      const e = Math.min(end, size);
      if (s >= e) return new Uint8Array(0);
      const first = Math.floor(s / blockBytes);
      const last = Math.floor((e - 1) / blockBytes);
      const sequential = first === lastBlock || first === lastBlock + 1;
      const parts: Promise<Uint8Array>[] = [];
      for (let i = first; i <= last; i++) parts.push(load(i, true)!);
      lastBlock = last;
      if (sequential) for (let k = 1; k <= readAheadBlocks; k++) load(last + k, false);
      // a sequential reader never returns to blocks before the one it is in
      if (sequential) for (const i of [...blocks.keys()]) if (i < first) drop(i);
      while (blocks.size > Math.max(maxBlocks, last - first + 1 + readAheadBlocks)) {
        drop(blocks.keys().next().value!);
      }
      const got = await Promise.all(parts);
      if (got.length === 1) return got[0]!.subarray(s - first * blockBytes, e - first * blockBytes);
      const out = new Uint8Array(e - s);
      let at = 0;
      for (let i = 0; i < got.length; i++) {
        const blockStart = (first + i) * blockBytes;
        const from = Math.max(s, blockStart) - blockStart;
        const to = Math.min(e, blockStart + blockBytes) - blockStart;
        out.set(got[i]!.subarray(from, to), at);
        at += to - from;
      }
      return out;
    },
    async close() {
      for (const i of [...blocks.keys()]) drop(i);
    },
  };
}
