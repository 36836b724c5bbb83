import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import type { CqlType } from './cql-type.js';
import { cqlTypeFromMarshal, cqlTypeToMarshal, nativeType } from './marshal-type.js';

const P = 'org.apache.cassandra.db.marshal.';
const n = nativeType;

describe('cqlTypeFromMarshal', () => {
  it('parses every native class, with or without the package', () => {
    const cases: Array<[string, CqlType]> = [
      ['Int32Type', n('int')],
      ['AsciiType', n('ascii')],
      ['UTF8Type', n('text')],
      ['BytesType', n('blob')],
      ['BooleanType', n('boolean')],
      ['LongType', n('bigint')],
      ['FloatType', n('float')],
      ['DoubleType', n('double')],
      ['TimestampType', n('timestamp')],
      ['DateType', n('timestamp')],
      ['UUIDType', n('uuid')],
      ['TimeUUIDType', n('timeuuid')],
      ['LexicalUUIDType', n('uuid')],
      ['CounterColumnType', n('counter')],
      ['EmptyType', n('empty')],
      ['DurationType', n('duration')],
      ['SimpleDateType', n('date')],
      ['TimeType', n('time')],
      ['ShortType', n('smallint')],
      ['ByteType', n('tinyint')],
      ['IntegerType', n('varint')],
      ['DecimalType', n('decimal')],
      ['InetAddressType', n('inet')],
    ];
    for (const [cls, t] of cases) {
      expect(cqlTypeFromMarshal(cls)).toEqual(t);
      expect(cqlTypeFromMarshal(P + cls)).toEqual(t);
    }
  });

  it('parses reversed, composite and collections; top-level collections are multi-cell', () => {
    expect(cqlTypeFromMarshal(`${P}ReversedType(${P}TimestampType)`)).toEqual({
      kind: 'reversed',
      inner: n('timestamp'),
    });
    expect(cqlTypeFromMarshal(`${P}CompositeType(${P}Int32Type,${P}UTF8Type,${P}BooleanType)`)).toEqual({
      kind: 'composite',
      components: [n('int'), n('text'), n('boolean')],
    });
    expect(cqlTypeFromMarshal(`${P}SetType(${P}Int32Type)`)).toEqual({
      kind: 'set',
      element: n('int'),
      frozen: false,
    });
    expect(cqlTypeFromMarshal(`ListType(UTF8Type)`)).toEqual({
      kind: 'list',
      element: n('text'),
      frozen: false,
    });
    expect(cqlTypeFromMarshal(`${P}MapType(${P}Int32Type,${P}UTF8Type)`)).toEqual({
      kind: 'map',
      key: n('int'),
      value: n('text'),
      frozen: false,
    });
  });

  it('FrozenType marks the inner collection frozen, and nested types are frozen', () => {
    expect(cqlTypeFromMarshal(`${P}FrozenType(${P}ListType(${P}Int32Type))`)).toEqual({
      kind: 'list',
      element: n('int'),
      frozen: true,
    });
    // Multi-cell map whose value is a frozen list (Cassandra prints FrozenType around it).
    expect(cqlTypeFromMarshal(`MapType(UTF8Type,FrozenType(ListType(Int32Type)))`)).toEqual({
      kind: 'map',
      key: n('text'),
      value: { kind: 'list', element: n('int'), frozen: true },
      frozen: false,
    });
    // Inside a frozen value nested collections carry no FrozenType but are frozen.
    expect(cqlTypeFromMarshal(`FrozenType(MapType(UTF8Type,ListType(Int32Type)))`)).toEqual({
      kind: 'map',
      key: n('text'),
      value: { kind: 'list', element: n('int'), frozen: true },
      frozen: true,
    });
  });

  it('parses the frozen UDT header of the corpus (hex names)', () => {
    const s = `${P}FrozenType(${P}UserType(sst3,7574,6d795f696e74:${P}Int32Type,6d795f626f6f6c65616e:${P}BooleanType,6d795f74657874:${P}UTF8Type))`;
    const t = cqlTypeFromMarshal(s);
    expect(t).toEqual({
      kind: 'udt',
      keyspace: 'sst3',
      name: 'ut',
      fieldNames: ['my_int', 'my_boolean', 'my_text'],
      fieldTypes: [n('int'), n('boolean'), n('text')],
      frozen: true,
    });
    expect(cqlTypeToMarshal(t)).toBe(s);
  });

  it('parses a non-frozen UDT with a UTF-8 name and nested tuple', () => {
    const name = Buffer.from('tÿpe', 'utf8').toString('hex');
    const t = cqlTypeFromMarshal(`UserType(ks,${name},61:TupleType(Int32Type,ListType(UTF8Type)))`);
    expect(t).toEqual({
      kind: 'udt',
      keyspace: 'ks',
      name: 'tÿpe',
      fieldNames: ['a'],
      fieldTypes: [
        { kind: 'tuple', elements: [n('int'), { kind: 'list', element: n('text'), frozen: true }] },
      ],
      frozen: false,
    });
  });

  it('parses vectors', () => {
    expect(cqlTypeFromMarshal(`${P}VectorType(${P}FloatType,3)`)).toEqual({
      kind: 'vector',
      element: n('float'),
      dimension: 3,
    });
    expect(() => cqlTypeFromMarshal('VectorType(FloatType,0)')).toThrow(DatamoveError);
  });

  it('maps unknown and legacy classes to custom, keeping the full text', () => {
    expect(cqlTypeFromMarshal(`${P}DynamicCompositeType(a=>${P}UTF8Type)`)).toEqual({
      kind: 'custom',
      className: `${P}DynamicCompositeType(a=>${P}UTF8Type)`,
    });
    expect(cqlTypeFromMarshal(`${P}ColumnToCollectionType(6162:${P}ListType(${P}Int32Type))`)).toEqual({
      kind: 'custom',
      className: `${P}ColumnToCollectionType(6162:${P}ListType(${P}Int32Type))`,
    });
    expect(cqlTypeFromMarshal('com.example.MyType')).toEqual({
      kind: 'custom',
      className: 'com.example.MyType',
    });
    expect(cqlTypeFromMarshal('NoSuchType')).toEqual({ kind: 'custom', className: 'NoSuchType' });
  });

  it('rejects malformed strings with DataInvalid', () => {
    for (const bad of [
      '',
      'ListType(Int32Type',
      'MapType(Int32Type)',
      'Int32Type)',
      'UserType(ks,zz,61:Int32Type)',
    ]) {
      try {
        cqlTypeFromMarshal(bad);
        expect.unreachable(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(DatamoveError);
        expect((e as DatamoveError).kind).toBe('DataInvalid');
        expect((e as DatamoveError).message).toMatch(/^cql: marshal type/);
      }
    }
  });
});

describe('cqlTypeToMarshal', () => {
  it('round-trips the strings Cassandra writes', () => {
    const strings = [
      `${P}Int32Type`,
      `${P}TimestampType`,
      `${P}ReversedType(${P}TimestampType)`,
      `${P}CompositeType(${P}Int32Type,${P}UTF8Type,${P}BooleanType)`,
      `${P}SetType(${P}Int32Type)`,
      `${P}MapType(${P}Int32Type,${P}UTF8Type)`,
      `${P}FrozenType(${P}ListType(${P}Int32Type))`,
      `${P}MapType(${P}UTF8Type,${P}FrozenType(${P}ListType(${P}Int32Type)))`,
      `${P}FrozenType(${P}MapType(${P}UTF8Type,${P}ListType(${P}Int32Type)))`,
      `${P}TupleType(${P}Int32Type,${P}ListType(${P}UTF8Type))`,
      `${P}ListType(${P}TupleType(${P}Int32Type,${P}UTF8Type))`,
      `${P}UserType(ks,6162,61:${P}Int32Type,62:${P}FrozenType(${P}SetType(${P}UTF8Type)))`,
      `${P}VectorType(${P}FloatType,3)`,
      `${P}ReversedType(${P}FrozenType(${P}ListType(${P}Int32Type)))`,
      `${P}EmptyType`,
      `${P}CounterColumnType`,
    ];
    for (const s of strings) expect(cqlTypeToMarshal(cqlTypeFromMarshal(s))).toBe(s);
  });

  it('prints DateType and LexicalUUIDType under their CQL equivalents', () => {
    expect(cqlTypeToMarshal(cqlTypeFromMarshal('DateType'))).toBe(`${P}TimestampType`);
    expect(cqlTypeToMarshal(cqlTypeFromMarshal('LexicalUUIDType'))).toBe(`${P}UUIDType`);
  });
});
