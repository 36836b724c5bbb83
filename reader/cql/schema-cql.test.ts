import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { nativeType as n } from './marshal-type.js';
import { parseSchemaCql } from './schema-cql.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

describe('parseSchemaCql: corpus', () => {
  const cases = readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('finds the corpus', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const name of cases) {
    it(`parses ${name}/schema.cql`, () => {
      const text = readFileSync(new URL(`${name}/schema.cql`, CORPUS), 'utf8');
      const caseJson = JSON.parse(readFileSync(new URL(`${name}/case.json`, CORPUS), 'utf8'));
      const schema = parseSchemaCql(text);
      expect(schema.tables).toHaveLength(1);
      const t = schema.tables[0]!;
      expect(t.keyspace).toBe(caseJson.keyspace);
      expect(t.name).toBe(caseJson.table);
      expect(t.partitionKey.length).toBeGreaterThan(0);
      expect(t.clusteringOrder).toHaveLength(t.clustering.length);
      const rows = caseJson.expected?.rows as Array<Record<string, unknown>> | null | undefined;
      if (rows && rows.length > 0) {
        expect(t.columns.map((c) => c.name).sort()).toEqual(Object.keys(rows[0]!).sort());
      }
    });
  }

  it('reads the details of a few corpus schemas', () => {
    const read = (c: string) => parseSchemaCql(readFileSync(new URL(`${c}/schema.cql`, CORPUS), 'utf8'));
    const cpk = read('mc-uncompressed-composite-partition-key').tables[0]!;
    expect(cpk.partitionKey).toEqual(['a', 'b', 'c']);
    expect(cpk.clustering).toEqual(['d', 'e']);
    expect(cpk.columns.find((c) => c.name === 'c')).toEqual({
      name: 'c',
      type: n('boolean'),
      kind: 'partition_key',
    });
    expect(cpk.options).toEqual({ compression: { sstable_compression: '' } });

    const udt = read('mc-uncompressed-frozen-udt');
    expect([...udt.types.keys()]).toEqual(['sst3.ut']);
    expect(udt.tables[0]!.columns[1]).toEqual({
      name: 'rc',
      kind: 'regular',
      type: {
        kind: 'udt',
        keyspace: 'sst3',
        name: 'ut',
        fieldNames: ['my_int', 'my_boolean', 'my_text'],
        fieldTypes: [n('int'), n('boolean'), n('text')],
        frozen: true,
      },
    });

    const compact = read('cassandra-ma-legacy-simple-compact').tables[0]!;
    expect(compact.compactStorage).toBe(true);
    const stat = read('mc-uncompressed-static-row').tables[0]!;
    expect(stat.columns.map((c) => c.kind)).toEqual(['partition_key', 'clustering', 'static', 'regular']);
    const coll = read('mc-uncompressed-collections').tables[0]!;
    expect(coll.columns[3]!.type).toEqual({ kind: 'map', key: n('int'), value: n('text'), frozen: false });
    const zstd = read('mc-zstd-multiple-chunks').tables[0]!;
    expect(zstd.options.compression).toEqual({
      sstable_compression: 'org.apache.cassandra.io.compress.ZstdCompressor',
      compression_level: 5,
      chunk_length_in_kb: 4,
    });
    const all = read('mc-uncompressed-all-types').tables[0]!;
    expect(all.columns.find((c) => c.name === 'varcharval')!.type).toEqual(n('text'));
  });
});

describe('parseSchemaCql: snapshot schema.cql', () => {
  const SNAPSHOT = `
-- Cassandra 4.x snapshot schema
CREATE TYPE IF NOT EXISTS shop.address (
    street text,
    "Zip" int
);

/* a type using another type */
CREATE TYPE IF NOT EXISTS shop.person (name text, home frozen<address>, tags set<text>);

CREATE TABLE IF NOT EXISTS shop."Orders" (
    customer uuid,
    "Day" date,
    placed timestamp,
    seq int,
    total decimal STATIC,
    items map<text, frozen<list<int>>>,
    buyer frozen<person>,
    extra tuple<int, text>,
    emb vector<float, 3>,
    legacy 'org.apache.cassandra.db.marshal.LexicalUUIDType',
    old_col text,
    PRIMARY KEY ((customer, "Day"), placed, seq)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (placed DESC, seq ASC)
    AND additional_write_policy = '99p'
    AND bloom_filter_fp_chance = 0.01
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND cdc = false
    AND comment = 'it''s a table; with ; semicolons'
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}
    AND compression = {'chunk_length_in_kb': '16', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}
    AND crc_check_chance = 1.0
    AND default_time_to_live = 0
    AND extensions = {}
    AND gc_grace_seconds = 864000
    AND speculative_retry = '99p';
ALTER TABLE shop."Orders" DROP old_col USING TIMESTAMP 1700000000000000;
ALTER TABLE shop."Orders" DROP gone USING TIMESTAMP 1600000000000000;
ALTER TABLE shop."Orders" ADD old_col int;
CREATE INDEX orders_seq_idx ON shop."Orders" (seq);
`;

  it('parses types, columns, keys, order, options and drops', () => {
    const s = parseSchemaCql(SNAPSHOT);
    expect([...s.types.keys()]).toEqual(['shop.address', 'shop.person']);
    const person = s.types.get('shop.person')!;
    expect(person.kind === 'udt' && person.fieldTypes[1]).toMatchObject({
      kind: 'udt',
      name: 'address',
      frozen: true,
    });
    expect(person.kind === 'udt' && person.fieldTypes[2]).toEqual({
      kind: 'set',
      element: n('text'),
      frozen: true,
    });

    expect(s.tables).toHaveLength(1);
    const t = s.tables[0]!;
    expect(t.keyspace).toBe('shop');
    expect(t.name).toBe('Orders');
    expect(t.id).toBe('5a1c395e-b41f-11e5-9f22-ba0be0483c18');
    expect(t.partitionKey).toEqual(['customer', 'Day']);
    expect(t.clustering).toEqual(['placed', 'seq']);
    expect(t.clusteringOrder).toEqual(['DESC', 'ASC']);
    expect(t.compactStorage).toBe(false);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['customer', 'partition_key'],
      ['Day', 'partition_key'],
      ['placed', 'clustering'],
      ['seq', 'clustering'],
      ['total', 'static'],
      ['items', 'regular'],
      ['buyer', 'regular'],
      ['extra', 'regular'],
      ['emb', 'regular'],
      ['legacy', 'regular'],
      ['old_col', 'regular'],
    ]);
    const col = (name: string) => t.columns.find((c) => c.name === name)!.type;
    expect(col('items')).toEqual({
      kind: 'map',
      key: n('text'),
      value: { kind: 'list', element: n('int'), frozen: true },
      frozen: false,
    });
    expect(col('buyer')).toMatchObject({ kind: 'udt', name: 'person', frozen: true });
    expect(col('extra')).toEqual({ kind: 'tuple', elements: [n('int'), n('text')] });
    expect(col('emb')).toEqual({ kind: 'vector', element: n('float'), dimension: 3 });
    expect(col('legacy')).toEqual(n('uuid'));
    expect(col('old_col')).toEqual(n('int'));
    expect(t.dropped).toEqual([
      { name: 'old_col', type: n('text'), droppedAt: 1700000000000000 },
      { name: 'gone', droppedAt: 1600000000000000 },
    ]);
    expect(t.options).toMatchObject({
      additional_write_policy: '99p',
      bloom_filter_fp_chance: 0.01,
      caching: { keys: 'ALL', rows_per_partition: 'NONE' },
      cdc: false,
      comment: "it's a table; with ; semicolons",
      crc_check_chance: 1,
      default_time_to_live: 0,
      extensions: {},
      gc_grace_seconds: 864000,
    });
    expect(t.options).not.toHaveProperty('id');
  });

  it('handles COMPACT STORAGE, inline PRIMARY KEY, quoted identifiers and ALTER forms', () => {
    const s = parseSchemaCql(`
      CREATE TABLE ks.t ("Weird ""Name""" text PRIMARY KEY, V int) WITH COMPACT STORAGE AND comment = '';
      ALTER TABLE ks.t ADD (a int, b set<int>);
      ALTER TABLE ks.t ADD s int static;
      ALTER TABLE ks.t DROP (a, b) USING TIMESTAMP 42;
      ALTER TABLE ks.t WITH gc_grace_seconds = 10;
      CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
      CREATE MATERIALIZED VIEW ks.v AS SELECT * FROM ks.t WHERE v IS NOT NULL AND "Weird ""Name""" IS NOT NULL PRIMARY KEY (v, "Weird ""Name""");
    `);
    const t = s.tables[0]!;
    expect(t.partitionKey).toEqual(['Weird "Name"']);
    expect(t.compactStorage).toBe(true);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['Weird "Name"', 'partition_key'],
      ['v', 'regular'],
      ['s', 'static'],
    ]);
    expect(t.dropped.map((d) => [d.name, d.droppedAt])).toEqual([
      ['a', 42],
      ['b', 42],
    ]);
    expect(t.dropped[1]!.type).toEqual({ kind: 'set', element: n('int'), frozen: false });
    expect(t.options).toEqual({ comment: '', gc_grace_seconds: 10 });
  });

  it('reports errors with line and column', () => {
    const expectError = (text: string, re: RegExp) => {
      try {
        parseSchemaCql(text);
        expect.unreachable(text);
      } catch (e) {
        expect(e).toBeInstanceOf(DatamoveError);
        expect((e as DatamoveError).kind).toBe('DataInvalid');
        expect((e as DatamoveError).message).toMatch(re);
      }
    };
    expectError(
      'CREATE TABLE ks.t (a int, b nosuch, PRIMARY KEY (a));',
      /^cql: schema line 1 column 29: unknown type 'nosuch'/,
    );
    expectError('CREATE TABLE ks.t (\n  a int,\n  b int\n);', /line 1 column 14: table t has no PRIMARY KEY/);
    expectError(
      'CREATE TABLE ks.t (a int PRIMARY KEY, b int) WITH CLUSTERING ORDER BY (b DESC);',
      /line 1 column 72: CLUSTERING ORDER BY names 'b'/,
    );
    expectError(
      'CREATE TABLE ks.t (a int PRIMARY KEY)\nWITH comment = ;',
      /line 2 column 16: expected a value/,
    );
    expectError("CREATE TABLE ks.t (a int PRIMARY KEY) WITH comment = 'x", /unterminated string literal/);
    expectError(
      'ALTER TABLE ks.nope DROP x USING TIMESTAMP 1;',
      /line 1 column 13: ALTER TABLE of unknown table 'ks.nope'/,
    );
    expectError('CREATE TABLE ks.t (a int PRIMARY KEY, a text);', /column 'a' is defined twice/);
    expectError('CREATE TABLE ks.t (a int PRIMARY KEY) /* unterminated', /unterminated comment/);
  });
});
