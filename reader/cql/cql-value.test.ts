import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { fromHex } from './binary.js';
import type { CqlType, NativeTypeName } from './cql-type.js';
import { cqlMultiCellToJson, cqlValueToJson, formatBigDecimal, inetToString } from './cql-value.js';
import { cqlTypeFromMarshal, nativeType as n } from './marshal-type.js';
import { encodeVInt } from './vint.js';

/** The bytes of `hex` placed at an odd offset inside a larger buffer (exercises unaligned reads). */
function at(hex: string): Uint8Array {
  const b = fromHex(hex.replace(/[\s_]/g, ''));
  const buf = new Uint8Array(b.length + 8).fill(0xee);
  buf.set(b, 3);
  return buf.subarray(3, 3 + b.length);
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0) + 5);
  let o = 5;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.subarray(5);
}

function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}

function elem(b: Uint8Array | null): Uint8Array {
  return b === null ? int32(-1) : cat(int32(b.length), b);
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const v = (name: NativeTypeName, hex: string) => cqlValueToJson(n(name), at(hex));

describe('cqlValueToJson: corpus mc-uncompressed-all-types', () => {
  const expected = JSON.parse(
    readFileSync(
      new URL('../../../shared/corpus/mc-uncompressed-all-types/case.json', import.meta.url),
      'utf8',
    ),
  ).expected.rows[0] as Record<string, unknown>;
  // Cell values exactly as they appear in mc-1-big-Data.db of that case.
  const cells: Array<[string, NativeTypeName, string]> = [
    ['pk', 'text', '6b6579'],
    ['asciival', 'ascii', '68656c6c6f'],
    ['bigintval', 'bigint', '7fffffffffffffff'],
    ['blobval', 'blob', '6772656174'],
    ['boolval', 'boolean', '01'],
    ['dateval', 'date', '8000438b'],
    ['decimalval', 'decimal', '00000002 0221'],
    ['doubleval', 'double', '40424ccccccccccd'],
    ['durationval', 'duration', '0000fc0712801a1a00'],
    ['floatval', 'float', '40f3d70a'],
    ['inetval', 'inet', 'c0a8006e'],
    ['intval', 'int', '80000000'],
    ['smallintval', 'smallint', '7fff'],
    ['timeuuidval', 'timeuuid', '50554d6e29bb11e5b345feff819cdc9f'],
    ['timeval', 'time', '000040ab71a19480'],
    ['tinyintval', 'tinyint', '7f'],
    ['tsval', 'timestamp', '0000014d0ed07d9a'],
    ['uuidval', 'uuid', '0123456701230123012301234567 89ab'],
    ['varcharval', 'text', 'd0bfd180d0b8d0b2d0b5d182'],
    ['varintval', 'varint', '7b'],
  ];
  for (const [col, type, hex] of cells) {
    it(`${col} (${type})`, () => {
      expect(v(type, hex)).toEqual(expected[col]);
    });
  }
});

describe('cqlValueToJson: scalars', () => {
  it('integers', () => {
    expect(v('int', '7fffffff')).toBe(2147483647);
    expect(v('int', 'ffffffff')).toBe(-1);
    expect(v('smallint', '8000')).toBe(-32768);
    expect(v('tinyint', '80')).toBe(-128);
    expect(v('bigint', 'ffffffffffffffff')).toBe(-1);
    expect(v('bigint', '0020000000000000')).toBe(2 ** 53);
    expect(v('bigint', 'ffe0000000000000')).toBe(-(2 ** 53));
    expect(v('bigint', '0020000000000001')).toBe('9007199254740993');
    expect(v('bigint', '8000000000000000')).toBe('-9223372036854775808');
    expect(v('bigint', '000000e8d4a51000')).toBe(1e12);
  });

  it('varint of any length', () => {
    expect(v('varint', '00')).toBe(0);
    expect(v('varint', 'ff')).toBe(-1);
    expect(v('varint', '0080')).toBe(128);
    expect(v('varint', 'ff7f')).toBe(-129);
    expect(v('varint', '0020000000000000')).toBe(2 ** 53);
    expect(v('varint', '0020000000000001')).toBe('9007199254740993');
    expect(v('varint', '00ffffffffffffffff')).toBe('18446744073709551615');
    expect(v('varint', 'ff0000000000000000')).toBe('-18446744073709551616');
    expect(v('varint', '0000000000000005')).toBe(5);
  });

  it('float: shortest round-trip decimal; double as is; non-finite as strings', () => {
    expect(v('float', '3dcccccd')).toBe(0.1);
    expect(v('float', '3f000000')).toBe(0.5);
    expect(v('float', '4b7fffff')).toBe(16777215);
    expect(v('float', '7f7fffff')).toBe(3.4028235e38);
    expect(v('float', '00000001')).toBe(1e-45);
    expect(Object.is(v('float', '80000000'), -0)).toBe(true);
    expect(v('float', '7fc00000')).toBe('NaN');
    expect(v('float', 'ff800000')).toBe('-Infinity');
    expect(v('double', '3fb999999999999a')).toBe(0.1);
    // Random float32 bit patterns: the result round-trips and no shorter precision does.
    const b = new Uint8Array(4);
    const dv = new DataView(b.buffer);
    let x = 987654321;
    for (let i = 0; i < 3000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      dv.setUint32(0, (x * 2 + (i & 1)) >>> 0);
      const f = dv.getFloat32(0);
      if (!Number.isFinite(f) || f === 0) continue;
      const got = cqlValueToJson(n('float'), b) as number;
      expect(Math.fround(got)).toBe(f);
      const digits = got.toExponential().split('e')[0]!.replace(/[-.]/g, '').length;
      if (digits > 1) expect(Math.fround(Number(f.toPrecision(digits - 1)))).not.toBe(f);
    }
    expect(v('double', '7ff0000000000000')).toBe('Infinity');
  });

  it('decimal as Java BigDecimal.toString', () => {
    const dec = (scale: number, unscaledHex: string) =>
      cqlValueToJson(n('decimal'), cat(int32(scale), at(unscaledHex)));
    expect(dec(2, '0221')).toBe('5.45');
    expect(dec(0, '3039')).toBe('12345');
    expect(dec(-3, '3039')).toBe('1.2345E+7');
    expect(dec(10, '3039')).toBe('0.0000012345');
    expect(dec(11, '3039')).toBe('1.2345E-7');
    expect(dec(1, 'fb')).toBe('-0.5');
    expect(dec(2, '00')).toBe('0.00');
    expect(dec(-2, '00')).toBe('0E+2');
    expect(dec(-1, '01')).toBe('1E+1');
    expect(dec(3, '00ffffffffffffffff')).toBe('18446744073709551.615');
    expect(dec(0, 'ff0000000000000000')).toBe('-18446744073709551616');
    expect(formatBigDecimal(false, '1', 7)).toBe('1E-7');
    expect(formatBigDecimal(true, '123', 8)).toBe('-0.00000123');
  });

  it('text, ascii, blob, boolean, uuid', () => {
    expect(v('text', '')).toBe('');
    expect(v('ascii', '')).toBe('');
    expect(v('blob', '')).toBe('0x');
    expect(v('blob', '00ff10')).toBe('0x00ff10');
    expect(v('text', Buffer.from(`${'a'.repeat(40)}é`).toString('hex'))).toBe(`${'a'.repeat(40)}é`);
    expect(v('boolean', '00')).toBe(false);
    expect(v('boolean', '02')).toBe(true);
    expect(v('uuid', 'F7FDCBD24544482C85FDD9572ADC3CD6')).toBe('f7fdcbd2-4544-482c-85fd-d9572adc3cd6');
  });

  it('timestamps: ISO-8601 UTC with ms, negative and beyond the JS Date range', () => {
    const ts = (ms: bigint) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, ms);
      return cqlValueToJson(n('timestamp'), b);
    };
    expect(ts(0n)).toBe('1970-01-01T00:00:00.000Z');
    expect(ts(-1n)).toBe('1969-12-31T23:59:59.999Z');
    expect(ts(951782400000n)).toBe('2000-02-29T00:00:00.000Z');
    expect(ts(-62135596800000n)).toBe('0001-01-01T00:00:00.000Z');
    expect(ts(-62135596800001n)).toBe('0000-12-31T23:59:59.999Z');
    expect(ts(-62167219200001n)).toBe('-0001-12-31T23:59:59.999Z');
    expect(ts(253402300800000n)).toBe('+10000-01-01T00:00:00.000Z');
    expect(ts(9223372036854775807n)).toBe('+292278994-08-17T07:12:55.807Z');
    expect(ts(-9223372036854775808n)).toBe('-292275055-05-16T16:47:04.192Z');
    expect(ts(2n ** 53n - 1n)).toBe('+287396-10-12T08:59:00.991Z');
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const ms = Math.round((x / 2147483648 - 0.5) * 2 * 253402300799999);
      if (ms < -62167219200000) continue;
      expect(ts(BigInt(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it('dates: uint32 days with 2^31 = 1970-01-01, full range', () => {
    expect(v('date', '80000000')).toBe('1970-01-01');
    expect(v('date', '7fffffff')).toBe('1969-12-31');
    expect(v('date', '00000000')).toBe('-5877641-06-23');
    expect(v('date', 'ffffffff')).toBe('+5881580-07-11');
    expect(v('date', '80002bde')).toBe('2000-09-30');
  });

  it('times: HH:MM:SS.nnnnnnnnn; out of range is invalid', () => {
    expect(v('time', '0000000000000000')).toBe('00:00:00.000000000');
    expect(v('time', '00004e94914effff')).toBe('23:59:59.999999999');
    expect(v('time', '0000000000000001')).toBe('00:00:00.000000001');
    expect(() => v('time', '00004e94914f0000')).toThrow(DatamoveError);
    expect(() => v('time', 'ffffffffffffffff')).toThrow(DatamoveError);
  });

  it('durations in Cassandra text form', () => {
    const dur = (m: number, d: number, ns: bigint) =>
      cqlValueToJson(n('duration'), cat(encodeVInt(m), encodeVInt(d), encodeVInt(ns)));
    expect(dur(14, 3, 0n)).toBe('1y2mo3d');
    expect(dur(0, -1, 0n)).toBe('-1d');
    expect(dur(0, 0, 3888020000000n)).toBe('1h4m48s20ms');
    expect(dur(0, 0, 1001n)).toBe('1us1ns');
    expect(dur(-12, 0, -60000000000n)).toBe('-1y1m');
    expect(dur(0, 0, 0n)).toBe('');
    expect(dur(0, 0, 9223372036854775807n)).toBe('2562047h47m16s854ms775us807ns');
    expect(() => cqlValueToJson(n('duration'), at('00 00 00 00'))).toThrow(DatamoveError);
  });

  it('inet: dotted quad and RFC 5952', () => {
    expect(v('inet', '0a000001')).toBe('10.0.0.1');
    expect(inetToString(at('00000000000000000000000000000001'))).toBe('::1');
    expect(inetToString(at('00000000000000000000000000000000'))).toBe('::');
    expect(inetToString(at('20010db8000000000000000000000001'))).toBe('2001:db8::1');
    expect(inetToString(at('20010db8000000000001000000000001'))).toBe('2001:db8::1:0:0:1');
    expect(inetToString(at('00010000000100000001000000010000'))).toBe('1:0:1:0:1:0:1:0');
    expect(inetToString(at('20010db8000100000000000100000000'))).toBe('2001:db8:1::1:0:0');
    expect(inetToString(at('fe800000000000000000000000000000'))).toBe('fe80::');
    expect(inetToString(at('00000000000000000000ffff01020304'))).toBe('::ffff:1.2.3.4');
    expect(() => v('inet', '0102')).toThrow(DatamoveError);
  });

  it('empty values are null for non-string types; wrong lengths are DataInvalid', () => {
    for (const t of [
      'int',
      'bigint',
      'uuid',
      'timestamp',
      'date',
      'varint',
      'decimal',
      'boolean',
      'inet',
      'empty',
    ] as const) {
      expect(v(t, '')).toBeNull();
    }
    expect(cqlValueToJson(cqlTypeFromMarshal('ListType(Int32Type)'), at(''))).toBeNull();
    expect(cqlValueToJson({ kind: 'custom', className: 'X' }, at(''))).toBe('0x');
    for (const [t, hex] of [
      ['int', '000001'],
      ['bigint', '00'],
      ['uuid', '00'],
      ['boolean', '0000'],
    ] as const) {
      try {
        v(t, hex);
        expect.unreachable();
      } catch (e) {
        expect((e as DatamoveError).kind).toBe('DataInvalid');
        expect((e as DatamoveError).message).toMatch(/^cql: /);
      }
    }
  });

  it('counters: the total of the shards', () => {
    const ctx = at(`0001 0000 59b8272099b04033885ce94d62106a35 000569aa6b2d39e0 0000000000000003`);
    expect(cqlValueToJson(n('counter'), ctx)).toBe(3);
  });

  it('reversed decodes as its inner type', () => {
    expect(cqlValueToJson({ kind: 'reversed', inner: n('int') }, at('0000002a'))).toBe(42);
  });
});

describe('cqlValueToJson: frozen collections, tuples, UDTs, vectors', () => {
  const list = (t: string) => cqlTypeFromMarshal(`FrozenType(ListType(${t}))`);

  it('lists and sets: int32 count, int32-length elements, -1 = null', () => {
    const b = cat(int32(3), elem(int32(1)), elem(null), elem(int32(-3)));
    expect(cqlValueToJson(list('Int32Type'), b)).toEqual([1, null, -3]);
    expect(
      cqlValueToJson(
        cqlTypeFromMarshal('FrozenType(SetType(UTF8Type))'),
        cat(int32(2), elem(utf8('a')), elem(utf8('b'))),
      ),
    ).toEqual(['a', 'b']);
    expect(cqlValueToJson(list('Int32Type'), cat(int32(0)))).toEqual([]);
    expect(() => cqlValueToJson(list('Int32Type'), cat(int32(2), elem(int32(1))))).toThrow(DatamoveError);
    expect(() => cqlValueToJson(list('Int32Type'), cat(int32(1), int32(10), int32(1)))).toThrow(/overruns/);
  });

  it('maps: keys become strings', () => {
    const t = cqlTypeFromMarshal('FrozenType(MapType(Int32Type,UTF8Type))');
    const b = cat(int32(2), elem(int32(1)), elem(utf8('Text 1')), elem(int32(2)), elem(null));
    expect(cqlValueToJson(t, b)).toEqual({ '1': 'Text 1', '2': null });
    const t2 = cqlTypeFromMarshal('FrozenType(MapType(UTF8Type,Int32Type))');
    const proto = cqlValueToJson(t2, cat(int32(1), elem(utf8('__proto__')), elem(int32(7)))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    const t3 = cqlTypeFromMarshal('FrozenType(MapType(FrozenType(ListType(Int32Type)),BooleanType))');
    const key = cat(int32(2), elem(int32(1)), elem(int32(2)));
    expect(cqlValueToJson(t3, cat(int32(1), elem(key), elem(at('01'))))).toEqual({ '[1,2]': true });
  });

  it('tuples: missing trailing fields are null', () => {
    const t: CqlType = { kind: 'tuple', elements: [n('int'), n('text'), n('boolean')] };
    expect(cqlValueToJson(t, cat(elem(int32(5)), elem(utf8('x')), elem(at('01'))))).toEqual([5, 'x', true]);
    expect(cqlValueToJson(t, cat(elem(int32(5)), elem(null)))).toEqual([5, null, null]);
    expect(() =>
      cqlValueToJson(t, cat(elem(int32(5)), elem(utf8('x')), elem(at('01')), elem(at('01')))),
    ).toThrow(DatamoveError);
  });

  it('UDT: the corpus frozen UDT value', () => {
    const t = cqlTypeFromMarshal(
      'FrozenType(UserType(sst3,7574,6d795f696e74:Int32Type,6d795f626f6f6c65616e:BooleanType,6d795f74657874:UTF8Type))',
    );
    const value = cat(elem(int32(1703)), elem(at('01')), elem(utf8('Санкт-Петербург')));
    expect(cqlValueToJson(t, value)).toEqual({ my_int: 1703, my_boolean: true, my_text: 'Санкт-Петербург' });
    expect(cqlValueToJson(t, cat(elem(int32(1))))).toEqual({ my_int: 1, my_boolean: null, my_text: null });
  });

  it('vectors: fixed-size elements concatenated, variable ones vint-prefixed', () => {
    const vf = cqlTypeFromMarshal('VectorType(FloatType,3)');
    expect(cqlValueToJson(vf, at('3f800000 3dcccccd c0000000'))).toEqual([1, 0.1, -2]);
    expect(() => cqlValueToJson(vf, at('3f800000'))).toThrow(DatamoveError);
    const vt = cqlTypeFromMarshal('VectorType(UTF8Type,2)');
    expect(cqlValueToJson(vt, at('01 61 03 626364'))).toEqual(['a', 'bcd']);
    expect(() => cqlValueToJson(vt, at('01 61 05 626364'))).toThrow(DatamoveError);
    const vs = cqlTypeFromMarshal('VectorType(ShortType,2)');
    expect(cqlValueToJson(vs, at('02 0001 02 ffff'))).toEqual([1, -1]);
  });

  it('composite values decode to arrays', () => {
    const t = cqlTypeFromMarshal('CompositeType(Int32Type,UTF8Type)');
    expect(cqlValueToJson(t, at('0004 00000001 00 0001 61 00'))).toEqual([1, 'a']);
  });
});

describe('cqlMultiCellToJson', () => {
  it('set: the path values (corpus set<int>)', () => {
    const t = cqlTypeFromMarshal('SetType(Int32Type)');
    const cells = [1, 2, 3].map((i) => ({ path: int32(i), value: new Uint8Array(0) }));
    expect(cqlMultiCellToJson(t, cells)).toEqual([1, 2, 3]);
  });

  it('list: the values in path (timeuuid) order', () => {
    const t = cqlTypeFromMarshal('ListType(UTF8Type)');
    const cells = ['Text 1', 'Text 2'].map((s, i) => ({
      path: at(`5055${i}d6e29bb11e5b345feff819cdc9f`),
      value: utf8(s),
    }));
    expect(cqlMultiCellToJson(t, cells)).toEqual(['Text 1', 'Text 2']);
  });

  it('map: path key to value', () => {
    const t = cqlTypeFromMarshal('MapType(Int32Type,UTF8Type)');
    const cells = [
      { path: int32(13), value: utf8('Text 13') },
      { path: int32(14), value: utf8('Text 14') },
    ];
    expect(cqlMultiCellToJson(t, cells)).toEqual({ '13': 'Text 13', '14': 'Text 14' });
  });

  it('UDT: field index paths, missing fields null', () => {
    const t = cqlTypeFromMarshal(
      'UserType(ks,75,61:Int32Type,62:UTF8Type,63:FrozenType(ListType(Int32Type)))',
    );
    const cells = [
      { path: at('0000'), value: int32(7) },
      { path: at('0002'), value: cat(int32(1), elem(int32(9))) },
      { path: at('0009'), value: int32(1) },
    ];
    expect(cqlMultiCellToJson(t, cells)).toEqual({ a: 7, b: null, c: [9] });
    expect(() => cqlMultiCellToJson(t, [{ path: at('00'), value: int32(1) }])).toThrow(DatamoveError);
  });

  it('no cells is null; non-collections are rejected', () => {
    expect(cqlMultiCellToJson(cqlTypeFromMarshal('SetType(Int32Type)'), [])).toBeNull();
    expect(() => cqlMultiCellToJson(n('int'), [{ path: at(''), value: at('') }])).toThrow(DatamoveError);
  });
});
