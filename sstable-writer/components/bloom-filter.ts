/**
 * Filter.db: the partition-key bloom filter, built as apache/cassandra builds it —
 * utils/FilterFactory.java (`getFilter(numElements, fpChance)`: bits = numElements × bucketsPerElement
 * + 20, rounded up to 64-bit words), utils/BloomCalculations.java (the false-positive table and the
 * choice of buckets per element and hash count), utils/BloomFilter.java (`indexes`: the two halves of
 * MurmurHash3 x64/128 of the key — utils/MurmurHash.java `hash3_x64_128`, seed 0, Cassandra's signed
 * tail — combined as `abs((h2 + i·h1) % capacity)` for i = 0..hashCount-1, since 3.0 `ma` swapped the
 * order), utils/obs/OffHeapBitSet.java (bit i lives in byte i >> 3, bit i & 7; capacity is the whole
 * word count × 64) and utils/BloomFilterSerializer.java (`int hashCount`, `int wordCount`, the words).
 *
 * Pre-4.0 versions (`ma`..`me`, "old bf format") write each 8-byte word as a big-endian long assembled
 * little-endian from memory, i.e. every group of 8 bytes reversed; `na`+ writes the bytes in memory order.
 */
import { DatamoveError } from '../../core/index.js';
import { type Murmur3Hash128, murmur3Hash128 } from '../../reader/index.js';

/** BloomCalculations.probs: false-positive rate for [buckets per element][hash count]. */
const PROBS: readonly (readonly number[])[] = [
  [1.0],
  [1.0, 1.0],
  [1.0, 0.393, 0.4],
  [1.0, 0.283, 0.237, 0.253],
  [1.0, 0.221, 0.155, 0.147, 0.16],
  [1.0, 0.181, 0.109, 0.092, 0.092, 0.101],
  [1.0, 0.154, 0.0804, 0.0609, 0.0561, 0.0578, 0.0638],
  [1.0, 0.133, 0.0618, 0.0423, 0.0359, 0.0347, 0.0364],
  [1.0, 0.118, 0.0489, 0.0306, 0.024, 0.0217, 0.0216, 0.0229],
  [1.0, 0.105, 0.0397, 0.0228, 0.0166, 0.0141, 0.0133, 0.0135, 0.0145],
  [1.0, 0.0952, 0.0329, 0.0174, 0.0118, 0.00943, 0.00844, 0.00819, 0.00846],
  [1.0, 0.0869, 0.0276, 0.0136, 0.00864, 0.0065, 0.00552, 0.00513, 0.00509],
  [1.0, 0.08, 0.0236, 0.0108, 0.00646, 0.00459, 0.00371, 0.00329, 0.00314],
  [1.0, 0.074, 0.0203, 0.00875, 0.00492, 0.00332, 0.00255, 0.00217, 0.00199, 0.00194],
  [1.0, 0.0689, 0.0177, 0.00718, 0.00381, 0.00244, 0.00179, 0.00146, 0.00129, 0.00121, 0.0012],
  [1.0, 0.0645, 0.0156, 0.00596, 0.003, 0.00183, 0.00128, 0.001, 0.000852, 0.000775, 0.000744],
  [1.0, 0.0606, 0.0138, 0.005, 0.00239, 0.00139, 0.000935, 0.000702, 0.000574, 0.000505, 0.00047, 0.000459],
  [
    1.0, 0.0571, 0.0123, 0.00423, 0.00193, 0.00107, 0.000692, 0.000499, 0.000394, 0.000335, 0.000302,
    0.000287, 0.000284,
  ],
  [
    1.0, 0.054, 0.0111, 0.00362, 0.00158, 0.000839, 0.000519, 0.00036, 0.000275, 0.000226, 0.000198, 0.000183,
    0.000176,
  ],
  [
    1.0, 0.0513, 0.00998, 0.00312, 0.0013, 0.000663, 0.000394, 0.000264, 0.000194, 0.000155, 0.000132,
    0.000118, 0.000111, 0.000109,
  ],
  [
    1.0, 0.0488, 0.00906, 0.0027, 0.00108, 0.00053, 0.000303, 0.000196, 0.00014, 0.000108, 8.89e-5, 7.77e-5,
    7.12e-5, 6.79e-5, 6.71e-5,
  ],
];

/** BloomCalculations.optKPerBuckets: the hash count with the lowest rate per buckets-per-element. */
const OPT_K: readonly number[] = PROBS.map((row) => {
  let min = Number.MAX_VALUE;
  let k = 1;
  row.forEach((p, j) => {
    if (p < min) {
      min = p;
      k = Math.max(1, j);
    }
  });
  return k;
});

const EXCESS = 20;

/** Hash count and buckets (bits) per element of a bloom filter. */
export interface BloomSpec {
  readonly hashCount: number;
  readonly bucketsPerElement: number;
}

/**
 * BloomCalculations.computeBloomSpec(maxBucketsPerElement(n), fpChance): the fewest buckets per element
 * reaching `fpChance`, then the fewest hashes keeping it. (fpChance 1.0 means no filter at all:
 * Cassandra uses an AlwaysPresentFilter and writes no Filter.db.)
 */
export function bloomSpec(numElements: number, fpChance: number): BloomSpec {
  if (!(fpChance > 0) || fpChance > 1) {
    throw new DatamoveError('InvalidArgument', `sstable: invalid bloom filter fp chance ${fpChance}`, {
      context: { fpChance },
    });
  }
  const n = Math.max(1, numElements);
  const maxBuckets = Math.min(PROBS.length - 1, Math.trunc((2 ** 63 - EXCESS) / n));
  const maxK = PROBS[maxBuckets]!.length - 1;
  if (fpChance >= PROBS[2]![1]!) return { hashCount: 2, bucketsPerElement: OPT_K[2]! };
  if (fpChance < PROBS[maxBuckets]![maxK]!) {
    throw new DatamoveError(
      'InvalidArgument',
      `sstable: bloom filter fp chance ${fpChance} cannot be met with ${maxBuckets} buckets per element`,
      { context: { fpChance } },
    );
  }
  let buckets = 2;
  let k = OPT_K[2]!;
  while (PROBS[buckets]![k]! > fpChance) {
    buckets++;
    k = OPT_K[buckets]!;
  }
  while (PROBS[buckets]![k - 1]! <= fpChance) k--;
  return { hashCount: k, bucketsPerElement: buckets };
}

/** OpenBitSet.bits2words(numElements × bucketsPerElement + 20): the filter's size in 64-bit words. */
export function bloomFilterWordCount(numElements: number, bucketsPerElement: number): number {
  const bits = numElements * bucketsPerElement + EXCESS;
  return Math.floor((bits - 1) / 64) + 1;
}

/** A bloom filter under construction; `add` every partition key, then `serialize`. */
export class BloomFilterBuilder {
  readonly hashCount: number;
  readonly wordCount: number;
  /** The bits, in OffHeapBitSet memory order. */
  readonly bits: Uint8Array;
  private readonly capacity: number;
  private readonly hash: Murmur3Hash128 = { h1Hi: 0, h1Lo: 0, h2Hi: 0, h2Lo: 0 };

  /** A filter of `wordCount` 64-bit words using `hashCount` hashes (see {@link bloomFilterFor}). */
  constructor(hashCount: number, wordCount: number) {
    if (hashCount < 1 || wordCount < 1 || wordCount > 0x7fffffff) {
      throw new DatamoveError(
        'InvalidArgument',
        `sstable: bloom filter of ${hashCount} hashes, ${wordCount} words`,
        {
          context: { hashCount, wordCount },
        },
      );
    }
    this.hashCount = hashCount;
    this.wordCount = wordCount;
    this.bits = new Uint8Array(wordCount * 8);
    this.capacity = wordCount * 64;
  }

  /** Adds a partition key (its serialized bytes). */
  add(key: Uint8Array): void {
    const h = murmur3Hash128(key, this.hash);
    // base = hash[1] (h2), inc = hash[0] (h1), as signed 64-bit (hi, lo) pairs
    let bh = h.h2Hi | 0;
    let bl = h.h2Lo >>> 0;
    const ih = h.h1Hi | 0;
    const il = h.h1Lo >>> 0;
    const m = this.capacity;
    for (let i = 0; i < this.hashCount; i++) {
      // abs(base % m) == |base| mod m (Java's % takes the dividend's sign)
      let hi = bh;
      let lo = bl;
      if (hi < 0) {
        lo = (~lo + 1) >>> 0;
        hi = ~hi + (lo === 0 ? 1 : 0);
      }
      let r = (hi >>> 0) % m;
      r = (r * 65536) % m;
      r = (r * 65536 + lo) % m;
      this.bits[Math.floor(r / 8)]! |= 1 << (r % 8);
      const t = bl + il;
      bl = t >>> 0;
      bh = (bh + ih + (t > 0xffffffff ? 1 : 0)) | 0;
    }
  }

  /** Filter.db bytes: `int hashCount`, `int wordCount`, the words (old format: 8-byte groups reversed). */
  serialize(oldFormat: boolean): Uint8Array {
    const out = new Uint8Array(8 + this.bits.length);
    const view = new DataView(out.buffer);
    view.setInt32(0, this.hashCount);
    view.setInt32(4, this.wordCount);
    if (!oldFormat) out.set(this.bits, 8);
    else {
      for (let w = 0; w < this.wordCount; w++) {
        for (let j = 0; j < 8; j++) out[8 + w * 8 + j] = this.bits[w * 8 + 7 - j]!;
      }
    }
    return out;
  }
}

/** A builder sized as FilterFactory.getFilter(keyCount, fpChance) sizes it. */
export function bloomFilterFor(keyCount: number, fpChance: number): BloomFilterBuilder {
  const spec = bloomSpec(keyCount, fpChance);
  return new BloomFilterBuilder(spec.hashCount, bloomFilterWordCount(keyCount, spec.bucketsPerElement));
}

/** Whether a version writes Filter.db in the pre-4.0 layout (`ma`..`me`). */
export function bloomFilterOldFormat(version: string): boolean {
  return version < 'na';
}

/** Filter.db bytes for `keys`, sized for `keys.length` (Cassandra sizes with its estimated key count). */
export function bloomFilterBytes(keys: readonly Uint8Array[], fpChance: number, version: string): Uint8Array {
  const f = bloomFilterFor(keys.length, fpChance);
  for (const k of keys) f.add(k);
  return f.serialize(bloomFilterOldFormat(version));
}
