/**
 * Murmur3Partitioner tokens: apache/cassandra `utils/MurmurHash.java` (`hash3_x64_128`, seed 0) and
 * `dht/Murmur3Partitioner.java` (`getToken`, `normalize`).
 *
 * The token is the first 64-bit half (h1) of MurmurHash3 x64/128 as a signed long, with Cassandra's quirks:
 * - the 1..15 tail bytes are read as signed Java bytes and sign-extended (`(long) key.get(i) << n`), so keys
 *   whose tail holds a byte >= 0x80 hash differently from the reference MurmurHash3 (full 16-byte blocks
 *   are read unsigned and are not affected);
 * - an empty key has the minimum token Long.MIN_VALUE, and a hash equal to Long.MIN_VALUE becomes
 *   Long.MAX_VALUE, so no key has the minimum token.
 *
 * The hash runs once per partition, so 64-bit values are kept as pairs of 32-bit words and multiplied with
 * Math.imul plus an exactly corrected double product for the carry word; no BigInt and no allocation.
 */

/** A Murmur3Partitioner token: the signed 64-bit value `hi * 2^32 + lo`. */
export class Murmur3Token {
  /** High 32 bits, as a signed int32. */
  hi: number;
  /** Low 32 bits, as an unsigned uint32. */
  lo: number;

  constructor(hi = 0, lo = 0) {
    this.hi = hi | 0;
    this.lo = lo >>> 0;
  }

  /** The token as a signed 64-bit bigint. */
  toBigInt(): bigint {
    return (BigInt(this.hi) << 32n) + BigInt(this.lo);
  }

  /** Decimal, as `SELECT token(...)` prints it. */
  toString(): string {
    return this.toBigInt().toString();
  }

  /** The token of a signed 64-bit value (wrapped to 64 bits). */
  static fromBigInt(value: bigint): Murmur3Token {
    const v = BigInt.asUintN(64, value);
    return new Murmur3Token(Number(v >> 32n) | 0, Number(v & 0xffffffffn));
  }
}

/** Both halves of `hash3_x64_128`, each as a (signed hi, unsigned lo) pair; used by Filter.db too. */
export interface Murmur3Hash128 {
  h1Hi: number;
  h1Lo: number;
  h2Hi: number;
  h2Lo: number;
}

/** High word of Long.MIN_VALUE, the minimum token (the token of the empty key). */
const MIN_HI = -0x80000000;

// 64-bit constants as 32-bit halves: *H = high word (int32), *L = low word (int32), *U = low word (uint32).
const C1H = 0x87c37b91 | 0;
const C1L = 0x114253d5 | 0;
const C1U = 0x114253d5;
const C2H = 0x4cf5ad43 | 0;
const C2L = 0x2745937f | 0;
const C2U = 0x2745937f;
const F1H = 0xff51afd7 | 0;
const F1L = 0xed558ccd | 0;
const F1U = 0xed558ccd;
const F2H = 0xc4ceb9fe | 0;
const F2L = 0x1a85ec53 | 0;
const F2U = 0x1a85ec53;

/** 2^-32, exact in a double. */
const K = 1 / 4294967296;

/*
 * Arithmetic on (hi, lo) pairs, written inline below because V8 does not inline enough helper calls in one
 * function to keep them cheap (a helper version ran about 2x slower).
 *
 * Multiply (xh, xl) by a constant (bh, bl) mod 2^64:
 *   lo = Math.imul(xl, bl)                                 -- exact low word
 *   carry = high word of xl * bl (unsigned): the double product (xl >>> 0) * blU is within 2^11 of the
 *           exact one; subtracting the exact low word leaves a value within 2^12 of carry * 2^32, so
 *           ((p - (lo >>> 0)) * 2^-32 + 0.5) >>> 0 rounds it to carry exactly
 *   hi = carry + Math.imul(xh, bl) + Math.imul(xl, bh)     -- mod 2^32
 * Add: t = (al >>> 0) + (bl >>> 0); lo = t | 0; hi = ah + bh + (t > 0xffffffff ? 1 : 0).
 * rotl by n < 32: hi = (hi << n) | (lo >>> (32 - n)); lo = (lo << n) | (hi >>> (32 - n)) (old hi);
 *   rotl 33 = swap the words, then rotl 1.
 * x ^= x >>> 33: lo ^= hi >>> 1.
 */

/**
 * Cassandra's `MurmurHash.hash3_x64_128(key, 0, key.length, seed 0)`, both halves, written into `out`.
 * Halves are reported with signed `Hi` and unsigned `Lo` like {@link Murmur3Token}.
 */
export function murmur3Hash128(key: Uint8Array, out: Murmur3Hash128): Murmur3Hash128 {
  const length = key.length;
  const nblocks = length >>> 4;
  let h1h = 0;
  let h1l = 0;
  let h2h = 0;
  let h2l = 0;
  let xh = 0;
  let xl = 0;
  let lo = 0;
  let t = 0;
  let p = 0;

  for (let i = 0; i < nblocks; i++, p += 16) {
    // k1 = block 2i (little-endian, unsigned); k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1
    xl = key[p]! | (key[p + 1]! << 8) | (key[p + 2]! << 16) | (key[p + 3]! << 24);
    xh = key[p + 4]! | (key[p + 5]! << 8) | (key[p + 6]! << 16) | (key[p + 7]! << 24);
    lo = Math.imul(xl, C1L);
    xh = (((((xl >>> 0) * C1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C1L) + Math.imul(xl, C1H)) | 0;
    xl = lo;
    t = xh;
    xh = (xh << 31) | (xl >>> 1);
    xl = (xl << 31) | (t >>> 1);
    lo = Math.imul(xl, C2L);
    xh = (((((xl >>> 0) * C2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C2L) + Math.imul(xl, C2H)) | 0;
    h1h ^= xh;
    h1l ^= lo;
    // h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
    t = h1h;
    h1h = (h1h << 27) | (h1l >>> 5);
    h1l = (h1l << 27) | (t >>> 5);
    t = (h1l >>> 0) + (h2l >>> 0);
    h1l = t | 0;
    h1h = (h1h + h2h + (t > 0xffffffff ? 1 : 0)) | 0;
    t = (h1l >>> 0) * 5 + 0x52dce729;
    h1h = (Math.imul(h1h, 5) + ((t * K) >>> 0)) | 0;
    h1l = t | 0;

    // k2 = block 2i+1; k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2
    xl = key[p + 8]! | (key[p + 9]! << 8) | (key[p + 10]! << 16) | (key[p + 11]! << 24);
    xh = key[p + 12]! | (key[p + 13]! << 8) | (key[p + 14]! << 16) | (key[p + 15]! << 24);
    lo = Math.imul(xl, C2L);
    xh = (((((xl >>> 0) * C2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C2L) + Math.imul(xl, C2H)) | 0;
    t = xh; // rotl 33: rotate left by 1, then swap the words
    xh = (lo << 1) | (t >>> 31);
    xl = (t << 1) | (lo >>> 31);
    lo = Math.imul(xl, C1L);
    xh = (((((xl >>> 0) * C1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C1L) + Math.imul(xl, C1H)) | 0;
    h2h ^= xh;
    h2l ^= lo;
    // h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
    t = h2h;
    h2h = (h2h << 31) | (h2l >>> 1);
    h2l = (h2l << 31) | (t >>> 1);
    t = (h2l >>> 0) + (h1l >>> 0);
    h2l = t | 0;
    h2h = (h2h + h1h + (t > 0xffffffff ? 1 : 0)) | 0;
    t = (h2l >>> 0) * 5 + 0x38495ab5;
    h2h = (Math.imul(h2h, 5) + ((t * K) >>> 0)) | 0;
    h2l = t | 0;
  }

  // Tail: Cassandra reads these bytes as signed Java bytes, sign-extended to long before shifting.
  const rem = length & 15;
  if (rem > 8) {
    xh = 0;
    xl = 0;
    for (let j = 0; j < rem - 8; j++) {
      const b = key[p + 8 + j]!;
      const shift = j << 3;
      if (j < 4) xl ^= b << shift;
      else xh ^= b << (shift - 32);
      if (b >= 0x80) {
        // (long) b << shift has ones above the byte: bits shift + 8 .. 63
        if (shift < 24) {
          xl ^= -1 << (shift + 8);
          xh ^= -1;
        } else {
          xh ^= -1 << (shift - 24);
        }
      }
    }
    // k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2
    lo = Math.imul(xl, C2L);
    xh = (((((xl >>> 0) * C2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C2L) + Math.imul(xl, C2H)) | 0;
    t = xh; // rotl 33: rotate left by 1, then swap the words
    xh = (lo << 1) | (t >>> 31);
    xl = (t << 1) | (lo >>> 31);
    lo = Math.imul(xl, C1L);
    xh = (((((xl >>> 0) * C1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C1L) + Math.imul(xl, C1H)) | 0;
    h2h ^= xh;
    h2l ^= lo;
  }
  if (rem > 0) {
    xh = 0;
    xl = 0;
    const n = Math.min(rem, 8);
    for (let j = 0; j < n; j++) {
      const b = key[p + j]!;
      const shift = j << 3;
      if (j < 4) xl ^= b << shift;
      else xh ^= b << (shift - 32);
      if (b >= 0x80 && j < 7) {
        // (long) b << shift has ones above the byte: bits shift + 8 .. 63 (none for the 8th byte)
        if (shift < 24) {
          xl ^= -1 << (shift + 8);
          xh ^= -1;
        } else {
          xh ^= -1 << (shift - 24);
        }
      }
    }
    // k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1
    lo = Math.imul(xl, C1L);
    xh = (((((xl >>> 0) * C1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C1L) + Math.imul(xl, C1H)) | 0;
    xl = lo;
    t = xh;
    xh = (xh << 31) | (xl >>> 1);
    xl = (xl << 31) | (t >>> 1);
    lo = Math.imul(xl, C2L);
    xh = (((((xl >>> 0) * C2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(xh, C2L) + Math.imul(xl, C2H)) | 0;
    h1h ^= xh;
    h1l ^= lo;
  }

  // h1 ^= length; h2 ^= length (a non-negative int: only the low words change)
  h1l ^= length;
  h2l ^= length;
  // h1 += h2; h2 += h1
  t = (h1l >>> 0) + (h2l >>> 0);
  h1l = t | 0;
  h1h = (h1h + h2h + (t > 0xffffffff ? 1 : 0)) | 0;
  t = (h2l >>> 0) + (h1l >>> 0);
  h2l = t | 0;
  h2h = (h2h + h1h + (t > 0xffffffff ? 1 : 0)) | 0;

  // h1 = fmix(h1): k ^= k >>> 33; k *= f1; k ^= k >>> 33; k *= f2; k ^= k >>> 33
  h1l ^= h1h >>> 1;
  lo = Math.imul(h1l, F1L);
  h1h =
    (((((h1l >>> 0) * F1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(h1h, F1L) + Math.imul(h1l, F1H)) | 0;
  h1l = lo ^ (h1h >>> 1);
  lo = Math.imul(h1l, F2L);
  h1h =
    (((((h1l >>> 0) * F2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(h1h, F2L) + Math.imul(h1l, F2H)) | 0;
  h1l = lo ^ (h1h >>> 1);
  // h2 = fmix(h2)
  h2l ^= h2h >>> 1;
  lo = Math.imul(h2l, F1L);
  h2h =
    (((((h2l >>> 0) * F1U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(h2h, F1L) + Math.imul(h2l, F1H)) | 0;
  h2l = lo ^ (h2h >>> 1);
  lo = Math.imul(h2l, F2L);
  h2h =
    (((((h2l >>> 0) * F2U - (lo >>> 0)) * K + 0.5) >>> 0) + Math.imul(h2h, F2L) + Math.imul(h2l, F2H)) | 0;
  h2l = lo ^ (h2h >>> 1);

  // h1 += h2; h2 += h1
  t = (h1l >>> 0) + (h2l >>> 0);
  h1l = t | 0;
  h1h = (h1h + h2h + (t > 0xffffffff ? 1 : 0)) | 0;
  t = (h2l >>> 0) + (h1l >>> 0);

  out.h1Hi = h1h;
  out.h1Lo = h1l >>> 0;
  out.h2Hi = (h2h + h1h + (t > 0xffffffff ? 1 : 0)) | 0;
  out.h2Lo = t >>> 0;
  return out;
}

const scratch: Murmur3Hash128 = { h1Hi: 0, h1Lo: 0, h2Hi: 0, h2Lo: 0 };

/**
 * The Murmur3Partitioner token of a partition key (its serialized bytes, as stored in Data.db/Index.db),
 * written into `out` (allocation-free when `out` is reused) and returned.
 */
export function murmur3Token(key: Uint8Array, out: Murmur3Token = new Murmur3Token()): Murmur3Token {
  if (key.length === 0) {
    out.hi = MIN_HI;
    out.lo = 0;
    return out;
  }
  murmur3Hash128(key, scratch);
  if (scratch.h1Hi === MIN_HI && scratch.h1Lo === 0) {
    // normalize: Long.MIN_VALUE is reserved for the minimum token.
    out.hi = 0x7fffffff;
    out.lo = 0xffffffff;
  } else {
    out.hi = scratch.h1Hi;
    out.lo = scratch.h1Lo;
  }
  return out;
}

/** The Murmur3Partitioner token of `key` as a signed 64-bit bigint (convenience; slower than {@link murmur3Token}). */
export function murmur3TokenBigInt(key: Uint8Array): bigint {
  return murmur3Token(key).toBigInt();
}

/** The Murmur3Partitioner token of `key` in decimal, as `SELECT token(...)` prints it. */
export function murmur3TokenToString(key: Uint8Array): string {
  return murmur3Token(key).toString();
}

/** Orders two Murmur3 tokens as signed 64-bit values: negative, zero or positive. */
export function compareMurmur3Tokens(a: Murmur3Token, b: Murmur3Token): number {
  return a.hi - b.hi || a.lo - b.lo;
}
