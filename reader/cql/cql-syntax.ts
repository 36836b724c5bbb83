/**
 * CQL type syntax (`int`, `frozen<map<text, frozen<list<int>>>>`, `tuple<int, text>`, `vector<float, 3>`,
 * a user type name, `'custom.Class'`): parsing into a {@link CqlType} and printing back. Follows
 * cql3/CQL3Type.java (`Raw`, `toString`) and the type rules of src/antlr/Parser.g (`comparatorType`) in
 * apache/cassandra: collections and UDTs nested in another type are always frozen.
 */

import { DatamoveError } from '../../core/index.js';
import { CqlTokenStream, tokenizeCql } from './cql-lexer.js';
import type { CqlType, NativeTypeName } from './cql-type.js';
import { cqlTypeFromMarshal, cqlTypeToMarshal, nativeType } from './marshal-type.js';

const NATIVE_BY_CQL: ReadonlyMap<string, NativeTypeName> = new Map<string, NativeTypeName>([
  ['ascii', 'ascii'],
  ['bigint', 'bigint'],
  ['blob', 'blob'],
  ['boolean', 'boolean'],
  ['counter', 'counter'],
  ['date', 'date'],
  ['decimal', 'decimal'],
  ['double', 'double'],
  ['duration', 'duration'],
  ['float', 'float'],
  ['inet', 'inet'],
  ['int', 'int'],
  ['smallint', 'smallint'],
  ['text', 'text'],
  ['varchar', 'text'],
  ['time', 'time'],
  ['timestamp', 'timestamp'],
  ['timeuuid', 'timeuuid'],
  ['tinyint', 'tinyint'],
  ['uuid', 'uuid'],
  ['varint', 'varint'],
]);

/** Where user type names are resolved: known types by `keyspace.name` (or bare `name`), default keyspace. */
export interface CqlTypeScope {
  readonly udts: ReadonlyMap<string, CqlType>;
  readonly keyspace?: string;
}

function withFrozen(t: CqlType, frozen: boolean): CqlType {
  if (t.kind === 'list' || t.kind === 'set' || t.kind === 'map' || t.kind === 'udt') {
    return t.frozen === frozen ? t : { ...t, frozen };
  }
  return t;
}

function lookupUdt(scope: CqlTypeScope, keyspace: string | undefined, name: string): CqlType | undefined {
  const { udts } = scope;
  if (keyspace !== undefined) return udts.get(`${keyspace}.${name}`);
  if (scope.keyspace !== undefined) {
    const t = udts.get(`${scope.keyspace}.${name}`);
    if (t !== undefined) return t;
  }
  const bare = udts.get(name);
  if (bare !== undefined) return bare;
  let found: CqlType | undefined;
  for (const [key, t] of udts) {
    if (key.endsWith(`.${name}`) && key.indexOf('.') === key.length - name.length - 1) {
      if (found !== undefined) return undefined; // ambiguous
      found = t;
    }
  }
  return found;
}

/**
 * Parses one CQL type from a token stream. `nested` is true inside another type (everything there is
 * frozen). Used by the schema parser; {@link cqlTypeFromCql} is the string entry point.
 */
export function parseCqlType(ts: CqlTokenStream, scope: CqlTypeScope, nested = false): CqlType {
  const tok = ts.peek();
  if (tok.kind === 'string') {
    ts.next();
    return cqlTypeFromMarshal(tok.value);
  }
  if (tok.kind !== 'ident' && tok.kind !== 'qident') ts.fail('expected a type');
  ts.next();
  if (tok.kind === 'ident') {
    const native = NATIVE_BY_CQL.get(tok.value);
    if (native !== undefined) return nativeType(native);
    switch (tok.value) {
      case 'frozen': {
        ts.expectPunct('<');
        const inner = parseCqlType(ts, scope, true);
        ts.expectPunct('>');
        return withFrozen(inner, true);
      }
      case 'list':
      case 'set': {
        ts.expectPunct('<');
        const element = parseCqlType(ts, scope, true);
        ts.expectPunct('>');
        return { kind: tok.value, element, frozen: nested };
      }
      case 'map': {
        ts.expectPunct('<');
        const key = parseCqlType(ts, scope, true);
        ts.expectPunct(',');
        const value = parseCqlType(ts, scope, true);
        ts.expectPunct('>');
        return { kind: 'map', key, value, frozen: nested };
      }
      case 'tuple': {
        ts.expectPunct('<');
        const elements: CqlType[] = [parseCqlType(ts, scope, true)];
        while (ts.acceptPunct(',')) elements.push(parseCqlType(ts, scope, true));
        ts.expectPunct('>');
        return { kind: 'tuple', elements };
      }
      case 'vector': {
        ts.expectPunct('<');
        const element = parseCqlType(ts, scope, true);
        ts.expectPunct(',');
        const dim = ts.peek();
        if (dim.kind !== 'number' || !/^[0-9]+$/.test(dim.value) || Number(dim.value) <= 0) {
          ts.fail('expected a positive vector dimension');
        }
        ts.next();
        ts.expectPunct('>');
        return { kind: 'vector', element, dimension: Number(dim.value) };
      }
      default:
        break;
    }
  }
  // A user type: name or keyspace.name, either part possibly quoted.
  let keyspace: string | undefined;
  let name = tok.value;
  if (ts.acceptPunct('.')) {
    keyspace = name;
    name = ts.identifier('type name');
  }
  const udt = lookupUdt(scope, keyspace, name);
  if (udt === undefined) {
    const shown = keyspace === undefined ? name : `${keyspace}.${name}`;
    throw new DatamoveError(
      'DataInvalid',
      `cql: ${ts.source} line ${tok.line} column ${tok.column}: unknown type '${shown}'`,
      { context: { line: tok.line, column: tok.column, type: shown } },
    );
  }
  return withFrozen(udt, nested);
}

/**
 * Parses CQL type syntax. User type names are looked up in `udts` (keys `keyspace.name`, or a bare
 * `name`); an unqualified name is first tried in `defaultKeyspace`. Top-level collections and UDTs without
 * `frozen<>` are multi-cell; nested ones are frozen.
 */
export function cqlTypeFromCql(
  s: string,
  udts: ReadonlyMap<string, CqlType>,
  defaultKeyspace?: string,
): CqlType {
  const ts = new CqlTokenStream(tokenizeCql(s, 'type'), 'type');
  const scope: CqlTypeScope = defaultKeyspace === undefined ? { udts } : { udts, keyspace: defaultKeyspace };
  const t = parseCqlType(ts, scope, false);
  if (!ts.atEnd()) ts.fail('unexpected text after type');
  return t;
}

const RESERVED = new Set([
  'add',
  'allow',
  'alter',
  'and',
  'apply',
  'asc',
  'authorize',
  'batch',
  'begin',
  'by',
  'columnfamily',
  'create',
  'default',
  'delete',
  'desc',
  'describe',
  'drop',
  'entries',
  'execute',
  'from',
  'full',
  'grant',
  'if',
  'in',
  'index',
  'infinity',
  'insert',
  'into',
  'is',
  'keyspace',
  'limit',
  'materialized',
  'mbean',
  'mbeans',
  'modify',
  'nan',
  'norecursive',
  'not',
  'null',
  'of',
  'on',
  'or',
  'order',
  'primary',
  'rename',
  'replace',
  'revoke',
  'schema',
  'select',
  'set',
  'table',
  'to',
  'token',
  'truncate',
  'unlogged',
  'unset',
  'update',
  'use',
  'using',
  'view',
  'where',
  'with',
]);

/** Quotes a CQL identifier when needed (mixed case, special characters, reserved words). */
export function quoteCqlIdentifier(name: string): string {
  if (/^[a-z][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

function toCql(t: CqlType): string {
  switch (t.kind) {
    case 'native':
      return t.name === 'empty' ? `'${cqlTypeToMarshal(t)}'` : t.name;
    case 'list':
    case 'set': {
      const s = `${t.kind}<${toCql(t.element)}>`;
      return t.frozen ? `frozen<${s}>` : s;
    }
    case 'map': {
      const s = `map<${toCql(t.key)}, ${toCql(t.value)}>`;
      return t.frozen ? `frozen<${s}>` : s;
    }
    case 'udt': {
      const s = quoteCqlIdentifier(t.name);
      return t.frozen ? `frozen<${s}>` : s;
    }
    case 'tuple':
      return `tuple<${t.elements.map(toCql).join(', ')}>`;
    case 'vector':
      return `vector<${toCql(t.element)}, ${t.dimension}>`;
    case 'reversed':
      return toCql(t.inner);
    case 'composite':
    case 'custom':
      return `'${cqlTypeToMarshal(t).replace(/'/g, "''")}'`;
  }
}

/**
 * Prints a type in CQL syntax as DESCRIBE would (`frozen<list<int>>`, `map<text, frozen<set<int>>>`).
 * A `reversed` type prints as its inner type (order is part of the table, not the type); `composite`,
 * `custom` and `empty` print as quoted marshal class strings.
 */
export function cqlTypeToCql(t: CqlType): string {
  return toCql(t);
}
