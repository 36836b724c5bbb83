/**
 * Live rows → Arrow RecordBatches for the `raw` model: one column per CQL column, in exactly the raw Arrow
 * schema of the table (raw-arrow-schema.ts, from which connectors derive the Iceberg schema), optionally followed
 * by metadata columns (`_writetime_<col>` µs and `_ttl_<col>` s of each simple regular/static column).
 *
 * Primitive columns are decoded from the cell bytes straight into growable typed buffers (growable.ts): no
 * per-cell object, 64-bit values written as two 32-bit words without BigInt. Nested columns (collections,
 * tuples, UDTs, vectors, durations) go through arrow-js builders with one JS value per cell — simpler, and
 * they are rare in wide tables; a direct decoder for them is future work if profiles ask for it.
 */
import * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';
import type { CqlType, TableModel } from '../../reader/index.js';
import {
  type Cell,
  compositeSplit,
  counterContextTotal,
  decimalToString,
  inetToString,
  NO_TTL,
  varintToBigInt,
} from '../../reader/index.js';
import type { LiveRow } from '../live-rows.js';
import { cqlCellsToArrowJs, cqlToArrowJs, varintToDecimal128 } from './cql-arrow-value.js';
import { GrowableArray, Validity } from './growable.js';
import { rawArrowSchema } from './raw-arrow-schema.js';

export interface RawBatchOptions {
  /** Rows per batch at most (default 16384). */
  readonly batchRows?: number;
  /** Buffered bytes per batch at most (default 8 MiB): wide rows make smaller batches. */
  readonly batchBytes?: number;
  /** Add per-column write time and TTL columns. */
  readonly metadataColumns?: boolean;
  /** The CQL → Iceberg mapping options (cql-mapping-options.ts). */
  readonly mapping?: unknown;
}

/** Where a column's value comes from in a `LiveRow`. */
type Source =
  | { readonly from: 'key'; readonly index: number; readonly composite: boolean }
  | { readonly from: 'clustering'; readonly index: number }
  | { readonly from: 'column'; readonly id: number };

interface ColumnBuilder {
  /** A simple value (or null). */
  append(v: Uint8Array | null): void;
  /** The live cells of a multi-cell column. */
  appendCells(cells: readonly Cell[]): void;
  finish(length: number): arrow.Data;
  readonly bytes: number;
}

const utf8Encoder = new TextEncoder();
const TWO_32 = 4294967296;

/** A column of single-cell values: a validity bitmap beside the value buffers; no multi-cell input. */
abstract class SingleCellBuilder {
  protected readonly validity = new Validity();
  appendCells(): void {
    throw new Error('not multi-cell');
  }
  /** The validity part of the batch's Data (the bitmap starts over for the next batch). */
  protected nulls(): { nullCount: number; nullBitmap: Uint8Array | undefined } {
    const { bitmap, nullCount } = this.validity.take();
    return { nullCount, nullBitmap: bitmap };
  }
}

/** Int32 family: int, smallint, tinyint, date. */
class Int32Builder extends SingleCellBuilder implements ColumnBuilder {
  private readonly values = new GrowableArray(Int32Array);
  constructor(
    private readonly type: arrow.DataType,
    private readonly decode: (b: Uint8Array) => number,
  ) {
    super();
  }
  append(v: Uint8Array | null): void {
    this.values.reserve(1);
    const ok = v !== null && v.length > 0;
    this.values.array[this.values.length++] = ok ? this.decode(v) : 0;
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.values.byteLength;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    return arrow.makeData({
      type: this.type as arrow.Int32,
      length,
      ...nulls,
      data: this.values.take(),
    });
  }
}

/** 64-bit family as (lo, hi) int32 word pairs: bigint, counter, timestamp (ms → µs), time (ns → µs). */
class Int64Builder extends SingleCellBuilder implements ColumnBuilder {
  private readonly words = new GrowableArray(Int32Array);
  constructor(
    private readonly type: arrow.DataType,
    /** Writes the value's words at `words[at]` (lo) and `words[at + 1]` (hi). */
    private readonly decode: (b: Uint8Array, words: Int32Array, at: number) => void,
  ) {
    super();
  }
  append(v: Uint8Array | null): void {
    this.words.reserve(2);
    const at = this.words.length;
    const ok = v !== null && v.length > 0;
    if (ok) this.decode(v, this.words.array, at);
    else {
      this.words.array[at] = 0;
      this.words.array[at + 1] = 0;
    }
    this.words.length += 2;
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.words.byteLength;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    const w = this.words.take();
    const data = new BigInt64Array(w.buffer, w.byteOffset, length);
    return arrow.makeData({ type: this.type as arrow.Int64, length, ...nulls, data });
  }
}

function writeDouble64(x: number, words: Int32Array, at: number): void {
  const hi = Math.floor(x / TWO_32);
  words[at] = (x - hi * TWO_32) | 0;
  words[at + 1] = hi | 0;
}

class FloatBuilder extends SingleCellBuilder implements ColumnBuilder {
  private readonly values: GrowableArray<Float32Array> | GrowableArray<Float64Array>;
  constructor(
    private readonly type: arrow.DataType,
    private readonly double: boolean,
  ) {
    super();
    this.values = double ? new GrowableArray(Float64Array) : new GrowableArray(Float32Array);
  }
  append(v: Uint8Array | null): void {
    this.values.reserve(1);
    const ok = v !== null && v.length > 0;
    let x = 0;
    if (ok) {
      const dv = new DataView(v.buffer, v.byteOffset, v.length);
      x = this.double ? dv.getFloat64(0) : dv.getFloat32(0);
    }
    this.values.array[this.values.length++] = x;
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.values.byteLength;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    return arrow.makeData({
      type: this.type as arrow.Float64,
      length,
      ...nulls,
      data: this.values.take() as Float64Array,
    });
  }
}

class BoolBuilder extends SingleCellBuilder implements ColumnBuilder {
  private readonly values = new Validity();
  constructor(private readonly type: arrow.DataType) {
    super();
  }
  append(v: Uint8Array | null): void {
    const ok = v !== null && v.length > 0;
    this.values.push(ok && v[0] !== 0);
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.values.length >> 3;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    const bits = this.values.bits.take();
    this.values.length = 0;
    this.values.nullCount = 0;
    return arrow.makeData({
      type: this.type as arrow.Bool,
      length,
      ...nulls,
      data: bits,
    });
  }
}

/** Utf8 / Binary: offsets plus bytes copied once; `convert` for values that are not stored as UTF-8. */
class VarBinaryBuilder extends SingleCellBuilder implements ColumnBuilder {
  private readonly offsets = new GrowableArray(Int32Array);
  private readonly data = new GrowableArray(Uint8Array, 64 * 1024);
  constructor(
    private readonly type: arrow.DataType,
    private readonly convert?: (b: Uint8Array) => Uint8Array,
  ) {
    super();
    this.offsets.array[0] = 0;
    this.offsets.length = 1;
  }
  append(v: Uint8Array | null): void {
    this.offsets.reserve(1);
    const ok = v !== null && (v.length > 0 || this.convert === undefined);
    if (ok) {
      const b = this.convert === undefined ? v : this.convert(v);
      this.data.reserve(b.length);
      this.data.array.set(b, this.data.length);
      this.data.length += b.length;
    }
    if (this.data.length > 0x7fffffff)
      throw new DatamoveError('Unexpected', 'compactor: Arrow batch column over 2 GiB', {});
    this.offsets.array[this.offsets.length++] = this.data.length;
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.data.length + this.offsets.byteLength;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    const valueOffsets = this.offsets.take();
    this.offsets.array[0] = 0;
    this.offsets.length = 1;
    return arrow.makeData({
      type: this.type as arrow.Utf8,
      length,
      ...nulls,
      valueOffsets,
      data: this.data.take(),
    });
  }
}

/** FixedSizeBinary (uuid → 16 bytes) and Decimal128 (varint → decimal(38, 0)). */
class FixedBinaryBuilder extends SingleCellBuilder implements ColumnBuilder {
  private readonly data = new GrowableArray(Uint8Array, 16 * 1024);
  constructor(
    private readonly type: arrow.DataType,
    private readonly width: number,
    private readonly write?: (v: Uint8Array, out: Uint8Array, at: number) => void,
  ) {
    super();
  }
  append(v: Uint8Array | null): void {
    this.data.reserve(this.width);
    const at = this.data.length;
    const ok = v !== null && v.length > 0;
    if (ok) {
      if (this.write) this.write(v, this.data.array, at);
      else this.data.array.set(v.subarray(0, this.width), at);
    } else this.data.array.fill(0, at, at + this.width);
    this.data.length += this.width;
    this.validity.push(ok);
  }
  get bytes(): number {
    return this.data.length;
  }
  finish(length: number): arrow.Data {
    const nulls = this.nulls();
    const d = this.data.take();
    const data = this.type instanceof arrow.Decimal ? new Uint32Array(d.buffer, d.byteOffset, length * 4) : d;
    return arrow.makeData({
      type: this.type as arrow.FixedSizeBinary,
      length,
      ...nulls,
      data: data as Uint8Array,
    });
  }
}

/** Nested types through an arrow-js builder (one JS value per cell; see the module comment). */
class NestedBuilder implements ColumnBuilder {
  private builder: arrow.Builder;
  private approx = 0;
  constructor(
    private readonly type: arrow.DataType,
    private readonly cql: CqlType,
  ) {
    this.builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  }
  append(v: Uint8Array | null): void {
    this.builder.append(v === null || v.length === 0 ? null : cqlToArrowJs(this.cql, v, this.type));
    this.approx += v === null ? 1 : v.length + 8;
  }
  appendCells(cells: readonly Cell[]): void {
    this.builder.append(cqlCellsToArrowJs(this.cql, cells, this.type));
    for (const c of cells) this.approx += c.value.length + (c.path?.length ?? 0) + 8;
  }
  get bytes(): number {
    return this.approx;
  }
  finish(): arrow.Data {
    const data = this.builder.flush();
    this.builder = arrow.makeBuilder({ type: this.type, nullValues: [null, undefined] });
    this.approx = 0;
    return data;
  }
}

function unreversed(t: CqlType): CqlType {
  return t.kind === 'reversed' ? t.inner : t;
}

function bigEndianInt(b: Uint8Array): number {
  switch (b.length) {
    case 1:
      return (b[0]! << 24) >> 24;
    case 2:
      return ((b[0]! << 24) >> 16) | b[1]!;
    default:
      return (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
  }
}

/** The builder for one column: direct buffers for primitives, arrow-js builders for nested types. */
function columnBuilder(cql: CqlType, type: arrow.DataType): ColumnBuilder {
  const t = unreversed(cql);
  if (t.kind !== 'native') {
    if (t.kind === 'custom') return new VarBinaryBuilder(type);
    return new NestedBuilder(type, t);
  }
  switch (t.name) {
    case 'int':
    case 'smallint':
    case 'tinyint':
      return new Int32Builder(type, bigEndianInt);
    case 'date':
      return new Int32Builder(
        type,
        (b) => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) ^ 0x80000000,
      );
    case 'bigint':
      return new Int64Builder(type, bigEndianInt64);
    case 'counter':
      return new Int64Builder(type, (b, w, at) => {
        const v = BigInt.asUintN(64, counterContextTotal(b));
        w[at] = Number(v & 0xffffffffn) | 0;
        w[at + 1] = Number(v >> 32n) | 0;
      });
    case 'timestamp':
      return new Int64Builder(type, (b, w, at) => {
        const hi = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
        const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
        const micros = (hi * TWO_32 + lo) * 1000;
        if (Math.abs(micros) < 2 ** 53) writeDouble64(micros, w, at);
        else {
          const v = BigInt.asUintN(64, (BigInt(hi) * 4294967296n + BigInt(lo)) * 1000n);
          w[at] = Number(v & 0xffffffffn) | 0;
          w[at + 1] = Number(v >> 32n) | 0;
        }
      });
    case 'time':
      return new Int64Builder(type, (b, w, at) => {
        const hi = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
        const lo = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
        writeDouble64(Math.floor((hi * TWO_32 + lo) / 1000), w, at);
      });
    case 'float':
      return new FloatBuilder(type, false);
    case 'double':
      return new FloatBuilder(type, true);
    case 'boolean':
      return new BoolBuilder(type);
    case 'text':
    case 'ascii':
    case 'blob':
    case 'empty':
      return new VarBinaryBuilder(type);
    case 'inet':
      return new VarBinaryBuilder(type, (b) => utf8Encoder.encode(inetToString(b)));
    case 'decimal':
      if (!(type instanceof arrow.Utf8))
        throw new DatamoveError(
          'FeatureUnsupported',
          'compactor: decimal columns mapped to a fixed decimal are not supported yet (use the string mapping)',
          {},
        );
      return new VarBinaryBuilder(type, (b) => utf8Encoder.encode(decimalToString(b)));
    case 'varint':
      if (type instanceof arrow.Utf8)
        return new VarBinaryBuilder(type, (b) => utf8Encoder.encode(varintToBigInt(b).toString()));
      return new FixedBinaryBuilder(type, 16, (v, out, at) => {
        const words = varintToDecimal128(v);
        out.set(new Uint8Array(words.buffer, 0, 16), at);
      });
    case 'uuid':
    case 'timeuuid':
      return new FixedBinaryBuilder(type, 16);
    case 'duration':
      return new NestedBuilder(type, t);
  }
}

/** Accumulates live rows and cuts them into RecordBatches of the table's raw Arrow schema. */
export class RawBatchBuilder {
  readonly schema: arrow.Schema;
  private readonly builders: ColumnBuilder[];
  private readonly sources: Source[];
  private readonly complex: boolean[];
  private readonly meta: { id: number; time: Int64Builder; ttl: Int32Builder }[] = [];
  private rows = 0;
  private readonly batchRows: number;
  private readonly batchBytes: number;
  private readonly keyCount: number;

  constructor(model: TableModel, options: RawBatchOptions = {}) {
    const mapping = rawArrowSchema(model, options.mapping ?? {});
    const base = mapping.schema;
    this.batchRows = options.batchRows ?? 16384;
    this.batchBytes = options.batchBytes ?? 8 << 20;
    this.keyCount = model.partitionKey.length;
    this.builders = [];
    this.sources = [];
    this.complex = [];
    let keyIndex = 0;
    let clusteringIndex = 0;
    mapping.columns.forEach((c, i) => {
      const field = base.fields[i]!;
      this.builders.push(columnBuilder(c.cqlType, field.type));
      if (c.role === 'partition-key') {
        this.sources.push({ from: 'key', index: keyIndex++, composite: model.partitionKey.length > 1 });
        this.complex.push(false);
      } else if (c.role === 'clustering') {
        this.sources.push({ from: 'clustering', index: clusteringIndex++ });
        this.complex.push(false);
      } else {
        const col = model.columns.find((x) => x.name === c.name && !x.hidden)!;
        this.sources.push({ from: 'column', id: col.id });
        this.complex.push(col.complex);
      }
    });
    const fields = [...base.fields];
    if (options.metadataColumns) {
      let nextId = Math.max(...mapping.columns.map((c) => c.fieldId)) + 1000;
      for (const c of model.columns) {
        if (c.hidden || c.complex) continue;
        const time = new arrow.Field(
          `_writetime_${c.name}`,
          new arrow.Int64(),
          true,
          new Map([['PARQUET:field_id', String(nextId++)]]),
        );
        const ttl = new arrow.Field(
          `_ttl_${c.name}`,
          new arrow.Int32(),
          true,
          new Map([['PARQUET:field_id', String(nextId++)]]),
        );
        fields.push(time, ttl);
        this.meta.push({
          id: c.id,
          time: new Int64Builder(time.type, bigEndianInt64),
          ttl: new Int32Builder(ttl.type, bigEndianInt),
        });
      }
    }
    this.schema = new arrow.Schema(fields, base.metadata);
  }

  /** Adds a row; returns a batch when one is full. */
  add(row: LiveRow): arrow.RecordBatch | undefined {
    let parts: Uint8Array[] | undefined;
    for (let i = 0; i < this.builders.length; i++) {
      const s = this.sources[i]!;
      const b = this.builders[i]!;
      if (s.from === 'key') {
        if (!s.composite) b.append(row.key);
        else {
          if (parts === undefined) parts = compositeSplit(row.key);
          b.append(parts[s.index] ?? null);
        }
      } else if (s.from === 'clustering') b.append(row.clustering?.[s.index] ?? null);
      else {
        const v = row.values[s.id];
        if (this.complex[i]) b.appendCells(v === undefined ? [] : (v as Cell[]));
        else b.append(v === undefined ? null : (v as Cell).value);
      }
    }
    for (const m of this.meta) {
      const v = row.values[m.id] as Cell | undefined;
      appendMeta(m.time, m.ttl, v);
    }
    this.rows++;
    if (this.rows >= this.batchRows || this.bufferedBytes() >= this.batchBytes) return this.flush();
    return undefined;
  }

  /** The rows added since the last batch as a batch; undefined when there are none. */
  flush(): arrow.RecordBatch | undefined {
    if (this.rows === 0) return undefined;
    const length = this.rows;
    const children = [
      ...this.builders.map((b) => b.finish(length)),
      ...this.meta.flatMap((m) => [m.time.finish(length), m.ttl.finish(length)]),
    ];
    this.rows = 0;
    const data = arrow.makeData({
      type: new arrow.Struct(this.schema.fields),
      length,
      nullCount: 0,
      children,
    });
    return new arrow.RecordBatch(this.schema, data);
  }

  get bufferedRows(): number {
    return this.rows;
  }

  private bufferedBytes(): number {
    if ((this.rows & 63) !== 0) return 0;
    let n = 0;
    for (const b of this.builders) n += b.bytes;
    return n;
  }

  get keyColumns(): number {
    return this.keyCount;
  }
}

const timeBytes = new Uint8Array(8);
const timeView = new DataView(timeBytes.buffer);
const ttlBytes = new Uint8Array(4);
const ttlView = new DataView(ttlBytes.buffer);

/** Write time (µs) and TTL (s, null when none) of a simple cell, through scratch bytes (no allocation). */
function appendMeta(time: Int64Builder, ttl: Int32Builder, c: Cell | undefined): void {
  if (c === undefined) {
    time.append(null);
    ttl.append(null);
    return;
  }
  const hi = Math.floor(c.timestamp / TWO_32);
  timeView.setInt32(0, hi);
  timeView.setUint32(4, c.timestamp - hi * TWO_32);
  time.append(timeBytes);
  if (c.ttl === NO_TTL) ttl.append(null);
  else {
    ttlView.setInt32(0, c.ttl);
    ttl.append(ttlBytes);
  }
}

function bigEndianInt64(b: Uint8Array, w: Int32Array, at: number): void {
  w[at + 1] = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
  w[at] = (b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!;
}
