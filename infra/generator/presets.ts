/**
 * The table presets of `datamove generate`. Each builds a `TableGen`: a schema and, per partition, its rows
 * and write history, all derived from the seed (see model.ts).
 *
 * - `narrow`: a few primitive columns, ~10 rows per partition.
 * - `skewed`: like narrow, but 95% / 4% / 1% of partitions hold 1× / 2× / 4× the rows.
 * - `wide`: one huge partition of `wideBytes` (1 KiB rows), beside a few small ones.
 * - `alltypes`: every CQL type, frozen and multi-cell collections and UDTs, a static column.
 *
 * Histories mix inserts, later updates, cell deletions, row deletions (some rows re-inserted after),
 * range and partition deletions, and TTLs, some of which expire before the reference time.
 */
import type { CqlType, JsonValue } from '../../reader/index.js';
import { parseSchemaCql, tableModelFromSchema } from '../../reader/index.js';
import type { GenContext, PartitionHistory, RangeDelete, RowOp, TableGen } from './model.js';
import { kvShapes } from './presets-kv.js';
import { timeseriesShapes } from './presets-timeseries.js';
import { hash32, Rng } from './prng.js';

export const PRESETS = ['narrow', 'wide', 'skewed', 'alltypes', 'kv', 'timeseries'] as const;
export type PresetName = (typeof PRESETS)[number];

export interface PresetOptions {
  readonly keyspace: string;
  /** Approximate uncompressed bytes of one replica of the table. */
  readonly bytes: number;
  /** Size of the wide preset's big partition (and of the kv preset's big item). */
  readonly wideBytes: number;
  /** Size of the timeseries preset's one huge partition (0 or absent: none). */
  readonly hotPartitionBytes?: number;
  /** Exact partition count (overrides `bytes`). */
  readonly partitions?: number;
}

/** Column values of one row, by column id. */
export type Values = (readonly [number, JsonValue])[];

export interface Shape {
  readonly cql: string;
  readonly table: string;
  /** Average serialized bytes of one row. */
  readonly rowBytes: number;
  rows(rng: Rng, p: number): number;
  key(p: number): readonly JsonValue[];
  clustering(p: number, j: number): readonly JsonValue[];
  values(rng: Rng, p: number, j: number): Values;
  /** A value for an update of one column. */
  update(rng: Rng, p: number, j: number): Values;
  /** Static column writes (alltypes). */
  staticValues?(rng: Rng, p: number): Values;
  /** Fraction of rows with a history beyond one insert (lower for the wide preset, to generate fast). */
  readonly churn: number;
  /** Partition count, when the shape decides it. */
  readonly count?: number;
  /** Rows written once, without TTL, at a fraction of the write window (kv chunks, slice registry). */
  fixed?(p: number, j: number): number | undefined;
  /** When a row is first written, as a fraction of the write window (default: mostly early). */
  firstWrite?(rng: Rng, p: number, j: number): number;
  /** No range or partition deletions. */
  readonly noDeletes?: boolean;
  /** No single-cell deletions (columns that must change together). */
  readonly noCellDeletes?: boolean;
  /** The id the random streams of partition p are drawn from (copies of partitions share them). */
  rngId?(p: number): number;
  /** Random streams of different tables of one preset differ by this tag. */
  readonly tag?: number;
}

/** The tables of a preset (kv and timeseries have several). */
export function presetTables(name: PresetName, ctx: GenContext, opts: PresetOptions): TableGen[] {
  if (name === 'kv') return kvShapes(opts, ctx.seed).map((shape) => shapeTable(shape, ctx, opts, 0));
  if (name === 'timeseries')
    return timeseriesShapes(opts, ctx).map((shape) => shapeTable(shape, ctx, opts, 0));
  const avgRows = name === 'wide' ? 0 : name === 'skewed' ? 10 * (0.95 + 0.08 + 0.04) : 10;
  return [shapeTable(SHAPES[name](opts), ctx, opts, avgRows, name === 'wide' ? 4 : undefined)];
}

/** A table from a shape: schema, partition count, and the seeded write histories. */
export function shapeTable(
  shape: Shape,
  ctx: GenContext,
  opts: PresetOptions,
  avgRows: number,
  fixedCount?: number,
): TableGen {
  const parsed = parseSchemaCql(shape.cql);
  const schema = parsed.tables[parsed.tables.length - 1]!;
  const model = tableModelFromSchema(schema);
  const partitions =
    shape.count ??
    opts.partitions ??
    fixedCount ??
    Math.max(1, Math.round(opts.bytes / (shape.rowBytes * Math.max(1, avgRows) * 1.15)));
  const tag = shape.tag ?? 0;
  const rid = shape.rngId ?? ((p: number) => p);
  const span = ctx.t1 - ctx.t0;
  const seed = ctx.seed;
  const columns = model.columns.filter((c) => !c.hidden && c.kind === 'regular').map((c) => c.id);

  /** Row timestamps are even, partition-level deletions odd: no two writes of a row share a timestamp. */
  const even = (x: number): number => ctx.t0 + 2 * Math.floor((x * span) / 2);
  const odd = (x: number): number => ctx.t0 + 2 * Math.floor((x * span) / 2) + 1;

  const rowCount = (p: number): number => shape.rows(new Rng(seed, tag, 1, rid(p)), p);

  return {
    schema,
    model,
    cql: shape.cql,
    partitions,
    partitionKey: (p) => shape.key(p),
    rowCount,
    clustering: (p, j) => shape.clustering(p, j),
    rowOps(p, j): RowOp[] {
      const rng = new Rng(seed, tag, 2, rid(p), j);
      const ops: RowOp[] = [];
      const at = shape.fixed?.(p, j);
      if (at !== undefined) return [{ kind: 'insert', ts: even(at), ttl: 0, cells: shape.values(rng, p, j) }];
      // the first write: most rows early, some late (after partition-level deletions)
      let t = shape.firstWrite
        ? shape.firstWrite(rng, p, j)
        : rng.chance(0.85)
          ? rng.next() * 0.5
          : 0.5 + rng.next() * 0.45;
      const ttlFor = (): number => {
        if (!rng.chance(0.1)) return 0;
        // half of the TTLs run out before the reference time
        const writeSec = Math.floor(even(t) / 1e6);
        const expiresIn = rng.chance(0.5) ? -(1 + rng.int(86400)) : 1 + rng.int(30 * 86400);
        return Math.max(1, ctx.now + expiresIn - writeSec);
      };
      ops.push({ kind: 'insert', ts: even(t), ttl: ttlFor(), cells: shape.values(rng, p, j) });
      if (!rng.chance(shape.churn)) return ops;
      // every later write of the row gets a strictly later timestamp, also when the window's end clamps t
      // (a delete and a re-insert at the same timestamp would resolve to the delete, as Cassandra does)
      let last = ops[0]!.ts;
      const step = (): number => {
        t = Math.min(0.999, t + 0.0005 + rng.next() * 0.05);
        last = Math.max(even(t), last + 2);
        return last;
      };
      if (rng.chance(0.4))
        ops.push({ kind: 'update', ts: step(), ttl: ttlFor(), cells: shape.update(rng, p, j) });
      if (!shape.noCellDeletes && rng.chance(0.15) && columns.length > 1)
        ops.push({ kind: 'delete-cell', ts: step(), column: rng.pick(columns) });
      if (rng.chance(0.1)) {
        ops.push({ kind: 'delete-row', ts: step() });
        if (rng.chance(0.5)) ops.push({ kind: 'insert', ts: step(), ttl: 0, cells: shape.values(rng, p, j) });
      }
      return ops;
    },
    partitionHistory(p): PartitionHistory {
      const rng = new Rng(seed, tag, 3, rid(p));
      const n = rowCount(p);
      const ranges: RangeDelete[] = [];
      if (!shape.noDeletes && n >= 4 && rng.chance(0.08)) {
        // disjoint, non-adjacent ranges
        let from = rng.int(Math.max(1, n >> 1));
        while (from < n - 1 && ranges.length < 2) {
          const to = Math.min(n, from + 1 + rng.int(Math.max(1, n >> 2)));
          ranges.push({ from, to, ts: odd(0.3 + rng.next() * 0.4) });
          from = to + 1 + rng.int(Math.max(1, n >> 2));
        }
      }
      const deletion = !shape.noDeletes && rng.chance(0.03) ? odd(0.45 + rng.next() * 0.1) : undefined;
      const staticOps: RowOp[] = [];
      if (shape.staticValues) {
        staticOps.push({
          kind: 'update',
          ts: even(rng.next() * 0.9),
          ttl: 0,
          cells: shape.staticValues(rng, p),
        });
      }
      return { ...(deletion === undefined ? {} : { deletion }), ranges, staticOps };
    },
  };
}

const SHAPES: Record<Exclude<PresetName, 'kv' | 'timeseries'>, (o: PresetOptions) => Shape> = {
  narrow: (o) => narrowShape(o, 'narrow', (rng) => 1 + rng.int(19)),
  skewed: (o) =>
    narrowShape(o, 'skewed', (rng) => {
      const base = 5 + rng.int(11);
      const r = rng.next();
      return r < 0.95 ? base : r < 0.99 ? base * 2 : base * 4;
    }),
  wide: (o) => ({
    cql: `CREATE TABLE ${o.keyspace}.wide (id text, seq bigint, payload blob, note text, PRIMARY KEY (id, seq)) WITH CLUSTERING ORDER BY (seq ASC);`,
    table: 'wide',
    rowBytes: 1080,
    churn: 0.01,
    rows: (rng, p) => (p === 0 ? Math.max(1, Math.round(o.wideBytes / 1080)) : 5 + rng.int(20)),
    key: (p) => [p === 0 ? 'the-wide-one' : `small-${p}`],
    clustering: (_p, j) => [j],
    values: (rng) => [
      [0, hex(rng.bytes(1024))],
      [1, rng.word(16)],
    ],
    update: (rng) => [[1, rng.word(12)]],
  }),
  alltypes: (o) => alltypesShape(o),
};

function narrowShape(o: PresetOptions, table: string, rows: (rng: Rng) => number): Shape {
  return {
    cql: `CREATE TABLE ${o.keyspace}.${table} (id bigint, ck int, name text, amount int, score double, tags text, PRIMARY KEY (id, ck)) WITH CLUSTERING ORDER BY (ck ASC);`,
    table,
    rowBytes: 70,
    churn: 1,
    rows: (rng) => rows(rng),
    key: (p) => [p * 7919 + 13],
    clustering: (_p, j) => [j * 10],
    // column ids follow the schema order of static/regular columns: name 0, amount 1, score 2, tags 3
    values: (rng) => [
      [0, rng.word(8 + rng.int(16))],
      [1, rng.int(1_000_000) - 500_000],
      [2, Math.round(rng.next() * 1e6) / 100],
      [3, rng.chance(0.2) ? null : rng.word(4)],
    ],
    update: (rng) => [[1, rng.int(1_000_000)]],
  };
}

function alltypesShape(o: PresetOptions): Shape {
  const ks = o.keyspace;
  const cql = `CREATE TYPE ${ks}.address (street text, zip int, tags frozen<list<text>>);
CREATE TABLE ${ks}.alltypes (
  pk text, ck1 int, ck2 timestamp,
  s_ascii ascii, s_text text, s_blob blob, s_bool boolean, s_tinyint tinyint, s_smallint smallint, s_int int,
  s_bigint bigint, s_varint varint, s_float float, s_double double, s_decimal decimal, s_timestamp timestamp,
  s_date date, s_time time, s_duration duration, s_uuid uuid, s_timeuuid timeuuid, s_inet inet,
  l_int list<int>, st_text set<text>, m_text_int map<text, int>, f_list frozen<list<int>>, f_map frozen<map<int, text>>,
  tup tuple<int, text, boolean>, addr frozen<address>, addr_mc address, vec vector<float, 3>, stat text static,
  PRIMARY KEY ((pk, ck1), ck2)) WITH CLUSTERING ORDER BY (ck2 DESC);`;
  const names = [
    's_ascii',
    's_text',
    's_blob',
    's_bool',
    's_tinyint',
    's_smallint',
    's_int',
    's_bigint',
    's_varint',
    's_float',
    's_double',
    's_decimal',
    's_timestamp',
    's_date',
    's_time',
    's_duration',
    's_uuid',
    's_timeuuid',
    's_inet',
    'l_int',
    'st_text',
    'm_text_int',
    'f_list',
    'f_map',
    'tup',
    'addr',
    'addr_mc',
    'vec',
  ];
  const schema = parseSchemaCql(cql).tables[0]!;
  const model = tableModelFromSchema(schema);
  const idOf = new Map(model.columns.map((c) => [c.name, c.id]));
  const typeOf = new Map(model.columns.map((c) => [c.name, c.type]));
  const base = Date.UTC(2024, 0, 1);
  return {
    cql,
    table: 'alltypes',
    rowBytes: 420,
    churn: 1,
    rows: (rng) => 1 + rng.int(8),
    key: (p) => [`key-${p}`, p % 7],
    // DESC clustering: row 0 is the latest timestamp
    clustering: (p, j) => [new Date(base + (hash32(p) % 1000) * 1000 + (100 - j) * 60_000).toISOString()],
    values: (rng) =>
      names
        .filter(() => !rng.chance(0.1))
        .map((n) => [idOf.get(n)!, randomValue(rng, typeOf.get(n)!)] as const),
    update: (rng) => {
      const n = rng.pick(names);
      return [[idOf.get(n)!, randomValue(rng, typeOf.get(n)!)]];
    },
    staticValues: (rng) => [[idOf.get('stat')!, rng.word(10)]],
  };
}

export function hex(b: Uint8Array): string {
  let s = '0x';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** A random JSON value of a CQL type, in the corpus conventions the decoder prints. */
export function randomValue(rng: Rng, t: CqlType): JsonValue {
  switch (t.kind) {
    case 'reversed':
      return randomValue(rng, t.inner);
    case 'native':
      switch (t.name) {
        case 'ascii':
          return rng.word(1 + rng.int(12));
        case 'text':
          return rng.chance(0.2) ? `ünï-${rng.word(5)}-✓` : rng.word(1 + rng.int(20));
        case 'blob':
          return hex(rng.bytes(rng.int(24)));
        case 'boolean':
          return rng.chance(0.5);
        case 'tinyint':
          return rng.int(256) - 128;
        case 'smallint':
          return rng.int(65536) - 32768;
        case 'int':
          return rng.int(4294967296) - 2147483648;
        case 'bigint':
          return rng.chance(0.1) ? '9223372036854775807' : rng.int(2 ** 40) - 2 ** 39;
        case 'varint':
          return rng.chance(0.2) ? `${rng.int(1e9)}${rng.int(1e9)}${rng.int(1e9)}` : rng.int(1e6) - 5e5;
        case 'float':
          return (rng.int(20000) - 10000) / 4;
        case 'double':
          return (rng.int(2e9) - 1e9) / 1024;
        case 'decimal':
          return `${rng.int(100000) - 50000}.${String(rng.int(1000)).padStart(3, '0')}`;
        case 'timestamp':
          return new Date(Date.UTC(2000, 0, 1) + rng.int(2 ** 30) * 1000 + rng.int(1000)).toISOString();
        case 'date':
          return new Date(Date.UTC(1990, 0, 1) + rng.int(20000) * 86400000).toISOString().slice(0, 10);
        case 'time': {
          const ns = rng.int(86400) * 1e9 + rng.int(1e9);
          const s = Math.floor(ns / 1e9);
          const pad = (x: number, n = 2): string => String(x).padStart(n, '0');
          return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(ns % 1e9, 9)}`;
        }
        case 'duration':
          return rng.pick(['1h4m48s20ms', '2d', '1y2mo', '3mo4d5h', '-1d', '45s']);
        case 'uuid':
        case 'timeuuid': {
          const h = Array.from(rng.bytes(16), (x) => x.toString(16).padStart(2, '0')).join('');
          const v = t.name === 'uuid' ? '4' : '1';
          return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
        }
        case 'inet':
          return `${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;
        case 'counter':
          return rng.int(1000);
        case 'empty':
          return null;
      }
      break;
    case 'list':
      return Array.from({ length: 1 + rng.int(4) }, () => randomValue(rng, t.element));
    case 'set': {
      const items = Array.from({ length: 1 + rng.int(4) }, () => randomValue(rng, t.element));
      return [...new Set(items.map((x) => JSON.stringify(x)))]
        .map((x) => JSON.parse(x) as JsonValue)
        .sort(compareJson);
    }
    case 'map': {
      const out: Record<string, JsonValue> = {};
      for (let i = 0, n = 1 + rng.int(4); i < n; i++)
        out[String(randomValue(rng, t.key))] = randomValue(rng, t.value);
      return out;
    }
    case 'tuple':
      return t.elements.map((e) => (rng.chance(0.1) ? null : randomValue(rng, e)));
    case 'udt': {
      const out: Record<string, JsonValue> = {};
      t.fieldNames.forEach((n, i) => {
        out[n] = randomValue(rng, t.fieldTypes[i]!);
      });
      return out;
    }
    case 'vector':
      return Array.from({ length: t.dimension }, () => randomValue(rng, t.element));
    default:
      break;
  }
  return null;
}

function compareJson(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
