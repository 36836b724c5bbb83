/**
 * The cursor's reads: Cassandra vints of every length (1 to 9 bytes, values past 2^53 through the exact
 * 64-bit path, zig-zag signed values), big-endian fixed-width reads at unaligned offsets, and the
 * NEED_MORE signal when a record runs past the window.
 */
import { describe, expect, it } from 'vitest';
import { encodeUnsignedVInt, encodeVInt } from '../cql/vint.js';
import { Cursor, extraBytes, NEED_MORE } from './cursor.js';

/** Bytes of Cassandra's VIntCoding for known values (hand-derived from the encoding rule). */
const VECTORS: [bigint, number[]][] = [
  [0n, [0x00]],
  [1n, [0x01]],
  [127n, [0x7f]],
  [128n, [0x80, 0x80]],
  [16383n, [0xbf, 0xff]],
  [16384n, [0xc0, 0x40, 0x00]],
  [2n ** 21n - 1n, [0xdf, 0xff, 0xff]],
  [2n ** 56n - 1n, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  [2n ** 56n, [0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]],
  [2n ** 64n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
];

function at(bytes: number[] | Uint8Array, offset = 3): Cursor {
  // place the bytes at an unaligned offset inside a larger buffer
  const buf = new Uint8Array(offset + bytes.length + 5).fill(0xee);
  buf.set(bytes, offset);
  return new Cursor(buf.subarray(offset, offset + bytes.length));
}

describe('Cursor vints', () => {
  it('decodes known unsigned vints of every length', () => {
    for (const [value, bytes] of VECTORS) {
      const c = at(bytes);
      const v = c.unsignedVInt();
      expect(c.pos).toBe(bytes.length);
      expect(c.lastVIntBig()).toBe(value);
      if (value < 2n ** 53n) expect(v).toBe(Number(value));
      expect([...encodeUnsignedVInt(value)]).toEqual(bytes);
    }
  });

  it('round-trips values around every length boundary', () => {
    for (let bits = 0; bits <= 64; bits++) {
      for (const delta of [-1n, 0n, 1n]) {
        const value = (1n << BigInt(bits)) + delta;
        if (value < 0n || value >= 2n ** 64n) continue;
        const c = at(encodeUnsignedVInt(value));
        c.unsignedVInt();
        expect(c.lastVIntBig()).toBe(value);
        expect(c.remaining).toBe(0);
      }
    }
  });

  it('reads 64-bit wrap-around as signed and zig-zag signed vints', () => {
    const minusOne = at(encodeUnsignedVInt(2n ** 64n - 1n));
    expect(minusOne.unsignedVIntSigned()).toBe(-1);
    for (const v of [0, 1, -1, 63, -64, 64, 1_000_000, -1_000_000, 2 ** 40, -(2 ** 40)]) {
      expect(at(encodeVInt(v)).vint()).toBe(v);
    }
    expect(at(encodeVInt(-(2n ** 62n))).vint()).toBe(-(2 ** 62));
  });

  it('counts the extra bytes from the leading ones of the first byte', () => {
    expect([0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe, 0xff].map(extraBytes)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });
});

describe('Cursor fixed-width reads', () => {
  it('reads big-endian integers at unaligned offsets', () => {
    const c = at([0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 3, 0x61, 0x62, 0x63], 7);
    expect(c.u16()).toBe(0x1234);
    expect(c.i32()).toBe(-2);
    expect(c.i64Big()).toBe(-(2n ** 63n) + 1n);
    expect(c.utf()).toBe('abc');
    expect(c.remaining).toBe(0);
  });

  it('signals NEED_MORE with the bytes needed from the mark, leaving the window intact', () => {
    const c = at([0x00, 0x05, 0x61, 0x62]);
    c.mark = 0;
    const n = c.u16();
    let thrown: unknown;
    try {
      c.bytes(n);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(NEED_MORE);
    expect(NEED_MORE.need).toBe(7);
    // a vint whose tail is missing
    const v = at([0xc0, 0x40]);
    v.mark = 0;
    expect(() => v.unsignedVInt()).toThrow();
    expect(NEED_MORE.need).toBe(3);
  });
});
