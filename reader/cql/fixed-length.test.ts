import { describe, expect, it } from 'vitest';
import { cqlValueFixedLength } from './fixed-length.js';
import { cqlTypeFromMarshal } from './marshal-type.js';

const len = (s: string) => cqlValueFixedLength(cqlTypeFromMarshal(s));

describe('cqlValueFixedLength', () => {
  it('matches AbstractType.valueLengthIfFixed of Cassandra 3.0-5.0', () => {
    expect(len('BooleanType')).toBe(1);
    expect(len('Int32Type')).toBe(4);
    expect(len('FloatType')).toBe(4);
    expect(len('LongType')).toBe(8);
    expect(len('DoubleType')).toBe(8);
    expect(len('TimestampType')).toBe(8);
    expect(len('DateType')).toBe(8);
    expect(len('UUIDType')).toBe(16);
    expect(len('TimeUUIDType')).toBe(16);
    expect(len('LexicalUUIDType')).toBe(16);
    expect(len('EmptyType')).toBe(0);
    expect(len('ReversedType(LongType)')).toBe(8);
    expect(len('VectorType(FloatType,3)')).toBe(12);
  });

  it('is -1 for variable-length types, including date, time, smallint, tinyint and counter', () => {
    // The corpus Data.db of mc-uncompressed-all-types writes these with a length prefix.
    for (const s of [
      'SimpleDateType',
      'TimeType',
      'ShortType',
      'ByteType',
      'CounterColumnType',
      'UTF8Type',
      'AsciiType',
      'BytesType',
      'IntegerType',
      'DecimalType',
      'DurationType',
      'InetAddressType',
      'ListType(Int32Type)',
      'FrozenType(SetType(Int32Type))',
      'TupleType(Int32Type,Int32Type)',
      'CompositeType(Int32Type,Int32Type)',
      'VectorType(UTF8Type,3)',
      'VectorType(ShortType,3)',
      'com.example.Custom',
    ]) {
      expect(len(s), s).toBe(-1);
    }
  });
});
