/**
 * RandomPartitioner tokens: apache/cassandra `dht/RandomPartitioner.java` (`getToken`, `hashToBigInteger`).
 * The token is `new BigInteger(md5(key)).abs()`: the 16-byte MD5 digest read as a signed big-endian
 * two's-complement integer, then its absolute value, so tokens lie in [0, 2^127]. The empty key has the
 * minimum token -1.
 */

import { createHash } from 'node:crypto';

/** The minimum RandomPartitioner token (`RandomPartitioner.MINIMUM`), the token of the empty key. */
export const RANDOM_MIN_TOKEN = -1n;

const TWO_128 = 1n << 128n;
const TWO_127 = 1n << 127n;

/** The RandomPartitioner token of a partition key (its serialized bytes). */
export function randomToken(key: Uint8Array): bigint {
  if (key.length === 0) return RANDOM_MIN_TOKEN;
  const unsigned = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
  // Signed value is unsigned - 2^128 when the top bit is set; its absolute value is 2^128 - unsigned.
  return unsigned < TWO_127 ? unsigned : TWO_128 - unsigned;
}

/** Orders two RandomPartitioner tokens: -1, 0 or 1. */
export function compareRandomTokens(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
