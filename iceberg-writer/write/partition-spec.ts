/**
 * Partition specs and transforms (format/spec.md "Partitioning", "Partition Transforms"): identity,
 * bucket[N] (Murmur3, Appendix B), truncate[W], year, month, day, hour and void. Transforms run over whole
 * Arrow columns and dictionary-encode the results: each row gets an integer code, each code one partition
 * value, so the fan-out writer groups rows without building a value per row.
 */
import type * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';
import { decimalToBytes } from '../parquet/single-value.js';
import {
  type IcebergSchema,
  type IcebergType,
  icebergPrimitiveParse,
  icebergSchemaIndex,
} from '../schema/iceberg-schema.js';
import { arrowIsValid } from './arrow-take.js';
import { murmur3Bytes, murmur3Int, murmur3Long } from './murmur3.js';

export interface PartitionField {
  readonly 'source-id': number;
  readonly 'field-id': number;
  readonly name: string;
  readonly transform: string;
}

export interface PartitionSpec {
  readonly 'spec-id': number;
  readonly fields: readonly PartitionField[];
}

/** The unpartitioned spec, id 0. */
export const UNPARTITIONED_SPEC: PartitionSpec = Object.freeze({ 'spec-id': 0, fields: [] });

/** First partition field id (spec: partition field ids start at 1000). */
export const PARTITION_FIELD_ID_START = 1000;

/** A partition value: null, boolean, number (int, date, float), bigint (long, time, timestamp, decimal unscaled), string or bytes. */
export type PartitionValue = null | boolean | number | bigint | string | Uint8Array;

export type ParsedTransform =
  | { readonly kind: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'void' }
  | { readonly kind: 'bucket'; readonly n: number }
  | { readonly kind: 'truncate'; readonly width: number };

export function partitionTransformParse(t: string): ParsedTransform {
  if (t === 'identity' || t === 'year' || t === 'month' || t === 'day' || t === 'hour' || t === 'void') {
    return { kind: t };
  }
  const b = /^bucket\[(\d+)\]$/.exec(t);
  if (b && Number(b[1]) > 0) return { kind: 'bucket', n: Number(b[1]) };
  const tr = /^truncate\[(\d+)\]$/.exec(t);
  if (tr && Number(tr[1]) > 0) return { kind: 'truncate', width: Number(tr[1]) };
  throw new DatamoveError('FeatureUnsupported', `iceberg: partition transform ${t} is not supported`, {
    context: { transform: t },
  });
}

/** The type of a transform's result (spec table "Partition Transforms"). */
export function partitionResultType(transform: string, source: IcebergType): IcebergType {
  const t = partitionTransformParse(transform);
  switch (t.kind) {
    case 'identity':
    case 'truncate':
    case 'void':
      return source;
    case 'bucket':
    case 'year':
    case 'month':
    case 'hour':
      return 'int';
    case 'day':
      return 'date';
  }
}

/** Checks a spec against a schema (sources exist, are primitives, transforms apply). */
export function partitionSpecValidate(spec: PartitionSpec, schema: IcebergSchema): void {
  const index = icebergSchemaIndex(schema);
  for (const f of spec.fields) {
    const src = index.get(f['source-id']);
    if (src === undefined || typeof src.type !== 'string' || src.repeated) {
      throw new DatamoveError(
        'InvalidArgument',
        `iceberg: partition field ${f.name}: source id ${f['source-id']} is not a primitive column outside lists and maps`,
        { context: { field: f.name } },
      );
    }
    const t = partitionTransformParse(f.transform);
    const p = icebergPrimitiveParse(src.type).name;
    const temporal = p === 'date' || p === 'timestamp' || p === 'timestamptz';
    const ok =
      t.kind === 'identity' ||
      t.kind === 'void' ||
      (t.kind === 'bucket' && p !== 'float' && p !== 'double' && p !== 'boolean') ||
      (t.kind === 'truncate' && ['int', 'long', 'string', 'binary', 'decimal'].includes(p)) ||
      (t.kind === 'hour' && (p === 'timestamp' || p === 'timestamptz')) ||
      ((t.kind === 'day' || t.kind === 'month' || t.kind === 'year') && temporal);
    if (!ok) {
      throw new DatamoveError(
        'InvalidArgument',
        `iceberg: partition field ${f.name}: ${f.transform} does not apply to ${src.type}`,
        {
          context: { field: f.name },
        },
      );
    }
  }
}

/** Dictionary-encoded transform result of one column. */
export interface PartitionCodes {
  /** Code per row. */
  readonly codes: Int32Array;
  /** Value per code. */
  readonly values: PartitionValue[];
}

const utf8 = new TextDecoder();
const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 86_400_000_000;

/** Civil date (y, m 1-12) of a day count since 1970-01-01 (Howard Hinnant's days_from_civil inverse). */
function civil(days: number): { y: number; m: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m };
}

/**
 * Applies `transform` to a whole column (`data`, of Iceberg type `source`) and dictionary-encodes the result.
 */
export function partitionCodes(transform: string, source: string, data: arrow.Data): PartitionCodes {
  const t = partitionTransformParse(transform);
  const p = icebergPrimitiveParse(source);
  const n = data.length;
  const codes = new Int32Array(n);
  const values: PartitionValue[] = [];
  const dict = new Map<unknown, number>();
  const code = (key: unknown, value: () => PartitionValue): number => {
    let c = dict.get(key);
    if (c === undefined) {
      c = values.length;
      values.push(value());
      dict.set(key, c);
    }
    return c;
  };
  const NULL_KEY = Symbol('null');
  const intResult = (f: (i: number) => number): void => {
    for (let i = 0; i < n; i++) {
      if (!arrowIsValid(data, i)) codes[i] = code(NULL_KEY, () => null);
      else {
        const v = f(i);
        codes[i] = code(v, () => v);
      }
    }
  };
  if (t.kind === 'void') {
    codes.fill(code(NULL_KEY, () => null));
    return { codes, values };
  }
  const name = p.name;
  const i32 = name === 'int' || name === 'date' ? (data.values as Int32Array) : undefined;
  const i64 =
    name === 'long' || name === 'time' || name === 'timestamp' || name === 'timestamptz'
      ? (data.values as BigInt64Array)
      : undefined;
  const halves = i64 ? new Int32Array(i64.buffer, i64.byteOffset, i64.length * 2) : undefined;
  const asDouble = (i: number): number => halves![2 * i + 1]! * 4294967296 + (halves![2 * i]! >>> 0);
  const bytesAt = (i: number): Uint8Array => {
    if (name === 'uuid' || name === 'fixed') {
      const w = name === 'uuid' ? 16 : (p as { length: number }).length;
      return (data.values as Uint8Array).subarray(i * w, (i + 1) * w);
    }
    const o = data.valueOffsets as Int32Array;
    return (data.values as Uint8Array).subarray(o[i]!, o[i + 1]!);
  };
  const decimalAt = (i: number): bigint => {
    const w = data.values as Uint32Array;
    let v = 0n;
    for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(w[i * 4 + k]!);
    return BigInt.asIntN(128, v);
  };
  switch (t.kind) {
    case 'bucket': {
      const mod = (h: number): number => (h & 0x7fffffff) % t.n;
      if (i32) intResult((i) => mod(murmur3Int(i32[i]!)));
      else if (halves) intResult((i) => mod(murmur3Long(halves[2 * i]!, halves[2 * i + 1]!)));
      else if (name === 'decimal') intResult((i) => mod(murmur3Bytes(decimalToBytes(decimalAt(i)))));
      else intResult((i) => mod(murmur3Bytes(bytesAt(i))));
      return { codes, values };
    }
    case 'year':
    case 'month':
    case 'day':
    case 'hour': {
      const days = (i: number): number => (i32 ? i32[i]! : Math.floor(asDouble(i) / US_PER_DAY));
      if (t.kind === 'hour') intResult((i) => Math.floor(asDouble(i) / US_PER_HOUR));
      else if (t.kind === 'day') intResult(days);
      else if (t.kind === 'month')
        intResult((i) => {
          const c = civil(days(i));
          return (c.y - 1970) * 12 + c.m - 1;
        });
      else intResult((i) => civil(days(i)).y - 1970);
      return { codes, values };
    }
    case 'identity':
    case 'truncate': {
      const w = t.kind === 'truncate' ? t.width : 0;
      for (let i = 0; i < n; i++) {
        if (!arrowIsValid(data, i)) {
          codes[i] = code(NULL_KEY, () => null);
          continue;
        }
        let v: PartitionValue;
        let key: unknown;
        switch (name) {
          case 'int':
          case 'date':
            v = i32![i]!;
            if (w > 0) v -= ((v % w) + w) % w;
            key = v;
            break;
          case 'long':
          case 'time':
          case 'timestamp':
          case 'timestamptz': {
            let b = i64![i]!;
            if (w > 0) b -= ((b % BigInt(w)) + BigInt(w)) % BigInt(w);
            v = b;
            key = b;
            break;
          }
          case 'boolean':
            v = arrowBoolAt(data, i);
            key = v;
            break;
          case 'float':
          case 'double':
            v = (data.values as Float64Array)[i]!;
            key = v;
            break;
          case 'decimal': {
            let d = decimalAt(i);
            if (w > 0) d -= ((d % BigInt(w)) + BigInt(w)) % BigInt(w);
            v = d;
            key = d;
            break;
          }
          case 'string': {
            let s = utf8.decode(bytesAt(i));
            if (w > 0) {
              const cps = Array.from(s);
              if (cps.length > w) s = cps.slice(0, w).join('');
            }
            v = s;
            key = `s${s}`;
            break;
          }
          default: {
            let b = bytesAt(i);
            if (w > 0 && b.length > w) b = b.subarray(0, w);
            key = `b${Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')}`;
            const copy = b;
            codes[i] = code(key, () => copy.slice());
            continue;
          }
        }
        const val = v;
        codes[i] = code(key, () => val);
      }
      return { codes, values };
    }
  }
}

function arrowBoolAt(data: arrow.Data, i: number): boolean {
  const j = data.offset + i;
  return ((data.values as Uint8Array)[j >> 3]! & (1 << (j & 7))) !== 0;
}

/** Human-readable partition value for data file paths (`ts_day=2024-01-31`), as Java's `toHumanString`. */
export function partitionHumanString(transform: string, source: string, value: PartitionValue): string {
  if (value === null) return 'null';
  const t = partitionTransformParse(transform);
  const dateOf = (days: number): string => new Date(days * 86_400_000).toISOString().slice(0, 10);
  switch (t.kind) {
    case 'year':
      return String(1970 + Number(value));
    case 'month': {
      const m = Number(value);
      const y = 1970 + Math.floor(m / 12);
      return `${y}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
    }
    case 'day':
      return dateOf(Number(value));
    case 'hour': {
      const iso = new Date(Number(value) * 3_600_000).toISOString();
      return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
    }
    default:
      break;
  }
  const p = icebergPrimitiveParse(source).name;
  if (t.kind === 'bucket') return String(value);
  if (p === 'date') return dateOf(Number(value));
  if (p === 'decimal') {
    const s = (source.match(/,\s*(\d+)/)?.[1] ?? '0') as string;
    const scale = Number(s);
    const v = value as bigint;
    const neg = v < 0n;
    const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
    const str = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return neg ? `-${str}` : str;
  }
  if (value instanceof Uint8Array) {
    if (p === 'uuid') {
      const h = Buffer.from(value).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    return Buffer.from(value).toString('base64');
  }
  return String(value);
}
