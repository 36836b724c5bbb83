/**
 * Cassandra's variable-length integers ("vints"): the number of leading 1-bits of the first byte is the
 * number of extra bytes; the rest of the first byte and the extra bytes are the value, big-endian. Signed
 * vints are zigzag-encoded. Follows utils/vint/VIntCoding.java (`readUnsignedVInt`, `decodeZigZag64`).
 */

import { DatamoveError } from '../../core/index.js';
import { ByteWriter } from '../bytes/byte-writer.js';

/** Result of a vint read: the value and the offset just after it. */
export interface VIntRead<T> {
  readonly value: T;
  readonly next: number;
}

function extraBytes(first: number): number {
  // Count leading ones of the byte.
  return Math.clz32(~(first << 24));
}

function truncated(offset: number, length: number): DatamoveError {
  return new DatamoveError('DataInvalid', `cql: truncated vint at offset ${offset} of ${length}-byte value`, {
    context: { offset, length },
  });
}

/**
 * Reads an unsigned vint at `o` as a number. Throws `DataInvalid` if it is truncated or does not fit in
 * 2^53 (use {@link readUnsignedVIntBig} for 64-bit values).
 */
export function readUnsignedVInt(b: Uint8Array, o: number): VIntRead<number> {
  if (o >= b.length) throw truncated(o, b.length);
  const first = b[o]!;
  if (first < 0x80) return { value: first, next: o + 1 };
  const extra = extraBytes(first);
  if (o + 1 + extra > b.length) throw truncated(o, b.length);
  if (extra > 6) {
    const big = readUnsignedVIntBig(b, o);
    if (big.value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DatamoveError('DataInvalid', `cql: vint at offset ${o} is too large (${big.value})`, {
        context: { offset: o },
      });
    }
    return { value: Number(big.value), next: big.next };
  }
  let v = first & (0xff >> extra);
  for (let i = 1; i <= extra; i++) v = v * 256 + b[o + i]!;
  return { value: v, next: o + 1 + extra };
}

/** Reads an unsigned vint at `o` as a bigint (up to 64 bits). */
export function readUnsignedVIntBig(b: Uint8Array, o: number): VIntRead<bigint> {
  if (o >= b.length) throw truncated(o, b.length);
  const first = b[o]!;
  const extra = extraBytes(first);
  if (o + 1 + extra > b.length) throw truncated(o, b.length);
  let v = BigInt(first & (0xff >> extra));
  for (let i = 1; i <= extra; i++) v = (v << 8n) | BigInt(b[o + i]!);
  return { value: v, next: o + 1 + extra };
}

/** Reads a signed (zigzag) vint at `o` as a bigint in the signed 64-bit range. */
export function readVIntBig(b: Uint8Array, o: number): VIntRead<bigint> {
  const r = readUnsignedVIntBig(b, o);
  const u = r.value;
  return { value: (u >> 1n) ^ -(u & 1n), next: r.next };
}

/** Encodes `v` (0 <= v < 2^64) as an unsigned vint. */
export function encodeUnsignedVInt(v: bigint | number): Uint8Array {
  if (v < 0) throw new RangeError('unsigned vint must be >= 0');
  return new ByteWriter(9).unsignedVInt(v).take();
}

/** Encodes a signed value as a zigzag vint. */
export function encodeVInt(v: bigint | number): Uint8Array {
  return new ByteWriter(9).vint(v).take();
}
