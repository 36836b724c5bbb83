/**
 * Murmur3 x86 32-bit hash with seed 0, the hash of Iceberg's `bucket[N]` transform (format/spec.md,
 * Appendix B "32-bit Hash Requirements"). Works on bytes; helpers give the spec's input encodings
 * (int and long as 8-byte little-endian longs, strings as UTF-8, decimals as minimal big-endian bytes).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Murmur3_x86_32 of `bytes[start, end)`, seed 0, as a signed 32-bit int (Java's `hashBytes().asInt()`). */
export function murmur3Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0;
  const len = end - start;
  const blocks = start + (len & ~3);
  let i = start;
  for (; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[i + 2]! << 16;
    if (tail >= 2) k ^= bytes[i + 1]! << 8;
    k ^= bytes[i]!;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix(h ^ len);
}

function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Hash of a long given as two 32-bit halves (low, high) without a BigInt or a buffer: the 8 little-endian
 * bytes are exactly the two 4-byte blocks `low`, `high`. Ints hash as longs (`hashInt(v) = hashLong(v)`).
 */
export function murmur3Long(low: number, high: number): number {
  let h = 0;
  for (const block of [low | 0, high | 0]) {
    let k = Math.imul(block, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix(h ^ 8);
}

/** Hash of an int value (spec: hashed as a long). */
export function murmur3Int(v: number): number {
  return murmur3Long(v | 0, v < 0 ? -1 : 0);
}
