/**
 * A growable output buffer with the writes Cassandra's serializers make: big-endian fixed-width integers
 * and Cassandra vints (utils/vint/VIntCoding.java). Doubles its capacity as it grows; `take()` hands out
 * the bytes written so far and starts over without reallocating.
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

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** A signed 64-bit integer given as a double (exact below 2^53) . */
  i64(v: number): void {
    this.ensure(8);
    if (Number.isSafeInteger(v) || v === -(2 ** 63)) {
      const hi = Math.floor(v / TWO_32);
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, v - hi * TWO_32);
    } else this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** An unsigned vint; negative or huge values are written as their 64-bit two's complement. */
  unsignedVInt(v: number): void {
    if (v >= 0 && v < 128) {
      this.ensure(1);
      this.buf[this.pos++] = v;
      return;
    }
    if (v < 0 || v >= TWO_53) {
      this.unsignedVIntBig(BigInt.asUintN(64, BigInt(v)));
      return;
    }
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
  }

  unsignedVIntBig(v: bigint): void {
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
  }

  /** A zig-zag signed vint. */
  vint(v: number): void {
    if (Number.isSafeInteger(v) && Math.abs(v) < TWO_53 / 2) this.unsignedVInt(v >= 0 ? v * 2 : -v * 2 - 1);
    else {
      const b = BigInt(v);
      this.unsignedVIntBig(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
    }
  }

  /** The bytes written so far (a copy), and a reset. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
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
