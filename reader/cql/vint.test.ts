import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { fromHex, toHex } from './binary.js';
import {
  encodeUnsignedVInt,
  encodeVInt,
  readUnsignedVInt,
  readUnsignedVIntBig,
  readVIntBig,
} from './vint.js';

describe('vint', () => {
  it('decodes Cassandra unsigned vints', () => {
    const b = fromHex('ff00' + '7f' + '8080' + 'c01234' + 'fc0712801a1a00');
    expect(readUnsignedVInt(b, 2)).toEqual({ value: 0x7f, next: 3 });
    expect(readUnsignedVInt(b, 3)).toEqual({ value: 0x80, next: 5 });
    expect(readUnsignedVInt(b, 5)).toEqual({ value: 0x1234, next: 8 });
    expect(readUnsignedVInt(b, 8)).toEqual({ value: 0x0712801a1a00, next: 15 });
    expect(readUnsignedVIntBig(fromHex('ffffffffffffffffff'), 0)).toEqual({ value: 2n ** 64n - 1n, next: 9 });
    expect(() => readUnsignedVInt(fromHex('ffffffffffffffffff'), 0)).toThrow(DatamoveError);
    expect(() => readUnsignedVInt(fromHex('c012'), 0)).toThrow(/truncated vint/);
  });

  it('decodes zigzag signed vints', () => {
    expect(readVIntBig(fromHex('01'), 0).value).toBe(-1n);
    expect(readVIntBig(fromHex('02'), 0).value).toBe(1n);
    expect(readVIntBig(fromHex('fc0712801a1a00'), 0).value).toBe(3888020000000n);
  });

  it('round-trips encodings', () => {
    for (const x of [0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 56n - 1n, 2n ** 56n, 2n ** 64n - 1n]) {
      const e = encodeUnsignedVInt(x);
      expect(readUnsignedVIntBig(e, 0)).toEqual({ value: x, next: e.length });
    }
    for (const x of [0n, -1n, 1n, -64n, 64n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const e = encodeVInt(x);
      expect(readVIntBig(e, 0)).toEqual({ value: x, next: e.length });
    }
    expect(toHex(encodeVInt(3888020000000n))).toBe('fc0712801a1a00');
  });
});
