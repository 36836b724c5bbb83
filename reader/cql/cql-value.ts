/**
 * Decoding serialized CQL values (cell values, clustering and key components) into JSON-ready JS values,
 * following the "JSON value conventions" of the conformance corpus (shared/corpus/README.md). Layouts
 * follow serializers/*Serializer.java in apache/cassandra: fixed-width big-endian numbers, DecimalSerializer
 * (int32 scale + two's-complement unscaled), IntegerSerializer (two's complement), SimpleDateSerializer
 * (uint32 days, 2^31 = epoch), TimeSerializer (int64 nanos), DurationSerializer (three zigzag vints),
 * CollectionSerializer with protocol v3+ framing (int32 count, int32-length-prefixed elements, -1 = null),
 * TupleType/UserType (int32-length-prefixed fields, missing trailing fields = null), VectorType (fixed-size
 * elements concatenated, or unsigned-vint-length-prefixed elements), counters via CounterContext.java.
 */

import { DatamoveError } from '../../core/index.js';
import {
  readFloat32,
  readFloat64,
  readInt16,
  readInt32,
  readInt64Big,
  readInt64Safe,
  readUint16,
  readUint32,
  toHex,
} from './binary.js';
import { counterContextTotal, counterContextTotalNumber } from './counter-context.js';
import type { CqlType, NativeTypeName } from './cql-type.js';
import { cqlValueFixedLength } from './fixed-length.js';
import {
  formatDuration,
  formatEpochDay,
  formatTimeNanos,
  formatTimestampMillis,
  formatTimestampMillisBig,
} from './temporal-text.js';
import { readUnsignedVInt, readVIntBig } from './vint.js';

/** A JSON value: what the decoders return and what expected rows in the corpus contain. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One cell of a non-frozen collection or UDT: its cell path and its value. */
export interface ComplexCell {
  readonly path: Uint8Array;
  readonly value: Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

const BIG_TWO_53 = 2n ** 53n;
const NANOS_PER_DAY = 86_400_000_000_000;

function invalid(
  what: string,
  context: Record<string, string | number | boolean | undefined> = {},
): DatamoveError {
  return new DatamoveError('DataInvalid', `cql: ${what}`, { context });
}

function expectLength(type: string, b: Uint8Array, n: number): void {
  if (b.length !== n) {
    throw invalid(`${type} value must be ${n} bytes, got ${b.length}`, { type, length: b.length });
  }
}

/** UTF-8 text, with a fast path for short ASCII strings (most keys and small text cells). */
export function decodeUtf8(b: Uint8Array): string {
  const n = b.length;
  if (n > 24) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

function bigToJson(v: bigint): number | string {
  return v >= -BIG_TWO_53 && v <= BIG_TWO_53 ? Number(v) : v.toString();
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** Shortest decimal that round-trips to the same float32 (7.62, not 7.619999885559082). */
export function float32ToShortestNumber(f: number): number {
  if (f === 0 || !Number.isFinite(f)) return f;
  if (Number.isInteger(f) && Math.abs(f) <= 16_777_216) return f;
  // Binary search on the number of significant digits: 9 always round-trips a float32, and if the
  // nearest p-digit decimal round-trips so (almost always) does the nearest (p+1)-digit one.
  let lo = 1;
  let hi = 9;
  let best: number | undefined;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = Number(f.toPrecision(mid));
    if (Math.fround(v) === f) {
      best = v;
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return best ?? Number(f.toPrecision(9));
}

/** Two's-complement big-endian integer of any length, as a number when |v| <= 2^53, else a string. */
export function varintToJson(b: Uint8Array): number | string {
  const n = b.length;
  if (n === 0) throw invalid('varint value is empty');
  if (n <= 6) {
    let v = (b[0]! << 24) >> 24;
    for (let i = 1; i < n; i++) v = v * 256 + b[i]!;
    return v;
  }
  return bigToJson(varintToBigInt(b));
}

/** Two's-complement big-endian integer of any length as a bigint. */
export function varintToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt.asIntN(b.length * 8, BigInt(`0x${toHex(b)}`));
}

/** Sign and decimal digits of the magnitude of a two's-complement integer. */
function varintDigits(b: Uint8Array): { negative: boolean; digits: string } {
  if (b.length <= 6) {
    const v = varintToJson(b) as number;
    return { negative: v < 0, digits: String(Math.abs(v)) };
  }
  const v = varintToBigInt(b);
  return { negative: v < 0n, digits: (v < 0n ? -v : v).toString() };
}

/**
 * Java `BigDecimal.toString()` of an unscaled value and scale: plain notation when the scale is >= 0
 * and the adjusted exponent is >= -6, otherwise scientific (`1.23E+5`, `1E-7`).
 */
export function formatBigDecimal(negative: boolean, digits: string, scale: number): string {
  const len = digits.length;
  const adjusted = -scale + (len - 1);
  let out: string;
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) out = digits;
    else if (len > scale) out = `${digits.substring(0, len - scale)}.${digits.substring(len - scale)}`;
    else out = `0.${'0'.repeat(scale - len)}${digits}`;
  } else {
    out = len > 1 ? `${digits.charAt(0)}.${digits.substring(1)}` : digits;
    if (adjusted !== 0) out += `E${adjusted > 0 ? '+' : ''}${adjusted}`;
  }
  return negative ? `-${out}` : out;
}

/** `decimal` value (int32 scale, then the unscaled two's-complement integer) as Java prints it. */
export function decimalToString(b: Uint8Array): string {
  if (b.length < 5)
    throw invalid(`decimal value must be at least 5 bytes, got ${b.length}`, { length: b.length });
  const scale = readInt32(b, 0);
  const { negative, digits } = varintDigits(b.subarray(4));
  return formatBigDecimal(negative, digits, scale);
}

/** Canonical lowercase UUID text of 16 bytes at `o`. */
export function uuidToString(b: Uint8Array, o = 0): string {
  return `${toHex(b, o, o + 4)}-${toHex(b, o + 4, o + 6)}-${toHex(b, o + 6, o + 8)}-${toHex(b, o + 8, o + 10)}-${toHex(b, o + 10, o + 16)}`;
}

/**
 * Text of an inet address: dotted quad for 4 bytes; RFC 5952 for 16 bytes (lowercase, no leading zeros,
 * the longest run of two or more zero groups as `::`, IPv4-mapped `::ffff:a.b.c.d` in mixed notation).
 */
export function inetToString(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16)
    throw invalid(`inet value must be 4 or 16 bytes, got ${b.length}`, { length: b.length });
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(readUint16(b, i));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Cassandra duration text of a serialized duration (zigzag vints: months, days, nanoseconds). */
export function durationToString(b: Uint8Array): string {
  const months = readVIntBig(b, 0);
  const days = readVIntBig(b, months.next);
  const nanos = readVIntBig(b, days.next);
  if (nanos.next !== b.length) {
    throw invalid(`duration value has ${b.length - nanos.next} trailing bytes`, { length: b.length });
  }
  return formatDuration(months.value, days.value, nanos.value);
}

function int64ToJson(b: Uint8Array): number | string {
  const v = readInt64Safe(b, 0);
  return v !== undefined ? v : readInt64Big(b, 0).toString();
}

function decodeNative(name: NativeTypeName, b: Uint8Array): JsonValue {
  switch (name) {
    case 'text':
    case 'ascii':
      return decodeUtf8(b);
    case 'blob':
      return `0x${toHex(b)}`;
    default:
      break;
  }
  if (b.length === 0) return null;
  switch (name) {
    case 'int':
      expectLength(name, b, 4);
      return readInt32(b, 0);
    case 'smallint':
      expectLength(name, b, 2);
      return readInt16(b, 0);
    case 'tinyint':
      expectLength(name, b, 1);
      return (b[0]! << 24) >> 24;
    case 'bigint':
      expectLength(name, b, 8);
      return int64ToJson(b);
    case 'counter': {
      const n = counterContextTotalNumber(b);
      return n !== undefined ? n : bigToJson(counterContextTotal(b));
    }
    case 'varint':
      return varintToJson(b);
    case 'float': {
      expectLength(name, b, 4);
      const f = readFloat32(b, 0);
      return Number.isFinite(f) ? float32ToShortestNumber(f) : nonFinite(f);
    }
    case 'double': {
      expectLength(name, b, 8);
      const d = readFloat64(b, 0);
      return Number.isFinite(d) ? d : nonFinite(d);
    }
    case 'decimal':
      return decimalToString(b);
    case 'boolean':
      expectLength(name, b, 1);
      return b[0] !== 0;
    case 'uuid':
    case 'timeuuid':
      expectLength(name, b, 16);
      return uuidToString(b, 0);
    case 'timestamp': {
      expectLength(name, b, 8);
      const ms = readInt64Safe(b, 0);
      return ms !== undefined ? formatTimestampMillis(ms) : formatTimestampMillisBig(readInt64Big(b, 0));
    }
    case 'date':
      expectLength(name, b, 4);
      return formatEpochDay(readUint32(b, 0) - 2 ** 31);
    case 'time': {
      expectLength(name, b, 8);
      const ns = readInt64Safe(b, 0);
      if (ns === undefined || ns < 0 || ns >= NANOS_PER_DAY) {
        throw invalid(`time value ${readInt64Big(b, 0)} is outside 0..86399999999999 ns`);
      }
      return formatTimeNanos(ns);
    }
    case 'duration':
      return durationToString(b);
    case 'inet':
      return inetToString(b);
    case 'empty':
      return null;
  }
}

/** JSON object key of a decoded map key: strings as they are, anything else as its JSON text. */
export function jsonKey(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

function setKey(obj: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Reads an int32 length-prefixed element at `o`; returns [value or null, next offset]. */
function readElement(b: Uint8Array, o: number, what: string): [Uint8Array | null, number] {
  if (o + 4 > b.length) throw invalid(`${what} truncated at offset ${o} of ${b.length}`, { offset: o });
  const len = readInt32(b, o);
  o += 4;
  if (len < 0) return [null, o];
  if (o + len > b.length) {
    throw invalid(`${what} element of ${len} bytes at offset ${o} overruns the ${b.length}-byte value`, {
      offset: o,
      length: len,
    });
  }
  return [b.subarray(o, o + len), o + len];
}

function readCount(b: Uint8Array, what: string): number {
  if (b.length < 4) throw invalid(`${what} value of ${b.length} bytes has no element count`);
  const count = readInt32(b, 0);
  if (count < 0) throw invalid(`${what} has negative element count ${count}`);
  return count;
}

function decodeListOrSet(element: CqlType, b: Uint8Array): JsonValue[] {
  const count = readCount(b, 'collection');
  const out: JsonValue[] = new Array(count);
  let o = 4;
  for (let i = 0; i < count; i++) {
    const [v, next] = readElement(b, o, 'collection');
    out[i] = v === null ? null : cqlValueToJson(element, v);
    o = next;
  }
  return out;
}

function decodeMap(key: CqlType, value: CqlType, b: Uint8Array): { [key: string]: JsonValue } {
  const count = readCount(b, 'map');
  const out: { [key: string]: JsonValue } = {};
  let o = 4;
  for (let i = 0; i < count; i++) {
    const [k, afterKey] = readElement(b, o, 'map');
    const [v, afterValue] = readElement(b, afterKey, 'map');
    setKey(
      out,
      jsonKey(k === null ? null : cqlValueToJson(key, k)),
      v === null ? null : cqlValueToJson(value, v),
    );
    o = afterValue;
  }
  return out;
}

function decodeFields(types: readonly CqlType[], b: Uint8Array, what: string): JsonValue[] {
  const out: JsonValue[] = new Array(types.length).fill(null);
  let o = 0;
  for (let i = 0; i < types.length && o < b.length; i++) {
    const [v, next] = readElement(b, o, what);
    out[i] = v === null ? null : cqlValueToJson(types[i]!, v);
    o = next;
  }
  if (o < b.length)
    throw invalid(`${what} value has ${b.length - o} bytes beyond its ${types.length} fields`);
  return out;
}

function decodeVector(element: CqlType, dimension: number, b: Uint8Array): JsonValue[] {
  const out: JsonValue[] = new Array(dimension);
  const fixed = cqlValueFixedLength(element);
  if (fixed >= 0) {
    if (b.length !== fixed * dimension) {
      throw invalid(
        `vector of ${dimension} x ${fixed}-byte elements must be ${fixed * dimension} bytes, got ${b.length}`,
      );
    }
    for (let i = 0; i < dimension; i++)
      out[i] = cqlValueToJson(element, b.subarray(i * fixed, (i + 1) * fixed));
    return out;
  }
  let o = 0;
  for (let i = 0; i < dimension; i++) {
    const len = readUnsignedVInt(b, o);
    const end = len.next + len.value;
    if (end > b.length)
      throw invalid(`vector element ${i} overruns the ${b.length}-byte value`, { offset: o });
    out[i] = cqlValueToJson(element, b.subarray(len.next, end));
    o = end;
  }
  if (o !== b.length) throw invalid(`vector value has ${b.length - o} trailing bytes`);
  return out;
}

/**
 * Decodes one whole serialized value of type `t` (a single-cell value, a frozen collection/UDT/tuple, a
 * clustering or partition-key component) to JSON. Empty bytes are `null` except for text, ascii, blob
 * and custom types. `bytes` may be any subarray; it is not retained except by `custom`/`blob` hex text.
 */
export function cqlValueToJson(t: CqlType, bytes: Uint8Array): JsonValue {
  switch (t.kind) {
    case 'native':
      return decodeNative(t.name, bytes);
    case 'reversed':
      return cqlValueToJson(t.inner, bytes);
    case 'custom':
      return `0x${toHex(bytes)}`;
    default:
      break;
  }
  if (bytes.length === 0) return null;
  switch (t.kind) {
    case 'list':
    case 'set':
      return decodeListOrSet(t.element, bytes);
    case 'map':
      return decodeMap(t.key, t.value, bytes);
    case 'tuple':
      return decodeFields(t.elements, bytes, 'tuple');
    case 'udt': {
      const values = decodeFields(t.fieldTypes, bytes, 'user type');
      const out: { [key: string]: JsonValue } = {};
      for (let i = 0; i < values.length; i++) setKey(out, t.fieldNames[i]!, values[i]!);
      return out;
    }
    case 'vector':
      return decodeVector(t.element, t.dimension, bytes);
    case 'composite': {
      const out: JsonValue[] = [];
      let o = 0;
      let i = 0;
      while (o < bytes.length) {
        if (o + 2 > bytes.length) throw invalid(`composite value truncated at offset ${o}`);
        const len = readUint16(bytes, o);
        const end = o + 2 + len;
        if (end + 1 > bytes.length)
          throw invalid(`composite component ${i} overruns the ${bytes.length}-byte value`);
        const type = t.components[i] ?? { kind: 'custom', className: 'BytesType' };
        out.push(cqlValueToJson(type, bytes.subarray(o + 2, end)));
        o = end + 1;
        i++;
      }
      return out;
    }
  }
}

/**
 * Builds the JSON value of a non-frozen (multi-cell) collection or UDT from its cells, given in cell-path
 * order: list → values in order (paths are timeuuids), set → the path values, map → object of path key
 * → value, UDT → object by field name where the path is the field index as a big-endian 16-bit integer
 * (fields without a cell are null; cells for unknown field indexes are ignored). No cells → `null` (an
 * empty non-frozen collection is null in CQL).
 */
export function cqlMultiCellToJson(t: CqlType, cells: ReadonlyArray<ComplexCell>): JsonValue {
  if (t.kind === 'reversed') return cqlMultiCellToJson(t.inner, cells);
  if (cells.length === 0) return null;
  switch (t.kind) {
    case 'list':
      return cells.map((c) => cqlValueToJson(t.element, c.value));
    case 'set':
      return cells.map((c) => cqlValueToJson(t.element, c.path));
    case 'map': {
      const out: { [key: string]: JsonValue } = {};
      for (const c of cells)
        setKey(out, jsonKey(cqlValueToJson(t.key, c.path)), cqlValueToJson(t.value, c.value));
      return out;
    }
    case 'udt': {
      const out: { [key: string]: JsonValue } = {};
      for (const name of t.fieldNames) setKey(out, name, null);
      for (const c of cells) {
        if (c.path.length !== 2) throw invalid(`user type cell path must be 2 bytes, got ${c.path.length}`);
        const i = readUint16(c.path, 0);
        if (i < t.fieldNames.length) setKey(out, t.fieldNames[i]!, cqlValueToJson(t.fieldTypes[i]!, c.value));
      }
      return out;
    }
    default:
      throw new DatamoveError(
        'InvalidArgument',
        `cql: multi-cell decoding needs a collection or user type, got ${t.kind}`,
        {
          context: { kind: t.kind },
        },
      );
  }
}
