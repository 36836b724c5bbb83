/**
 * A growable big-endian byte sink for the component encoders (Java `DataOutput` semantics: big-endian
 * ints, longs and doubles, `writeUTF`, and Cassandra's unsigned vints from utils/vint/VIntCoding.java).
 * 64-bit values are taken as `bigint` so that every bit pattern Cassandra writes round-trips exactly.
 */

/** A big-endian, growable output buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v | 0);
    this.length += 4;
    return this;
  }

  /** A 32-bit little-endian int (Summary.db native-order offsets). */
  i32le(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.length, v | 0, true);
    this.length += 4;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v));
    this.length += 8;
    return this;
  }

  /** A 64-bit little-endian long (Summary.db native-order positions). */
  i64le(v: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v), true);
    this.length += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Java `writeUTF`: u16 length then the (modified) UTF-8 bytes. */
  utf(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u16(b.length);
    return this.bytes(b);
  }

  /** Cassandra unsigned vint (VIntCoding.writeUnsignedVInt) of a non-negative 64-bit value. */
  unsignedVInt(value: bigint | number): this {
    const v = BigInt.asUintN(64, BigInt(value));
    // number of significant bits → size: 1 byte holds 7 bits, each extra byte adds 7, 9 bytes hold 64
    const bits = v === 0n ? 1 : v.toString(2).length;
    let size = Math.ceil(bits / 7);
    if (size > 8) size = 9;
    this.ensure(size);
    if (size === 1) {
      this.buf[this.length++] = Number(v);
      return this;
    }
    if (size === 9) {
      this.buf[this.length++] = 0xff;
      for (let i = 7; i >= 0; i--) this.buf[this.length++] = Number((v >> BigInt(i * 8)) & 0xffn);
      return this;
    }
    const extra = size - 1;
    for (let i = size - 1; i >= 0; i--) {
      this.buf[this.length + i] = Number((v >> BigInt((size - 1 - i) * 8)) & 0xffn);
    }
    // leading `extra` one-bits in the first byte
    this.buf[this.length] = (this.buf[this.length]! | (0xff << (8 - extra))) & 0xff;
    this.length += size;
    return this;
  }

  /** Cassandra signed (zig-zag) vint. */
  vint(value: bigint | number): this {
    const v = BigInt.asIntN(64, BigInt(value));
    return this.unsignedVInt(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A bounds-checked big-endian reader over a byte array (throws RangeError past the end). */
export class ByteReader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end)
      throw new RangeError(`needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** The raw 8 bytes of a double (to keep NaN payloads exact). */
  f64Bits(): bigint {
    return this.i64();
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf(): string {
    return new TextDecoder().decode(this.bytes(this.u16()));
  }

  unsignedVInt(): bigint {
    const first = this.u8();
    if (first < 0x80) return BigInt(first);
    const extra = Math.clz32(~(first << 24));
    this.need(extra);
    let v = BigInt(first & (0xff >> extra));
    for (let i = 0; i < extra; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    return v;
  }

  unsignedVInt32(): number {
    const v = this.unsignedVInt();
    if (v > 0x7fffffffn) throw new RangeError(`vint ${v} does not fit in 32 bits`);
    return Number(v);
  }

  vint(): bigint {
    const u = this.unsignedVInt();
    return BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
  }
}
