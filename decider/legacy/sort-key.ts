/**
 * Byte-comparable keys for the legacy path's staging tables, so DuckDB can order clusterings and test range
 * tombstones with plain BLOB comparisons (memcmp) — the idea of Cassandra's ByteComparable
 * (utils/bytecomparable/ByteComparable.md), written from that description, not shared with the compactor.
 *
 * A clustering is `0x40 component` per value (`0x3e` for a null value), then a terminator: a row ends with
 * 0x38; a bound ends with 0x20 (inclusive start, exclusive end: before every row with that prefix) or 0x60
 * (exclusive start, inclusive end: after them). So a range tombstone `(start, end)` covers a row exactly when
 * `start < row < end` bytewise. The static row's key is `0x00`, below every bound, as Cassandra puts the
 * static row outside every range tombstone.
 *
 * Components are prefix-free and order-preserving: fixed-width numbers big-endian with the sign bit flipped
 * (IEEE floats: all bits flipped when negative), preceded by 0x01 (0x00 for an empty value); variable-width
 * values escape 0x00 as `0x00 0xff` and end with 0x00. A DESC (reversed) column inverts its component's
 * bytes, which reverses the order of a prefix-free code. Types without a byte order here (varint, decimal,
 * uuid, collections, tuples, UDTs) are `FeatureUnsupported` as clustering columns.
 */
import { DatamoveError } from '../../core/index.js';
import type { CqlType } from '../../reader/index.js';
import {
  EXCL_END_BOUND,
  EXCL_END_INCL_START_BOUNDARY,
  EXCL_START_BOUND,
  INCL_END_BOUND,
  INCL_END_EXCL_START_BOUNDARY,
  INCL_START_BOUND,
} from '../../reader/index.js';

export const STATIC_KEY = new Uint8Array([0x00]);
const ROW_END = 0x38;
const BEFORE = 0x20;
const AFTER = 0x60;
const VALUE = 0x40;
const NULL = 0x3e;

type Encoder = (v: Uint8Array, out: number[]) => void;

function signedFixed(width: number): Encoder {
  return (v, out) => {
    if (v.length === 0) return void out.push(0x00);
    if (v.length !== width) throw new Error(`expected ${width} bytes, got ${v.length}`);
    out.push(0x01, v[0]! ^ 0x80);
    for (let i = 1; i < width; i++) out.push(v[i]!);
  };
}

function unsignedFixed(v: Uint8Array, out: number[]): void {
  if (v.length === 0) return void out.push(0x00);
  out.push(0x01);
  for (const b of v) out.push(b);
}

function ieee(v: Uint8Array, out: number[]): void {
  if (v.length === 0) return void out.push(0x00);
  out.push(0x01);
  const negative = (v[0]! & 0x80) !== 0;
  out.push(negative ? ~v[0]! & 0xff : v[0]! ^ 0x80);
  for (let i = 1; i < v.length; i++) out.push(negative ? ~v[i]! & 0xff : v[i]!);
}

function variable(v: Uint8Array, out: number[]): void {
  for (const b of v) {
    out.push(b);
    if (b === 0) out.push(0xff);
  }
  out.push(0x00);
}

/** TimeUUIDType: the 60-bit time (hi, mid, low), then the low 64 bits compared as signed bytes. */
function timeuuid(v: Uint8Array, out: number[]): void {
  if (v.length === 0) return void out.push(0x00);
  if (v.length !== 16) throw new Error(`expected 16 bytes, got ${v.length}`);
  out.push(0x01, v[6]! & 0x0f, v[7]!, v[4]!, v[5]!, v[0]!, v[1]!, v[2]!, v[3]!);
  for (let i = 8; i < 16; i++) out.push(v[i]! ^ 0x80);
}

function encoderFor(t: CqlType, column: string): Encoder {
  if (t.kind === 'reversed') {
    const inner = encoderFor(t.inner, column);
    return (v, out) => {
      const start = out.length;
      inner(v, out);
      for (let i = start; i < out.length; i++) out[i] = ~out[i]! & 0xff;
    };
  }
  if (t.kind === 'native') {
    switch (t.name) {
      case 'int':
        return signedFixed(4);
      case 'bigint':
      case 'counter':
      case 'timestamp':
      case 'time':
        return signedFixed(8);
      case 'smallint':
        return signedFixed(2);
      case 'tinyint':
        return signedFixed(1);
      case 'boolean':
      case 'date':
        return unsignedFixed;
      case 'float':
      case 'double':
        return ieee;
      case 'text':
      case 'ascii':
      case 'blob':
      case 'inet':
      case 'empty':
        return variable;
      case 'timeuuid':
        return timeuuid;
      default:
        break;
    }
  }
  throw new DatamoveError(
    'FeatureUnsupported',
    `legacy: clustering column ${column} of type ${t.kind === 'native' ? t.name : t.kind} has no byte order in the legacy path`,
    { context: { column } },
  );
}

/** Encodes clusterings, bounds and collection paths of one table. */
export class SortKeys {
  private readonly clustering: Encoder[];

  constructor(clustering: readonly { readonly name: string; readonly type: CqlType }[]) {
    this.clustering = clustering.map((c) => encoderFor(c.type, c.name));
  }

  private prefix(values: readonly (Uint8Array | null)[], end: number): Uint8Array {
    const out: number[] = [];
    values.forEach((v, i) => {
      if (v === null) out.push(NULL);
      else {
        out.push(VALUE);
        this.clustering[i]!(v, out);
      }
    });
    out.push(end);
    return Uint8Array.from(out);
  }

  /** A row's clustering. */
  row(values: readonly (Uint8Array | null)[]): Uint8Array {
    return this.prefix(values, ROW_END);
  }

  /** The start of a range tombstone opened by a bound or boundary of this kind. */
  start(values: readonly (Uint8Array | null)[], kind: number): Uint8Array {
    const inclusive = kind === INCL_START_BOUND || kind === EXCL_END_INCL_START_BOUNDARY;
    if (!inclusive && kind !== EXCL_START_BOUND && kind !== INCL_END_EXCL_START_BOUNDARY)
      throw new Error(`bound kind ${kind} opens no range`);
    return this.prefix(values, inclusive ? BEFORE : AFTER);
  }

  /** The end of a range tombstone closed by a bound or boundary of this kind. */
  end(values: readonly (Uint8Array | null)[], kind: number): Uint8Array {
    const inclusive = kind === INCL_END_BOUND || kind === INCL_END_EXCL_START_BOUNDARY;
    if (!inclusive && kind !== EXCL_END_BOUND && kind !== EXCL_END_INCL_START_BOUNDARY)
      throw new Error(`bound kind ${kind} closes no range`);
    return this.prefix(values, inclusive ? AFTER : BEFORE);
  }
}

/**
 * The order key of a multi-cell column's cell path (list: timeuuid; set: the element; map: the key; UDT:
 * the field index), or the raw path when its type has no byte order here.
 */
export function pathKeyEncoder(t: CqlType): (path: Uint8Array) => Uint8Array {
  let inner: CqlType | undefined;
  if (t.kind === 'list') inner = { kind: 'native', name: 'timeuuid' };
  else if (t.kind === 'set') inner = t.element;
  else if (t.kind === 'map') inner = t.key;
  let enc: Encoder | undefined;
  try {
    enc = inner === undefined ? undefined : encoderFor(inner, 'path');
  } catch {
    enc = undefined;
  }
  if (enc === undefined) return (p) => p;
  const e = enc;
  return (p) => {
    const out: number[] = [];
    e(p, out);
    return Uint8Array.from(out);
  };
}

/** Clustering values framed for storage: per value a flag byte (0 null, 1 value), u32 length, bytes. */
export function clusteringFrame(values: readonly (Uint8Array | null)[]): Uint8Array {
  let n = 0;
  for (const v of values) n += 5 + (v?.length ?? 0);
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const v of values) {
    out[at] = v === null ? 0 : 1;
    view.setUint32(at + 1, v?.length ?? 0);
    at += 5;
    if (v !== null) {
      out.set(v, at);
      at += v.length;
    }
  }
  return out;
}

export function clusteringUnframe(b: Uint8Array): (Uint8Array | null)[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: (Uint8Array | null)[] = [];
  let at = 0;
  while (at < b.length) {
    const present = b[at] === 1;
    const len = view.getUint32(at + 1);
    at += 5;
    out.push(present ? b.subarray(at, at + len) : null);
    at += len;
  }
  return out;
}
