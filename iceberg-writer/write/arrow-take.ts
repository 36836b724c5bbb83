/**
 * Gathers rows of an Arrow `Data` by index into new, compact buffers — the kernel behind the partitioned
 * fan-out writer, which splits each incoming batch by partition. Works on the raw buffers (typed arrays,
 * offsets, validity bitmaps), recursively for lists, maps and structs; no per-row JS objects.
 *
 * apache-arrow's JS `Data.slice` is zero-copy for contiguous ranges and is used instead when a batch holds
 * a single partition; a gather is only needed when rows of partitions interleave.
 */
import * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';

/** True when row `i` of `data` is valid (not null). */
export function arrowIsValid(data: arrow.Data, i: number): boolean {
  if (data.nullCount === 0 || data.nullBitmap === undefined || data.nullBitmap.length === 0) return true;
  const j = data.offset + i;
  return (data.nullBitmap[j >> 3]! & (1 << (j & 7))) !== 0;
}

function takeValidity(data: arrow.Data, idx: Int32Array): { bitmap: Uint8Array | undefined; nulls: number } {
  if (data.nullCount === 0 || data.nullBitmap === undefined || data.nullBitmap.length === 0) {
    return { bitmap: undefined, nulls: 0 };
  }
  const out = new Uint8Array(((idx.length + 63) >> 6) << 3);
  const src = data.nullBitmap;
  const off = data.offset;
  let nulls = 0;
  for (let i = 0; i < idx.length; i++) {
    const j = off + idx[i]!;
    if ((src[j >> 3]! & (1 << (j & 7))) !== 0) out[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: nulls === 0 ? undefined : out, nulls };
}

/** Expands list offsets into child indices for the gathered rows; returns new offsets too. */
function expandOffsets(offsets: Int32Array, idx: Int32Array): { offsets: Int32Array; child: Int32Array } {
  const out = new Int32Array(idx.length + 1);
  let total = 0;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    total += offsets[r + 1]! - offsets[r]!;
    out[i + 1] = total;
  }
  const child = new Int32Array(total);
  let p = 0;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) child[p++] = k;
  }
  return { offsets: out, child };
}

/** A new `Data` holding rows `idx` of `data`, in that order. */
export function arrowTake(data: arrow.Data, idx: Int32Array): arrow.Data {
  const type = data.type as arrow.DataType;
  const { bitmap, nulls } = takeValidity(data, idx);
  const base = { type, length: idx.length, nullCount: nulls, nullBitmap: bitmap } as const;
  const id = type.typeId;
  if (arrow.DataType.isBool(type)) {
    const src = data.values as Uint8Array;
    const out = new Uint8Array(((idx.length + 63) >> 6) << 3);
    for (let i = 0; i < idx.length; i++) {
      const j = data.offset + idx[i]!;
      if ((src[j >> 3]! & (1 << (j & 7))) !== 0) out[i >> 3]! |= 1 << (i & 7);
    }
    return arrow.makeData({ ...base, type: type as arrow.Bool, data: out });
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const values = data.values as Uint8Array;
    const outOffsets = new Int32Array(idx.length + 1);
    let total = 0;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      total += offsets[r + 1]! - offsets[r]!;
      outOffsets[i + 1] = total;
    }
    const out = new Uint8Array(total);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      out.set(values.subarray(offsets[r]!, offsets[r + 1]!), outOffsets[i]!);
    }
    return arrow.makeData({ ...base, type: type as arrow.Utf8, valueOffsets: outOffsets, data: out });
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isMap(type)) {
    const { offsets, child } = expandOffsets(data.valueOffsets as Int32Array, idx);
    return arrow.makeData({
      ...base,
      type: type as arrow.List,
      valueOffsets: offsets,
      child: arrowTake(data.children[0]!, child),
    });
  }
  if (arrow.DataType.isFixedSizeList(type)) {
    const size = (type as arrow.FixedSizeList).listSize;
    const child = new Int32Array(idx.length * size);
    for (let i = 0; i < idx.length; i++)
      for (let k = 0; k < size; k++) child[i * size + k] = idx[i]! * size + k;
    return arrow.makeData({
      ...base,
      type: type as arrow.FixedSizeList,
      child: arrowTake(data.children[0]!, child),
    });
  }
  if (arrow.DataType.isStruct(type)) {
    return arrow.makeData({
      ...base,
      type: type as arrow.Struct,
      children: data.children.map((c) => arrowTake(c, idx)),
    });
  }
  if (
    arrow.DataType.isInt(type) ||
    arrow.DataType.isFloat(type) ||
    arrow.DataType.isDate(type) ||
    arrow.DataType.isTime(type) ||
    arrow.DataType.isTimestamp(type) ||
    arrow.DataType.isDecimal(type) ||
    arrow.DataType.isFixedSizeBinary(type)
  ) {
    const values = data.values as unknown as {
      length: number;
      subarray(a: number, b: number): ArrayLike<number | bigint>;
    };
    const stride = data.length === 0 ? 1 : values.length / data.length;
    const Ctor = (data.values as unknown as { constructor: new (n: number) => typeof data.values })
      .constructor;
    const out = new Ctor(idx.length * stride) as unknown as { [i: number]: number | bigint };
    const src = data.values as unknown as { [i: number]: number | bigint };
    if (stride === 1) {
      for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]!]!;
    } else {
      for (let i = 0; i < idx.length; i++) {
        const s = idx[i]! * stride;
        const d = i * stride;
        for (let k = 0; k < stride; k++) out[d + k] = src[s + k]!;
      }
    }
    return arrow.makeData({ ...base, type: type as arrow.Int, data: out as unknown as Int32Array });
  }
  throw new DatamoveError(
    'FeatureUnsupported',
    `iceberg: cannot split Arrow type ${String(type)} (type id ${id})`,
    {
      context: { type: String(type) },
    },
  );
}

/** Rows `idx` of a record batch. */
export function arrowTakeBatch(batch: arrow.RecordBatch, idx: Int32Array): arrow.RecordBatch {
  return new arrow.RecordBatch(batch.schema, arrowTake(batch.data, idx) as arrow.Data<arrow.Struct>);
}
