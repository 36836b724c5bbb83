/**
 * Cassandra's ordering of serialized values (`AbstractType.compare`), used for clustering order and
 * merging: empty values first; int/bigint/smallint/tinyint/timestamp signed; date, time, text, ascii,
 * blob, inet, duration and custom types unsigned byte order; float/double as Java `Float.compare` /
 * `Double.compare`; varint and decimal numerically; boolean false < true; uuid per UUIDType (version,
 * then v1 timestamp, then unsigned bytes) and timeuuid per TimeUUIDType (timestamp, then signed bytes);
 * reversed inverts; frozen collections, tuples, UDTs, vectors and composites component-wise. Follows
 * db/marshal/*Type.java (compareCustom), CollectionType/ListType/MapType (compareListOrSet, compareMaps),
 * TupleType.compareCustom and AbstractCompositeType.compareCustom in apache/cassandra 3.0-5.0. Also
 * splits and joins CompositeType partition keys.
 */

import { DatamoveError } from '../../core/index.js';
import { compareUnsigned, readFloat32, readFloat64, readInt32, readUint16 } from './binary.js';
import type { CqlType } from './cql-type.js';
import { varintToBigInt } from './cql-value.js';
import { cqlValueFixedLength } from './fixed-length.js';
import { readUnsignedVInt } from './vint.js';

function invalid(what: string): DatamoveError {
  return new DatamoveError('DataInvalid', `cql: ${what}`);
}

/** Signed first byte, then unsigned bytes (two's-complement integers of equal width). */
function compareSigned(a: Uint8Array, b: Uint8Array): number {
  const d = ((a[0]! << 24) >> 24) - ((b[0]! << 24) >> 24);
  if (d !== 0) return d;
  return compareUnsigned(a, b);
}

/** Java `Float.compare`/`Double.compare`: -0 < +0, NaN after everything and equal to itself. */
function compareJavaFloat(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  const xn = Number.isNaN(x);
  const yn = Number.isNaN(y);
  if (xn || yn) return xn === yn ? 0 : xn ? 1 : -1;
  if (x === 0 && y === 0) {
    const xneg = Object.is(x, -0);
    const yneg = Object.is(y, -0);
    return xneg === yneg ? 0 : xneg ? -1 : 1;
  }
  return 0;
}

/** Numeric comparison of two two's-complement big-endian integers of any length, without bigint. */
export function compareVarint(a: Uint8Array, b: Uint8Array): number {
  const aNeg = (a[0]! & 0x80) !== 0;
  const bNeg = (b[0]! & 0x80) !== 0;
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  // Skip redundant sign-extension bytes so that the lengths compare magnitudes.
  const ext = aNeg ? 0xff : 0x00;
  let ia = 0;
  while (ia < a.length - 1 && a[ia] === ext && (a[ia + 1]! & 0x80) === (ext & 0x80)) ia++;
  let ib = 0;
  while (ib < b.length - 1 && b[ib] === ext && (b[ib + 1]! & 0x80) === (ext & 0x80)) ib++;
  const la = a.length - ia;
  const lb = b.length - ib;
  if (la !== lb) return aNeg ? lb - la : la - lb;
  for (let i = 0; i < la; i++) {
    const d = a[ia + i]! - b[ib + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function compareDecimal(a: Uint8Array, b: Uint8Array): number {
  if (a.length < 5 || b.length < 5) throw invalid('decimal value shorter than 5 bytes');
  const sa = readInt32(a, 0);
  const sb = readInt32(b, 0);
  const ua = a.subarray(4);
  const ub = b.subarray(4);
  if (sa === sb) return compareVarint(ua, ub);
  let x = varintToBigInt(ua);
  let y = varintToBigInt(ub);
  if (sa < sb) x *= 10n ** BigInt(sb - sa);
  else y *= 10n ** BigInt(sa - sb);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareBoolean(a: Uint8Array, b: Uint8Array): number {
  const x = a[0] !== 0 ? 1 : 0;
  const y = b[0] !== 0 ? 1 : 0;
  return x - y;
}

/** TimeUUIDType's timestamp order: bytes 6 (signed, incl. version), 7, 4, 5, 0, 1, 2, 3. */
function compareUuidTimestamp(a: Uint8Array, b: Uint8Array, signedFirst: boolean): number {
  let d = signedFirst ? ((a[6]! << 24) >> 24) - ((b[6]! << 24) >> 24) : a[6]! - b[6]!;
  if (d !== 0) return d;
  const order = [7, 4, 5, 0, 1, 2, 3];
  for (const i of order) {
    d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function compareUuid(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== 16 || b.length !== 16) return a.length - b.length;
  const va = a[6]! >> 4;
  const vb = b[6]! >> 4;
  if (va !== vb) return va - vb;
  if (va === 1) {
    const c = compareUuidTimestamp(a, b, false);
    if (c !== 0) return c;
  } else {
    for (let i = 0; i < 8; i++) {
      const d = a[i]! - b[i]!;
      if (d !== 0) return d;
    }
  }
  for (let i = 8; i < 16; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function compareTimeUuid(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== 16 || b.length !== 16) return a.length - b.length;
  const c = compareUuidTimestamp(a, b, true);
  if (c !== 0) return c;
  // "signed per-byte comparison for compatibility" of the clock sequence and node bytes.
  for (let i = 8; i < 16; i++) {
    const d = ((a[i]! << 24) >> 24) - ((b[i]! << 24) >> 24);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares two nullable elements: null (length -1) sorts before any value. */
function compareNullable(t: CqlType, a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : -1) : 1;
  return cqlCompare(t, a, b);
}

function elementAt(v: Uint8Array, o: number): [Uint8Array | null, number] {
  if (o + 4 > v.length) throw invalid(`collection truncated at offset ${o} of ${v.length}`);
  const len = readInt32(v, o);
  if (len < 0) return [null, o + 4];
  if (o + 4 + len > v.length) throw invalid(`collection element overruns the ${v.length}-byte value`);
  return [v.subarray(o + 4, o + 4 + len), o + 4 + len];
}

function compareCollection(keyT: CqlType, valueT: CqlType | undefined, a: Uint8Array, b: Uint8Array): number {
  if (a.length < 4 || b.length < 4) throw invalid('collection value shorter than 4 bytes');
  const na = readInt32(a, 0);
  const nb = readInt32(b, 0);
  let oa = 4;
  let ob = 4;
  const n = Math.min(na, nb);
  for (let i = 0; i < n; i++) {
    let ea: Uint8Array | null;
    let eb: Uint8Array | null;
    [ea, oa] = elementAt(a, oa);
    [eb, ob] = elementAt(b, ob);
    let c = compareNullable(keyT, ea, eb);
    if (c !== 0) return c;
    if (valueT !== undefined) {
      [ea, oa] = elementAt(a, oa);
      [eb, ob] = elementAt(b, ob);
      c = compareNullable(valueT, ea, eb);
      if (c !== 0) return c;
    }
  }
  return na === nb ? 0 : na < nb ? -1 : 1;
}

function compareFields(types: readonly CqlType[], a: Uint8Array, b: Uint8Array): number {
  let oa = 0;
  let ob = 0;
  for (let i = 0; oa < a.length && ob < b.length; i++) {
    let ea: Uint8Array | null;
    let eb: Uint8Array | null;
    [ea, oa] = elementAt(a, oa);
    [eb, ob] = elementAt(b, ob);
    const t = types[i] ?? { kind: 'custom', className: 'BytesType' };
    const c = compareNullable(t, ea, eb);
    if (c !== 0) return c;
  }
  // Trailing fields present on one side only: a non-null, non-empty one makes that side greater.
  while (oa < a.length) {
    const [ea, next] = elementAt(a, oa);
    if (ea !== null && ea.length > 0) return 1;
    oa = next;
  }
  while (ob < b.length) {
    const [eb, next] = elementAt(b, ob);
    if (eb !== null && eb.length > 0) return -1;
    ob = next;
  }
  return 0;
}

function compareVector(element: CqlType, dimension: number, a: Uint8Array, b: Uint8Array): number {
  const fixed = cqlValueFixedLength(element);
  if (fixed >= 0) {
    for (let i = 0; i < dimension; i++) {
      const c = cqlCompare(
        element,
        a.subarray(i * fixed, (i + 1) * fixed),
        b.subarray(i * fixed, (i + 1) * fixed),
      );
      if (c !== 0) return c;
    }
    return 0;
  }
  let oa = 0;
  let ob = 0;
  for (let i = 0; i < dimension; i++) {
    const la = readUnsignedVInt(a, oa);
    const lb = readUnsignedVInt(b, ob);
    const c = cqlCompare(
      element,
      a.subarray(la.next, la.next + la.value),
      b.subarray(lb.next, lb.next + lb.value),
    );
    if (c !== 0) return c;
    oa = la.next + la.value;
    ob = lb.next + lb.value;
  }
  return 0;
}

function isStaticComposite(v: Uint8Array): boolean {
  return v.length >= 2 && v[0] === 0xff && v[1] === 0xff;
}

function compareComposite(types: readonly CqlType[], a: Uint8Array, b: Uint8Array): number {
  let oa = 0;
  let ob = 0;
  const sa = isStaticComposite(a);
  const sb = isStaticComposite(b);
  if (sa !== sb) return sa ? -1 : 1;
  if (sa) {
    oa = 2;
    ob = 2;
  }
  for (let i = 0; oa < a.length && ob < b.length; i++) {
    if (oa + 2 > a.length || ob + 2 > b.length) throw invalid('composite value truncated');
    const la = readUint16(a, oa);
    const lb = readUint16(b, ob);
    const ea = a.subarray(oa + 2, oa + 2 + la);
    const eb = b.subarray(ob + 2, ob + 2 + lb);
    const t = types[i] ?? { kind: 'custom', className: 'BytesType' };
    const c = cqlCompare(t, ea, eb);
    if (c !== 0) return c;
    oa += 2 + la;
    ob += 2 + lb;
    // End-of-component bytes, compared as signed bytes.
    const eocA = oa < a.length ? (a[oa]! << 24) >> 24 : 0;
    const eocB = ob < b.length ? (b[ob]! << 24) >> 24 : 0;
    if (eocA !== eocB) return eocA - eocB;
    oa++;
    ob++;
  }
  if (oa >= a.length) return ob >= b.length ? 0 : -1;
  return 1;
}

/**
 * Compares two serialized values of type `t` as Cassandra orders them. Returns a negative number, zero or
 * a positive number. Empty values sort first (then `reversed` inverts the whole order).
 */
export function cqlCompare(t: CqlType, a: Uint8Array, b: Uint8Array): number {
  if (t.kind === 'reversed') return cqlCompare(t.inner, b, a);
  if (a.length === 0 || b.length === 0) return a.length === 0 ? (b.length === 0 ? 0 : -1) : 1;
  switch (t.kind) {
    case 'native':
      switch (t.name) {
        case 'int':
        case 'bigint':
        case 'smallint':
        case 'tinyint':
        case 'timestamp':
          return compareSigned(a, b);
        case 'float':
          return compareJavaFloat(readFloat32(a, 0), readFloat32(b, 0));
        case 'double':
          return compareJavaFloat(readFloat64(a, 0), readFloat64(b, 0));
        case 'varint':
          return compareVarint(a, b);
        case 'decimal':
          return compareDecimal(a, b);
        case 'boolean':
          return compareBoolean(a, b);
        case 'uuid':
          return compareUuid(a, b);
        case 'timeuuid':
          return compareTimeUuid(a, b);
        case 'empty':
          return 0;
        default:
          // ascii, text, blob, inet, date, time, duration, counter: byte order.
          return compareUnsigned(a, b);
      }
    case 'list':
    case 'set':
      return compareCollection(t.element, undefined, a, b);
    case 'map':
      return compareCollection(t.key, t.value, a, b);
    case 'tuple':
      return compareFields(t.elements, a, b);
    case 'udt':
      return compareFields(t.fieldTypes, a, b);
    case 'vector':
      return compareVector(t.element, t.dimension, a, b);
    case 'composite':
      return compareComposite(t.components, a, b);
    case 'custom':
      return compareUnsigned(a, b);
  }
}

/**
 * Splits a CompositeType value (a multi-column partition key) into its components: each is a 16-bit
 * big-endian length, the bytes, and one end-of-component byte. Returns subarrays of `bytes`.
 */
export function compositeSplit(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 2 > bytes.length) {
      throw new DatamoveError(
        'DataInvalid',
        `cql: composite value truncated at offset ${o} of ${bytes.length}`,
        {
          context: { offset: o, length: bytes.length },
        },
      );
    }
    const len = readUint16(bytes, o);
    const end = o + 2 + len;
    if (end + 1 > bytes.length) {
      throw new DatamoveError(
        'DataInvalid',
        `cql: composite component ${out.length} of ${len} bytes at offset ${o} overruns the ${bytes.length}-byte value`,
        { context: { offset: o, length: bytes.length, component: out.length } },
      );
    }
    out.push(bytes.subarray(o + 2, end));
    o = end + 1;
  }
  return out;
}

/** Joins components into a CompositeType value (end-of-component byte 0 after each). */
export function compositeJoin(parts: ReadonlyArray<Uint8Array>): Uint8Array {
  let size = 0;
  for (const p of parts) {
    if (p.length > 0xffff) {
      throw new DatamoveError(
        'InvalidArgument',
        `cql: composite component of ${p.length} bytes exceeds 65535`,
        {
          context: { length: p.length },
        },
      );
    }
    size += 3 + p.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out[o] = p.length >>> 8;
    out[o + 1] = p.length & 0xff;
    out.set(p, o + 2);
    o += 3 + p.length;
  }
  return out;
}
