/**
 * Iceberg's single-value binary serialization (format/spec.md, Appendix D "Single-value serialization"),
 * used for lower/upper bounds in manifests and partition bounds in manifest lists; and the conversion of
 * Parquet statistics (PLAIN-encoded min/max) into it.
 *
 * Bounds of strings and binaries are truncated to 16 characters/bytes as Iceberg's default metrics mode
 * `truncate(16)` does; a truncated upper bound is incremented so it still bounds the column.
 */
import type { PrimitiveInfo } from '../schema/iceberg-schema.js';

/** Default truncation length of string and binary bounds (`write.metadata.metrics.default=truncate(16)`). */
export const BOUND_TRUNCATE_LENGTH = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Unscaled decimal value → big-endian two's complement in the fewest bytes. */
export function decimalToBytes(unscaled: bigint): Uint8Array {
  const out: number[] = [];
  let v = unscaled;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.push(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out.reverse());
}

/** Big-endian two's complement bytes → bigint. */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if ((b[0]! & 0x80) !== 0) v -= 1n << BigInt(b.length * 8);
  return v;
}

/**
 * A JS value of an Iceberg primitive → its single-value bytes. Values: boolean; number for int, date,
 * float, double; bigint (or number) for long, time, timestamp(tz); bigint unscaled for decimal; string;
 * Uint8Array for uuid, fixed, binary.
 */
export function icebergValueToBytes(info: PrimitiveInfo, value: unknown): Uint8Array {
  switch (info.name) {
    case 'boolean':
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, Number(value), true);
      return b;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(value as bigint | number), true);
      return b;
    }
    case 'float': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, Number(value), true);
      return b;
    }
    case 'double': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, Number(value), true);
      return b;
    }
    case 'string':
      return encoder.encode(String(value));
    case 'decimal':
      return decimalToBytes(BigInt(value as bigint));
    case 'uuid':
    case 'fixed':
    case 'binary':
      return value as Uint8Array;
  }
}

/** Parquet physical types (parquet.thrift `Type`). */
export const PARQUET_BOOLEAN = 0;
export const PARQUET_INT32 = 1;
export const PARQUET_INT64 = 2;
export const PARQUET_INT96 = 3;
export const PARQUET_FLOAT = 4;
export const PARQUET_DOUBLE = 5;
export const PARQUET_BYTE_ARRAY = 6;
export const PARQUET_FIXED_LEN_BYTE_ARRAY = 7;

/** A Parquet PLAIN statistic of the given physical type → a comparable JS value. */
export function parquetStatDecode(physical: number, info: PrimitiveInfo, b: Uint8Array): unknown {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (info.name === 'decimal') {
    if (physical === PARQUET_INT32) return BigInt(view.getInt32(0, true));
    if (physical === PARQUET_INT64) return view.getBigInt64(0, true);
    return bytesToBigInt(b);
  }
  switch (physical) {
    case PARQUET_BOOLEAN:
      return b[0] === 1;
    case PARQUET_INT32:
      return view.getInt32(0, true);
    case PARQUET_INT64:
      return view.getBigInt64(0, true);
    case PARQUET_FLOAT:
      return view.getFloat32(0, true);
    case PARQUET_DOUBLE:
      return view.getFloat64(0, true);
    default:
      return info.name === 'string' ? decoder.decode(b) : b;
  }
}

/** Orders two decoded statistics of the same type. */
export function statCompare(a: unknown, b: unknown): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // UTF-8 byte order equals code point order
    return compareCodePoints(a, b);
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A lower bound truncated to `len` characters (strings) or bytes (binary). */
export function truncateLower(value: unknown, len = BOUND_TRUNCATE_LENGTH): unknown {
  if (typeof value === 'string') {
    const cps = Array.from(value);
    return cps.length <= len ? value : cps.slice(0, len).join('');
  }
  if (value instanceof Uint8Array) return value.length <= len ? value : value.subarray(0, len);
  return value;
}

/** An upper bound truncated to `len` and incremented so it still bounds; `undefined` when impossible. */
export function truncateUpper(value: unknown, len = BOUND_TRUNCATE_LENGTH): unknown {
  if (typeof value === 'string') {
    const cps = Array.from(value).map((c) => c.codePointAt(0)!);
    if (cps.length <= len) return value;
    const t = cps.slice(0, len);
    for (let i = t.length - 1; i >= 0; i--) {
      let next = t[i]! + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
      if (next <= 0x10ffff) {
        t[i] = next;
        return String.fromCodePoint(...t.slice(0, i + 1));
      }
    }
    return undefined;
  }
  if (value instanceof Uint8Array) {
    if (value.length <= len) return value;
    const t = Uint8Array.from(value.subarray(0, len));
    for (let i = t.length - 1; i >= 0; i--) {
      if (t[i]! < 0xff) {
        t[i]! += 1;
        return t.subarray(0, i + 1);
      }
    }
    return undefined;
  }
  return value;
}
