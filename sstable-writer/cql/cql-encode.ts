/**
 * Encoding JSON values (the "JSON value conventions" of shared/corpus/README.md, as `cqlValueToJson` and
 * `cqlMultiCellToJson` produce them) back into serialized CQL values: the exact inverse of cql-value.ts,
 * for the synthetic data generator and the restore-to-SSTables path. Layouts follow
 * serializers/*Serializer.java in apache/cassandra: fixed-width big-endian numbers, IntegerSerializer
 * (minimal two's complement, as `BigInteger.toByteArray`), DecimalSerializer (int32 scale + minimal
 * unscaled, as `new BigDecimal(String)` parses the text), SimpleDateSerializer, TimeSerializer,
 * DurationSerializer (three zigzag vints), CollectionSerializer (protocol v3+ framing), TupleType/UserType
 * (`buildValue`: int32-length-prefixed fields, -1 = null), VectorType, CounterContext (one global shard),
 * and the cells of non-frozen collections and UDTs (ListType paths are timeuuids, SetType/MapType paths
 * are the elements/keys, UserType paths the 16-bit field index).
 *
 * Per-cell hot path: fixed-width values are written straight into right-sized arrays, integers without
 * intermediate strings and without bigint unless they are beyond 2^53; the canonical timestamp, date and
 * time texts are parsed without regexes; collections, tuples, UDTs and vectors are written into one
 * reused module-level buffer and copied out once (sets and maps already in order are not re-sorted);
 * results over 64 bytes are views into Node's Buffer pool rather than fresh backing stores.
 */

import { Buffer } from 'node:buffer';
import { DatamoveError } from '../../core/index.js';
import type { ComplexCell, CqlType, JsonValue, NativeTypeName } from '../../reader/index.js';
import { cqlCompare, cqlTypeToCql, cqlValueFixedLength, encodeVInt, readInt32 } from '../../reader/index.js';

/** Options of {@link cqlValueFromJson}. */
export interface CqlEncodeOptions {
  /**
   * The 16-byte counter id of the single global shard of an encoded counter context. Default
   * {@link DEFAULT_COUNTER_ID}.
   */
  readonly counterId?: Uint8Array;
}

/** Options of {@link cqlMultiCellFromJson}. */
export interface CqlMultiCellEncodeOptions {
  /**
   * The cell path (a 16-byte timeuuid) of list element `index`. Paths must ascend with the index under
   * TimeUUIDType order. Default {@link cqlListCellPath}.
   */
  readonly listTimeuuid?: (index: number) => Uint8Array;
}

const TWO_32 = 4294967296;
const TWO_63 = 2n ** 63n;
const NANOS_PER_DAY = 86_400_000_000_000;
const MS_PER_DAY = 86_400_000;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const EMPTY = new Uint8Array(0);

const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchView = new DataView(scratch);

const textEncoder = new TextEncoder();

/** V8 keeps typed arrays of up to 64 bytes on the heap; larger ones each get their own backing store. */
const ON_HEAP_MAX = 64;

/**
 * A result array of `n` bytes (contents unspecified). Beyond {@link ON_HEAP_MAX} it is a plain
 * `Uint8Array` view into Node's Buffer pool, several times cheaper than a fresh backing store per value.
 */
function allocValue(n: number): Uint8Array {
  if (n <= ON_HEAP_MAX) return new Uint8Array(n);
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** A copy of `src[0, n)` as a result array. */
function copyValue(src: Uint8Array, n: number): Uint8Array {
  const out = allocValue(n);
  if (n <= ON_HEAP_MAX) for (let i = 0; i < n; i++) out[i] = src[i]!;
  else out.set(src.subarray(0, n));
  return out;
}

/** Hex digit value of a char code, or -1. */
const NIBBLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

function nibble(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? NIBBLE[c]! : -1;
}

// ---------------------------------------------------------------------------------------------------
// Errors

function preview(v: unknown): string {
  let s: string;
  if (v === undefined) s = 'undefined';
  else if (typeof v === 'number') s = String(v);
  else if (typeof v === 'bigint') s = `${v}n`;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 80 ? `${s.substring(0, 77)}...` : s;
}

function typeText(t: CqlType): string {
  try {
    return cqlTypeToCql(t);
  } catch {
    return t.kind;
  }
}

/** `InvalidArgument` for a JSON value that does not fit the type. */
function bad(t: CqlType, v: unknown, why: string): DatamoveError {
  const type = typeText(t);
  const value = preview(v);
  return new DatamoveError('InvalidArgument', `cql: cannot encode ${value} as ${type}: ${why}`, {
    context: { type, value },
  });
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function wrongKind(t: CqlType, v: unknown, expected: string): DatamoveError {
  return bad(t, v, `expected ${expected}, got ${kindOf(v)}`);
}

// ---------------------------------------------------------------------------------------------------
// Fixed-width writers

function putInt32(out: Uint8Array, o: number, x: number): void {
  out[o] = x >>> 24;
  out[o + 1] = x >>> 16;
  out[o + 2] = x >>> 8;
  out[o + 3] = x;
}

/** Writes a signed 64-bit integer given as a safe-integer number or an in-range bigint. */
function putInt64(out: Uint8Array, o: number, x: number | bigint): void {
  if (typeof x === 'number') {
    const hi = Math.floor(x / TWO_32);
    putInt32(out, o, hi);
    putInt32(out, o + 4, x - hi * TWO_32);
  } else {
    putInt32(out, o, Number(BigInt.asIntN(32, x >> 32n)));
    putInt32(out, o + 4, Number(x & 0xffffffffn));
  }
}

// ---------------------------------------------------------------------------------------------------
// Unsigned vints (VIntCoding) of numbers up to 2^56, without bigint

function unsignedVIntSize(u: number): number {
  let size = 1;
  let limit = 128;
  while (size < 9 && u >= limit) {
    size++;
    limit *= 128;
  }
  return size;
}

function putUnsignedVInt(out: Uint8Array, o: number, u: number, size: number): void {
  const extra = size - 1;
  for (let i = extra; i >= 1; i--) {
    out[o + i] = u % 256;
    u = Math.floor(u / 256);
  }
  out[o] = ((0xff << (8 - extra)) & 0xff) | u;
}

/** Zigzag of a safe integer (exact: |2v| <= 2^54). */
function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

// ---------------------------------------------------------------------------------------------------
// Integers

function intInRange(t: CqlType, v: JsonValue, min: number, max: number): number {
  if (typeof v !== 'number') throw wrongKind(t, v, 'a number');
  if (!Number.isInteger(v)) throw bad(t, v, 'not an integer');
  if (v < min || v > max) throw bad(t, v, `out of range ${min}..${max}`);
  return v;
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/** A whole number of any size from a JSON number or a decimal string: a safe number or a bigint. */
function toInteger(t: CqlType, v: JsonValue): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw bad(t, v, Number.isFinite(v) ? 'not an integer' : 'not finite');
    return Number.isSafeInteger(v) ? v : BigInt(v);
  }
  if (typeof v === 'string') {
    if (!INTEGER_TEXT.test(v)) throw bad(t, v, 'not a decimal integer');
    if (v.length <= 16) {
      const n = Number(v);
      if (Number.isSafeInteger(n)) return n;
    }
    return BigInt(v);
  }
  throw wrongKind(t, v, 'a number or a decimal integer string');
}

function toInt64(t: CqlType, v: JsonValue): number | bigint {
  const x = toInteger(t, v);
  if (typeof x === 'bigint' && (x < -TWO_63 || x >= TWO_63)) {
    throw bad(t, v, 'out of the signed 64-bit range');
  }
  return x;
}

/** Minimal two's-complement byte length of a safe integer. */
function varintSizeNumber(x: number): number {
  let m = x >= 0 ? x : -x - 1;
  let size = 1;
  while (m >= 128) {
    m = Math.floor(m / 256);
    size++;
  }
  return size;
}

function putVarintNumber(out: Uint8Array, o: number, x: number, size: number): void {
  const neg = x < 0;
  let m = neg ? -x - 1 : x;
  for (let i = o + size - 1; i >= o; i--) {
    const b = m % 256;
    out[i] = neg ? b ^ 0xff : b;
    m = Math.floor(m / 256);
  }
}

/** Minimal two's complement of `x` (BigInteger.toByteArray), after `prefix` zero bytes. */
function varintBytes(x: number | bigint, prefix: number): Uint8Array {
  if (typeof x === 'number') {
    const size = varintSizeNumber(x);
    const out = allocValue(prefix + size);
    out.fill(0, 0, prefix);
    putVarintNumber(out, prefix, x, size);
    return out;
  }
  const neg = x < 0n;
  const m = neg ? -x - 1n : x;
  const hex = m.toString(16);
  const bits = m === 0n ? 0 : (hex.length - 1) * 4 + (32 - Math.clz32(nibble(hex, 0)));
  const size = (bits >> 3) + 1;
  const out = allocValue(prefix + size);
  out.fill(0, 0, prefix);
  let j = hex.length;
  for (let i = prefix + size - 1; i >= prefix; i--) {
    let b = 0;
    if (j >= 2) {
      b = nibble(hex, j - 2) * 16 + nibble(hex, j - 1);
      j -= 2;
    } else if (j === 1) {
      b = nibble(hex, 0);
      j = 0;
    }
    out[i] = neg ? b ^ 0xff : b;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Decimal

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `new BigDecimal(text)`: int32 scale, then the minimal two's-complement unscaled value. */
function encodeDecimal(t: CqlType, v: JsonValue): Uint8Array {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else throw wrongKind(t, v, 'a decimal string');
  const m = DECIMAL_TEXT.exec(s);
  const intPart = m?.[2] ?? '';
  const fracPart = m?.[3] ?? '';
  if (m === null || intPart.length + fracPart.length === 0) throw bad(t, v, 'not a decimal number');
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  const scale = fracPart.length - exponent;
  if (!Number.isInteger(scale) || scale < INT32_MIN || scale > INT32_MAX) {
    throw bad(t, v, 'scale out of the 32-bit range');
  }
  let digits = fracPart.length === 0 ? intPart : intPart + fracPart;
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 48) z++;
  if (z > 0) digits = digits.substring(z);
  let unscaled: number | bigint = digits.length <= 15 ? Number(digits) : BigInt(digits);
  if (m[1] === '-') unscaled = -unscaled;
  const out = varintBytes(unscaled === 0 ? 0 : unscaled, 4);
  putInt32(out, 0, scale);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Temporal values

/** Days since 1970-01-01 of a proleptic Gregorian date (inverse of temporal-text's days-to-civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Epoch day of year/month/day texts, or undefined when the date does not exist. */
function epochDay(sign: string, year: string, month: string, day: string): number | undefined {
  if (year.length > 10) return undefined;
  const y = sign === '-' ? -Number(year) : Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

const DATE_TEXT = /^([+-]?)(\d{4,})-(\d{2})-(\d{2})$/;

/** The number of `count` decimal digits at `s[from]`, or -1 when any is not a digit. */
function digitsAt(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch day of a 4-digit-year `YYYY-MM-DD` at the start of `s` (the decoder's form for years 0-9999)
 * without a regex; undefined when `s` does not start so or the date does not exist.
 */
function fastEpochDay(s: string): number | undefined {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(s, 0, 4);
  const m = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

/** The serialized date (uint32 days, 2^31 = 1970-01-01) of `YYYY-MM-DD` text. */
function dateValue(t: CqlType, v: JsonValue): number {
  if (typeof v !== 'string') throw wrongKind(t, v, 'a "YYYY-MM-DD" string');
  if (v.length === 10) {
    const fast = fastEpochDay(v);
    if (fast !== undefined) return fast + 2 ** 31;
  }
  const m = DATE_TEXT.exec(v);
  if (m === null) throw bad(t, v, 'not a YYYY-MM-DD date');
  const day = epochDay(m[1]!, m[2]!, m[3]!, m[4]!);
  if (day === undefined) throw bad(t, v, 'no such date');
  if (day < INT32_MIN || day > INT32_MAX) throw bad(t, v, 'out of the date range');
  return day + 2 ** 31;
}

const TIME_TEXT = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Nanoseconds of a 1-9 digit fraction of a second. */
function fractionNanos(f: string | undefined): number {
  if (f === undefined) return 0;
  return Number(f) * 10 ** (9 - f.length);
}

/** Nanoseconds since midnight of `HH:MM:SS[.fffffffff]` text (or a number of nanoseconds). */
function timeNanos(t: CqlType, v: JsonValue): number {
  if (typeof v === 'number') return intInRange(t, v, 0, NANOS_PER_DAY - 1);
  if (typeof v === 'string') {
    // Fast path: the decoder's HH:MM:SS.nnnnnnnnn.
    if (v.length === 18 && v.charCodeAt(2) === 58 && v.charCodeAt(5) === 58 && v.charCodeAt(8) === 46) {
      const h = digitsAt(v, 0, 2);
      const mi = digitsAt(v, 3, 2);
      const s = digitsAt(v, 6, 2);
      const f = digitsAt(v, 9, 9);
      if (h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && f >= 0) {
        return ((h * 60 + mi) * 60 + s) * 1e9 + f;
      }
    }
    const m = TIME_TEXT.exec(v);
    if (m === null) throw bad(t, v, 'not a HH:MM:SS.nnnnnnnnn time');
    const h = Number(m[1]);
    const mi = Number(m[2]);
    const s = Number(m[3]);
    if (h > 23 || mi > 59 || s > 59) throw bad(t, v, 'no such time of day');
    return ((h * 60 + mi) * 60 + s) * 1e9 + fractionNanos(m[4]);
  }
  throw wrongKind(t, v, 'a "HH:MM:SS.nnnnnnnnn" string');
}

const TIMESTAMP_TEXT =
  /^([+-]?)(\d{4,})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)? ?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch of ISO-8601 text (zone `Z`, `±HH`, `±HHMM`, `±HH:MM`; none = UTC). */
function timestampMillis(t: CqlType, v: JsonValue): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw bad(t, v, 'milliseconds must be an integer');
    return Number.isSafeInteger(v) ? v : toInt64(t, v);
  }
  if (typeof v !== 'string') throw wrongKind(t, v, 'an ISO-8601 string or a number of milliseconds');
  // Fast path: the decoder's YYYY-MM-DDTHH:MM:SS.sssZ for years 0000-9999.
  if (
    v.length === 24 &&
    v.charCodeAt(10) === 84 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    v.charCodeAt(19) === 46 &&
    v.charCodeAt(23) === 90
  ) {
    const day = fastEpochDay(v);
    const h = digitsAt(v, 11, 2);
    const mi = digitsAt(v, 14, 2);
    const s = digitsAt(v, 17, 2);
    const ms = digitsAt(v, 20, 3);
    if (day !== undefined && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59 && ms >= 0) {
      return day * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms;
    }
  }
  const m = TIMESTAMP_TEXT.exec(v);
  if (m === null) throw bad(t, v, 'not an ISO-8601 timestamp');
  const day = epochDay(m[1]!, m[2]!, m[3]!, m[4]!);
  if (day === undefined) throw bad(t, v, 'no such date');
  const h = m[5] === undefined ? 0 : Number(m[5]);
  const mi = m[6] === undefined ? 0 : Number(m[6]);
  const s = m[7] === undefined ? 0 : Number(m[7]);
  if (h > 23 || mi > 59 || s > 59) throw bad(t, v, 'no such time of day');
  let ms = 0;
  const frac = m[8];
  if (frac !== undefined) {
    const nanos = fractionNanos(frac);
    if (nanos % 1_000_000 !== 0) throw bad(t, v, 'timestamps have millisecond precision');
    ms = nanos / 1_000_000;
  }
  let offsetMinutes = 0;
  const zone = m[9];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const zh = Number(zone.substring(1, 3));
    const zm = zone.length > 3 ? Number(zone.substring(zone.length - 2)) : 0;
    if (zh > 18 || zm > 59) throw bad(t, v, 'no such zone offset');
    offsetMinutes = (zone.charCodeAt(0) === 45 ? -1 : 1) * (zh * 60 + zm);
  }
  const msOfDay = ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + ms;
  const total = day * MS_PER_DAY + msOfDay;
  if (Number.isSafeInteger(total)) return total;
  const big = BigInt(day) * BigInt(MS_PER_DAY) + BigInt(msOfDay);
  if (big < -TWO_63 || big >= TWO_63) throw bad(t, v, 'out of the timestamp range');
  return big;
}

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  h: 3_600_000_000_000,
  m: 60_000_000_000,
  s: 1_000_000_000,
  ms: 1_000_000,
  us: 1_000,
  µs: 1_000,
  ns: 1,
};

const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const ISO_WEEKS = /^P(\d+)W$/;

/** Parsed duration: months and days as int32, nanoseconds as a safe number or bigint. */
interface DurationParts {
  months: number;
  days: number;
  nanos: number | bigint;
}

function addNanos(parts: DurationParts, count: string, perUnit: number): void {
  const n = Number(count);
  if (typeof parts.nanos === 'number') {
    const sum = parts.nanos + n * perUnit;
    if (Number.isSafeInteger(sum) && Number.isSafeInteger(n * perUnit)) {
      parts.nanos = sum;
      return;
    }
    parts.nanos = BigInt(parts.nanos);
  }
  parts.nanos += BigInt(count) * BigInt(perUnit);
}

/** Cassandra's Duration.from: `[-]` then `<n><unit>` terms (y mo w d h m s ms us µs ns), or ISO 8601. */
function parseDuration(t: CqlType, v: string): DurationParts {
  const parts: DurationParts = { months: 0, days: 0, nanos: 0 };
  const neg = v.charCodeAt(0) === 45;
  const s = neg ? v.substring(1) : v;
  if (neg && s.length === 0) throw bad(t, v, 'not a duration');
  if (s.charCodeAt(0) === 80 /* P */) {
    const m = ISO_DURATION.exec(s);
    const w = ISO_WEEKS.exec(s);
    if (m !== null && s !== 'P' && !s.endsWith('T')) {
      parts.months = Number(m[1] ?? 0) * 12 + Number(m[2] ?? 0);
      parts.days = Number(m[3] ?? 0);
      if (m[4] !== undefined) addNanos(parts, m[4], NANOS_PER_UNIT.h!);
      if (m[5] !== undefined) addNanos(parts, m[5], NANOS_PER_UNIT.m!);
      if (m[6] !== undefined) addNanos(parts, m[6], NANOS_PER_UNIT.s!);
    } else if (w !== null) {
      parts.days = Number(w[1]) * 7;
    } else {
      throw bad(t, v, 'not a duration');
    }
  } else {
    let i = 0;
    while (i < s.length) {
      const start = i;
      while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      if (i === start) throw bad(t, v, `expected a number at offset ${start + (neg ? 1 : 0)}`);
      const count = s.substring(start, i);
      const unitStart = i;
      while (i < s.length && !(s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57)) i++;
      const unit = s.substring(unitStart, i).toLowerCase();
      if (unit === 'y') parts.months += Number(count) * 12;
      else if (unit === 'mo') parts.months += Number(count);
      else if (unit === 'w') parts.days += Number(count) * 7;
      else if (unit === 'd') parts.days += Number(count);
      else {
        const per = NANOS_PER_UNIT[unit];
        if (per === undefined) throw bad(t, v, `unknown duration unit "${unit}"`);
        addNanos(parts, count, per);
      }
    }
  }
  if (parts.months > INT32_MAX || parts.days > INT32_MAX) throw bad(t, v, 'months or days beyond 32 bits');
  // A negative duration may reach Long.MIN_VALUE nanoseconds, a positive one Long.MAX_VALUE.
  if (typeof parts.nanos === 'bigint' && parts.nanos > (neg ? TWO_63 : TWO_63 - 1n)) {
    throw bad(t, v, 'nanoseconds beyond 64 bits');
  }
  if (neg) {
    parts.months = -parts.months;
    parts.days = -parts.days;
    parts.nanos = -parts.nanos;
  }
  return parts;
}

function encodeDuration(t: CqlType, v: JsonValue): Uint8Array {
  if (typeof v !== 'string') throw wrongKind(t, v, 'a duration string');
  const d = parseDuration(t, v);
  const zm = zigzag(d.months);
  const zd = zigzag(d.days);
  const sm = unsignedVIntSize(zm);
  const sd = unsignedVIntSize(zd);
  if (typeof d.nanos === 'bigint') {
    const nanos = encodeVInt(d.nanos);
    const out = new Uint8Array(sm + sd + nanos.length);
    putUnsignedVInt(out, 0, zm, sm);
    putUnsignedVInt(out, sm, zd, sd);
    out.set(nanos, sm + sd);
    return out;
  }
  const zn = zigzag(d.nanos);
  const sn = unsignedVIntSize(zn);
  const out = new Uint8Array(sm + sd + sn);
  putUnsignedVInt(out, 0, zm, sm);
  putUnsignedVInt(out, sm, zd, sd);
  putUnsignedVInt(out, sm + sd, zn, sn);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// UUIDs, inet, blobs, text

/** Canonical UUID text into `out[o..o+16)`; false when malformed. */
function parseUuid(s: string, out: Uint8Array, o: number): boolean {
  if (s.length !== 36) return false;
  let j = o;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s.charCodeAt(i) !== 45) return false;
      i++;
      continue;
    }
    const hi = nibble(s, i);
    const lo = nibble(s, i + 1);
    if (hi < 0 || lo < 0) return false;
    out[j++] = hi * 16 + lo;
    i += 2;
  }
  return true;
}

function putUuid(t: CqlType, v: JsonValue, timeBased: boolean, out: Uint8Array, o: number): void {
  if (typeof v !== 'string') throw wrongKind(t, v, 'a UUID string');
  if (!parseUuid(v, out, o)) throw bad(t, v, 'not a UUID (8-4-4-4-12 hex digits)');
  if (timeBased && out[o + 6]! >> 4 !== 1) throw bad(t, v, 'not a version 1 (time-based) UUID');
}

/** Dotted quad at `s[from, to)` into `out[o..o+4)`; false when malformed. */
function parseIpv4(s: string, from: number, to: number, out: Uint8Array, o: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[o + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return part === 4;
}

/** IPv6 text (`::` compression, optional trailing dotted quad) into 16 bytes; undefined when malformed. */
function parseIpv6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  const gap = s.indexOf('::');
  if (gap >= 0 && s.indexOf('::', gap + 1) >= 0) return undefined;
  const groups: number[] = [];
  let gapAt = -1;
  const parseRun = (from: number, to: number, last: boolean): boolean => {
    if (from === to) return true;
    let i = from;
    while (i <= to) {
      let j = s.indexOf(':', i);
      if (j < 0 || j > to) j = to;
      if (j === i) return false;
      if (last && j === to && s.indexOf('.', i) >= 0 && s.indexOf('.', i) < to) {
        const b = new Uint8Array(4);
        if (!parseIpv4(s, i, to, b, 0)) return false;
        groups.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
        return true;
      }
      if (j - i > 4) return false;
      let g = 0;
      for (let k = i; k < j; k++) {
        const n = nibble(s, k);
        if (n < 0) return false;
        g = g * 16 + n;
      }
      groups.push(g);
      i = j + 1;
      if (j === to) break;
      if (i === to) return false;
    }
    return true;
  };
  if (gap < 0) {
    if (!parseRun(0, s.length, true) || groups.length !== 8) return undefined;
  } else {
    if (!parseRun(0, gap, false)) return undefined;
    gapAt = groups.length;
    if (!parseRun(gap + 2, s.length, true) || groups.length > 7) return undefined;
  }
  const missing = 8 - groups.length;
  for (let i = 0, o = 0; i < groups.length; i++) {
    if (i === gapAt) o += missing * 2;
    out[o] = groups[i]! >> 8;
    out[o + 1] = groups[i]!;
    o += 2;
  }
  return out;
}

function encodeInet(t: CqlType, v: JsonValue): Uint8Array {
  if (typeof v !== 'string') throw wrongKind(t, v, 'an IP address string');
  if (v.indexOf(':') < 0) {
    const out = new Uint8Array(4);
    if (parseIpv4(v, 0, v.length, out, 0)) return out;
  } else {
    const out = parseIpv6(v);
    if (out !== undefined) return out;
  }
  throw bad(t, v, 'not an IPv4 or IPv6 address');
}

function hexBytes(t: CqlType, v: JsonValue): Uint8Array {
  if (typeof v !== 'string') throw wrongKind(t, v, 'a "0x..." hex string');
  if (v.length < 2 || v.charCodeAt(0) !== 48 || (v.charCodeAt(1) | 0x20) !== 120 || v.length % 2 !== 0) {
    throw bad(t, v, 'not "0x" followed by an even number of hex digits');
  }
  const out = allocValue((v.length - 2) >>> 1);
  for (let i = 0, o = 2; i < out.length; i++, o += 2) {
    const hi = nibble(v, o);
    const lo = nibble(v, o + 1);
    if (hi < 0 || lo < 0) throw bad(t, v, `not a hex digit at offset ${hi < 0 ? o : o + 1}`);
    out[i] = hi * 16 + lo;
  }
  return out;
}

/** UTF-8 bytes: a loop for short ASCII strings, else Node's encoder into the Buffer pool. */
function utf8Bytes(s: string): Uint8Array {
  const n = s.length;
  if (n <= 32) {
    const out = new Uint8Array(n);
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[i++] = c;
    }
    if (i === n) return out;
  }
  const b = Buffer.from(s, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

// ---------------------------------------------------------------------------------------------------
// Counters

/** Node bytes of the UUIDs made here: "datamv". */
const NODE = [0x64, 0x61, 0x74, 0x61, 0x6d, 0x76];

/**
 * The counter id of encoded counter shards unless one is given: the fixed time-based UUID
 * 00000000-0000-1000-8000-646174616d76.
 */
export const DEFAULT_COUNTER_ID: Uint8Array = new Uint8Array([0, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, ...NODE]);

/** Counter context of one global shard (header count 1, entry Short.MIN_VALUE), clock 1. */
function encodeCounter(t: CqlType, v: JsonValue, counterId: Uint8Array): Uint8Array {
  const count = toInt64(t, v);
  if (counterId.length !== 16) {
    throw new DatamoveError('InvalidArgument', `cql: counter id must be 16 bytes, got ${counterId.length}`, {
      context: { length: counterId.length },
    });
  }
  const out = new Uint8Array(36);
  out[1] = 1;
  out[2] = 0x80;
  out.set(counterId, 4);
  out[27] = 1;
  putInt64(out, 28, count);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Native values

function floatValue(t: CqlType, v: JsonValue): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw wrongKind(t, v, 'a number, "NaN", "Infinity" or "-Infinity"');
}

/** IEEE-754 binary32 (rounded as Math.fround) or binary64, big-endian. */
function putFloat(out: Uint8Array, o: number, x: number, width: 4 | 8): void {
  if (width === 4) scratchView.setFloat32(0, x);
  else scratchView.setFloat64(0, x);
  for (let i = 0; i < width; i++) out[o + i] = scratchBytes[i]!;
}

/** Serialized width of the fixed-width native types, -1 for the others. */
function fixedWidth(name: NativeTypeName): number {
  switch (name) {
    case 'boolean':
    case 'tinyint':
      return 1;
    case 'smallint':
      return 2;
    case 'int':
    case 'float':
    case 'date':
      return 4;
    case 'bigint':
    case 'double':
    case 'timestamp':
    case 'time':
      return 8;
    case 'uuid':
    case 'timeuuid':
      return 16;
    default:
      return -1;
  }
}

/** Writes a value of a fixed-width native type (see {@link fixedWidth}) at `out[o]`. */
function putFixedNative(t: CqlType, name: NativeTypeName, v: JsonValue, out: Uint8Array, o: number): void {
  switch (name) {
    case 'boolean':
      if (typeof v !== 'boolean') throw wrongKind(t, v, 'true or false');
      out[o] = v ? 1 : 0;
      return;
    case 'tinyint':
      out[o] = intInRange(t, v, -128, 127);
      return;
    case 'smallint': {
      const x = intInRange(t, v, -32768, 32767);
      out[o] = x >> 8;
      out[o + 1] = x;
      return;
    }
    case 'int':
      putInt32(out, o, intInRange(t, v, INT32_MIN, INT32_MAX));
      return;
    case 'bigint':
      putInt64(out, o, toInt64(t, v));
      return;
    case 'float':
      putFloat(out, o, floatValue(t, v), 4);
      return;
    case 'double':
      putFloat(out, o, floatValue(t, v), 8);
      return;
    case 'uuid':
      putUuid(t, v, false, out, o);
      return;
    case 'timeuuid':
      putUuid(t, v, true, out, o);
      return;
    case 'timestamp':
      putInt64(out, o, timestampMillis(t, v));
      return;
    case 'date':
      putInt32(out, o, dateValue(t, v));
      return;
    case 'time':
      putInt64(out, o, timeNanos(t, v));
      return;
    default:
      throw new Error(`${name} is not a fixed-width type`);
  }
}

function asciiBytes(t: CqlType, v: string, out: Uint8Array, o: number): void {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80) throw bad(t, v, `non-ASCII character at offset ${i}`);
    out[o + i] = c;
  }
}

function nullWholeValue(t: CqlType, v: JsonValue): DatamoveError {
  return bad(t, v, 'null is not a value (a null is an absent cell)');
}

/** A native value as a right-sized array. */
function encodeNative(t: CqlType, name: NativeTypeName, v: JsonValue, counterId: Uint8Array): Uint8Array {
  if (v === null) {
    if (name === 'empty') return EMPTY;
    throw nullWholeValue(t, v);
  }
  const width = fixedWidth(name);
  if (width > 0) {
    const out = new Uint8Array(width);
    putFixedNative(t, name, v, out, 0);
    return out;
  }
  switch (name) {
    case 'text':
      if (typeof v !== 'string') throw wrongKind(t, v, 'a string');
      return utf8Bytes(v);
    case 'ascii': {
      if (typeof v !== 'string') throw wrongKind(t, v, 'a string');
      const out = allocValue(v.length);
      asciiBytes(t, v, out, 0);
      return out;
    }
    case 'blob':
      return hexBytes(t, v);
    case 'counter':
      return encodeCounter(t, v, counterId);
    case 'varint':
      return varintBytes(toInteger(t, v), 0);
    case 'decimal':
      return encodeDecimal(t, v);
    case 'duration':
      return encodeDuration(t, v);
    case 'inet':
      return encodeInet(t, v);
    case 'empty':
      throw bad(t, v, 'the empty type has only the value null');
    default:
      throw new Error(`unhandled native type ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Collections, tuples, UDTs, vectors

const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The JSON value of a map key from its JSON object key: the inverse of `jsonKey` for the key type.
 * Strings that do not parse are returned as they are, so the encoder reports them against the type.
 */
export function cqlKeyFromJson(t: CqlType, key: string): JsonValue {
  switch (t.kind) {
    case 'reversed':
      return cqlKeyFromJson(t.inner, key);
    case 'native':
      switch (t.name) {
        case 'int':
        case 'smallint':
        case 'tinyint':
        case 'float':
        case 'double':
          return NUMBER_TEXT.test(key) ? Number(key) : key;
        case 'bigint':
        case 'varint':
        case 'counter': {
          // A number when the decoder would have printed one (|v| <= 2^53), else the decimal string.
          if (!INTEGER_TEXT.test(key)) return key;
          const v = Number(key);
          return Math.abs(v) < 2 ** 53 || (Math.abs(v) === 2 ** 53 && /^[+-]?0*9007199254740992$/.test(key))
            ? v
            : key;
        }
        case 'boolean':
          return key === 'true' ? true : key === 'false' ? false : key;
        case 'empty':
          return key === 'null' ? null : key;
        default:
          // text, ascii, blob, decimal, uuid, timestamp, date, time, duration, inet: the string itself.
          return key;
      }
    case 'custom':
      return key;
    default:
      try {
        return JSON.parse(key) as JsonValue;
      } catch {
        return key;
      }
  }
}

/** Encodes `v`, writing null as null (the caller writes length -1 or rejects it). */
function encodeNullable(t: CqlType, v: JsonValue | undefined): Uint8Array | null {
  return v === null || v === undefined ? null : encodeValue(t, v, DEFAULT_COUNTER_ID);
}

function expectArray(t: CqlType, v: JsonValue): JsonValue[] {
  if (!Array.isArray(v)) throw wrongKind(t, v, 'an array');
  return v;
}

function expectObject(t: CqlType, v: JsonValue): { [key: string]: JsonValue } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw wrongKind(t, v, 'an object');
  return v;
}

/**
 * Sorts `keys` in place in the order of `t` (stable), moving `values` along when given, and drops
 * later duplicates: of equal keys the first one stays with the last value, as Cassandra's TreeSet /
 * TreeMap of a collection literal. Insertion sort for small collections (one compare per element when
 * already in order, as generated data usually is).
 */
function sortUnique(t: CqlType, keys: Uint8Array[], values: Array<Uint8Array | null> | undefined): void {
  const n = keys.length;
  if (n < 2) return;
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const k = keys[i]!;
      if (cqlCompare(t, keys[i - 1]!, k) <= 0) continue;
      const v = values?.[i] ?? null;
      let j = i - 1;
      while (j >= 0 && cqlCompare(t, keys[j]!, k) > 0) {
        keys[j + 1] = keys[j]!;
        if (values) values[j + 1] = values[j]!;
        j--;
      }
      keys[j + 1] = k;
      if (values) values[j + 1] = v;
    }
  } else {
    const order = keys.map((_, i) => i).sort((a, b) => cqlCompare(t, keys[a]!, keys[b]!));
    const k0 = keys.slice();
    const v0 = values?.slice();
    for (let i = 0; i < n; i++) {
      keys[i] = k0[order[i]!]!;
      if (values) values[i] = v0![order[i]!]!;
    }
  }
  let m = 1;
  for (let i = 1; i < n; i++) {
    if (cqlCompare(t, keys[m - 1]!, keys[i]!) === 0) {
      if (values) values[m - 1] = values[i]!;
    } else {
      keys[m] = keys[i]!;
      if (values) values[m] = values[i]!;
      m++;
    }
  }
  keys.length = m;
  if (values) values.length = m;
}

/** Set elements encoded, in the element type's order, duplicates dropped. */
function sortedSetElements(t: CqlType, element: CqlType, values: JsonValue[]): Uint8Array[] {
  const out: Uint8Array[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const e = values[i]!;
    if (e === null) throw bad(t, values, 'sets cannot hold null');
    out[i] = encodeValue(element, e, DEFAULT_COUNTER_ID);
  }
  sortUnique(element, out, undefined);
  return out;
}

/** Map keys and values encoded, sorted by key, duplicates dropped (see {@link sortUnique}). */
function sortedMapEntries(
  t: CqlType,
  keyType: CqlType,
  valueType: CqlType,
  v: JsonValue,
  allowNullValues: boolean,
): { keys: Uint8Array[]; values: Array<Uint8Array | null> } {
  const obj = expectObject(t, v);
  const names = Object.keys(obj);
  const keys: Uint8Array[] = new Array(names.length);
  const values: Array<Uint8Array | null> = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    const kv = cqlKeyFromJson(keyType, k);
    if (kv === null) throw bad(t, k, 'map keys cannot be null');
    const value = encodeNullable(valueType, obj[k]);
    if (value === null && !allowNullValues) throw bad(t, obj, `null value for key ${preview(k)}`);
    keys[i] = encodeValue(keyType, kv, DEFAULT_COUNTER_ID);
    values[i] = value;
  }
  sortUnique(keyType, keys, values);
  return { keys, values };
}

function udtObject(t: Extract<CqlType, { kind: 'udt' }>, v: JsonValue): { [key: string]: JsonValue } {
  const obj = expectObject(t, v);
  let known = 0;
  for (const name of t.fieldNames) if (Object.hasOwn(obj, name)) known++;
  if (known !== Object.keys(obj).length) {
    const unknown = Object.keys(obj).find((k) => !t.fieldNames.includes(k));
    throw bad(t, v, `no field ${preview(unknown)}`);
  }
  return obj;
}

/** An own property of a UDT object (never an inherited one such as `__proto__`), undefined if absent. */
function fieldValue(obj: { [key: string]: JsonValue }, name: string): JsonValue | undefined {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Compound values: written into one reused buffer, copied out once at the end

interface Writer {
  buf: Uint8Array;
  pos: number;
}

const WRITER_INITIAL = 4096;
/** Beyond this the writer's buffer is dropped after use instead of being kept for the next value. */
const WRITER_RETAINED_MAX = 1 << 20;
const writer: Writer = { buf: new Uint8Array(WRITER_INITIAL), pos: 0 };

function ensure(w: Writer, n: number): void {
  const need = w.pos + n;
  if (need > w.buf.length) {
    const grown = new Uint8Array(Math.max(need, w.buf.length * 2));
    grown.set(w.buf.subarray(0, w.pos));
    w.buf = grown;
  }
}

function writeBytes(w: Writer, b: Uint8Array): void {
  ensure(w, b.length);
  w.buf.set(b, w.pos);
  w.pos += b.length;
}

function writeNative(w: Writer, t: CqlType, name: NativeTypeName, v: JsonValue, counterId: Uint8Array): void {
  if (v === null) {
    if (name === 'empty') return;
    throw nullWholeValue(t, v);
  }
  const width = fixedWidth(name);
  if (width > 0) {
    ensure(w, width);
    putFixedNative(t, name, v, w.buf, w.pos);
    w.pos += width;
    return;
  }
  switch (name) {
    case 'text': {
      if (typeof v !== 'string') throw wrongKind(t, v, 'a string');
      // At most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
      ensure(w, v.length * 3);
      const buf = w.buf;
      let o = w.pos;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) {
          w.pos += textEncoder.encodeInto(v, buf.subarray(w.pos)).written;
          return;
        }
        buf[o++] = c;
      }
      w.pos = o;
      return;
    }
    case 'ascii':
      if (typeof v !== 'string') throw wrongKind(t, v, 'a string');
      ensure(w, v.length);
      asciiBytes(t, v, w.buf, w.pos);
      w.pos += v.length;
      return;
    case 'varint': {
      const x = toInteger(t, v);
      if (typeof x === 'number') {
        const size = varintSizeNumber(x);
        ensure(w, size);
        putVarintNumber(w.buf, w.pos, x, size);
        w.pos += size;
      } else {
        writeBytes(w, varintBytes(x, 0));
      }
      return;
    }
    default:
      writeBytes(w, encodeNative(t, name, v, counterId));
  }
}

/** An int32-length-prefixed element; null (or a missing tuple/UDT field) as length -1. */
function writeElement(w: Writer, t: CqlType, v: JsonValue | undefined): void {
  ensure(w, 4);
  const at = w.pos;
  w.pos += 4;
  if (v === null || v === undefined) {
    putInt32(w.buf, at, -1);
    return;
  }
  writeValue(w, t, v, DEFAULT_COUNTER_ID);
  putInt32(w.buf, at, w.pos - at - 4);
}

/** The bytes of the int32-length-prefixed element at `o` (null for length -1), as a view. */
function elementAt(buf: Uint8Array, o: number): Uint8Array | null {
  const len = readInt32(buf, o);
  return len < 0 ? null : buf.subarray(o + 4, o + 4 + len);
}

/** The offset just after the int32-length-prefixed element at `o`. */
function elementEnd(buf: Uint8Array, o: number): number {
  const len = readInt32(buf, o);
  return o + 4 + Math.max(len, 0);
}

/** True when the elements at `starts` are strictly ascending under `t` (sorted, no duplicates). */
function strictlyAscending(t: CqlType, buf: Uint8Array, starts: readonly number[]): boolean {
  let prev: Uint8Array | null = null;
  for (const s of starts) {
    const cur = elementAt(buf, s)!;
    if (prev !== null && cqlCompare(t, prev, cur) >= 0) return false;
    prev = cur;
  }
  return true;
}

/**
 * Collection elements (and map values) already written from `starts`, in the given order, are put in
 * the type's order without duplicates: copied out, sorted, and written again from `countAt`.
 */
function rewriteSorted(
  w: Writer,
  t: CqlType,
  countAt: number,
  starts: readonly number[],
  map: boolean,
): void {
  const keys: Uint8Array[] = new Array(starts.length);
  const values: Array<Uint8Array | null> | undefined = map ? new Array(starts.length) : undefined;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    keys[i] = elementAt(w.buf, s)!.slice();
    if (values) values[i] = elementAt(w.buf, elementEnd(w.buf, s))?.slice() ?? null;
  }
  sortUnique(t, keys, values);
  w.pos = countAt + 4;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    ensure(w, 8 + k.length);
    putInt32(w.buf, w.pos, k.length);
    w.buf.set(k, w.pos + 4);
    w.pos += 4 + k.length;
    if (values) {
      const v = values[i]!;
      if (v === null) {
        putInt32(w.buf, w.pos, -1);
        w.pos += 4;
      } else {
        ensure(w, 4 + v.length);
        putInt32(w.buf, w.pos, v.length);
        w.buf.set(v, w.pos + 4);
        w.pos += 4 + v.length;
      }
    }
  }
  putInt32(w.buf, countAt, keys.length);
}

function writeSet(w: Writer, t: Extract<CqlType, { kind: 'list' | 'set' }>, arr: JsonValue[]): void {
  ensure(w, 4);
  const countAt = w.pos;
  w.pos += 4;
  const starts: number[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i]!;
    if (e === null) throw bad(t, arr, 'sets cannot hold null');
    starts[i] = w.pos;
    writeElement(w, t.element, e);
  }
  if (strictlyAscending(t.element, w.buf, starts)) putInt32(w.buf, countAt, arr.length);
  else rewriteSorted(w, t.element, countAt, starts, false);
}

function writeMap(w: Writer, t: Extract<CqlType, { kind: 'map' }>, v: JsonValue): void {
  const obj = expectObject(t, v);
  const names = Object.keys(obj);
  ensure(w, 4);
  const countAt = w.pos;
  w.pos += 4;
  const starts: number[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    const kv = cqlKeyFromJson(t.key, k);
    if (kv === null) throw bad(t, k, 'map keys cannot be null');
    starts[i] = w.pos;
    writeElement(w, t.key, kv);
    writeElement(w, t.value, obj[k]);
  }
  if (strictlyAscending(t.key, w.buf, starts)) putInt32(w.buf, countAt, names.length);
  else rewriteSorted(w, t.key, countAt, starts, true);
}

function writeVector(w: Writer, t: Extract<CqlType, { kind: 'vector' }>, v: JsonValue): void {
  const arr = expectArray(t, v);
  if (arr.length !== t.dimension) throw bad(t, v, `expected ${t.dimension} elements, got ${arr.length}`);
  const fixed = cqlValueFixedLength(t.element);
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i]!;
    if (e === null) throw bad(t, v, 'vectors cannot hold null');
    const start = w.pos;
    writeValue(w, t.element, e, DEFAULT_COUNTER_ID);
    const len = w.pos - start;
    if (fixed >= 0) {
      if (len !== fixed) throw bad(t, v, `element ${i} is ${len} bytes, not ${fixed}`);
      continue;
    }
    // Variable-length elements: move the bytes up to make room for the unsigned vint length.
    const size = unsignedVIntSize(len);
    ensure(w, size);
    w.buf.copyWithin(start + size, start, start + len);
    putUnsignedVInt(w.buf, start, len, size);
    w.pos += size;
  }
}

function writeValue(w: Writer, t: CqlType, v: JsonValue, counterId: Uint8Array): void {
  switch (t.kind) {
    case 'native':
      writeNative(w, t, t.name, v, counterId);
      return;
    case 'reversed':
      writeValue(w, t.inner, v, counterId);
      return;
    case 'custom':
      if (v === null) break;
      writeBytes(w, hexBytes(t, v));
      return;
    case 'list': {
      if (v === null) break;
      const arr = expectArray(t, v);
      ensure(w, 4);
      putInt32(w.buf, w.pos, arr.length);
      w.pos += 4;
      for (let i = 0; i < arr.length; i++) writeElement(w, t.element, arr[i]);
      return;
    }
    case 'set':
      if (v === null) break;
      writeSet(w, t, expectArray(t, v));
      return;
    case 'map':
      if (v === null) break;
      writeMap(w, t, v);
      return;
    case 'tuple': {
      if (v === null) break;
      const arr = expectArray(t, v);
      if (arr.length > t.elements.length) {
        throw bad(t, v, `expected at most ${t.elements.length} elements, got ${arr.length}`);
      }
      // Every field, missing trailing ones as null (TupleType.buildValue).
      for (let i = 0; i < t.elements.length; i++) writeElement(w, t.elements[i]!, arr[i]);
      return;
    }
    case 'udt': {
      if (v === null) break;
      const obj = udtObject(t, v);
      for (let i = 0; i < t.fieldTypes.length; i++) {
        writeElement(w, t.fieldTypes[i]!, fieldValue(obj, t.fieldNames[i]!));
      }
      return;
    }
    case 'vector':
      if (v === null) break;
      writeVector(w, t, v);
      return;
    case 'composite': {
      if (v === null) break;
      const arr = expectArray(t, v);
      if (arr.length > t.components.length) {
        throw bad(t, v, `expected at most ${t.components.length} components, got ${arr.length}`);
      }
      // CompositeType: each component a 16-bit length, the bytes, and end-of-component byte 0.
      for (let i = 0; i < arr.length; i++) {
        const c = arr[i]!;
        if (c === null) throw bad(t, v, `component ${i} is null`);
        ensure(w, 2);
        const at = w.pos;
        w.pos += 2;
        writeValue(w, t.components[i]!, c, counterId);
        const len = w.pos - at - 2;
        if (len > 0xffff) throw bad(t, v, `component ${i} of ${len} bytes exceeds 65535`);
        w.buf[at] = len >>> 8;
        w.buf[at + 1] = len;
        ensure(w, 1);
        w.buf[w.pos++] = 0;
      }
      return;
    }
  }
  throw nullWholeValue(t, v);
}

/** A whole value: natives straight into a right-sized array, compound ones through the writer. */
function encodeValue(t: CqlType, v: JsonValue, counterId: Uint8Array): Uint8Array {
  if (t.kind === 'native') return encodeNative(t, t.name, v, counterId);
  if (t.kind === 'reversed') return encodeValue(t.inner, v, counterId);
  const w = writer;
  w.pos = 0;
  writeValue(w, t, v, counterId);
  const out = copyValue(w.buf, w.pos);
  if (w.buf.length > WRITER_RETAINED_MAX) w.buf = new Uint8Array(WRITER_INITIAL);
  return out;
}

/**
 * Serializes a JSON value of type `t` as Cassandra stores a whole value (a single-cell value, a frozen
 * collection/UDT/tuple, a clustering or partition-key component): the inverse of `cqlValueToJson`.
 * Numbers may also be given as decimal strings where the decoder would print one (bigint, varint,
 * counter beyond 2^53); timestamps as ISO-8601 text or milliseconds; time also as nanoseconds. Set
 * elements and map entries are written in the type's order. Inside frozen lists, map values, tuples
 * and UDTs a JSON null is written as a null element (length -1); a null set element or map key, or a
 * null whole value (a null is an absent cell), is an error. A counter is a context of one global shard
 * with clock 1 and `options.counterId`. Throws `InvalidArgument` when `v` does not fit `t`.
 */
export function cqlValueFromJson(t: CqlType, v: JsonValue, options?: CqlEncodeOptions): Uint8Array {
  return encodeValue(t, v, options?.counterId ?? DEFAULT_COUNTER_ID);
}

// ---------------------------------------------------------------------------------------------------
// Multi-cell values

/** 2020-01-01T00:00:00Z in 100 ns units since 1582-10-15 (the UUID v1 epoch), split in 32-bit halves. */
const LIST_PATH_BASE = (1_577_836_800_000n + 12_219_292_800_000n) * 10_000n;
const LIST_PATH_BASE_HI = Number(LIST_PATH_BASE >> 32n);
const LIST_PATH_BASE_LO = Number(LIST_PATH_BASE & 0xffffffffn);

/**
 * The default cell path of list element `index`: a version 1 timeuuid whose timestamp is
 * 2020-01-01T00:00:00Z plus `index` × 100 ns, clock sequence 0x8000 and node "datamv", so paths
 * ascend with the index under TimeUUIDType order and are the same for every call.
 */
export function cqlListCellPath(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new DatamoveError('InvalidArgument', `cql: list index ${index} is not a non-negative integer`, {
      context: { index },
    });
  }
  let lo = LIST_PATH_BASE_LO + (index % TWO_32);
  let hi = LIST_PATH_BASE_HI + Math.floor(index / TWO_32);
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  const out = new Uint8Array(16);
  putInt32(out, 0, lo);
  out[4] = hi >>> 8;
  out[5] = hi;
  out[6] = 0x10 | ((hi >>> 24) & 0x0f);
  out[7] = hi >>> 16;
  out[8] = 0x80;
  out.set(NODE, 10);
  return out;
}

function multiCellType(t: CqlType, v: JsonValue): DatamoveError {
  return bad(t, v, 'multi-cell encoding needs a non-frozen list, set, map or user type');
}

/**
 * The cells of a non-frozen collection or UDT in cell-path order, the inverse of `cqlMultiCellToJson`:
 * list → one cell per element with a timeuuid path (`options.listTimeuuid`, default
 * {@link cqlListCellPath}); set → path = element, empty value; map → path = key, value = value, sorted
 * by key; UDT → path = the 16-bit big-endian field index, null fields left out. JSON null (and an empty
 * collection) gives no cells. Null list elements, set elements and map values have no cell form and
 * throw `InvalidArgument`, as do frozen and non-collection types.
 */
export function cqlMultiCellFromJson(
  t: CqlType,
  v: JsonValue,
  options?: CqlMultiCellEncodeOptions,
): ComplexCell[] {
  if (t.kind === 'reversed') return cqlMultiCellFromJson(t.inner, v, options);
  if (!(t.kind === 'list' || t.kind === 'set' || t.kind === 'map' || t.kind === 'udt') || t.frozen) {
    throw multiCellType(t, v);
  }
  if (v === null) return [];
  switch (t.kind) {
    case 'list': {
      const arr = expectArray(t, v);
      const pathOf = options?.listTimeuuid ?? cqlListCellPath;
      const out: ComplexCell[] = new Array(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const e = arr[i]!;
        if (e === null) throw bad(t, v, 'non-frozen lists cannot hold null');
        out[i] = { path: pathOf(i), value: encodeValue(t.element, e, DEFAULT_COUNTER_ID) };
      }
      return out;
    }
    case 'set':
      return sortedSetElements(t, t.element, expectArray(t, v)).map((path) => ({ path, value: EMPTY }));
    case 'map': {
      const { keys, values } = sortedMapEntries(t, t.key, t.value, v, false);
      return keys.map((path, i) => ({ path, value: values[i]! }));
    }
    case 'udt': {
      const obj = udtObject(t, v);
      const out: ComplexCell[] = [];
      for (let i = 0; i < t.fieldNames.length; i++) {
        const f = fieldValue(obj, t.fieldNames[i]!);
        if (f === null || f === undefined) continue;
        const path = new Uint8Array(2);
        path[0] = i >>> 8;
        path[1] = i;
        out.push({ path, value: encodeValue(t.fieldTypes[i]!, f, DEFAULT_COUNTER_ID) });
      }
      return out;
    }
  }
}
