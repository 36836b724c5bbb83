import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { corpusCases, corpusRoot } from '../../infra/index.js';
import type { CqlType, NativeTypeName, TableModel } from '../../reader/index.js';
import {
  CELL_DELETED,
  type Cell,
  counterContextShards,
  cqlCompare,
  cqlMultiCellToJson,
  cqlTypeFromMarshal,
  cqlValueToJson,
  fromHex,
  type JsonValue,
  jsonKey,
  nativeType as n,
  ROW,
  type Row,
  tableFolderOpen,
  toHex,
  type Unfiltered,
} from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import {
  cqlKeyFromJson,
  cqlListCellPath,
  cqlMultiCellFromJson,
  cqlValueFromJson,
  DEFAULT_COUNTER_ID,
} from './cql-encode.js';

const enc = (t: CqlType | NativeTypeName, v: JsonValue): string =>
  toHex(cqlValueFromJson(typeof t === 'string' ? n(t) : t, v));

/** JSON → bytes → JSON gives the value back (Object.is for numbers, so -0 stays -0). */
function roundTrip(t: CqlType | NativeTypeName, values: JsonValue[]): void {
  const type = typeof t === 'string' ? n(t) : t;
  for (const v of values) {
    const back = cqlValueToJson(type, cqlValueFromJson(type, v));
    if (typeof v === 'number') expect(Object.is(back, v), `${v} came back as ${back}`).toBe(true);
    else expect(back).toEqual(v);
  }
}

/** A deterministic pseudo-random sequence in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function expectInvalid(f: () => unknown, message?: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatamoveError);
    expect((e as DatamoveError).kind).toBe('InvalidArgument');
    expect((e as DatamoveError).message).toMatch(/^cql: /);
    if (message) expect((e as DatamoveError).message).toMatch(message);
    return;
  }
  expect.unreachable('expected an InvalidArgument error');
}

describe('cqlValueFromJson: integers', () => {
  it('fixed-width integers, min and max', () => {
    roundTrip('tinyint', [0, 1, -1, 127, -128]);
    roundTrip('smallint', [0, 255, -256, 32767, -32768]);
    roundTrip('int', [0, 1, -1, 2147483647, -2147483648, 65536]);
    expect(enc('int', -2147483648)).toBe('80000000');
    expect(enc('smallint', -2)).toBe('fffe');
    expect(enc('tinyint', -128)).toBe('80');
    roundTrip('bigint', [
      0,
      -1,
      2 ** 32,
      -(2 ** 32) - 1,
      2 ** 53,
      -(2 ** 53),
      '9007199254740993',
      '9223372036854775807',
      '-9223372036854775808',
    ]);
    expect(enc('bigint', '9223372036854775807')).toBe('7fffffffffffffff');
    expect(enc('bigint', -1)).toBe('ffffffffffffffff');
    expect(enc('bigint', '42')).toBe('000000000000002a');
    expect(enc('bigint', 1e18)).toBe('0de0b6b3a7640000');
    const r = lcg(7);
    for (let i = 0; i < 2000; i++) {
      const v = Math.round((r() - 0.5) * 2 ** 54) + 0; // + 0: no -0
      roundTrip('bigint', [v]);
      roundTrip('int', [Math.round((r() - 0.5) * 2 ** 32) | 0]);
    }
  });

  it('varint: minimal two two-complement, numbers and strings', () => {
    const cases: Array<[JsonValue, string]> = [
      [0, '00'],
      [-1, 'ff'],
      [127, '7f'],
      [128, '0080'],
      [-128, '80'],
      [-129, 'ff7f'],
      [255, '00ff'],
      [32767, '7fff'],
      [-32769, 'ff7fff'],
      [2 ** 53, '20000000000000'],
      [-(2 ** 53), 'e0000000000000'],
      [-(2 ** 53) + 1, 'e0000000000001'],
      ['9007199254740993', '20000000000001'],
      ['18446744073709551615', '00ffffffffffffffff'],
      ['-18446744073709551616', 'ff0000000000000000'],
      ['-9223372036854775808', '8000000000000000'],
    ];
    for (const [v, hex] of cases) {
      expect(enc('varint', v), String(v)).toBe(hex);
      roundTrip('varint', [v]);
    }
    expect(enc('varint', '-0')).toBe('00');
    roundTrip('varint', ['123456789012345678901234567890', '-98765432109876543210987654321098765432']);
    const r = lcg(11);
    for (let i = 0; i < 2000; i++) {
      const v = Math.round((r() - 0.5) * 2 ** (1 + Math.floor(r() * 53))) + 0;
      roundTrip('varint', [v]);
      const big = BigInt(Math.floor(r() * 2 ** 40)) ** BigInt(1 + Math.floor(r() * 4));
      for (const b of [big, -big]) {
        const text = b >= -(2n ** 53n) && b <= 2n ** 53n ? Number(b) : b.toString();
        roundTrip('varint', [text]);
      }
    }
  });

  it('counter: one global shard with clock 1', () => {
    const b = cqlValueFromJson(n('counter'), 3);
    expect(toHex(b)).toBe(`00018000${toHex(DEFAULT_COUNTER_ID)}${'0000000000000001'}${'0000000000000003'}`);
    const shards = [...counterContextShards(b)];
    expect(shards).toHaveLength(1);
    expect(shards[0]!.kind).toBe('global');
    expect(shards[0]!.clock).toBe(1n);
    const id = fromHex('0123456789abcdef0123456789abcdef');
    expect(toHex(cqlValueFromJson(n('counter'), -5, { counterId: id }).subarray(4, 20))).toBe(toHex(id));
    roundTrip('counter', [0, -5, 2 ** 53, '9223372036854775807', '-9223372036854775808']);
    expectInvalid(() => cqlValueFromJson(n('counter'), 1, { counterId: new Uint8Array(4) }), /16 bytes/);
  });
});

describe('cqlValueFromJson: floating point and decimal', () => {
  it('float (Math.fround, shortest text) and double', () => {
    roundTrip(
      'float',
      [0, -0, 1, -2, 0.1, 7.62, 0.5, 16777215, 3.4028235e38, -3.4028235e38, 1e-45, 1.1754944e-38],
    );
    roundTrip('float', ['NaN', 'Infinity', '-Infinity']);
    expect(enc('float', 7.62)).toBe('40f3d70a');
    expect(enc('float', 0.1)).toBe('3dcccccd');
    expect(enc('float', 'NaN')).toBe('7fc00000');
    expect(enc('float', -0)).toBe('80000000');
    roundTrip('double', [0, -0, 0.1, 36.6, Number.MAX_VALUE, Number.MIN_VALUE, -1e308, 2 ** 53 + 2, 'NaN']);
    roundTrip('double', ['Infinity', '-Infinity']);
    expect(enc('double', 36.6)).toBe('40424ccccccccccd');
    expect(enc('double', 'NaN')).toBe('7ff8000000000000');
    const r = lcg(3);
    const bits = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < 3000; i++) {
      bits.setUint32(0, Math.floor(r() * 2 ** 32));
      const f = bits.getFloat32(0);
      if (Number.isNaN(f)) continue;
      const json = cqlValueToJson(n('float'), new Uint8Array(bits.buffer.slice(0)));
      expect(enc('float', json)).toBe(toHex(new Uint8Array(bits.buffer)));
      roundTrip('double', [(r() - 0.5) * 10 ** Math.floor(r() * 40 - 20)]);
    }
  });

  it('decimal: int32 scale + minimal unscaled, as new BigDecimal(text)', () => {
    expect(enc('decimal', '5.45')).toBe('000000020221');
    expect(enc('decimal', '-1.2E+5')).toBe('fffffffcf4'); // unscaled -12, scale -4
    expect(enc('decimal', '0.00012')).toBe('000000050c'); // unscaled 12, scale 5
    expect(enc('decimal', '12345')).toBe('000000003039');
    expect(enc('decimal', '1.2345E+7')).toBe('fffffffd3039');
    expect(enc('decimal', '0E+2')).toBe('fffffffe00');
    expect(enc('decimal', '0.00')).toBe('0000000200');
    expect(enc('decimal', '-0.5')).toBe('00000001fb');
    expect(enc('decimal', '128')).toBe('000000000080');
    expect(enc('decimal', '007.50')).toBe('0000000202ee');
    expect(enc('decimal', '.5')).toBe('0000000105');
    expect(enc('decimal', '5.')).toBe('0000000005');
    expect(enc('decimal', '+1e3')).toBe('fffffffd01');
    expect(enc('decimal', '1E-7')).toBe('0000000701');
    expect(enc('decimal', 0.1)).toBe('0000000101');
    roundTrip('decimal', [
      '5.45',
      '-1.2E+5',
      '0.00012',
      '0',
      '0.00',
      '0E+2',
      '-0.5',
      '1E+1',
      '12345',
      '-12345',
      '1.2345E+7',
      '0.0000012345',
      '1.2345E-7',
      '18446744073709551.615',
      '-18446744073709551616',
      '123456789012345678901234567890.123456789',
      '-9.99999999999999999999E-300',
      '3.14159265358979323846264338327950288',
    ]);
    const r = lcg(5);
    for (let i = 0; i < 1000; i++) {
      const digits = String(Math.floor(r() * 10 ** (1 + Math.floor(r() * 15))));
      const scale = Math.floor(r() * 40) - 20;
      const neg = r() < 0.5 && digits !== '0';
      const unscaledHex = toHex(cqlValueFromJson(n('varint'), `${neg ? '-' : ''}${digits}`));
      const bytes = fromHex(`${(scale >>> 0).toString(16).padStart(8, '0')}${unscaledHex}`);
      const text = cqlValueToJson(n('decimal'), bytes) as string;
      expect(enc('decimal', text), text).toBe(toHex(bytes));
    }
  });
});

describe('cqlValueFromJson: text, blob, boolean, uuid, inet, empty', () => {
  it('strings and blobs', () => {
    roundTrip('text', ['', 'hello', 'привет', `${'a'.repeat(40)}é`, '😀 emoji', 'a\u0000b']);
    roundTrip('ascii', ['', 'hello', '~\u007f']);
    expect(enc('text', 'привет')).toBe('d0bfd180d0b8d0b2d0b5d182');
    roundTrip('blob', ['0x', '0x00ff10', '0x6772656174']);
    expect(enc('blob', '0xABcd')).toBe('abcd');
    expectInvalid(() => enc('ascii', 'é'), /non-ASCII/);
    expectInvalid(() => enc('blob', '6772'), /0x/);
    expectInvalid(() => enc('blob', '0x123'), /even/);
    expectInvalid(() => enc('blob', '0xzz'), /hex digit/);
  });

  it('boolean, uuid, timeuuid, empty', () => {
    roundTrip('boolean', [true, false]);
    expect(enc('boolean', true)).toBe('01');
    roundTrip('uuid', ['01234567-0123-0123-0123-0123456789ab', 'f7fdcbd2-4544-482c-85fd-d9572adc3cd6']);
    roundTrip('timeuuid', ['50554d6e-29bb-11e5-b345-feff819cdc9f']);
    expect(enc('uuid', 'F7FDCBD2-4544-482C-85FD-D9572ADC3CD6')).toBe('f7fdcbd24544482c85fdd9572adc3cd6');
    expectInvalid(() => enc('uuid', 'f7fdcbd24544482c85fdd9572adc3cd6'), /UUID/);
    expectInvalid(() => enc('uuid', 'g7fdcbd2-4544-482c-85fd-d9572adc3cd6'), /UUID/);
    expectInvalid(() => enc('timeuuid', 'f7fdcbd2-4544-482c-85fd-d9572adc3cd6'), /version 1/);
    expect(enc('empty', null)).toBe('');
    expectInvalid(() => enc('empty', 0));
  });

  it('inet: IPv4 and the IPv6 forms the decoder prints', () => {
    roundTrip('inet', [
      '10.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '192.168.0.110',
      '::1',
      '::',
      '2001:db8::1',
      '2001:db8::1:0:0:1',
      '1:0:1:0:1:0:1:0',
      '2001:db8:1::1:0:0',
      'fe80::',
      '::ffff:1.2.3.4',
      '1:2:3:4:5:6:7:8',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    expect(enc('inet', '192.168.0.110')).toBe('c0a8006e');
    expect(enc('inet', '::ffff:1.2.3.4')).toBe('00000000000000000000ffff01020304');
    expect(enc('inet', '2001:DB8:0:0:0:0:0:1')).toBe('20010db8000000000000000000000001');
    expect(enc('inet', '::1.2.3.4')).toBe('00000000000000000000000001020304');
    expect(enc('inet', '1::')).toBe('00010000000000000000000000000000');
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1..2.3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1::2',
      '1:2:',
      '12345::',
      'fe80::1%eth0',
      '1.2.3.4::',
      '',
    ]) {
      expectInvalid(() => enc('inet', bad), /IPv4 or IPv6/);
    }
    const r = lcg(13);
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(16);
      // Sparse groups so that zero runs (and :: compression) are common.
      for (let g = 0; g < 8; g++) if (r() < 0.5) b[g * 2 + Math.floor(r() * 2)] = Math.floor(r() * 256);
      const text = cqlValueToJson(n('inet'), b) as string;
      expect(enc('inet', text), text).toBe(toHex(b));
    }
  });
});

describe('cqlValueFromJson: temporal types', () => {
  it('timestamp: ISO-8601 to int64 milliseconds', () => {
    roundTrip('timestamp', [
      '2015-05-01T09:30:54.234Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2000-02-29T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '0000-12-31T23:59:59.999Z',
      '-0001-12-31T23:59:59.999Z',
      '+10000-01-01T00:00:00.000Z',
      '+292278994-08-17T07:12:55.807Z',
      '-292275055-05-16T16:47:04.192Z',
      '+287396-10-12T08:59:00.991Z',
      '1900-03-01T12:00:00.001Z',
    ]);
    expect(enc('timestamp', '2015-05-01T09:30:54.234Z')).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', '2015-05-01 09:30:54.234+0000')).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', '2015-05-01T11:30:54.234+02:00')).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', '2015-05-01T04:30:54.234-05')).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', '2015-05-01T09:30:54.234000Z')).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', 1430472654234)).toBe('0000014d0ed07d9a');
    expect(enc('timestamp', '1970-01-01')).toBe('0000000000000000');
    expect(enc('timestamp', '1970-01-01T00:00Z')).toBe('0000000000000000');
    expect(enc('timestamp', -1)).toBe('ffffffffffffffff');
    expectInvalid(() => enc('timestamp', '2015-02-29T00:00:00.000Z'), /no such date/);
    expectInvalid(() => enc('timestamp', '2015-05-01T24:00:00.000Z'), /time of day/);
    expectInvalid(() => enc('timestamp', '2015-05-01T09:30:54.2345Z'), /millisecond/);
    expectInvalid(() => enc('timestamp', '+292278994-08-17T07:12:55.808Z'), /range/);
    expectInvalid(() => enc('timestamp', 'yesterday'), /ISO-8601/);
    expectInvalid(() => enc('timestamp', 1.5), /integer/);
    const r = lcg(17);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.round((r() - 0.5) * 2 * 253402300799999);
      if (ms < -62167219200000) continue;
      expect(enc('timestamp', new Date(ms).toISOString())).toBe(enc('timestamp', ms));
      roundTrip('timestamp', [cqlValueToJson(n('timestamp'), cqlValueFromJson(n('timestamp'), ms))]);
    }
  });

  it('date: uint32 days with 2^31 = 1970-01-01, Java-style years', () => {
    roundTrip('date', [
      '1970-01-01',
      '1969-12-31',
      '2017-05-05',
      '2000-02-29',
      '1900-02-28',
      '0000-01-01',
      '-0001-12-31',
      '+10000-01-01',
      '-5877641-06-23',
      '+5881580-07-11',
    ]);
    expect(enc('date', '2017-05-05')).toBe('8000438b');
    expect(enc('date', '-5877641-06-23')).toBe('00000000');
    expect(enc('date', '+5881580-07-11')).toBe('ffffffff');
    expectInvalid(() => enc('date', '+5881580-07-12'), /range/);
    expectInvalid(() => enc('date', '1900-02-29'), /no such date/);
    expectInvalid(() => enc('date', '2017-5-5'), /YYYY-MM-DD/);
    const r = lcg(19);
    const b = new Uint8Array(4);
    for (let i = 0; i < 2000; i++) {
      const u = Math.floor(r() * 2 ** 32);
      b[0] = u >>> 24;
      b[1] = u >>> 16;
      b[2] = u >>> 8;
      b[3] = u;
      expect(enc('date', cqlValueToJson(n('date'), b))).toBe(toHex(b));
    }
  });

  it('time: HH:MM:SS.nnnnnnnnn to int64 nanoseconds', () => {
    roundTrip('time', [
      '00:00:00.000000000',
      '23:59:59.999999999',
      '19:45:05.090000000',
      '00:00:00.000000001',
    ]);
    expect(enc('time', '19:45:05.090000000')).toBe('000040ab71a19480');
    expect(enc('time', '19:45:05.09')).toBe('000040ab71a19480');
    expect(enc('time', '19:45:05')).toBe(enc('time', '19:45:05.000000000'));
    expect(enc('time', 1)).toBe('0000000000000001');
    expectInvalid(() => enc('time', '24:00:00.000000000'), /time of day/);
    expectInvalid(() => enc('time', 86400000000000), /range/);
    expectInvalid(() => enc('time', '12:00'), /HH:MM:SS/);
  });

  it('duration: zigzag vints of months, days and nanoseconds', () => {
    roundTrip('duration', [
      '1h4m48s20ms',
      '1y2mo3d',
      '-1d',
      '',
      '1us1ns',
      '-1y1m',
      '1y1mo1d1h1m1s1ms1us1ns',
      '-178956970y7mo2147483647d2562047h47m16s854ms775us808ns',
      '2562047h47m16s854ms775us807ns',
      '178956970y7mo',
    ]);
    expect(enc('duration', '1h4m48s20ms')).toBe('0000fc0712801a1a00');
    expect(enc('duration', '')).toBe('000000');
    expect(enc('duration', '-1d')).toBe('000100');
    expect(enc('duration', '2w')).toBe(enc('duration', '14d'));
    expect(enc('duration', '1H30M')).toBe(enc('duration', '1h30m'));
    expect(enc('duration', '3µs')).toBe(enc('duration', '3us'));
    expect(enc('duration', 'P1Y2M3DT4H5M6S')).toBe(enc('duration', '1y2mo3d4h5m6s'));
    expect(enc('duration', 'P2W')).toBe(enc('duration', '14d'));
    expect(enc('duration', '-PT1S')).toBe(enc('duration', '-1s'));
    expectInvalid(() => enc('duration', '1x'), /unit/);
    expectInvalid(() => enc('duration', 'h'), /number/);
    expectInvalid(() => enc('duration', '-'), /duration/);
    expectInvalid(() => enc('duration', '2147483648d'), /32 bits/);
    expectInvalid(() => enc('duration', '9223372036854775808ns'), /64 bits/);
  });
});

describe('cqlValueFromJson: frozen collections, tuples, UDTs, vectors', () => {
  const frozen = (m: string) => cqlTypeFromMarshal(`FrozenType(${m})`);
  const udt = cqlTypeFromMarshal(
    'FrozenType(UserType(ks,6164647265737373,737472656574:UTF8Type,7a6970:Int32Type,74616773:FrozenType(SetType(UTF8Type))))',
  );

  it('lists keep order; sets and maps are written in the type order', () => {
    const list = frozen('ListType(Int32Type)');
    roundTrip(list, [[], [3, 1, 2], [1, null, -3]]);
    expect(enc(list, [1, null])).toBe('00000002' + '0000000400000001' + 'ffffffff');
    const set = frozen('SetType(Int32Type)');
    roundTrip(set, [[], [-3, 1, 2]]);
    expect(cqlValueToJson(set, cqlValueFromJson(set, [3, -1, 2, 3]))).toEqual([-1, 2, 3]);
    const textSet = frozen('SetType(UTF8Type)');
    expect(cqlValueToJson(textSet, cqlValueFromJson(textSet, ['b', 'a', 'ab', 'é']))).toEqual([
      'a',
      'ab',
      'b',
      'é',
    ]);
    const map = frozen('MapType(Int32Type,UTF8Type)');
    roundTrip(map, [{}, { '1': 'Text 1', '2': null }, { '-5': 'a', '13': 'b' }]);
    expect(
      Object.keys(cqlValueToJson(map, cqlValueFromJson(map, { '13': 'b', '-5': 'a' })) as object),
    ).toEqual(['13', '-5']);
    // Written in key order: -5 before 13.
    expect(enc(map, { '13': 'b', '-5': 'a' })).toBe(
      '00000002' + '00000004fffffffb' + '0000000161' + '000000040000000d' + '0000000162',
    );
    // Large collections (beyond the insertion sort), shuffled with duplicates.
    const r = lcg(23);
    const many = Array.from({ length: 300 }, () => Math.floor((r() - 0.5) * 200));
    const sortedUnique = [...new Set(many)].sort((a, b) => a - b);
    expect(cqlValueToJson(set, cqlValueFromJson(set, many))).toEqual(sortedUnique);
    const bigMap = Object.fromEntries(many.map((k) => [String(k), `v${k}`]));
    const decoded = cqlValueToJson(map, cqlValueFromJson(map, bigMap)) as Record<string, JsonValue>;
    expect(decoded).toEqual(bigMap);
    const cells = cqlMultiCellFromJson(cqlTypeFromMarshal('SetType(Int32Type)'), many);
    expect(cells.map((c) => cqlValueToJson(n('int'), c.path))).toEqual(sortedUnique);
    // Elements equal under the type's order but with other bytes: the first one stays (TreeSet).
    const decSet = frozen('SetType(DecimalType)');
    expect(cqlValueToJson(decSet, cqlValueFromJson(decSet, ['1.00', '0.5', '1.0']))).toEqual(['0.5', '1.00']);
    // Equal map keys: the first key with the last value (TreeMap.put).
    const decMap = frozen('MapType(DecimalType,Int32Type)');
    expect(cqlValueToJson(decMap, cqlValueFromJson(decMap, { '1.0': 1, '2': 3, '1.00': 2 }))).toEqual({
      '1.0': 2,
      '2': 3,
    });
    // Equal keys: the last one wins.
    expect(cqlValueToJson(map, cqlValueFromJson(map, { '1': 'a', '01': 'b' }))).toEqual({ '1': 'b' });
  });

  it('map keys of every kind convert back from their JSON object keys', () => {
    const keyTypes = [
      ['Int32Type', [-2147483648, 0, 7]],
      ['LongType', ['-9223372036854775808', '9007199254740993', -1, 2 ** 53, -(2 ** 53)]],
      ['IntegerType', ['-123456789012345678901', 0, 5]],
      ['DoubleType', [-1.5, 0.1, 1e300, 'NaN', 'Infinity']],
      ['FloatType', [7.62, -0.1, '-Infinity']],
      ['BooleanType', [false, true]],
      ['UTF8Type', ['null', '13', 'true', '[1]', '']],
      ['BytesType', ['0x', '0x00ff']],
      ['DecimalType', ['5.45', '-1.2E+5']],
      ['UUIDType', ['01234567-0123-0123-0123-0123456789ab']],
      ['TimestampType', ['1969-12-31T23:59:59.999Z', '2015-05-01T09:30:54.234Z']],
      ['SimpleDateType', ['-0001-12-31', '2017-05-05']],
      ['TimeType', ['19:45:05.090000000']],
      ['InetAddressType', ['::1', '10.0.0.1']],
      ['FrozenType(ListType(Int32Type))', [[1, 2], [], [-1]]],
      ['FrozenType(MapType(UTF8Type,Int32Type))', [{ a: 1, b: 2 }]],
      [
        'TupleType(Int32Type,UTF8Type)',
        [
          [1, 'x'],
          [2, null],
        ],
      ],
    ] as const;
    for (const [key, values] of keyTypes) {
      const t = frozen(`MapType(${key},Int32Type)`);
      const obj: Record<string, JsonValue> = {};
      (values as readonly JsonValue[]).forEach((k, i) => {
        obj[jsonKey(k)] = i;
      });
      expect(cqlValueToJson(t, cqlValueFromJson(t, obj)), key).toEqual(obj);
      const kt = (t as Extract<CqlType, { kind: 'map' }>).key;
      for (const k of values as readonly JsonValue[]) {
        expect(cqlKeyFromJson(kt, jsonKey(k)), `${key} ${jsonKey(k)}`).toEqual(k);
      }
    }
    expectInvalid(() => cqlValueFromJson(frozen('MapType(Int32Type,Int32Type)'), { x: 1 }), /number/);
  });

  it('tuples: null fields are length -1', () => {
    const t: CqlType = { kind: 'tuple', elements: [n('int'), n('text'), n('boolean')] };
    roundTrip(t, [
      [5, 'x', true],
      [null, null, null],
      [5, null, false],
    ]);
    expect(enc(t, [5, null, true])).toBe('0000000400000005' + 'ffffffff' + '0000000101');
    // Missing trailing fields are written as null.
    expect(enc(t, [5])).toBe(enc(t, [5, null, null]));
    expectInvalid(() => enc(t, [1, 'a', true, 4]), /at most 3/);
  });

  it('UDTs by field name, nested in collections', () => {
    const v = { street: 'Main', zip: 1703, tags: ['b', 'a'] };
    expect(cqlValueToJson(udt, cqlValueFromJson(udt, v))).toEqual({
      street: 'Main',
      zip: 1703,
      tags: ['a', 'b'],
    });
    roundTrip(udt, [
      { street: 'Санкт-Петербург', zip: null, tags: null },
      { street: null, zip: null, tags: null },
    ]);
    expect(cqlValueToJson(udt, cqlValueFromJson(udt, { zip: 1 }))).toEqual({
      street: null,
      zip: 1,
      tags: null,
    });
    expectInvalid(() => enc(udt, { zip: 1, city: 'x' }), /no field "city"/);
    expectInvalid(() => enc(udt, { zip: '1' }), /expected a number/);
    const listOfUdt = cqlTypeFromMarshal(
      'FrozenType(ListType(FrozenType(UserType(ks,6164647265737373,737472656574:UTF8Type,7a6970:Int32Type,74616773:FrozenType(SetType(UTF8Type))))))',
    );
    roundTrip(listOfUdt, [
      [
        { street: 'a', zip: 1, tags: ['x', 'y'] },
        { street: null, zip: 2, tags: [] },
      ],
      [],
    ]);
    const mapOfUdt = cqlTypeFromMarshal(
      'FrozenType(MapType(TimeUUIDType,FrozenType(UserType(ks,6164647265737373,737472656574:UTF8Type,7a6970:Int32Type,74616773:FrozenType(SetType(UTF8Type))))))',
    );
    roundTrip(mapOfUdt, [
      {
        '50554d6e-29bb-11e5-b345-feff819cdc9f': { street: 'a', zip: 1, tags: null },
        '40554d6e-29bb-11e5-b345-feff819cdc9f': { street: 'b', zip: null, tags: ['z'] },
      },
    ]);
    const setOfTuples = frozen('SetType(TupleType(Int32Type,UTF8Type))');
    expect(
      cqlValueToJson(
        setOfTuples,
        cqlValueFromJson(setOfTuples, [
          [2, 'a'],
          [1, 'b'],
          [1, null],
        ]),
      ),
    ).toEqual([
      [1, null],
      [1, 'b'],
      [2, 'a'],
    ]);
  });

  it('vectors: fixed-size elements concatenated, variable ones vint-prefixed', () => {
    const vf = cqlTypeFromMarshal('VectorType(FloatType,3)');
    expect(enc(vf, [1, 0.1, -2])).toBe('3f8000003dcccccdc0000000');
    roundTrip(vf, [
      [1, 0.1, -2],
      [7.62, 'NaN', -0],
    ]);
    const vt = cqlTypeFromMarshal('VectorType(UTF8Type,2)');
    expect(enc(vt, ['a', 'bcd'])).toBe('0161' + '03626364');
    roundTrip(vt, [['', 'x'.repeat(200)]]);
    expect(enc(vt, ['', 'x'.repeat(200)]).substring(0, 8)).toBe('0080c8' + '78');
    const vs = cqlTypeFromMarshal('VectorType(ShortType,2)');
    expect(enc(vs, [1, -1])).toBe('020001' + '02ffff');
    const vl = cqlTypeFromMarshal('VectorType(FrozenType(ListType(Int32Type)),2)');
    roundTrip(vl, [[[1, 2], []]]);
    expectInvalid(() => enc(vf, [1, 2]), /3 elements/);
    expectInvalid(() => enc(vf, [1, null, 2]), /null/);
  });

  it('large values: the writer grows; results are plain Uint8Arrays of their own length', () => {
    const list = frozen('ListType(UTF8Type)');
    const big = Array.from({ length: 1500 }, (_, i) => `${i}:${'é'.repeat(500)}`);
    const bytes = cqlValueFromJson(list, big);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.length).toBe(4 + big.reduce((s, x) => s + 4 + Buffer.byteLength(x), 0));
    expect(cqlValueToJson(list, bytes)).toEqual(big);
    const vt = cqlTypeFromMarshal('VectorType(UTF8Type,3)');
    const long = ['a'.repeat(70_000), '', 'b'.repeat(130)];
    expect(cqlValueToJson(vt, cqlValueFromJson(vt, long))).toEqual(long);
    // Small values after a large one are unaffected.
    expect(enc(list, ['a'])).toBe('00000001' + '0000000161');
    const text = cqlValueFromJson(n('text'), 'x'.repeat(100));
    expect(text.constructor).toBe(Uint8Array);
    expect(text.length).toBe(100);
    const copy = text.slice();
    copy[0] = 0;
    expect(text[0]).toBe(0x78);
  });

  it('reversed and composite values', () => {
    roundTrip({ kind: 'reversed', inner: n('int') }, [42]);
    const c = cqlTypeFromMarshal('CompositeType(Int32Type,UTF8Type,BooleanType)');
    expect(enc(c, [1, 'a', true])).toBe('0004000000010000' + '016100' + '00010100');
    roundTrip(c, [[1, 'hello', true]]);
    roundTrip({ kind: 'custom', className: 'X' }, ['0x', '0x0102']);
  });

  it('null whole values and wrong JSON kinds are InvalidArgument', () => {
    expectInvalid(() => enc('int', null), /null/);
    expectInvalid(() => enc(frozen('ListType(Int32Type)'), null), /null/);
    expectInvalid(() => enc('int', '1'), /cannot encode "1" as int: expected a number, got a string/);
    expectInvalid(() => enc('int', 2147483648), /out of range/);
    expectInvalid(() => enc('int', 1.5), /not an integer/);
    expectInvalid(() => enc('tinyint', 128), /out of range/);
    expectInvalid(() => enc('bigint', '9223372036854775808'), /64-bit/);
    expectInvalid(() => enc('bigint', 2 ** 63), /64-bit/);
    expectInvalid(() => enc('bigint', '1.5'), /decimal integer/);
    expectInvalid(() => enc('varint', Number.POSITIVE_INFINITY), /finite/);
    expectInvalid(() => enc('decimal', '1.2.3'), /decimal number/);
    expectInvalid(() => enc('decimal', '1E+2147483649'), /scale/);
    expectInvalid(() => enc('text', 1), /expected a string, got a number/);
    expectInvalid(() => enc('boolean', 'true'), /true or false/);
    expectInvalid(() => enc('float', '1.5'), /expected a number/);
    expectInvalid(() => enc(frozen('ListType(Int32Type)'), { a: 1 }), /expected an array, got an object/);
    expectInvalid(() => enc(frozen('SetType(Int32Type)'), [1, null]), /null/);
    expectInvalid(() => enc(frozen('MapType(Int32Type,Int32Type)'), [1]), /expected an object/);
    try {
      enc('smallint', 40000);
    } catch (e) {
      expect((e as DatamoveError).context).toEqual({ type: 'smallint', value: '40000' });
    }
  });
});

describe('cqlMultiCellFromJson', () => {
  const udt = cqlTypeFromMarshal(
    'UserType(ks,75,61:Int32Type,62:UTF8Type,63:FrozenType(ListType(Int32Type)))',
  );

  it('round-trips through cqlMultiCellToJson', () => {
    const cases: Array<[string, JsonValue[]]> = [
      ['ListType(UTF8Type)', [['Text 1', 'Text 2', 'Text 1'], ['x']]],
      ['SetType(Int32Type)', [[-1, 2, 3]]],
      ['SetType(UTF8Type)', [['a', 'b', 'é']]],
      ['MapType(Int32Type,UTF8Type)', [{ '13': 'Text 13', '-2': 'x' }]],
      ['MapType(UTF8Type,FrozenType(SetType(Int32Type)))', [{ a: [1, 2], b: [] }]],
      ['MapType(TimeUUIDType,Int32Type)', [{ '50554d6e-29bb-11e5-b345-feff819cdc9f': 1 }]],
    ];
    for (const [marshal, values] of cases) {
      const t = cqlTypeFromMarshal(marshal);
      for (const v of values) expect(cqlMultiCellToJson(t, cqlMultiCellFromJson(t, v)), marshal).toEqual(v);
    }
    expect(cqlMultiCellToJson(udt, cqlMultiCellFromJson(udt, { a: 7, b: null, c: [9] }))).toEqual({
      a: 7,
      b: null,
      c: [9],
    });
  });

  it('cells in cell-path order', () => {
    const set = cqlTypeFromMarshal('SetType(Int32Type)');
    const cells = cqlMultiCellFromJson(set, [3, 1, 2, 1]);
    expect(cells.map((c) => toHex(c.path))).toEqual(['00000001', '00000002', '00000003']);
    expect(cells.every((c) => c.value.length === 0)).toBe(true);
    const map = cqlTypeFromMarshal('MapType(Int32Type,UTF8Type)');
    expect(
      cqlMultiCellFromJson(map, { '14': 'b', '-1': 'a' }).map((c) => [toHex(c.path), toHex(c.value)]),
    ).toEqual([
      ['ffffffff', '61'],
      ['0000000e', '62'],
    ]);
    const cellsU = cqlMultiCellFromJson(udt, { a: 7, b: null, c: [9] });
    expect(cellsU.map((c) => toHex(c.path))).toEqual(['0000', '0002']);
    expect(toHex(cellsU[0]!.value)).toBe('00000007');
  });

  it('list paths: ascending version 1 timeuuids, or the given ones', () => {
    const list = cqlTypeFromMarshal('ListType(Int32Type)');
    const cells = cqlMultiCellFromJson(list, [5, 4, 3]);
    expect(cells.map((c) => toHex(c.value))).toEqual(['00000005', '00000004', '00000003']);
    const tu = n('timeuuid');
    for (const c of cells)
      expect(cqlValueToJson(tu, c.path)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
    expect(cqlValueToJson(tu, cqlListCellPath(0))).toBe('a747c000-2c29-11ea-8000-646174616d76');
    // Ascending under TimeUUIDType, including across the 32-bit carry of the low timestamp word.
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [255, 256],
      [65535, 65536],
      [2 ** 31, 2 ** 33],
    ] as const) {
      expect(cqlCompare(tu, cqlListCellPath(a), cqlListCellPath(b)), `${a} < ${b}`).toBeLessThan(0);
    }
    const lo = cqlListCellPath(0);
    const carry = 2 ** 32 - (((lo[0]! << 24) | (lo[1]! << 16) | (lo[2]! << 8) | lo[3]!) >>> 0);
    expect(cqlCompare(tu, cqlListCellPath(carry - 1), cqlListCellPath(carry))).toBeLessThan(0);
    expect(toHex(cqlListCellPath(carry)).substring(0, 8)).toBe('00000000');
    const given = cqlMultiCellFromJson(list, [1, 2], {
      listTimeuuid: (i) => fromHex(`${i}`.padStart(32, '0')),
    });
    expect(given.map((c) => toHex(c.path))).toEqual([`${'0'.repeat(31)}0`, `${'0'.repeat(31)}1`]);
  });

  it('null and empty give no cells; nulls inside and frozen types are rejected', () => {
    const list = cqlTypeFromMarshal('ListType(Int32Type)');
    expect(cqlMultiCellFromJson(list, null)).toEqual([]);
    expect(cqlMultiCellFromJson(list, [])).toEqual([]);
    expect(cqlMultiCellFromJson({ kind: 'reversed', inner: list }, [1])).toHaveLength(1);
    expectInvalid(() => cqlMultiCellFromJson(list, [1, null]), /null/);
    expectInvalid(() =>
      cqlMultiCellFromJson(cqlTypeFromMarshal('MapType(Int32Type,Int32Type)'), { '1': null }),
    );
    expectInvalid(
      () => cqlMultiCellFromJson(cqlTypeFromMarshal('FrozenType(ListType(Int32Type))'), [1]),
      /non-frozen/,
    );
    expectInvalid(() => cqlMultiCellFromJson(n('int'), 1), /non-frozen/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Real bytes: Cassandra's Data.db files of the corpus

interface ScannedPartition {
  readonly key: Uint8Array;
  /** The static row (if any), then the rows and range tombstone markers. */
  readonly unfiltereds: Unfiltered[];
}

/** Every partition of every SSTable of a corpus case folder, one array per SSTable. */
async function scanCase(dir: string): Promise<{ model: TableModel; sstables: ScannedPartition[][] }> {
  const table = await tableFolderOpen(localDirectory(dir));
  try {
    const sstables: ScannedPartition[][] = [];
    for (const sstable of table.sstables) {
      const partitions: ScannedPartition[] = [];
      const s = sstable.scan();
      for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
        const unfiltereds: Unfiltered[] = p.staticRow ? [p.staticRow] : [];
        for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) unfiltereds.push(u);
        partitions.push({ key: p.key, unfiltereds });
      }
      sstables.push(partitions);
    }
    return { model: table.model, sstables };
  } finally {
    await table.close();
  }
}

/** The rows (static ones included) of the first SSTable of a case, with their partition keys. */
async function scanRows(
  name: string,
): Promise<{ model: TableModel; rows: Array<{ key: Uint8Array; row: Row }> }> {
  const { model, sstables } = await scanCase(join(corpusRoot(), name));
  const rows: Array<{ key: Uint8Array; row: Row }> = [];
  for (const p of sstables[0]!)
    for (const u of p.unfiltereds) if (u.kind === ROW) rows.push({ key: p.key, row: u });
  return { model, rows };
}

function expectedRows(name: string): Record<string, JsonValue>[] {
  const spec = JSON.parse(readFileSync(join(corpusRoot(), name, 'case.json'), 'utf8'));
  return spec.expected.rows as Record<string, JsonValue>[];
}

function keyType(model: TableModel): CqlType {
  return model.partitionKey.length === 1
    ? model.partitionKey[0]!.type
    : { kind: 'composite', components: model.partitionKey.map((k) => k.type) };
}

/** Cells of a row grouped by column, in row order. */
function cellsByColumn(row: Row): Map<number, Cell[]> {
  const out = new Map<number, Cell[]>();
  for (const c of row.cells) {
    const list = out.get(c.column);
    if (list) list.push(c);
    else out.set(c.column, [c]);
  }
  return out;
}

describe('cqlValueFromJson: expected rows encode to the bytes in Cassandra Data.db', () => {
  it('mc-uncompressed-all-types: every scalar type', async () => {
    const { model, rows } = await scanRows('mc-uncompressed-all-types');
    const expected = expectedRows('mc-uncompressed-all-types')[0]!;
    expect(rows).toHaveLength(1);
    const { key, row } = rows[0]!;
    expect(toHex(cqlValueFromJson(keyType(model), expected.pk!))).toBe(toHex(key));
    const seen: string[] = [];
    for (const cell of row.cells) {
      const col = model.columns[cell.column]!;
      expect(enc(col.type, expected[col.name]!), col.name).toBe(toHex(cell.value));
      seen.push(col.name);
    }
    expect(seen.sort()).toEqual(
      Object.keys(expected)
        .filter((k) => k !== 'pk')
        .sort(),
    );
  });

  it('mc-uncompressed-frozen-udt: a frozen UDT', async () => {
    const { model, rows } = await scanRows('mc-uncompressed-frozen-udt');
    const expected = expectedRows('mc-uncompressed-frozen-udt')[0]!;
    expect(rows).toHaveLength(1);
    const { key, row } = rows[0]!;
    expect(toHex(cqlValueFromJson(keyType(model), expected.pk!))).toBe(toHex(key));
    expect(row.cells).toHaveLength(1);
    const col = model.columns[row.cells[0]!.column]!;
    expect(col.name).toBe('rc');
    expect(enc(col.type, expected.rc!)).toBe(toHex(row.cells[0]!.value));
  });

  it('mc-uncompressed-collections: set and map paths, list values', async () => {
    const { model, rows } = await scanRows('mc-uncompressed-collections');
    const expected = expectedRows('mc-uncompressed-collections');
    expect(rows).toHaveLength(expected.length);
    for (const { key, row } of rows) {
      const pk = cqlValueToJson(keyType(model), key);
      const exp = expected.find((r) => r.pk === pk)!;
      expect(toHex(cqlValueFromJson(keyType(model), exp.pk!))).toBe(toHex(key));
      const byColumn = cellsByColumn(row);
      expect(byColumn.size).toBe(3);
      for (const [column, cells] of byColumn) {
        const col = model.columns[column]!;
        const mine = cqlMultiCellFromJson(col.type, exp[col.name]!);
        expect(
          mine.map((c) => toHex(c.value)),
          col.name,
        ).toEqual(cells.map((c) => toHex(c.value)));
        if (col.type.kind !== 'list') {
          expect(
            mine.map((c) => toHex(c.path)),
            col.name,
          ).toEqual(cells.map((c) => toHex(c.path!)));
        }
      }
    }
  });

  it('mc-uncompressed-composite-partition-key: composite key and clustering values', async () => {
    const { model, rows } = await scanRows('mc-uncompressed-composite-partition-key');
    const expected = expectedRows('mc-uncompressed-composite-partition-key');
    expect(rows.length).toBeGreaterThan(0);
    for (const { key, row } of rows) {
      const [a, b, c] = cqlValueToJson(keyType(model), key) as JsonValue[];
      const exp = expected.find((r) => r.a === a && r.b === b && r.c === c)!;
      expect(toHex(cqlValueFromJson(keyType(model), [exp.a!, exp.b!, exp.c!]))).toBe(toHex(key));
      model.clustering.forEach((k, i) => {
        expect(enc(k.type, exp[k.name]!)).toBe(toHex(row.clustering[i]!));
      });
      for (const cell of row.cells) {
        const col = model.columns[cell.column]!;
        expect(enc(col.type, exp[col.name]!)).toBe(toHex(cell.value));
      }
    }
  });
});

describe('cqlValueFromJson: every value of every corpus SSTable re-encodes to its own bytes', () => {
  for (const c of corpusCases().filter((x) => x.spec.expected.error === undefined)) {
    it(c.name, async () => {
      const { model, sstables } = await scanCase(c.dir);
      const kt = keyType(model);
      let checked = 0;
      const same = (t: CqlType, bytes: Uint8Array, what: string): void => {
        if (bytes.length === 0) return;
        const json = cqlValueToJson(t, bytes);
        expect(toHex(cqlValueFromJson(t, json)), `${what} ${JSON.stringify(json)}`).toBe(toHex(bytes));
        checked++;
      };
      for (const partitions of sstables) {
        for (const { key, unfiltereds } of partitions) {
          same(kt, key, 'partition key');
          for (const u of unfiltereds) {
            u.clustering.forEach((v, i) => {
              if (v !== null) same(model.clustering[i]!.type, v, `clustering ${i}`);
            });
            if (u.kind === ROW) checkRow(model, u, same, () => checked++);
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});

/** Re-encodes every live cell of a row: simple cells byte for byte, complex columns cell by cell. */
function checkRow(
  model: TableModel,
  row: Row,
  same: (t: CqlType, bytes: Uint8Array, what: string) => void,
  count: () => void,
): void {
  for (const [column, cells] of cellsByColumn(row)) {
    const col = model.columns[column]!;
    const live = cells.filter((x) => (x.flags & CELL_DELETED) === 0);
    if (!col.complex) {
      for (const cell of live) {
        if (col.type.kind === 'native' && col.type.name === 'counter') {
          // Cassandra writes local or remote shards; the encoder writes one global shard: same total.
          if (cell.value.length === 0) continue;
          const total = cqlValueToJson(col.type, cell.value);
          expect(cqlValueToJson(col.type, cqlValueFromJson(col.type, total))).toEqual(total);
          count();
        } else {
          same(col.type, cell.value, col.name);
        }
      }
      continue;
    }
    if (live.length === 0) continue;
    const mine = cqlMultiCellFromJson(
      col.type,
      cqlMultiCellToJson(
        col.type,
        live.map((x) => ({ path: x.path!, value: x.value })),
      ),
    );
    expect(
      mine.map((x) => toHex(x.value)),
      col.name,
    ).toEqual(live.map((x) => toHex(x.value)));
    // List paths are Cassandra's own timeuuids; the encoder makes its own.
    if (col.type.kind !== 'list') {
      expect(
        mine.map((x) => toHex(x.path)),
        col.name,
      ).toEqual(live.map((x) => toHex(x.path!)));
    }
    count();
  }
}
