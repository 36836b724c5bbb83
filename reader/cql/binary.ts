/**
 * Big-endian primitive reads on `Uint8Array` at an offset, without allocating a `DataView` per value
 * (the cell decoders call these once per cell). Follows the layouts of Cassandra's `ByteBufferUtil`
 * (`toInt`, `toLong`, `toFloat`, `toDouble`, `readShortLength`) in utils/ByteBufferUtil.java.
 */

const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchView = new DataView(scratch);

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 2^32 as a number. */
export const TWO_32 = 4294967296;

/** Signed 32-bit big-endian integer at `o`. */
export function readInt32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** Unsigned 32-bit big-endian integer at `o`. */
export function readUint32(b: Uint8Array, o: number): number {
  return readInt32(b, o) >>> 0;
}

/** Signed 16-bit big-endian integer at `o`. */
export function readInt16(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16)) >> 16;
}

/** Unsigned 16-bit big-endian integer at `o`. */
export function readUint16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/**
 * Signed 64-bit big-endian integer at `o` as a number when its magnitude is at most 2^53, otherwise
 * `undefined` (the caller then falls back to {@link readInt64Big}).
 */
export function readInt64Safe(b: Uint8Array, o: number): number | undefined {
  const hi = readInt32(b, o);
  const lo = readUint32(b, o + 4);
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + lo;
  if (hi === 0x200000 && lo === 0) return 2 ** 53;
  return undefined;
}

/** Signed 64-bit big-endian integer at `o` as a bigint. */
export function readInt64Big(b: Uint8Array, o: number): bigint {
  return (BigInt(readInt32(b, o)) << 32n) | BigInt(readUint32(b, o + 4));
}

/** IEEE-754 binary32 big-endian at `o`. */
export function readFloat32(b: Uint8Array, o: number): number {
  scratchBytes[0] = b[o]!;
  scratchBytes[1] = b[o + 1]!;
  scratchBytes[2] = b[o + 2]!;
  scratchBytes[3] = b[o + 3]!;
  return scratchView.getFloat32(0);
}

/** IEEE-754 binary64 big-endian at `o`. */
export function readFloat64(b: Uint8Array, o: number): number {
  for (let i = 0; i < 8; i++) scratchBytes[i] = b[o + i]!;
  return scratchView.getFloat64(0);
}

/** Lowercase hex of `b[start, end)`, no prefix. */
export function toHex(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]!]!;
  return s;
}

/** Unsigned lexicographic comparison of two byte strings (Cassandra's `ByteBufferUtil.compareUnsigned`). */
export function compareUnsigned(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Bytes of a lowercase or uppercase hex string (even length, no prefix). */
export function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >>> 1);
  for (let i = 0; i < out.length; i++) {
    const v = Number.parseInt(s.substring(i * 2, i * 2 + 2), 16);
    if (Number.isNaN(v)) throw new RangeError(`invalid hex at ${i * 2}`);
    out[i] = v;
  }
  return out;
}
