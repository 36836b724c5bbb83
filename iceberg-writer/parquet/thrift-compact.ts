/**
 * A small reader for Thrift's compact protocol, enough to decode a Parquet footer (`FileMetaData`,
 * parquet-format/src/main/thrift/parquet.thrift). Structs decode to plain objects keyed by field id;
 * the footer is read once per written file, so clarity wins over speed here. i64 values decode to
 * numbers (exact below 2^53, which covers every size and count a footer holds).
 */
import { dataInvalid } from '../../core/index.js';

/** A decoded struct: field id → value. */
export type ThriftStruct = { [fieldId: number]: ThriftValue };
export type ThriftValue = boolean | number | Uint8Array | ThriftStruct | ThriftValue[];

const STOP = 0;
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

interface Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  offset: number;
}

function readVarint(c: Cursor): number {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (c.offset >= c.bytes.length) throw dataInvalid(`parquet: footer truncated at offset ${c.offset}`);
    const b = c.bytes[c.offset++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
  }
}

function readZigzag(c: Cursor): number {
  const n = readVarint(c);
  // zigzag on a double: even → n/2, odd → -(n+1)/2
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function readValue(c: Cursor, type: number): ThriftValue {
  switch (type) {
    case BOOL_TRUE:
      return true;
    case BOOL_FALSE:
      return false;
    case BYTE:
      return c.view.getInt8(c.offset++);
    case I16:
    case I32:
    case I64:
      return readZigzag(c);
    case DOUBLE: {
      const v = c.view.getFloat64(c.offset, true);
      c.offset += 8;
      return v;
    }
    case BINARY: {
      const len = readVarint(c);
      const v = c.bytes.subarray(c.offset, c.offset + len);
      c.offset += len;
      return v;
    }
    case LIST:
    case SET: {
      const h = c.bytes[c.offset++]!;
      let size = h >> 4;
      const et = h & 0x0f;
      if (size === 15) size = readVarint(c);
      const out: ThriftValue[] = new Array(size);
      for (let i = 0; i < size; i++) {
        out[i] = et === BOOL_TRUE || et === BOOL_FALSE ? c.bytes[c.offset++] === 1 : readValue(c, et);
      }
      return out;
    }
    case MAP: {
      const size = readVarint(c);
      const out: ThriftValue[] = [];
      if (size === 0) return out;
      const kv = c.bytes[c.offset++]!;
      for (let i = 0; i < size; i++) out.push([readValue(c, kv >> 4), readValue(c, kv & 0x0f)]);
      return out;
    }
    case STRUCT:
      return readStruct(c);
    default:
      throw dataInvalid(`parquet: footer has unknown thrift type ${type} at offset ${c.offset}`);
  }
}

function readStruct(c: Cursor): ThriftStruct {
  const out: ThriftStruct = {};
  let last = 0;
  for (;;) {
    const h = c.bytes[c.offset++];
    if (h === undefined) throw dataInvalid(`parquet: footer truncated at offset ${c.offset}`);
    const type = h & 0x0f;
    if (type === STOP) return out;
    const delta = h >> 4;
    const id = delta === 0 ? readZigzag(c) : last + delta;
    last = id;
    out[id] = readValue(c, type);
  }
}

/** Decodes one compact-protocol struct starting at `offset`. */
export function thriftReadStruct(bytes: Uint8Array, offset = 0): ThriftStruct {
  return readStruct({ bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset });
}
