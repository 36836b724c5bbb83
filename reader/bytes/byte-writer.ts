/**
 * A growable output buffer with the writes Cassandra's serializers and component encoders make (Java
 * `DataOutput` semantics): big-endian fixed-width integers and doubles, `writeUTF`, the little-endian ints
 * and longs of Summary.db, and Cassandra vints (utils/vint/VIntCoding.java). 64-bit values may be given as
 * `bigint`, so every bit pattern Cassandra writes round-trips exactly. Doubles its capacity as it grows;
 * `take()` hands out the bytes written so far and starts over without reallocating, `finish()` copies them.
 * Every write returns the writer, so writes chain.
 */

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** A 32-bit little-endian int (Summary.db native-order offsets). */
  i32le(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  /** A signed 64-bit integer: a bigint (any bit pattern), or a double (exact below 2^53). */
  i64(v: number | bigint): this {
    this.ensure(8);
    if (typeof v === 'bigint') this.view.setBigInt64(this.pos, BigInt.asIntN(64, v));
    else if (Number.isSafeInteger(v) || v === -(2 ** 63)) {
      const hi = Math.floor(v / TWO_32);
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, v - hi * TWO_32);
    } else this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
    return this;
  }

  /** A 64-bit little-endian long (Summary.db native-order positions). */
  i64le(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Java `writeUTF`: u16 length then the UTF-8 bytes. */
  utf(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u16(b.length);
    return this.bytes(b);
  }

  /** An unsigned vint; negative or huge values are written as their 64-bit two's complement. */
  unsignedVInt(v: number | bigint): this {
    if (typeof v === 'bigint') return this.unsignedVIntBig(BigInt.asUintN(64, v));
    if (v >= 0 && v < 128) {
      this.ensure(1);
      this.buf[this.pos++] = v;
      return this;
    }
    if (v < 0 || v >= TWO_53) return this.unsignedVIntBig(BigInt.asUintN(64, BigInt(v)));
    let extra = 1;
    let limit = 16384; // 2^(7 * (extra + 1))
    while (v >= limit && extra < 8) {
      extra++;
      limit *= 128;
    }
    this.ensure(extra + 1);
    let rest = v;
    for (let i = extra; i >= 1; i--) {
      this.buf[this.pos + i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    this.buf[this.pos] = extra === 8 ? 0xff : ((0xff << (8 - extra)) & 0xff) | rest;
    this.pos += extra + 1;
    return this;
  }

  unsignedVIntBig(v: bigint): this {
    let extra = 0;
    while (extra < 8 && v >= 1n << BigInt(7 * (extra + 1))) extra++;
    this.ensure(extra + 1);
    let rest = v;
    for (let i = extra; i >= 1; i--) {
      this.buf[this.pos + i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    this.buf[this.pos] =
      extra === 8 ? 0xff : extra === 0 ? Number(rest) : ((0xff << (8 - extra)) & 0xff) | Number(rest);
    this.pos += extra + 1;
    return this;
  }

  /** A zig-zag signed vint. */
  vint(v: number | bigint): this {
    if (typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) < TWO_53 / 2)
      return this.unsignedVInt(v >= 0 ? v * 2 : -v * 2 - 1);
    const b = BigInt.asIntN(64, BigInt(v));
    return this.unsignedVIntBig(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
  }

  /** The bytes written so far (a copy), and a reset. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** A copy of the bytes written so far (no reset). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** A view of the bytes written so far (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** The size of `v` as an unsigned vint. */
export function unsignedVIntSize(v: number): number {
  if (v < 0 || v >= TWO_53) return 9;
  let size = 1;
  let limit = 128;
  while (v >= limit && size < 9) {
    size++;
    limit *= 128;
  }
  return size;
}
