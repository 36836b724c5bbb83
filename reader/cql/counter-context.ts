/**
 * Counter cell values: Cassandra's counter context. Layout (db/context/CounterContext.java, 2.1+):
 * a signed 16-bit header count N, then N 16-bit header entries (index i of a local shard, or
 * i + Short.MIN_VALUE of a global shard), then the body: shards of 16-byte counter id, 8-byte logical
 * clock and 8-byte count. Shards not named in the header are remote. The counter's value (`total`) is
 * the sum of all shard counts.
 */

import { DatamoveError } from '../../core/index.js';
import { readInt16, readInt64Big, readInt64Safe } from './binary.js';

const SHARD_LENGTH = 32; // CounterId.LENGTH (16) + clock (8) + count (8)

/** One shard of a counter context. */
export interface CounterShard {
  readonly counterId: Uint8Array;
  readonly clock: bigint;
  readonly count: bigint;
  readonly kind: 'global' | 'local' | 'remote';
}

function headerLength(b: Uint8Array): number {
  if (b.length < 2) {
    throw new DatamoveError('DataInvalid', `cql: counter context of ${b.length} bytes has no header`, {
      context: { length: b.length },
    });
  }
  const h = 2 + Math.abs(readInt16(b, 0)) * 2;
  if (h > b.length || (b.length - h) % SHARD_LENGTH !== 0) {
    throw new DatamoveError(
      'DataInvalid',
      `cql: counter context of ${b.length} bytes with a ${h}-byte header is not a whole number of ${SHARD_LENGTH}-byte shards`,
      { context: { length: b.length, headerLength: h } },
    );
  }
  return h;
}

/** The counter total (sum of every shard's count), as Cassandra's `CounterContext.total`. */
export function counterContextTotal(bytes: Uint8Array): bigint {
  const h = headerLength(bytes);
  let total = 0n;
  for (let o = h; o < bytes.length; o += SHARD_LENGTH) total += readInt64Big(bytes, o + 24);
  return BigInt.asIntN(64, total);
}

/**
 * The counter total as a number when it (and every partial sum) stays within 2^53, else `undefined`.
 * Avoids bigint arithmetic for the common case; used by the JSON decoder.
 */
export function counterContextTotalNumber(bytes: Uint8Array): number | undefined {
  const h = headerLength(bytes);
  let total = 0;
  for (let o = h; o < bytes.length; o += SHARD_LENGTH) {
    const c = readInt64Safe(bytes, o + 24);
    if (c === undefined) return undefined;
    total += c;
    if (!Number.isSafeInteger(total)) return undefined;
  }
  return total;
}

/** The shards of a counter context in body order, each marked global, local or remote. */
export function* counterContextShards(bytes: Uint8Array): Generator<CounterShard> {
  const h = headerLength(bytes);
  const kinds = new Map<number, 'global' | 'local'>();
  for (let o = 2; o < h; o += 2) {
    const e = readInt16(bytes, o);
    if (e < 0) kinds.set(e + 32768, 'global');
    else kinds.set(e, 'local');
  }
  for (let o = h, i = 0; o < bytes.length; o += SHARD_LENGTH, i++) {
    yield {
      counterId: bytes.subarray(o, o + 16),
      clock: readInt64Big(bytes, o + 16),
      count: readInt64Big(bytes, o + 24),
      kind: kinds.get(i) ?? 'remote',
    };
  }
}
