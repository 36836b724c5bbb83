/**
 * Synthetic Arrow batches for tests and benchmarks: `alltypes` (every Iceberg type a CQL table maps to,
 * nested ones included) and `narrow` (id, timestamp, value — a time-series row). Columns are built as typed
 * arrays and wrapped once, the way connectors will build them; values are a deterministic function of the
 * row number and seed, so tests can recompute any row.
 */
import * as arrow from 'apache-arrow';
import type { IcebergSchema } from '../../iceberg-writer/index.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/index.js';

export const ALLTYPES_SCHEMA: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 'f', required: false, type: 'float' },
    { id: 4, name: 'd', required: false, type: 'double' },
    { id: 5, name: 'b', required: false, type: 'boolean' },
    { id: 6, name: 's', required: false, type: 'string' },
    { id: 7, name: 'bin', required: false, type: 'binary' },
    { id: 8, name: 'u', required: false, type: 'uuid' },
    { id: 9, name: 'ts', required: false, type: 'timestamptz' },
    { id: 10, name: 'dt', required: false, type: 'date' },
    { id: 11, name: 'tm', required: false, type: 'time' },
    { id: 12, name: 'dec', required: false, type: 'decimal(18, 4)' },
    {
      id: 13,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 16, element: 'string', 'element-required': false },
    },
    {
      id: 14,
      name: 'attrs',
      required: false,
      type: {
        type: 'map',
        'key-id': 17,
        key: 'string',
        'value-id': 18,
        value: 'int',
        'value-required': false,
      },
    },
    {
      id: 15,
      name: 'dur',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 19, name: 'months', required: true, type: 'int' },
          { id: 20, name: 'days', required: true, type: 'int' },
          { id: 21, name: 'nanos', required: true, type: 'long' },
        ],
      },
    },
  ],
};

export const NARROW_SCHEMA: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'ts', required: true, type: 'timestamptz' },
    { id: 3, name: 'value', required: false, type: 'double' },
  ],
};

/** 2024-01-01T00:00:00Z in microseconds. */
export const BASE_TS_US = 1_704_067_200_000_000n;
const enc = new TextEncoder();

function validity(n: number, nullEvery: number): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array(((n + 63) >> 6) << 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (i % nullEvery === nullEvery - 1) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

function utf8Column(
  n: number,
  f: (i: number) => string,
  nullEvery = 0,
  type: arrow.Utf8 | arrow.Binary = new arrow.Utf8(),
): arrow.Data<arrow.Utf8> {
  const offsets = new Int32Array(n + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(nullEvery > 0 && i % nullEvery === nullEvery - 1)) {
      const b = enc.encode(f(i));
      parts.push(b);
      total += b.length;
    }
    offsets[i + 1] = total;
  }
  const values = new Uint8Array(total);
  let p = 0;
  for (const b of parts) {
    values.set(b, p);
    p += b.length;
  }
  const v = nullEvery > 0 ? validity(n, nullEvery) : undefined;
  return arrow.makeData({
    type: type as arrow.Utf8,
    length: n,
    valueOffsets: offsets,
    data: values,
    ...(v ? { nullBitmap: v.bitmap, nullCount: v.nulls } : {}),
  });
}

/** Row `start + i` of the `narrow` preset for i in [0, n). */
export function narrowBatch(n: number, start = 0): arrow.RecordBatch {
  const schema = arrowSchemaFromIceberg(NARROW_SCHEMA);
  const id = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = start + i;
    id[i] = BigInt(r);
    ts[i] = BASE_TS_US + BigInt(r) * 1_000_000n;
    value[i] = r * 0.5;
  }
  const t = schema.fields.map((f) => f.type);
  const v = validity(n, 10);
  const children = [
    arrow.makeData({ type: t[0] as arrow.Int64, length: n, data: id }),
    arrow.makeData({ type: t[1] as arrow.TimestampMicrosecond, length: n, data: ts }),
    arrow.makeData({
      type: t[2] as arrow.Float64,
      length: n,
      data: value,
      nullBitmap: v.bitmap,
      nullCount: v.nulls,
    }),
  ];
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children }),
  );
}

/** Row `start + i` of the `alltypes` preset. Every 7th optional value is null. */
export function alltypesBatch(n: number, start = 0): arrow.RecordBatch {
  const schema = arrowSchemaFromIceberg(ALLTYPES_SCHEMA);
  const t = schema.fields.map((f) => f.type);
  const v = validity(n, 7);
  const nb = { nullBitmap: v.bitmap, nullCount: v.nulls };
  const id = new BigInt64Array(n);
  const i32 = new Int32Array(n);
  const f32 = new Float32Array(n);
  const f64 = new Float64Array(n);
  const bools = new Uint8Array(((n + 63) >> 6) << 3);
  const uuids = new Uint8Array(n * 16);
  const ts = new BigInt64Array(n);
  const dt = new Int32Array(n);
  const tm = new BigInt64Array(n);
  const dec = new Uint32Array(n * 4);
  const listOffsets = new Int32Array(n + 1);
  const mapOffsets = new Int32Array(n + 1);
  const months = new Int32Array(n);
  const days = new Int32Array(n);
  const nanos = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const r = start + i;
    id[i] = BigInt(r);
    i32[i] = (r * 7919) % 100_000;
    f32[i] = r / 4;
    f64[i] = r * 1.5;
    if (r % 2 === 0) bools[i >> 3]! |= 1 << (i & 7);
    const u = uuids.subarray(i * 16, i * 16 + 16);
    new DataView(u.buffer, u.byteOffset, 16).setUint32(12, r);
    u[6] = 0x40;
    u[8] = 0x80;
    ts[i] = BASE_TS_US + BigInt(r) * 60_000_000n; // one row per minute
    dt[i] = 19_723 + (r % 365);
    tm[i] = BigInt(r % 86_400) * 1_000_000n;
    dec[i * 4] = r * 3; // unscaled; small positive values
    listOffsets[i + 1] = listOffsets[i]! + (r % 3);
    mapOffsets[i + 1] = mapOffsets[i]! + (r % 2);
    months[i] = r % 12;
    days[i] = r % 28;
    nanos[i] = BigInt(r) * 1000n;
  }
  const listLen = listOffsets[n]!;
  const mapLen = mapOffsets[n]!;
  const listType = t[12] as arrow.List<arrow.Utf8>;
  const mapType = t[13] as arrow.Map_<arrow.Utf8, arrow.Int32>;
  const mapEntries = mapType.children[0]!.type as unknown as arrow.Struct;
  const mapValues = new Int32Array(mapLen);
  for (let k = 0; k < mapLen; k++) mapValues[k] = k;
  const children: arrow.Data[] = [
    arrow.makeData({ type: t[0] as arrow.Int64, length: n, data: id }),
    arrow.makeData({ type: t[1] as arrow.Int32, length: n, data: i32, ...nb }),
    arrow.makeData({ type: t[2] as arrow.Float32, length: n, data: f32, ...nb }),
    arrow.makeData({ type: t[3] as arrow.Float64, length: n, data: f64, ...nb }),
    arrow.makeData({ type: t[4] as arrow.Bool, length: n, data: bools, ...nb }),
    utf8Column(n, (i) => `row-${start + i}-${'x'.repeat((start + i) % 20)}`, 7),
    utf8Column(n, (i) => String(start + i), 7, t[6] as arrow.Binary),
    arrow.makeData({ type: t[7] as arrow.FixedSizeBinary, length: n, data: uuids, ...nb }),
    arrow.makeData({ type: t[8] as arrow.TimestampMicrosecond, length: n, data: ts, ...nb }),
    arrow.makeData({ type: t[9] as arrow.DateDay, length: n, data: dt, ...nb }),
    arrow.makeData({ type: t[10] as arrow.TimeMicrosecond, length: n, data: tm, ...nb }),
    arrow.makeData({ type: t[11] as arrow.Decimal, length: n, data: dec, ...nb }),
    arrow.makeData({
      type: listType,
      length: n,
      valueOffsets: listOffsets,
      child: utf8Column(listLen, (k) => `t${k % 50}`),
      ...nb,
    }),
    arrow.makeData({
      type: mapType,
      length: n,
      valueOffsets: mapOffsets,
      child: arrow.makeData({
        type: mapEntries,
        length: mapLen,
        children: [
          utf8Column(mapLen, (k) => `k${k % 10}`),
          arrow.makeData({ type: new arrow.Int32(), length: mapLen, data: mapValues }),
        ],
      }),
      ...nb,
    }),
    arrow.makeData({
      type: t[14] as arrow.Struct,
      length: n,
      children: [
        arrow.makeData({ type: new arrow.Int32(), length: n, data: months }),
        arrow.makeData({ type: new arrow.Int32(), length: n, data: days }),
        arrow.makeData({ type: new arrow.Int64(), length: n, data: nanos }),
      ],
      ...nb,
    }),
  ];
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children }),
  );
}
