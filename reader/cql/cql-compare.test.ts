import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { fromHex } from './binary.js';
import { compareVarint, compositeJoin, compositeSplit, cqlCompare } from './cql-compare.js';
import type { CqlType } from './cql-type.js';
import { cqlValueToJson } from './cql-value.js';
import { cqlTypeFromMarshal, nativeType as n } from './marshal-type.js';

function at(hex: string): Uint8Array {
  const b = fromHex(hex.replace(/[\s_]/g, ''));
  const buf = new Uint8Array(b.length + 6).fill(0xaa);
  buf.set(b, 5);
  return buf.subarray(5, 5 + b.length);
}

const sign = (x: number) => Math.sign(x);
const cmp = (t: CqlType, a: string, b: string) => sign(cqlCompare(t, at(a), at(b)));

/** Asserts that `hexes` is strictly increasing under `t`, checking every pair both ways. */
function ascending(t: CqlType, hexes: string[]): void {
  for (let i = 0; i < hexes.length; i++) {
    for (let j = 0; j < hexes.length; j++) {
      expect(cmp(t, hexes[i]!, hexes[j]!), `${hexes[i]} vs ${hexes[j]}`).toBe(sign(i - j));
    }
  }
}

describe('cqlCompare', () => {
  it('signed integers and timestamps, empty first', () => {
    ascending(n('int'), ['', '80000000', 'ffffffff', '00000000', '00000001', '7fffffff']);
    ascending(n('bigint'), [
      '',
      '8000000000000000',
      'ffffffffffffffff',
      '0000000000000000',
      '7fffffffffffffff',
    ]);
    ascending(n('smallint'), ['8000', 'ff00', '00ff', '7fff']);
    ascending(n('tinyint'), ['80', 'ff', '00', '7f']);
    ascending(n('timestamp'), ['fffffffffffffc18', '0000000000000000', '0000014d0ed07d9a']);
  });

  it('date and time in unsigned byte order', () => {
    ascending(n('date'), ['00000000', '7fffffff', '80000000', 'ffffffff']);
    ascending(n('time'), ['0000000000000000', '000040ab71a19480']);
  });

  it('float and double like Java Float.compare', () => {
    ascending(n('float'), [
      'ff800000',
      'bf800000',
      '80000000',
      '00000000',
      '3f000000',
      '7f800000',
      '7fc00000',
    ]);
    expect(cmp(n('float'), '7fc00000', '7fc00001')).toBe(0);
    ascending(n('double'), ['bff0000000000000', '8000000000000000', '0000000000000000', '3fb999999999999a']);
  });

  it('varint and decimal numerically', () => {
    ascending(n('varint'), ['ff0000000000000000', 'ff7f', 'ff', '00', '7f', '0080', '00ffffffffffffffff']);
    expect(cmp(n('varint'), '00000005', '05')).toBe(0);
    expect(cmp(n('varint'), 'ffffff', 'ff')).toBe(0);
    expect(sign(compareVarint(at('fe'), at('ffff')))).toBe(-1);
    // 1.0 == 1.00; -0.5 < 1 < 5.45 < 5.5 < 1E+3
    expect(cmp(n('decimal'), '00000001 0a', '00000002 64')).toBe(0);
    ascending(n('decimal'), ['00000001 fb', '00000000 01', '00000002 0221', '00000001 37', 'fffffffd 01']);
  });

  it('text, blob, inet in unsigned byte order; boolean false < true', () => {
    ascending(n('text'), ['', '61', '6161', '62', 'c3a9']);
    ascending(n('blob'), ['', '00', '7f', '80', 'ff']);
    ascending(n('inet'), ['0a000001', '0a000002', 'c0a8006e']);
    ascending(n('boolean'), ['', '00', '01']);
    expect(cmp(n('boolean'), '01', '02')).toBe(0);
  });

  it('uuid: version, then v1 timestamp, then unsigned bytes', () => {
    // v1 with a later timestamp (time_hi 0x1e6 > 0x1e5) although time_low is smaller.
    const early = '50554d6e29bb11e5b345feff819cdc9f';
    const late = '00000000000011e6b345feff819cdc9f';
    ascending(n('uuid'), [early, late, '01234567012341230123012345678900']);
    // Same v4 prefix: lsb unsigned (0x80 > 0x7f).
    ascending(n('uuid'), ['0123456701234123 7f23012345678900', '0123456701234123 8023012345678900']);
  });

  it('timeuuid: timestamp, then signed bytes', () => {
    const early = '50554d6e29bb11e5b345feff819cdc9f';
    const late = '00000000000011e6b345feff819cdc9f';
    ascending(n('timeuuid'), [early, late]);
    ascending(n('timeuuid'), ['50554d6e29bb11e5 8000000000000000', '50554d6e29bb11e5 7f00000000000000']);
  });

  it('reversed inverts everything, empty included', () => {
    ascending({ kind: 'reversed', inner: n('int') }, ['00000002', '00000001', '']);
  });

  it('frozen collections component-wise, then by size', () => {
    const list = cqlTypeFromMarshal('FrozenType(ListType(Int32Type))');
    const l = (...xs: number[]) =>
      `${xs.length.toString(16).padStart(8, '0')}${xs.map((x) => `00000004${(x >>> 0).toString(16).padStart(8, '0')}`).join('')}`;
    ascending(list, ['', l(), l(-1), l(1, 2), l(1, 3), l(1, 3, 0), l(2)]);
    expect(cmp(list, `00000002 ffffffff 00000004 00000001`, l(0, 1))).toBe(-1);
    const map = cqlTypeFromMarshal('FrozenType(MapType(Int32Type,UTF8Type))');
    ascending(map, [
      '00000001 00000004 00000001 00000001 61',
      '00000001 00000004 00000001 00000001 62',
      '00000001 00000004 00000002 00000001 61',
    ]);
  });

  it('tuples and UDTs field by field, null first, trailing nulls ignored', () => {
    const t: CqlType = { kind: 'tuple', elements: [n('int'), n('text')] };
    ascending(t, ['00000004 00000001 ffffffff', '00000004 00000001 00000001 61', '00000004 00000002']);
    expect(cmp(t, '00000004 00000001', '00000004 00000001 ffffffff')).toBe(0);
    expect(cmp(t, '00000004 00000001', '00000004 00000001 00000000')).toBe(0);
    const udt = cqlTypeFromMarshal('FrozenType(UserType(ks,75,61:Int32Type))');
    ascending(udt, ['00000004 80000000', '00000004 00000000']);
  });

  it('vectors element-wise', () => {
    ascending(cqlTypeFromMarshal('VectorType(FloatType,2)'), [
      'bf800000 00000000',
      '00000000 bf800000',
      '00000000 3f800000',
    ]);
    ascending(cqlTypeFromMarshal('VectorType(ShortType,2)'), ['02 8000 02 0000', '02 0001 02 0000']);
  });

  it('composites component-wise with end-of-component bytes', () => {
    const t = cqlTypeFromMarshal('CompositeType(Int32Type,UTF8Type)');
    ascending(t, [
      '0004 ffffffff 00',
      '0004 00000001 ff',
      '0004 00000001 00',
      '0004 00000001 00 0001 61 00',
      '0004 00000001 00 0001 62 00',
      '0004 00000001 01',
    ]);
  });

  it('sorts clustering values like Cassandra', () => {
    const t = n('int');
    const values = [5, -3, 0, 2147483647, -2147483648].map((x) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, x);
      return b;
    });
    values.sort((a, b) => cqlCompare(t, a, b));
    expect(values.map((v) => cqlValueToJson(t, v))).toEqual([-2147483648, -3, 0, 5, 2147483647]);
  });
});

describe('compositeSplit / compositeJoin', () => {
  it('splits the corpus composite partition key (1, hello, true)', () => {
    // Partition key of mc-uncompressed-composite-partition-key/mc-1-big-Data.db (after its u16 length 0x13).
    const key = at('0004 00000001 00 0005 68656c6c6f 00 0001 01 00');
    const parts = compositeSplit(key);
    const types = cqlTypeFromMarshal('CompositeType(Int32Type,UTF8Type,BooleanType)');
    expect(types.kind).toBe('composite');
    if (types.kind !== 'composite') return;
    expect(parts.map((p, i) => cqlValueToJson(types.components[i]!, p))).toEqual([1, 'hello', true]);
    expect(compositeJoin(parts)).toEqual(new Uint8Array(key));
  });

  it('round-trips empty components and rejects truncation', () => {
    const parts = [new Uint8Array(0), fromHex('00ff')];
    expect(compositeSplit(compositeJoin(parts))).toEqual(parts);
    expect(compositeSplit(new Uint8Array(0))).toEqual([]);
    expect(() => compositeSplit(at('0004 000000'))).toThrow(DatamoveError);
    expect(() => compositeSplit(at('0001 01'))).toThrow(/overruns/);
    expect(() => compositeJoin([new Uint8Array(70000)])).toThrow(DatamoveError);
  });
});
