/**
 * A read cursor over a byte window: `{buf, view, pos, end}` advanced in place, big-endian reads (Cassandra
 * writes Java `DataOutput`, which is big-endian), and Cassandra's variable-length integers
 * (`utils/vint/VIntCoding.java`: the count of leading 1-bits of the first byte is the number of extra bytes).
 *
 * The window may end in the middle of a record: every read checks the bound and throws the shared
 * `NEED_MORE` sentinel (not an Error, so nothing is allocated), carrying how many bytes past `pos` the
 * caller should make available before parsing the record again from its start.
 */

/** Thrown (by reference) when the window ends before a read could complete. */
export const NEED_MORE = { need: 0 };

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

export class Cursor {
  buf: Uint8Array;
  view: DataView;
  pos: number;
  end: number;
  /** The absolute position (in the uncompressed stream) of `buf[0]`. */
  base: number;
  /** Where the record being parsed started; `NEED_MORE.need` is measured from here. */
  mark = 0;
  /** High and low 32 bits of the last vint read (for 64-bit bitmaps and values past 2^53). */
  vhi = 0;
  vlo = 0;

  constructor(buf: Uint8Array, pos = 0, end = buf.length, base = 0) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
    this.base = base;
  }

  /** Replaces the window (after a refill). */
  reset(buf: Uint8Array, pos: number, end: number, base: number): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
    this.base = base;
  }

  /** Absolute stream position of the cursor. */
  get position(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws NEED_MORE unless `n` more bytes are in the window. */
  require(n: number): void {
    if (this.pos + n > this.end) {
      NEED_MORE.need = this.pos + n - this.mark;
      throw NEED_MORE;
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.require(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.require(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.require(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.require(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A signed 64-bit big-endian integer as a double (exact below 2^53 in magnitude). */
  i64(): number {
    this.require(8);
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  i64Big(): bigint {
    this.require(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  f64(): number {
    this.require(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    this.require(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.require(n);
    this.pos += n;
  }

  /** Java `writeUTF` (u16 length + modified UTF-8; plain UTF-8 for the strings Cassandra writes there). */
  utf(): string {
    const n = this.u16();
    return decodeUtf8(this.bytes(n));
  }

  /**
   * An unsigned vint as a double. Values of 2^53 and above (only seen for deltas that wrap around 64
   * bits) are exact through `lastVIntBig()`; callers that need wrap-around semantics use
   * `unsignedVIntSigned`.
   */
  unsignedVInt(): number {
    if (this.pos >= this.end) this.require(1);
    const first = this.buf[this.pos]!;
    if (first < 0x80) {
      this.pos++;
      this.vhi = 0;
      this.vlo = first;
      return first;
    }
    const extra = extraBytes(first);
    this.require(extra + 1);
    let hi = 0;
    let lo = first & (0xff >> extra);
    // accumulate big-endian into (hi, lo), a 64-bit number split at 32 bits
    for (let i = 1; i <= extra; i++) {
      hi = ((hi << 8) | (lo >>> 24)) >>> 0;
      lo = ((lo << 8) | this.buf[this.pos + i]!) >>> 0;
    }
    this.pos += extra + 1;
    this.vhi = hi;
    this.vlo = lo;
    return hi * TWO_32 + lo;
  }

  /** The last vint read by `unsignedVInt`, exactly, as an unsigned 64-bit BigInt. */
  lastVIntBig(): bigint {
    return (BigInt(this.vhi) << 32n) | BigInt(this.vlo);
  }

  /** An unsigned vint that must fit a 32-bit length or count. */
  unsignedVInt32(): number {
    const v = this.unsignedVInt();
    if (v > 0x7fffffff) throw new RangeError(`vint ${v} does not fit in 32 bits`);
    return v;
  }

  /** An unsigned vint reinterpreted as a signed 64-bit value, returned as a double. */
  unsignedVIntSigned(): number {
    const v = this.unsignedVInt();
    return v < TWO_53 ? v : Number(BigInt.asIntN(64, this.lastVIntBig()));
  }

  /** A signed (zig-zag) vint as a double. */
  vint(): number {
    const u = this.unsignedVInt();
    if (u < TWO_53) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
    const b = this.lastVIntBig();
    return Number((b >> 1n) ^ -(b & 1n));
  }
}

/** The number of bytes after the first in a vint whose first byte is `first` (>= 0x80). */
export function extraBytes(first: number): number {
  // leading ones of the byte: Math.clz32 of the inverted byte in the top 8 bits
  return Math.clz32(~(first << 24));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
