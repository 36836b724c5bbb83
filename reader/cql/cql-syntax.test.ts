import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { cqlTypeFromCql, cqlTypeToCql, quoteCqlIdentifier } from './cql-syntax.js';
import type { CqlType } from './cql-type.js';
import { nativeType as n } from './marshal-type.js';

const none = new Map<string, CqlType>();
const address: CqlType = {
  kind: 'udt',
  keyspace: 'ks',
  name: 'address',
  fieldNames: ['street', 'zip'],
  fieldTypes: [n('text'), n('int')],
  frozen: true,
};
const mixed: CqlType = { ...address, name: 'Mixed Case', fieldNames: ['x'], fieldTypes: [n('int')] };
const udts = new Map<string, CqlType>([
  ['ks.address', address],
  ['ks.Mixed Case', mixed],
]);

describe('cqlTypeFromCql', () => {
  it('parses native types case-insensitively; varchar is text', () => {
    expect(cqlTypeFromCql('int', none)).toEqual(n('int'));
    expect(cqlTypeFromCql('VARCHAR', none)).toEqual(n('text'));
    expect(cqlTypeFromCql('Text', none)).toEqual(n('text'));
    for (const name of [
      'ascii',
      'bigint',
      'blob',
      'boolean',
      'counter',
      'date',
      'decimal',
      'double',
      'duration',
      'float',
      'inet',
      'smallint',
      'time',
      'timestamp',
      'timeuuid',
      'tinyint',
      'uuid',
      'varint',
    ] as const) {
      expect(cqlTypeFromCql(name, none)).toEqual(n(name));
    }
  });

  it('parses collections: top-level multi-cell, nested and frozen<> frozen', () => {
    expect(cqlTypeFromCql('list<int>', none)).toEqual({ kind: 'list', element: n('int'), frozen: false });
    expect(cqlTypeFromCql('set < text >', none)).toEqual({ kind: 'set', element: n('text'), frozen: false });
    expect(cqlTypeFromCql('frozen<map<text, frozen<list<int>>>>', none)).toEqual({
      kind: 'map',
      key: n('text'),
      value: { kind: 'list', element: n('int'), frozen: true },
      frozen: true,
    });
    expect(cqlTypeFromCql('map<int, frozen<set<int>>>', none)).toEqual({
      kind: 'map',
      key: n('int'),
      value: { kind: 'set', element: n('int'), frozen: true },
      frozen: false,
    });
  });

  it('parses tuples and vectors', () => {
    expect(cqlTypeFromCql('tuple<int, text>', none)).toEqual({
      kind: 'tuple',
      elements: [n('int'), n('text')],
    });
    expect(cqlTypeFromCql('frozen<tuple<int, list<text>>>', none)).toEqual({
      kind: 'tuple',
      elements: [n('int'), { kind: 'list', element: n('text'), frozen: true }],
    });
    expect(cqlTypeFromCql('vector<float, 3>', none)).toEqual({
      kind: 'vector',
      element: n('float'),
      dimension: 3,
    });
    expect(() => cqlTypeFromCql('vector<float, 0>', none)).toThrow(DatamoveError);
  });

  it('resolves user types: bare, keyspace-qualified, quoted; frozen according to context', () => {
    expect(cqlTypeFromCql('address', udts, 'ks')).toEqual({ ...address, frozen: false });
    expect(cqlTypeFromCql('frozen<address>', udts, 'ks')).toEqual({ ...address, frozen: true });
    expect(cqlTypeFromCql('ks.address', udts)).toEqual({ ...address, frozen: false });
    expect(cqlTypeFromCql('"ks"."address"', udts)).toEqual({ ...address, frozen: false });
    // Unique suffix match without a default keyspace.
    expect(cqlTypeFromCql('ADDRESS', udts)).toEqual({ ...address, frozen: false });
    expect(cqlTypeFromCql('"Mixed Case"', udts, 'ks')).toEqual({ ...mixed, frozen: false });
    expect(cqlTypeFromCql('list<frozen<address>>', udts, 'ks')).toEqual({
      kind: 'list',
      element: { ...address, frozen: true },
      frozen: false,
    });
  });

  it('parses custom types given as string literals', () => {
    expect(cqlTypeFromCql("'com.example.Custom'", none)).toEqual({
      kind: 'custom',
      className: 'com.example.Custom',
    });
    expect(cqlTypeFromCql("'org.apache.cassandra.db.marshal.LexicalUUIDType'", none)).toEqual(n('uuid'));
  });

  it('reports unknown types and bad syntax with line and column', () => {
    expect(() => cqlTypeFromCql('nosuch', none)).toThrow(/cql: type line 1 column 1: unknown type 'nosuch'/);
    expect(() => cqlTypeFromCql('list<int', none)).toThrow(/line 1 column 9: expected '>'/);
    expect(() => cqlTypeFromCql('int int', none)).toThrow(/unexpected text after type/);
    expect(() => cqlTypeFromCql('map<int>', none)).toThrow(DatamoveError);
  });
});

describe('cqlTypeToCql', () => {
  it('prints types as DESCRIBE does and round-trips', () => {
    const cases = [
      'int',
      'text',
      'list<int>',
      'frozen<list<int>>',
      'map<text, frozen<list<int>>>',
      'frozen<map<text, frozen<list<int>>>>',
      'set<tuple<int, text>>',
      'tuple<int, frozen<list<text>>>',
      'vector<float, 3>',
      'address',
      'frozen<address>',
      '"Mixed Case"',
    ];
    for (const s of cases) expect(cqlTypeToCql(cqlTypeFromCql(s, udts, 'ks'))).toBe(s);
    expect(cqlTypeToCql(cqlTypeFromCql('varchar', none))).toBe('text');
    expect(cqlTypeToCql({ kind: 'reversed', inner: n('int') })).toBe('int');
    expect(cqlTypeToCql({ kind: 'custom', className: "a.B'c" })).toBe("'a.B''c'");
    expect(cqlTypeToCql(n('empty'))).toBe("'org.apache.cassandra.db.marshal.EmptyType'");
  });

  it('quotes identifiers when needed', () => {
    expect(quoteCqlIdentifier('abc_1')).toBe('abc_1');
    expect(quoteCqlIdentifier('Abc')).toBe('"Abc"');
    expect(quoteCqlIdentifier('select')).toBe('"select"');
    expect(quoteCqlIdentifier('a"b')).toBe('"a""b"');
  });
});
