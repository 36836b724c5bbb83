/**
 * The cardinality estimator stored in Statistics.db COMPACTION: stream-lib's HyperLogLog++
 * (com.clearspring.analytics.stream.cardinality.HyperLogLogPlus with RegisterSet and util/Varint), as
 * apache/cassandra io/sstable/metadata/MetadataCollector.java uses it: `new HyperLogLogPlus(13, 25)`, and
 * `addKey(key)` offers `MurmurHash.hash2_64(key, 0)` (utils/MurmurHash.java, MurmurHash2 64-bit with
 * Java's sign-extended tail bytes). CompactionMetadata.java stores `getBytes()` with an int length.
 *
 * `getBytes()` layout: `int -2` (version), varint p, varint sp, then either varint 1 (sparse), varint
 * count, and the sorted sparse set as varint deltas (of the 32-bit encodings, wrapping), or varint 0
 * (normal), varint byteLength, and the register words as big-endian ints (six 5-bit registers per
 * word). Varints are stream-lib's unsigned LEB128 of the 32-bit pattern.
 *
 * The result does not depend on the order keys are offered in: the sparse set keeps, per sparse index,
 * the smallest encoding (the longest run), and the switch to normal form happens once the sparse set
 * exceeds 0.75 × 2^p entries, which is monotonic — so the serialized bytes equal Cassandra's.
 */

const M64 = 0xc6a4a7935bd1e995n; // -4132994306676758123L
const MASK64 = (1n << 64n) - 1n;

/** Cassandra's `MurmurHash.hash2_64(key, 0, length, seed)` as a signed 64-bit bigint. */
export function murmurHash2_64(key: Uint8Array, seed = 0n): bigint {
  const length = key.length;
  let h = ((seed & 0xffffffffn) ^ ((M64 * BigInt(length)) & MASK64)) & MASK64;
  const nblocks = length >> 3;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  for (let i = 0; i < nblocks; i++) {
    let k = view.getBigUint64(i * 8, true);
    k = (k * M64) & MASK64;
    k ^= k >> 47n;
    k = (k * M64) & MASK64;
    h ^= k;
    h = (h * M64) & MASK64;
  }
  const rem = length & 7;
  if (rem > 0) {
    const base = length - rem;
    // Java: h64 ^= (long) key.get(i) << n — a signed byte, sign-extended
    for (let j = rem - 1; j >= 0; j--) {
      const b = key[base + j]!;
      const signed = BigInt(b >= 0x80 ? b - 256 : b);
      h ^= (signed << BigInt(j * 8)) & MASK64;
    }
    h = (h * M64) & MASK64;
  }
  h ^= h >> 47n;
  h = (h * M64) & MASK64;
  h ^= h >> 47n;
  return BigInt.asIntN(64, h);
}

function nlz64(x: bigint): number {
  const v = BigInt.asUintN(64, x);
  if (v === 0n) return 64;
  return 64 - v.toString(2).length;
}

/** stream-lib `Varint.writeUnsignedVarInt` of a 32-bit pattern. */
function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** HyperLogLog++ as stream-lib implements it (sparse and normal forms), for p <= sp <= 32. */
export class HyperLogLogPlus {
  readonly p: number;
  readonly sp: number;
  private readonly m: number;
  /** Sparse form: sparse index → smallest (signed) encoding; null once normal. */
  private sparse: Map<number, number> | null;
  private registers: Int32Array | null = null;
  private readonly sparseSetThreshold: number;

  constructor(p = 13, sp = 25) {
    if (p < 4 || (p > sp && sp !== 0) || sp > 32)
      throw new RangeError('HyperLogLogPlus: need 4 <= p <= sp <= 32');
    this.p = p;
    this.sp = sp;
    this.m = 1 << p;
    this.sparseSetThreshold = Math.trunc(this.m * 0.75);
    if (sp > 0) this.sparse = new Map();
    else {
      this.sparse = null;
      this.registers = new Int32Array(registerWords(this.m));
    }
  }

  /** Offers a partition key the way MetadataCollector.addKey does (MurmurHash2 64 of the key bytes). */
  offerKey(key: Uint8Array): void {
    this.offerHashed(murmurHash2_64(key, 0n));
  }

  /** stream-lib `offerHashed(long)`. */
  offerHashed(hash: bigint): void {
    const x = BigInt.asUintN(64, hash);
    if (this.sparse === null) {
      this.updateRegister(Number(x >> BigInt(64 - this.p)), this.runLength(x));
      return;
    }
    const k = this.encodeHash(x);
    const idx = sparseIndex(k);
    const prev = this.sparse.get(idx);
    if (prev === undefined || k < prev) this.sparse.set(idx, k);
  }

  private runLength(x: bigint): number {
    const shifted = ((x << BigInt(this.p)) & MASK64) | BigInt((1 << (this.p - 1)) >>> 0);
    return nlz64(shifted) + 1;
  }

  private encodeHash(x: bigint): number {
    const idx = Number(x >> BigInt(64 - this.sp)) | 0;
    let zeroTest = 0;
    if (this.p < this.sp) zeroTest = idx << (32 - this.sp + this.p);
    if (zeroTest === 0) {
      const invrl = this.runLength(x) ^ 63;
      return (((idx << 6) | invrl) << 1) | 1;
    }
    return idx << 1;
  }

  private decodeRunLength(k: number): number {
    if ((k & 1) === 1) return ((k >>> 1) & 63) ^ 63;
    return Math.clz32(k << (this.p + (31 - this.sp))) + 1;
  }

  private updateRegister(position: number, value: number): void {
    const regs = this.registers!;
    const bucket = Math.trunc(position / 6);
    const shift = 5 * (position - bucket * 6);
    const cur = (regs[bucket]! >>> shift) & 0x1f;
    if (cur < value) regs[bucket] = (regs[bucket]! & ~(0x1f << shift)) | (value << shift);
  }

  private convertToNormal(): void {
    this.registers = new Int32Array(registerWords(this.m));
    for (const k of this.sparse!.values()) {
      this.updateRegister(sparseIndex(k) >>> (this.sp - this.p), this.decodeRunLength(k));
    }
    this.sparse = null;
  }

  /** Whether the estimator is (still) in sparse form. */
  get isSparse(): boolean {
    if (this.sparse !== null && this.sparse.size > this.sparseSetThreshold) this.convertToNormal();
    return this.sparse !== null;
  }

  /** stream-lib `getBytes()`. */
  getBytes(): Uint8Array {
    const out: number[] = [0xff, 0xff, 0xff, 0xfe]; // writeInt(-2)
    pushVarint(out, this.p);
    pushVarint(out, this.sp);
    if (this.isSparse) {
      const entries = [...this.sparse!.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
      pushVarint(out, 1);
      pushVarint(out, entries.length);
      let prev = 0;
      for (const k of entries) {
        pushVarint(out, (k - prev) | 0);
        prev = k;
      }
      return Uint8Array.from(out);
    }
    const regs = this.registers!;
    pushVarint(out, 0);
    pushVarint(out, regs.length * 4);
    const bytes = new Uint8Array(out.length + regs.length * 4);
    bytes.set(out);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < regs.length; i++) view.setInt32(out.length + i * 4, regs[i]!);
    return bytes;
  }

  /** stream-lib `cardinality()` for the sparse form (linear counting); the normal form's raw HLL estimate. */
  cardinality(): number {
    if (this.isSparse) {
      const sm = 2 ** this.sp;
      return Math.round(sm * Math.log(sm / (sm - this.sparse!.size)));
    }
    // Normal form: linear counting while registers are empty, else the raw HLL estimate (no bias table).
    const regs = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < this.m; j++) {
      const bucket = Math.trunc(j / 6);
      const v = (regs[bucket]! >>> (5 * (j - bucket * 6))) & 0x1f;
      sum += 2 ** -v;
      if (v === 0) zeros++;
    }
    if (zeros > 0) return Math.round(this.m * Math.log(this.m / zeros));
    const alphaMM = (0.7213 / (1 + 1.079 / this.m)) * this.m * this.m;
    return Math.round(alphaMM / sum);
  }
}

function sparseIndex(k: number): number {
  return (k & 1) === 1 ? k >>> 7 : k >>> 1;
}

/** RegisterSet.getSizeForCount. */
function registerWords(count: number): number {
  const bits = Math.trunc(count / 6);
  if (bits === 0) return 1;
  return bits % 32 === 0 ? bits : bits + 1;
}

/** The COMPACTION cardinality bytes Cassandra would write for these partition keys. */
export function cardinalityBytes(keys: Iterable<Uint8Array>): Uint8Array {
  const h = new HyperLogLogPlus(13, 25);
  for (const k of keys) h.offerKey(k);
  return h.getBytes();
}
