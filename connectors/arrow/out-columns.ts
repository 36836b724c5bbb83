/**
 * Column builders for connector output batches: values written straight into growable typed buffers
 * (compactor/arrow/growable.ts), wrapped once per batch — no row objects, 64-bit values as doubles (exact
 * below 2^53: microsecond timestamps and byte sizes). Shared by the kv and timeseries connectors.
 */
import * as arrow from 'apache-arrow';
import { GrowableArray, Validity } from '../../compactor/index.js';

const utf8 = new TextEncoder();
const TWO_32 = 4294967296;

/** Utf8 or Binary. */
export class VarColumn {
  private readonly data = new GrowableArray(Uint8Array, 4096);
  private readonly offsets = new GrowableArray(Int32Array, 256);
  private readonly validity = new Validity();
  constructor(readonly type: arrow.Utf8 | arrow.Binary) {
    this.offsets.array[this.offsets.length++] = 0;
  }
  appendBytes(b: Uint8Array | null): void {
    if (b !== null) {
      this.data.reserve(b.length);
      this.data.array.set(b, this.data.length);
      this.data.length += b.length;
    }
    this.offsets.reserve(1);
    this.offsets.array[this.offsets.length++] = this.data.length;
    this.validity.push(b !== null);
  }
  /** One value made of `parts` in order, copied once (a reassembled chunked item). */
  appendParts(parts: readonly Uint8Array[]): void {
    let n = 0;
    for (const p of parts) n += p.length;
    this.data.reserve(n);
    for (const p of parts) {
      this.data.array.set(p, this.data.length);
      this.data.length += p.length;
    }
    this.offsets.reserve(1);
    this.offsets.array[this.offsets.length++] = this.data.length;
    this.validity.push(true);
  }
  appendString(s: string | null): void {
    this.appendBytes(s === null ? null : utf8.encode(s));
  }
  get bytes(): number {
    return this.data.length;
  }
  finish(length: number): arrow.Data {
    const { bitmap, nullCount } = this.validity.take();
    const valueOffsets = this.offsets.take();
    this.offsets.array[this.offsets.length++] = 0;
    return arrow.makeData({
      type: this.type as arrow.Utf8,
      length,
      nullCount,
      nullBitmap: bitmap,
      valueOffsets,
      data: this.data.take(),
    });
  }
}

/** Int64 or Timestamp (µs), from doubles. */
export class Int64Column {
  private readonly words = new GrowableArray(Int32Array, 512);
  private readonly validity = new Validity();
  constructor(readonly type: arrow.Int64 | arrow.TimestampMicrosecond) {}
  append(x: number | null): void {
    this.words.reserve(2);
    const at = this.words.length;
    if (x === null) {
      this.words.array[at] = 0;
      this.words.array[at + 1] = 0;
    } else {
      const hi = Math.floor(x / TWO_32);
      this.words.array[at] = (x - hi * TWO_32) | 0;
      this.words.array[at + 1] = hi | 0;
    }
    this.words.length += 2;
    this.validity.push(x !== null);
  }
  finish(length: number): arrow.Data {
    const { bitmap, nullCount } = this.validity.take();
    const w = this.words.take();
    const data = new BigInt64Array(w.buffer, w.byteOffset, length);
    return arrow.makeData({ type: this.type as arrow.Int64, length, nullCount, nullBitmap: bitmap, data });
  }
}

export type OutColumn = VarColumn | Int64Column;

/** One column builder per field of `schema` (Utf8, Binary, Int64, Timestamp µs). */
export function outColumns(schema: arrow.Schema): OutColumn[] {
  return schema.fields.map((f) => {
    const t = f.type;
    if (t instanceof arrow.Utf8 || t instanceof arrow.Binary) return new VarColumn(t);
    if (t instanceof arrow.Int64 || t instanceof arrow.Timestamp) return new Int64Column(t as arrow.Int64);
    throw new Error(`no output column builder for ${String(t)} (${f.name})`);
  });
}

export function outBatch(
  schema: arrow.Schema,
  columns: readonly OutColumn[],
  length: number,
): arrow.RecordBatch {
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length,
    nullCount: 0,
    children: columns.map((c) => c.finish(length)),
  });
  return new arrow.RecordBatch(schema, data);
}

/** A 64-bit integer cell of a raw batch as a double (exact below 2^53), or null. */
export function int64At(data: arrow.Data, row: number): number | null {
  if (!data.getValid(row)) return null;
  const v = data.values as BigInt64Array;
  // arrow-js slices value buffers themselves; `offset` applies to the validity bitmap only
  const w = new Int32Array(v.buffer, v.byteOffset + row * 8, 2);
  return w[1]! * TWO_32 + (w[0]! >>> 0);
}

/** A variable-length cell of a raw batch as a view into its buffer (no copy), or null. */
export function bytesAt(data: arrow.Data, row: number): Uint8Array | null {
  if (!data.getValid(row)) return null;
  const o = data.valueOffsets as Int32Array;
  return (data.values as Uint8Array).subarray(o[row]!, o[row + 1]!);
}

const utf8d = new TextDecoder();
export function stringAt(data: arrow.Data, row: number): string | null {
  const b = bytesAt(data, row);
  return b === null ? null : utf8d.decode(b);
}
