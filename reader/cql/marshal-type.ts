/**
 * Cassandra's AbstractType string form ("marshal" class names with parameters), as written into the
 * serialization header of Statistics.db: parsing it into a {@link CqlType} and printing a `CqlType` back.
 * Follows db/marshal/TypeParser.java (grammar, UserType/Vector parameters) and the `toString(boolean
 * ignoreFreezing)` methods of ListType, SetType, MapType, UserType, TupleType, VectorType, ReversedType
 * and CompositeType in apache/cassandra (3.0 to 5.0).
 */

import { DatamoveError } from '../../core/index.js';
import type { CqlType, NativeTypeName } from './cql-type.js';

/** The package every built-in marshal class lives in. */
export const MARSHAL_PACKAGE = 'org.apache.cassandra.db.marshal.';

const NATIVE_BY_CLASS: ReadonlyMap<string, NativeTypeName> = new Map<string, NativeTypeName>([
  ['AsciiType', 'ascii'],
  ['UTF8Type', 'text'],
  ['BytesType', 'blob'],
  ['BooleanType', 'boolean'],
  ['ByteType', 'tinyint'],
  ['ShortType', 'smallint'],
  ['Int32Type', 'int'],
  ['LongType', 'bigint'],
  ['IntegerType', 'varint'],
  ['FloatType', 'float'],
  ['DoubleType', 'double'],
  ['DecimalType', 'decimal'],
  ['CounterColumnType', 'counter'],
  ['TimestampType', 'timestamp'],
  ['DateType', 'timestamp'],
  ['SimpleDateType', 'date'],
  ['TimeType', 'time'],
  ['DurationType', 'duration'],
  ['UUIDType', 'uuid'],
  ['LexicalUUIDType', 'uuid'],
  ['TimeUUIDType', 'timeuuid'],
  ['InetAddressType', 'inet'],
  ['EmptyType', 'empty'],
]);

const CLASS_BY_NATIVE: Readonly<Record<NativeTypeName, string>> = {
  ascii: 'AsciiType',
  text: 'UTF8Type',
  blob: 'BytesType',
  boolean: 'BooleanType',
  tinyint: 'ByteType',
  smallint: 'ShortType',
  int: 'Int32Type',
  bigint: 'LongType',
  varint: 'IntegerType',
  float: 'FloatType',
  double: 'DoubleType',
  decimal: 'DecimalType',
  counter: 'CounterColumnType',
  timestamp: 'TimestampType',
  date: 'SimpleDateType',
  time: 'TimeType',
  duration: 'DurationType',
  uuid: 'UUIDType',
  timeuuid: 'TimeUUIDType',
  inet: 'InetAddressType',
  empty: 'EmptyType',
};

const NATIVE_CACHE = new Map<NativeTypeName, CqlType>();

/** The shared `{ kind: 'native', name }` node for a native type. */
export function nativeType(name: NativeTypeName): CqlType {
  let t = NATIVE_CACHE.get(name);
  if (t === undefined) {
    t = Object.freeze({ kind: 'native', name });
    NATIVE_CACHE.set(name, t);
  }
  return t;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function isIdentChar(c: number): boolean {
  // TypeParser.isIdentifierChar: [0-9a-zA-Z] and - + . _ &
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 45 ||
    c === 43 ||
    c === 46 ||
    c === 95 ||
    c === 38
  );
}

class MarshalParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new DatamoveError(
      'DataInvalid',
      `cql: marshal type ${JSON.stringify(this.s)} at ${this.pos}: ${what}`,
      {
        context: { type: this.s, position: this.pos },
      },
    );
  }

  skipBlank(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  atEnd(): boolean {
    this.skipBlank();
    return this.pos >= this.s.length;
  }

  peek(): string {
    this.skipBlank();
    return this.s.charAt(this.pos);
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  identifier(): string {
    this.skipBlank();
    const start = this.pos;
    while (this.pos < this.s.length && isIdentChar(this.s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail('expected a name');
    return this.s.substring(start, this.pos);
  }

  /** Skips a balanced `( ... )` group starting at the current '(' and returns its text. */
  skipGroup(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.s.length) {
      const c = this.s.charAt(this.pos++);
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return this.s.substring(start, this.pos);
    }
    return this.fail('unbalanced parentheses');
  }

  /** Parses one type. `frozen` is true when the context forces a frozen value (nested or FrozenType). */
  type(frozen: boolean): CqlType {
    this.skipBlank();
    const start = this.pos;
    const full = this.identifier();
    const simple = full.startsWith(MARSHAL_PACKAGE) ? full.substring(MARSHAL_PACKAGE.length) : full;
    const hasParams = this.peek() === '(';
    const builtin = simple.indexOf('.') < 0;

    if (builtin && !hasParams) {
      const native = NATIVE_BY_CLASS.get(simple);
      if (native !== undefined) return nativeType(native);
    }
    if (builtin && hasParams) {
      switch (simple) {
        case 'FrozenType': {
          this.expect('(');
          const inner = this.type(true);
          this.expect(')');
          return inner;
        }
        case 'ReversedType': {
          this.expect('(');
          const inner = this.type(true);
          this.expect(')');
          return { kind: 'reversed', inner };
        }
        case 'ListType':
        case 'SetType': {
          this.expect('(');
          const element = this.type(true);
          this.expect(')');
          return { kind: simple === 'ListType' ? 'list' : 'set', element, frozen };
        }
        case 'MapType': {
          this.expect('(');
          const key = this.type(true);
          this.expect(',');
          const value = this.type(true);
          this.expect(')');
          return { kind: 'map', key, value, frozen };
        }
        case 'TupleType':
        case 'CompositeType': {
          const list = this.typeList();
          return simple === 'TupleType'
            ? { kind: 'tuple', elements: list }
            : { kind: 'composite', components: list };
        }
        case 'UserType':
          return this.userType(frozen);
        case 'VectorType': {
          this.expect('(');
          const element = this.type(true);
          this.expect(',');
          const dim = this.identifier();
          if (!/^[0-9]+$/.test(dim) || Number(dim) <= 0) this.fail(`invalid vector dimension '${dim}'`);
          this.expect(')');
          return { kind: 'vector', element, dimension: Number(dim) };
        }
        default:
          break;
      }
    }
    // Anything else (DynamicCompositeType, ColumnToCollectionType, PartitionerDefinedOrder, a user class):
    // opaque bytes; keep the full original spelling.
    if (hasParams) this.skipGroup();
    return { kind: 'custom', className: this.s.substring(start, this.pos) };
  }

  typeList(): CqlType[] {
    this.expect('(');
    const out: CqlType[] = [];
    if (this.peek() === ')') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.type(true));
      const c = this.peek();
      this.pos++;
      if (c === ')') return out;
      if (c !== ',') this.fail("expected ',' or ')'");
    }
  }

  hexString(): string {
    const hex = this.identifier();
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) this.fail(`invalid hex name '${hex}'`);
    const bytes = new Uint8Array(hex.length >>> 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    return utf8Decoder.decode(bytes);
  }

  userType(frozen: boolean): CqlType {
    // UserType(keyspace,hex(name),hex(field):type,...)
    this.expect('(');
    const keyspace = this.identifier();
    this.expect(',');
    const name = this.hexString();
    const fieldNames: string[] = [];
    const fieldTypes: CqlType[] = [];
    for (;;) {
      const c = this.peek();
      this.pos++;
      if (c === ')') break;
      if (c !== ',') this.fail("expected ',' or ')'");
      fieldNames.push(this.hexString());
      this.expect(':');
      fieldTypes.push(this.type(true));
    }
    return { kind: 'udt', keyspace, name, fieldNames, fieldTypes, frozen };
  }
}

/**
 * Parses Cassandra's marshal type string (`org.apache.cassandra.db.marshal.MapType(...)`, package prefix
 * optional). Collections and UDTs not wrapped in `FrozenType` at top level are multi-cell (`frozen:
 * false`); every type nested in another one is frozen. Unknown classes become `custom`.
 */
export function cqlTypeFromMarshal(s: string): CqlType {
  const p = new MarshalParser(s);
  const t = p.type(false);
  if (!p.atEnd()) p.fail('unexpected trailing text');
  return t;
}

function hexUtf8(s: string): string {
  let out = '';
  for (const b of utf8Encoder.encode(s)) out += b.toString(16).padStart(2, '0');
  return out;
}

function marshal(t: CqlType, ignoreFreezing: boolean): string {
  switch (t.kind) {
    case 'native':
      return MARSHAL_PACKAGE + CLASS_BY_NATIVE[t.name];
    case 'list':
    case 'set':
    case 'map':
    case 'udt': {
      const inner = ignoreFreezing || t.frozen;
      let body: string;
      if (t.kind === 'map') {
        body = `MapType(${marshal(t.key, inner)},${marshal(t.value, inner)})`;
      } else if (t.kind === 'udt') {
        let params = `${t.keyspace},${hexUtf8(t.name)}`;
        for (let i = 0; i < t.fieldNames.length; i++) {
          params += `,${hexUtf8(t.fieldNames[i]!)}:${marshal(t.fieldTypes[i]!, inner)}`;
        }
        body = `UserType(${params})`;
      } else {
        body = `${t.kind === 'list' ? 'ListType' : 'SetType'}(${marshal(t.element, inner)})`;
      }
      const s = MARSHAL_PACKAGE + body;
      return !ignoreFreezing && t.frozen ? `${MARSHAL_PACKAGE}FrozenType(${s})` : s;
    }
    case 'tuple':
      return `${MARSHAL_PACKAGE}TupleType(${t.elements.map((e) => marshal(e, true)).join(',')})`;
    case 'vector':
      return `${MARSHAL_PACKAGE}VectorType(${marshal(t.element, ignoreFreezing)},${t.dimension})`;
    case 'reversed':
      return `${MARSHAL_PACKAGE}ReversedType(${marshal(t.inner, false)})`;
    case 'composite':
      return `${MARSHAL_PACKAGE}CompositeType(${t.components.map((c) => marshal(c, false)).join(',')})`;
    case 'custom':
      return t.className;
  }
}

/**
 * Prints a type as Cassandra writes it in a serialization header (`AbstractType.toString()`): full
 * package names, `FrozenType(...)` around frozen collections/UDTs except inside another frozen value or
 * a tuple, UDT names hex-encoded. `timestamp` prints as `TimestampType`, `uuid` as `UUIDType`.
 */
export function cqlTypeToMarshal(t: CqlType): string {
  return marshal(t, false);
}
