/**
 * The `timeseries` preset: the Time-Series abstraction exactly as connectors/timeseries/README.md documents
 * it — one table per daily time slice (`data_YYYYMMDD`), the `time_slices` control table saying which slice
 * covers which time range, and, for one hot time series whose partitions grew wide, a copy of its
 * partitions in `wide_data_YYYYMMDD_1` (the original partitions are kept: every event must come out once).
 *
 * A slice has 6 time buckets of 4 hours and 2 event buckets; each (series, time bucket, event bucket)
 * partition holds events newest first, each event one to three items. Values are compressed as
 * `value_metadata` says, like the kv preset.
 *
 * `hotPartitionBytes` > 0 makes the hot series' first partition of the hot day about that big (events evenly
 * spread over its 4-hour bucket, one item each, computed per row rather than held in memory), for memory
 * benchmarks of a multi-GiB time-series partition. That partition is not copied into the wide table.
 */

import { ITEM_CODECS, itemCompress, itemContent } from './item-content.js';
import type { GenContext } from './model.js';
import type { PresetOptions, Shape, Values } from './presets.js';
import { hex } from './presets.js';
import { Rng } from './prng.js';

export const TS_DAYS = 3;
export const TS_SECONDS_PER_BUCKET = 4 * 3600;
export const TS_TIME_BUCKETS = 86400 / TS_SECONDS_PER_BUCKET;
export const TS_EVENT_BUCKETS = 2;
const PER_SERIES = TS_TIME_BUCKETS * TS_EVENT_BUCKETS;
const HOT_FACTOR = 20;

interface Event {
  readonly timeMs: number;
  readonly id: string;
  readonly item: string;
}

/** A partition's events newest first; the huge partition computes each one from its index. */
interface EventList {
  readonly length: number;
  at(j: number): Event | undefined;
}

/** Average stored bytes of one row (event_time, ids, a compressed 16–616 byte value, its metadata). */
const TS_ROW_BYTES = 420;

/** `n` events evenly over a bucket, newest first; ids ascend with the index, so ties keep the order. */
function evenEvents(bucketStartMs: number, n: number): EventList {
  const span = TS_SECONDS_PER_BUCKET * 1000;
  const step = span / n;
  const width = Math.max(1, Math.ceil(Math.log(n + 1) / Math.log(36)));
  return {
    length: n,
    at: (j) =>
      j < 0 || j >= n
        ? undefined
        : {
            timeMs: bucketStartMs + span - 1 - Math.floor(j * step),
            id: `evt-${j.toString(36).padStart(width, '0')}`,
            item: 'item-0',
          },
  };
}

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

export function timeseriesShapes(o: PresetOptions, ctx: GenContext): Shape[] {
  const ks = o.keyspace;
  const seed = ctx.seed;
  // three whole UTC days, ending two days before the reference time (all writes fall in the window)
  const lastDay = Math.floor(ctx.now / 86400) - 2;
  const dayStarts = Array.from({ length: TS_DAYS }, (_, i) => (lastDay - TS_DAYS + 1 + i) * 86400 * 1000);
  const avgRowsPerPartition = 4.5 * 2;
  const series =
    o.partitions ?? Math.max(1, Math.round(o.bytes / (TS_DAYS * PER_SERIES * avgRowsPerPartition * 220)));
  const hotDay = 1;
  const schema = (table: string): string =>
    `CREATE TABLE ${ks}.${table} (time_series_id text, time_bucket int, event_bucket int, event_time timestamp, event_id text, event_item_key text, event_item_value blob, value_metadata blob, PRIMARY KEY ((time_series_id, time_bucket, event_bucket), event_time, event_id, event_item_key)) WITH CLUSTERING ORDER BY (event_time DESC, event_id ASC, event_item_key ASC);`;

  const hugeBytes = o.hotPartitionBytes ?? 0;
  const hugeRows = hugeBytes > 0 ? Math.max(1, Math.round(hugeBytes / TS_ROW_BYTES)) : 0;
  const huge = (d: number, p: number): boolean => hugeRows > 0 && d === hotDay && p === 0;

  /** The events of one partition of a day, newest first (one-partition cache: rows are read in order). */
  let cached: { d: number; p: number; events: EventList } | undefined;
  const eventsOf = (d: number, p: number): EventList => {
    if (cached && cached.d === d && cached.p === p) return cached.events;
    const s = Math.floor(p / PER_SERIES);
    const bucket = Math.floor((p % PER_SERIES) / TS_EVENT_BUCKETS);
    if (huge(d, p)) {
      cached = { d, p, events: evenEvents(dayStarts[d]! + bucket * TS_SECONDS_PER_BUCKET * 1000, hugeRows) };
      return cached.events;
    }
    const rng = new Rng(seed, 0x75, d, p);
    const n = (1 + rng.int(8)) * (s === 0 && d === hotDay ? HOT_FACTOR : 1);
    const bucketStart = dayStarts[d]! + bucket * TS_SECONDS_PER_BUCKET * 1000;
    const events: Event[] = [];
    for (let e = 0; e < n; e++) {
      const timeMs = bucketStart + rng.int(TS_SECONDS_PER_BUCKET * 1000);
      const id = `evt-${rng.int(1 << 30).toString(36)}`;
      const items = 1 + rng.int(3);
      for (let i = 0; i < items; i++) events.push({ timeMs, id, item: `item-${i}` });
    }
    events.sort(
      (a, b) => b.timeMs - a.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.item < b.item ? -1 : 1),
    );
    // an (event_time, event_id, item) repeated by chance is one row
    const unique = events.filter(
      (x, i) =>
        i === 0 ||
        x.timeMs !== events[i - 1]!.timeMs ||
        x.id !== events[i - 1]!.id ||
        x.item !== events[i - 1]!.item,
    );
    cached = { d, p, events: { length: unique.length, at: (j) => unique[j] } };
    return cached.events;
  };
  const fraction = (ms: number): number => (ms * 1000 - ctx.t0) / (ctx.t1 - ctx.t0);
  // event_item_value (id 0), value_metadata (id 1)
  const values = (rng: Rng, d: number, p: number, j: number): Values => {
    const codec = rng.pick(ITEM_CODECS);
    const size = 16 + rng.int(600);
    const stored = itemCompress(codec, itemContent(size, seed, 0x7e, d, p, j, rng.u32()));
    const meta = JSON.stringify({ compression: codec, size, content_type: 'application/json' });
    return [
      [0, hex(stored)],
      [1, hex(new TextEncoder().encode(meta))],
    ];
  };
  const dayShape = (
    d: number,
    table: string,
    partitions: number,
    map: (p: number) => number,
    tag: number,
  ): Shape => ({
    cql: schema(table),
    table,
    rowBytes: 220,
    churn: 0.05,
    noCellDeletes: true,
    count: partitions,
    tag,
    rngId: map,
    rows: (_rng, p) => eventsOf(d, map(p)).length,
    key: (p) => {
      const q = map(p);
      return [
        `series-${Math.floor(q / PER_SERIES)}`,
        Math.floor((q % PER_SERIES) / TS_EVENT_BUCKETS),
        q % TS_EVENT_BUCKETS,
      ];
    },
    clustering: (p, j) => {
      // rows past the last event (the generator's stale-row probe) sort after it: older
      const e = eventsOf(d, map(p)).at(j) ?? {
        timeMs: dayStarts[d]! - 1000 - j,
        id: 'probe',
        item: 'item-0',
      };
      return [new Date(e.timeMs).toISOString(), e.id, e.item];
    },
    // written a few seconds after the event happened
    firstWrite: (rng, p, j) => fraction(eventsOf(d, map(p)).at(j)!.timeMs + 1000 + rng.int(60_000)),
    values: (rng, p, j) => values(rng, d, map(p), j),
    update: (rng, p, j) => values(rng, d, map(p), j),
  });

  const shapes: Shape[] = dayStarts.map((start, d) =>
    dayShape(d, `data_${yyyymmdd(start)}`, series * PER_SERIES, (p) => p, 100 + d),
  );
  // the hot series' partitions of the hot day, copied into the wide table (same writes, same random streams)
  const skip = hugeRows > 0 ? 1 : 0;
  shapes.push(
    dayShape(
      hotDay,
      `wide_data_${yyyymmdd(dayStarts[hotDay]!)}_1`,
      PER_SERIES - skip,
      (p) => p + skip,
      100 + hotDay,
    ),
  );

  // time_slices: slice_table 0, end_time 1, seconds_per_bucket 2, event_buckets 3, status 4
  shapes.push({
    cql: `CREATE TABLE ${ks}.time_slices (namespace text, slice_table text, start_time timestamp, end_time timestamp, seconds_per_bucket int, event_buckets int, status text, PRIMARY KEY (namespace, start_time));`,
    table: 'time_slices',
    rowBytes: 80,
    churn: 0,
    noDeletes: true,
    count: 1,
    tag: 99,
    rows: () => TS_DAYS,
    key: () => [ks],
    clustering: (_p, j) => [new Date(dayStarts[0]! + j * 86400 * 1000).toISOString()],
    fixed: () => 0.01,
    values: (_rng, _p, j) => [
      [0, `data_${yyyymmdd(dayStarts[j]!)}`],
      [1, new Date(dayStarts[j]! + 86400 * 1000).toISOString()],
      [2, TS_SECONDS_PER_BUCKET],
      [3, TS_EVENT_BUCKETS],
      [4, j === TS_DAYS - 1 ? 'ACTIVE' : 'CLOSED'],
    ],
    update: () => [],
  });
  return shapes;
}
