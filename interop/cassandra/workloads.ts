/**
 * The single-node workloads of the Cassandra-written corpus, in CQL: one table per case, written in
 * steps (statements, `nodetool flush`, `nodetool compact`, waits for TTLs to run out). Together they cover
 * every native type, frozen and non-frozen collections, tuples, frozen/non-frozen/nested UDTs, counters,
 * vectors (5.0), static columns, reversed clustering, composite partition keys, empty values, every kind
 * of deletion, TTLs, USING TIMESTAMP, overwrites across flushes, several flushes per table (some tables
 * compacted), the five compression settings and a wide partition (> 200 KiB, so a promoted row index).
 */

export const KEYSPACE = 'dm';

export type Step =
  | string
  | { readonly flush: true }
  | { readonly compact: true }
  | { readonly sleepMs: number };

export interface Workload {
  /** Case name without the format prefix. */
  readonly name: string;
  readonly table: string;
  /** CREATE TYPE statements, in order. */
  readonly types?: readonly string[];
  /** CREATE TABLE, keyspace-qualified. */
  readonly create: string;
  readonly compression: 'lz4' | 'zstd' | 'snappy' | 'deflate' | 'none';
  readonly steps: readonly Step[];
  /** Cassandra majors that support it (default all). */
  readonly only?: readonly string[];
  /** Extra queries recorded beside the rows (WRITETIME/TTL). */
  readonly metaQueries?: readonly string[];
  readonly features: readonly string[];
}

const COMPRESSION: Record<Workload['compression'], string> = {
  lz4: "{'class': 'LZ4Compressor', 'chunk_length_in_kb': 16}",
  zstd: "{'class': 'ZstdCompressor', 'chunk_length_in_kb': 4}",
  snappy: "{'class': 'SnappyCompressor', 'chunk_length_in_kb': 4}",
  deflate: "{'class': 'DeflateCompressor', 'chunk_length_in_kb': 4}",
  none: "{'enabled': 'false'}",
};

/** WITH clause shared by every table: the compression, no read repair (replica answers stay as written). */
export function tableOptions(w: Pick<Workload, 'compression'>, extra = ''): string {
  return `compression = ${COMPRESSION[w.compression]} AND read_repair = 'NONE'${extra ? ` AND ${extra}` : ''}`;
}

const flush = { flush: true } as const;
const compact = { compact: true } as const;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

const natives: Workload = {
  name: 'natives-lz4',
  table: 'natives',
  create: `CREATE TABLE ${KEYSPACE}.natives (k int PRIMARY KEY, a ascii, bi bigint, b blob, bo boolean, d date,
    dec decimal, db double, du duration, f float, ip inet, ip6 inet, n int, si smallint, t text, tm time,
    ts timestamp, tu timeuuid, ti tinyint, u uuid, vc varchar, vi varint)`,
  compression: 'lz4',
  features: ['native-types', 'compression-lz4', 'nulls', 'two-flushes'],
  steps: [
    `INSERT INTO ${KEYSPACE}.natives (k, a, bi, b, bo, d, dec, db, du, f, ip, ip6, n, si, t, tm, ts, tu, ti, u, vc, vi)
      VALUES (1, 'ascii text', 9223372036854775807, 0xcafebabe, true, '2024-02-29', 12.345, 3.141592653589793,
      1y2mo3d4h5m6s7ms8us9ns, 7.62, '192.168.0.110', '2001:db8::ff00:42:8329', 2147483647, 32767, 'привет мир',
      '23:59:59.999999999', '2015-05-01 09:30:54.234+0000', 50554d6e-29bb-11e5-b345-feff819cdc9f, 127,
      01234567-0123-0123-0123-0123456789ab, 'varchar', 1267650600228229401496703205376)`,
    `INSERT INTO ${KEYSPACE}.natives (k, a, bi, b, bo, d, dec, db, du, f, ip, ip6, n, si, t, tm, ts, tu, ti, u, vc, vi)
      VALUES (2, '', -9223372036854775808, 0x, false, '1900-01-01', -0.000001234, -1.5e300, -3d, -0.1, '0.0.0.0',
      '::1', -2147483648, -32768, '', '00:00:00', '1969-12-31 23:59:59.999+0000',
      d2177dd0-eaa2-11de-a572-001b779c76e3, -128, 00000000-0000-0000-0000-000000000000, '',
      -1267650600228229401496703205376)`,
    `INSERT INTO ${KEYSPACE}.natives (k, dec, db, f, du, vi, bi) VALUES (3, 1E+5, NaN, Infinity, 90m, 0, 9007199254740993)`,
    `INSERT INTO ${KEYSPACE}.natives (k, db, f, ip6, dec) VALUES (4, -Infinity, NaN, '::ffff:10.0.0.1', 0.0)`,
    flush,
    `INSERT INTO ${KEYSPACE}.natives (k, t) VALUES (5, 'only text')`,
    `UPDATE ${KEYSPACE}.natives SET n = 42, t = 'second flush' WHERE k = 1`,
    `INSERT INTO ${KEYSPACE}.natives (k, dec, vi, ts, d) VALUES (6, 123456789012345678901234567890.123456789, 4611686018427387904, '2262-04-11 23:47:16.854+0000', '9999-12-31')`,
    flush,
  ],
};

const emptyValues: Workload = {
  name: 'empty-values-none',
  table: 'empty_values',
  create: `CREATE TABLE ${KEYSPACE}.empty_values (pk text, ck text, i int, t text, b blob, bi bigint, u uuid,
    fl frozen<list<text>>, PRIMARY KEY (pk, ck))`,
  compression: 'none',
  features: ['empty-values', 'empty-clustering', 'compression-none'],
  steps: [
    `INSERT INTO ${KEYSPACE}.empty_values (pk, ck, i, t, b, bi, u, fl) VALUES ('a', '', blobAsInt(0x), '', 0x, blobAsBigint(0x), blobAsUuid(0x), [''])`,
    `INSERT INTO ${KEYSPACE}.empty_values (pk, ck, i, t) VALUES ('a', 'x', 1, 'one')`,
    `INSERT INTO ${KEYSPACE}.empty_values (pk, ck) VALUES ('b', '')`,
    flush,
    `INSERT INTO ${KEYSPACE}.empty_values (pk, ck, t, b) VALUES ('c', 'z', '', 0x00)`,
    flush,
  ],
};

const collections: Workload = {
  name: 'collections-snappy',
  table: 'collections',
  create: `CREATE TABLE ${KEYSPACE}.collections (pk int PRIMARY KEY, l list<text>, s set<int>, m map<text, int>,
    fl frozen<list<int>>, fs frozen<set<text>>, fm frozen<map<int, text>>, nested map<text, frozen<list<int>>>,
    ts set<timestamp>)`,
  compression: 'snappy',
  features: [
    'collections',
    'frozen-collections',
    'collection-element-deletion',
    'collection-deletion',
    'compression-snappy',
    'three-flushes',
  ],
  steps: [
    ...range(6).map(
      (i) =>
        `INSERT INTO ${KEYSPACE}.collections (pk, l, s, m, fl, fs, fm, nested, ts) VALUES (${i}, ['a${i}', 'b${i}', 'c${i}'],
        {${i}, ${i + 10}, ${i + 20}}, {'x': ${i}, 'y': ${i * 2}}, [${i}, ${i}, 1], {'q${i}', 'p${i}'}, {${i}: 'v${i}', -1: 'neg'},
        {'n': [${i}, ${i + 1}]}, {'2020-01-0${i + 1} 00:00:00+0000'})`,
    ),
    flush,
    `UPDATE ${KEYSPACE}.collections SET l = l + ['appended'], s = s + {99}, m['z'] = 26 WHERE pk = 1`,
    `UPDATE ${KEYSPACE}.collections SET l = ['prepended'] + l WHERE pk = 2`,
    `DELETE l[1] FROM ${KEYSPACE}.collections WHERE pk = 3`,
    `UPDATE ${KEYSPACE}.collections SET s = s - {3} WHERE pk = 3`,
    `DELETE m['x'] FROM ${KEYSPACE}.collections WHERE pk = 3`,
    `DELETE s FROM ${KEYSPACE}.collections WHERE pk = 4`,
    `UPDATE ${KEYSPACE}.collections SET m = {'only': 1}, fl = null WHERE pk = 4`,
    `UPDATE ${KEYSPACE}.collections SET nested['m'] = [7, 8, 9] WHERE pk = 5`,
    flush,
    `UPDATE ${KEYSPACE}.collections SET l[0] = 'replaced' WHERE pk = 1`,
    `DELETE l, s, m FROM ${KEYSPACE}.collections WHERE pk = 0`,
    `INSERT INTO ${KEYSPACE}.collections (pk, s) VALUES (10, {})`,
    flush,
  ],
};

const udts: Workload = {
  name: 'tuples-udts-deflate',
  table: 'udts',
  types: [
    `CREATE TYPE ${KEYSPACE}.address (street text, zip int)`,
    `CREATE TYPE ${KEYSPACE}.person (name text, addr frozen<address>, tags frozen<set<text>>, born date)`,
  ],
  create: `CREATE TABLE ${KEYSPACE}.udts (pk int PRIMARY KEY, t tuple<int, text, frozen<list<int>>>,
    fu frozen<person>, u person, ul list<frozen<address>>, um map<text, frozen<tuple<int, int>>>, ft frozen<tuple<address, bigint>>)`,
  compression: 'deflate',
  features: [
    'tuples',
    'frozen-udt',
    'non-frozen-udt',
    'nested-udt',
    'udt-field-update',
    'compression-deflate',
  ],
  steps: [
    ...range(4).map(
      (i) =>
        `INSERT INTO ${KEYSPACE}.udts (pk, t, fu, u, ul, um, ft) VALUES (${i}, (${i}, 't${i}', [${i}, ${i + 1}]),
        {name: 'frozen${i}', addr: {street: 'Main ${i}', zip: ${1000 + i}}, tags: {'a', 'b${i}'}, born: '2000-01-0${i + 1}'},
        {name: 'open${i}', addr: {street: 'Side ${i}', zip: ${2000 + i}}, tags: {'c'}},
        [{street: 'L${i}', zip: ${i}}], {'k${i}': (${i}, ${-i})}, ({street: 'T', zip: null}, ${i}))`,
    ),
    `INSERT INTO ${KEYSPACE}.udts (pk, fu) VALUES (9, {name: 'partial'})`,
    flush,
    `UPDATE ${KEYSPACE}.udts SET u.name = 'renamed' WHERE pk = 1`,
    `UPDATE ${KEYSPACE}.udts SET u.addr = null WHERE pk = 2`,
    `UPDATE ${KEYSPACE}.udts SET u = {name: 'whole'} WHERE pk = 3`,
    `UPDATE ${KEYSPACE}.udts SET t = (null, 'no int', null) WHERE pk = 0`,
    flush,
  ],
};

const counters: Workload = {
  name: 'counters-zstd',
  table: 'counters',
  create: `CREATE TABLE ${KEYSPACE}.counters (pk text, ck int, c1 counter, c2 counter, PRIMARY KEY (pk, ck))`,
  compression: 'zstd',
  features: ['counters', 'compression-zstd', 'compacted'],
  steps: [
    ...range(5).map(
      (i) =>
        `UPDATE ${KEYSPACE}.counters SET c1 = c1 + ${i + 1}, c2 = c2 - ${i} WHERE pk = 'p${i % 2}' AND ck = ${i}`,
    ),
    flush,
    ...range(5).map(
      (i) => `UPDATE ${KEYSPACE}.counters SET c1 = c1 + 100 WHERE pk = 'p${i % 2}' AND ck = ${i}`,
    ),
    flush,
    `UPDATE ${KEYSPACE}.counters SET c2 = c2 + 9007199254740000 WHERE pk = 'big' AND ck = 0`,
    flush,
    compact,
    `UPDATE ${KEYSPACE}.counters SET c1 = c1 - 1 WHERE pk = 'p0' AND ck = 0`,
    flush,
  ],
};

const vectors: Workload = {
  name: 'vectors-lz4',
  table: 'vectors',
  create: `CREATE TABLE ${KEYSPACE}.vectors (pk int PRIMARY KEY, v vector<float, 3>, v16 vector<float, 16>, vt vector<text, 2>)`,
  compression: 'lz4',
  only: ['5.0'],
  features: ['vector'],
  steps: [
    ...range(4).map(
      (i) =>
        `INSERT INTO ${KEYSPACE}.vectors (pk, v, v16, vt) VALUES (${i}, [${i}.5, -${i}.25, 0.1], [${range(16)
          .map((j) => (i * 16 + j) / 8)
          .join(', ')}], ['a${i}', ''])`,
    ),
    flush,
    `UPDATE ${KEYSPACE}.vectors SET v = [1e30, -1e-30, 3.4028235e38] WHERE pk = 1`,
    flush,
  ],
};

const staticReversed: Workload = {
  name: 'static-reversed-composite-lz4',
  table: 'static_reversed',
  create: `CREATE TABLE ${KEYSPACE}.static_reversed (pk1 text, pk2 int, ck1 int, ck2 text, s text static, s2 int static,
    v int, PRIMARY KEY ((pk1, pk2), ck1, ck2)) WITH CLUSTERING ORDER BY (ck1 DESC, ck2 ASC)`,
  compression: 'lz4',
  features: [
    'static-columns',
    'static-only-partition',
    'reversed-clustering',
    'composite-partition-key',
    'two-flushes',
  ],
  steps: [
    ...range(3).flatMap((p) =>
      range(4).map(
        (c) =>
          `INSERT INTO ${KEYSPACE}.static_reversed (pk1, pk2, ck1, ck2, s, v) VALUES ('p${p}', ${p}, ${c}, 'c${c % 2}', 'static ${p}', ${p * 10 + c})`,
      ),
    ),
    `INSERT INTO ${KEYSPACE}.static_reversed (pk1, pk2, s, s2) VALUES ('static-only', 7, 'alone', 1)`,
    flush,
    `UPDATE ${KEYSPACE}.static_reversed SET s = 'changed' WHERE pk1 = 'p1' AND pk2 = 1`,
    `DELETE s FROM ${KEYSPACE}.static_reversed WHERE pk1 = 'p2' AND pk2 = 2`,
    `INSERT INTO ${KEYSPACE}.static_reversed (pk1, pk2, ck1, ck2, v) VALUES ('p0', 0, -5, 'neg', -1)`,
    flush,
  ],
};

const clusteringTypes: Workload = {
  name: 'clustering-types-zstd',
  table: 'clustering_types',
  create: `CREATE TABLE ${KEYSPACE}.clustering_types (pk uuid, c1 bigint, c2 text, c3 timeuuid, c4 decimal, c5 timestamp,
    c6 varint, c7 double, v blob, PRIMARY KEY (pk, c1, c2, c3, c4, c5, c6, c7))
    WITH CLUSTERING ORDER BY (c1 ASC, c2 DESC, c3 ASC, c4 DESC, c5 ASC, c6 ASC, c7 DESC)`,
  compression: 'zstd',
  features: ['clustering-types', 'uuid-partition-key', 'mixed-clustering-order'],
  steps: [
    ...range(3).flatMap((p) =>
      range(6).map(
        (c) =>
          `INSERT INTO ${KEYSPACE}.clustering_types (pk, c1, c2, c3, c4, c5, c6, c7, v) VALUES (
          0000000${p}-0000-4000-8000-00000000000${p}, ${c % 3 === 0 ? -c * 1000000000000 : c}, ${q(`s${c % 2}`)},
          ${['50554d6e-29bb-11e5-b345-feff819cdc9f', 'd2177dd0-eaa2-11de-a572-001b779c76e3'][c % 2]}, ${c - 2.5},
          ${1_600_000_000_000 + c * 1000}, ${c % 2 === 0 ? '-' : ''}${10 ** (c + 10)}, ${c / 3}, 0x0${c})`,
      ),
    ),
    flush,
    `DELETE FROM ${KEYSPACE}.clustering_types WHERE pk = 00000001-0000-4000-8000-000000000001 AND c1 = 1`,
    flush,
  ],
};

const deletions: Workload = {
  name: 'deletions-lz4',
  table: 'deletions',
  create: `CREATE TABLE ${KEYSPACE}.deletions (pk int, ck1 int, ck2 int, v text, w int, PRIMARY KEY (pk, ck1, ck2))`,
  compression: 'lz4',
  features: [
    'cell-deletion',
    'row-deletion',
    'range-deletion-prefix',
    'range-deletion-slice-exclusive',
    'range-deletion-slice-inclusive',
    'open-range-deletion',
    'partition-deletion',
    'shadowed-then-rewritten',
    'three-flushes',
  ],
  steps: [
    ...range(6).flatMap((p) =>
      range(5).flatMap((c1) =>
        range(3).map(
          (c2) =>
            `INSERT INTO ${KEYSPACE}.deletions (pk, ck1, ck2, v, w) VALUES (${p}, ${c1}, ${c2}, 'v${p}.${c1}.${c2}', ${c1 * 3 + c2})`,
        ),
      ),
    ),
    flush,
    `DELETE v FROM ${KEYSPACE}.deletions WHERE pk = 1 AND ck1 = 0 AND ck2 = 0`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 1 AND ck1 = 0 AND ck2 = 1`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 2 AND ck1 = 1`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 3 AND ck1 > 1 AND ck1 <= 3`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 3 AND ck1 = 0 AND ck2 >= 1 AND ck2 < 2`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 4 AND ck1 >= 3`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 4 AND ck1 < 1`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 5`,
    flush,
    `INSERT INTO ${KEYSPACE}.deletions (pk, ck1, ck2, v) VALUES (2, 1, 1, 'back after range delete')`,
    `INSERT INTO ${KEYSPACE}.deletions (pk, ck1, ck2, w) VALUES (5, 9, 9, 99)`,
    `DELETE w FROM ${KEYSPACE}.deletions WHERE pk = 0 AND ck1 = 0 AND ck2 = 0`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 0 AND (ck1, ck2) > (3, 1)`,
    `DELETE FROM ${KEYSPACE}.deletions WHERE pk = 99`,
    flush,
  ],
};

const ttlTimestamp: Workload = {
  name: 'ttl-timestamp-lz4',
  table: 'ttl_timestamp',
  create: `CREATE TABLE ${KEYSPACE}.ttl_timestamp (pk int, ck int, a int, b text, PRIMARY KEY (pk, ck))`,
  compression: 'lz4',
  features: [
    'ttl',
    'expired-ttl',
    'using-timestamp',
    'overwrite-across-flushes',
    'timestamped-deletion',
    'three-flushes',
  ],
  metaQueries: [
    `SELECT pk, ck, writetime(a) AS wa, ttl(a) AS ta, writetime(b) AS wb, ttl(b) AS tb FROM ${KEYSPACE}.ttl_timestamp`,
  ],
  steps: [
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (1, 1, 1, 'expires') USING TTL 2`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (1, 2, 2, 'lives a year') USING TTL 31536000`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a) VALUES (1, 3, 3)`,
    `UPDATE ${KEYSPACE}.ttl_timestamp USING TTL 2 SET b = 'cell expires' WHERE pk = 1 AND ck = 3`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (2, 1, 10, 'old') USING TIMESTAMP 2000`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (3, 1, 30, 'first') USING TIMESTAMP 1000`,
    flush,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (2, 1, 11, 'new') USING TIMESTAMP 3000`,
    `DELETE FROM ${KEYSPACE}.ttl_timestamp USING TIMESTAMP 1500 WHERE pk = 3 AND ck = 1`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, b) VALUES (3, 1, 'after delete') USING TIMESTAMP 1600`,
    flush,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a, b) VALUES (2, 1, 9, 'older, loses') USING TIMESTAMP 1000`,
    `UPDATE ${KEYSPACE}.ttl_timestamp USING TIMESTAMP 2500 SET a = 12 WHERE pk = 2 AND ck = 1`,
    `INSERT INTO ${KEYSPACE}.ttl_timestamp (pk, ck, a) VALUES (4, 1, 40) USING TTL 2 AND TIMESTAMP 5000`,
    flush,
    { sleepMs: 4000 },
  ],
};

const compacted: Workload = {
  name: 'compacted-overwrites-deflate',
  table: 'compacted',
  create: `CREATE TABLE ${KEYSPACE}.compacted (pk int, ck int, v text, n int, PRIMARY KEY (pk, ck))`,
  compression: 'deflate',
  features: ['compacted', 'overwrite-across-flushes', 'tombstones-kept-by-gc-grace', 'compression-deflate'],
  steps: [
    ...range(20).map(
      (i) => `INSERT INTO ${KEYSPACE}.compacted (pk, ck, v, n) VALUES (${i % 4}, ${i}, 'first ${i}', ${i})`,
    ),
    flush,
    ...range(10).map(
      (i) => `UPDATE ${KEYSPACE}.compacted SET v = 'second ${i}' WHERE pk = ${i % 4} AND ck = ${i}`,
    ),
    `DELETE FROM ${KEYSPACE}.compacted WHERE pk = 3`,
    flush,
    `DELETE FROM ${KEYSPACE}.compacted WHERE pk = 0 AND ck >= 8`,
    `INSERT INTO ${KEYSPACE}.compacted (pk, ck, v) VALUES (3, 100, 'after partition delete')`,
    flush,
    compact,
    `UPDATE ${KEYSPACE}.compacted SET n = -1 WHERE pk = 1 AND ck = 1`,
    flush,
  ],
};

const wide: Workload = {
  name: 'wide-partition-none',
  table: 'wide',
  create: `CREATE TABLE ${KEYSPACE}.wide (pk int, ck int, payload text, PRIMARY KEY (pk, ck))`,
  compression: 'none',
  features: ['wide-partition', 'promoted-index', 'compression-none'],
  steps: [
    ...range(2200).map(
      (c) =>
        `INSERT INTO ${KEYSPACE}.wide (pk, ck, payload) VALUES (1, ${c}, '${`row ${c} `.padEnd(96, String.fromCharCode(97 + (c % 26)))}')`,
    ),
    ...range(20).map(
      (p) => `INSERT INTO ${KEYSPACE}.wide (pk, ck, payload) VALUES (${p + 2}, 0, 'small ${p}')`,
    ),
    flush,
    `DELETE FROM ${KEYSPACE}.wide WHERE pk = 1 AND ck >= 1000 AND ck < 1100`,
    `UPDATE ${KEYSPACE}.wide SET payload = 'rewritten' WHERE pk = 1 AND ck = 2199`,
    flush,
  ],
};

export const WORKLOADS: readonly Workload[] = [
  natives,
  emptyValues,
  collections,
  udts,
  counters,
  vectors,
  staticReversed,
  clusteringTypes,
  deletions,
  ttlTimestamp,
  compacted,
  wide,
];
