/**
 * CQL values of nested columns (collections, tuples, UDTs, vectors, durations) as the JS values arrow-js
 * builders accept: numbers, bigints for 64-bit integers, strings, `Uint8Array`s, arrays for lists, `Map`s
 * for maps, objects for structs. Only nested columns come through here — one JS value per cell; every
 * top-level primitive column is decoded straight into its Arrow buffer (raw-batch-builder.ts).
 * Layouts: serializers/CollectionSerializer.java (protocol v3 framing), TupleType/UserType, VectorType.
 */
import * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';
import type { Cell, CqlType } from '../../reader/index.js';
import {
  counterContextTotal,
  cqlValueFixedLength,
  decimalToString,
  inetToString,
  readFloat32,
  readFloat64,
  readInt16,
  readInt32,
  readInt64Big,
  readUint32,
  readUnsignedVInt,
  readVIntBig,
  varintToBigInt,
} from '../../reader/index.js';

const utf8 = new TextDecoder('utf-8');

function invalid(what: string): DatamoveError {
  return new DatamoveError('DataInvalid', `compactor: ${what}`, {});
}

/** A varint as a Decimal128 (16-byte little-endian two's complement, as 4 uint32 words). */
export function varintToDecimal128(b: Uint8Array, out = new Uint32Array(4)): Uint32Array {
  if (b.length > 16) throw invalid(`varint of ${b.length} bytes does not fit decimal(38, 0)`);
  const fill = b.length > 0 && (b[0]! & 0x80) !== 0 ? 0xff : 0;
  const bytes = new Uint8Array(out.buffer, out.byteOffset, 16);
  for (let i = 0; i < 16; i++) bytes[i] = i < b.length ? b[b.length - 1 - i]! : fill;
  return out;
}

export function cqlToArrowJs(t: CqlType, b: Uint8Array, at: arrow.DataType): unknown {
  if (t.kind === 'reversed') return cqlToArrowJs(t.inner, b, at);
  if (t.kind === 'native') {
    if (b.length === 0 && t.name !== 'text' && t.name !== 'ascii' && t.name !== 'blob' && t.name !== 'empty')
      return null;
    switch (t.name) {
      case 'int':
        return readInt32(b, 0);
      case 'smallint':
        return readInt16(b, 0);
      case 'tinyint':
        return (b[0]! << 24) >> 24;
      case 'bigint':
        return readInt64Big(b, 0);
      case 'counter':
        return counterContextTotal(b);
      case 'varint':
        return at instanceof arrow.Decimal ? varintToDecimal128(b) : varintToBigInt(b).toString();
      case 'decimal':
        return decimalToString(b);
      case 'float':
        return readFloat32(b, 0);
      case 'double':
        return readFloat64(b, 0);
      case 'boolean':
        return b[0] !== 0;
      case 'text':
      case 'ascii':
        return utf8.decode(b);
      case 'inet':
        return inetToString(b);
      case 'uuid':
      case 'timeuuid':
      case 'blob':
      case 'empty':
        return b;
      case 'timestamp':
        return Number(readInt64Big(b, 0));
      case 'date':
        return (readUint32(b, 0) - 2 ** 31) * 86_400_000;
      case 'time':
        return readInt64Big(b, 0) / 1000n;
      case 'duration': {
        const m = readVIntBig(b, 0);
        const d = readVIntBig(b, m.next);
        const n = readVIntBig(b, d.next);
        return { months: Number(m.value), days: Number(d.value), nanos: n.value };
      }
    }
  }
  if (t.kind === 'custom') return b;
  const child = (i: number): arrow.DataType => at.children[i]!.type;
  switch (t.kind) {
    case 'list':
    case 'set': {
      const n = readInt32(b, 0);
      const out: unknown[] = [];
      let o = 4;
      for (let i = 0; i < n; i++) {
        const len = readInt32(b, o);
        o += 4;
        if (len < 0) out.push(null);
        else {
          out.push(cqlToArrowJs(t.element, b.subarray(o, o + len), child(0)));
          o += len;
        }
      }
      return out;
    }
    case 'map': {
      const entry = child(0);
      const n = readInt32(b, 0);
      const out = new Map<unknown, unknown>();
      let o = 4;
      for (let i = 0; i < n; i++) {
        const kl = readInt32(b, o);
        const k = cqlToArrowJs(t.key, b.subarray(o + 4, o + 4 + kl), entry.children[0]!.type);
        o += 4 + kl;
        const vl = readInt32(b, o);
        o += 4;
        const v = vl < 0 ? null : cqlToArrowJs(t.value, b.subarray(o, o + vl), entry.children[1]!.type);
        if (vl > 0) o += vl;
        out.set(k, v);
      }
      return out;
    }
    case 'tuple':
    case 'udt': {
      const types = t.kind === 'tuple' ? t.elements : t.fieldTypes;
      const out: unknown[] = [];
      let o = 0;
      for (let i = 0; i < types.length; i++) {
        if (o >= b.length) {
          out.push(null);
          continue;
        }
        const len = readInt32(b, o);
        o += 4;
        if (len < 0) out.push(null);
        else {
          out.push(cqlToArrowJs(types[i]!, b.subarray(o, o + len), child(i)));
          o += len;
        }
      }
      return out;
    }
    case 'vector': {
      const fixed = cqlValueFixedLength(t.element);
      const out: unknown[] = [];
      let o = 0;
      for (let i = 0; i < t.dimension; i++) {
        let len = fixed;
        if (len < 0) {
          const r = readUnsignedVInt(b, o);
          len = r.value;
          o = r.next;
        }
        out.push(cqlToArrowJs(t.element, b.subarray(o, o + len), child(0)));
        o += len;
      }
      return out;
    }
    default:
      throw new DatamoveError('FeatureUnsupported', `compactor: no Arrow value for CQL type ${t.kind}`, {});
  }
}

/** A non-frozen collection or UDT from its live cells (in path order); null when it has none. */
export function cqlCellsToArrowJs(t: CqlType, cells: readonly Cell[], at: arrow.DataType): unknown {
  if (cells.length === 0) return null;
  const child = (i: number): arrow.DataType => at.children[i]!.type;
  switch (t.kind) {
    case 'list':
      return cells.map((c) => cqlToArrowJs(t.element, c.value, child(0)));
    case 'set':
      return cells.map((c) => cqlToArrowJs(t.element, c.path!, child(0)));
    case 'map': {
      const entry = child(0);
      const out = new Map<unknown, unknown>();
      for (const c of cells)
        out.set(
          cqlToArrowJs(t.key, c.path!, entry.children[0]!.type),
          cqlToArrowJs(t.value, c.value, entry.children[1]!.type),
        );
      return out;
    }
    case 'udt': {
      const out: unknown[] = t.fieldTypes.map(() => null);
      for (const c of cells) {
        const i = readInt16(c.path!, 0);
        if (i >= 0 && i < t.fieldTypes.length) out[i] = cqlToArrowJs(t.fieldTypes[i]!, c.value, child(i));
      }
      return out;
    }
    default:
      throw new DatamoveError('FeatureUnsupported', `compactor: CQL type ${t.kind} is not multi-cell`, {});
  }
}
