import { describe, expect, it } from 'vitest';
import {
  compareUnsigned,
  fromHex,
  readFloat32,
  readFloat64,
  readInt16,
  readInt32,
  readInt64Big,
  readInt64Safe,
  readUint16,
  readUint32,
  toHex,
} from './binary.js';

describe('binary reads', () => {
  const b = fromHex('00fffffffffe80000020000000000001' + '3dcccccd3fb999999999999a');
  it('reads big-endian integers at unaligned offsets', () => {
    expect(readInt32(b, 2)).toBe(-2);
    expect(readUint32(b, 2)).toBe(0xfffffffe);
    expect(readInt16(b, 6)).toBe(-32768);
    expect(readUint16(b, 6)).toBe(0x8000);
    expect(readInt64Safe(b, 8)).toBeUndefined();
    expect(readInt64Big(b, 8)).toBe(9007199254740993n);
    expect(readInt64Safe(fromHex('ffffffffffffffff'), 0)).toBe(-1);
  });
  it('reads floats', () => {
    expect(readFloat32(b, 16)).toBe(Math.fround(0.1));
    expect(readFloat64(b, 20)).toBe(0.1);
  });
  it('hex and unsigned comparison', () => {
    expect(toHex(b, 0, 2)).toBe('00ff');
    expect(compareUnsigned(fromHex('80'), fromHex('7f'))).toBeGreaterThan(0);
    expect(compareUnsigned(fromHex('01'), fromHex('0100'))).toBeLessThan(0);
    expect(compareUnsigned(fromHex(''), fromHex(''))).toBe(0);
    expect(() => fromHex('zz')).toThrow(RangeError);
  });
});
