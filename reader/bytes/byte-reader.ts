/**
 * The component decoders' bounds-checked reader (the encoders write with byte-writer.ts)
 * (Java `DataInput` semantics: big-endian ints, longs and doubles, `readUTF`, Cassandra's unsigned vints).
 */

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
