/**
 * Parser for the schema.cql files that `nodetool snapshot` (and backup tools) store next to SSTables:
 * `CREATE TYPE`, `CREATE TABLE` (columns, STATIC, PRIMARY KEY forms, WITH ID / CLUSTERING ORDER BY /
 * COMPACT STORAGE / options), `ALTER TABLE ... DROP col USING TIMESTAMP n` and `ALTER TABLE ... ADD`,
 * `ALTER TYPE ... ADD`; other statements (CREATE KEYSPACE, CREATE INDEX, views, ...) are skipped.
 * Follows the grammar of src/antlr/Parser.g and the output of db/SchemaCQLHelper.java /
 * schema/TableMetadata.toCqlString in apache/cassandra. Errors name the line and column.
 */

import { DatamoveError } from '../../core/index.js';
import type { CqlToken } from './cql-lexer.js';
import { CqlTokenStream, tokenizeCql } from './cql-lexer.js';
import type { CqlTypeScope } from './cql-syntax.js';
import { parseCqlType } from './cql-syntax.js';
import type { CqlType } from './cql-type.js';

/** A column of a table. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: CqlType;
  readonly kind: 'partition_key' | 'clustering' | 'static' | 'regular';
}

/** A dropped column: its name, its type when the schema still lists it, and the drop time in microseconds. */
export interface DroppedColumn {
  readonly name: string;
  readonly type?: CqlType;
  readonly droppedAt: number;
}

/** One table of a schema.cql file. */
export interface TableSchema {
  keyspace: string;
  name: string;
  id?: string;
  /** Live columns in definition order (dropped ones removed). */
  columns: ColumnSchema[];
  partitionKey: string[];
  clustering: string[];
  /** One entry per clustering column; ASC unless CLUSTERING ORDER BY says DESC. */
  clusteringOrder: ('ASC' | 'DESC')[];
  compactStorage: boolean;
  dropped: DroppedColumn[];
  /** Every other WITH option by lower-cased name: strings, numbers, booleans, maps as objects, lists as arrays. */
  options: Record<string, unknown>;
}

/** Everything parsed from a schema.cql text. */
export interface SchemaCql {
  tables: TableSchema[];
  /** User types by `keyspace.name` (as written; unquoted names lower-cased). */
  types: Map<string, CqlType>;
}

interface QualifiedName {
  keyspace: string;
  name: string;
  at: CqlToken;
}

class SchemaParser {
  readonly ts: CqlTokenStream;
  readonly tables: TableSchema[] = [];
  readonly types = new Map<string, CqlType>();

  constructor(text: string) {
    this.ts = new CqlTokenStream(tokenizeCql(text, 'schema'), 'schema');
  }

  parse(): SchemaCql {
    const ts = this.ts;
    while (!ts.atEnd()) {
      if (ts.acceptPunct(';')) continue;
      if (ts.isKeyword('create') && ts.isKeyword('type', 1)) {
        ts.next();
        ts.next();
        this.createType();
      } else if (ts.isKeyword('create') && (ts.isKeyword('table', 1) || ts.isKeyword('columnfamily', 1))) {
        ts.next();
        ts.next();
        this.createTable();
      } else if (ts.isKeyword('alter') && (ts.isKeyword('table', 1) || ts.isKeyword('columnfamily', 1))) {
        ts.next();
        ts.next();
        this.alterTable();
      } else if (ts.isKeyword('alter') && ts.isKeyword('type', 1)) {
        ts.next();
        ts.next();
        this.alterType();
      } else {
        this.skipStatement();
        continue;
      }
      this.endStatement();
    }
    return { tables: this.tables, types: this.types };
  }

  endStatement(): void {
    if (!this.ts.atEnd() && !this.ts.acceptPunct(';')) this.ts.fail("expected ';'");
  }

  skipStatement(): void {
    const ts = this.ts;
    let depth = 0;
    while (!ts.atEnd()) {
      const t = ts.next();
      if (t.kind !== 'punct') continue;
      if (t.value === '(' || t.value === '{' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === '}' || t.value === ']') depth--;
      else if (t.value === ';' && depth <= 0) return;
    }
  }

  ifNotExists(): void {
    const ts = this.ts;
    if (ts.isKeyword('if') && ts.isKeyword('not', 1) && ts.isKeyword('exists', 2)) {
      ts.next();
      ts.next();
      ts.next();
    }
  }

  qualifiedName(what: string): QualifiedName {
    const at = this.ts.peek();
    const first = this.ts.identifier(what);
    if (this.ts.acceptPunct('.')) return { keyspace: first, name: this.ts.identifier(what), at };
    return { keyspace: '', name: first, at };
  }

  scope(keyspace: string): CqlTypeScope {
    return keyspace === '' ? { udts: this.types } : { udts: this.types, keyspace };
  }

  typeKey(keyspace: string, name: string): string {
    return keyspace === '' ? name : `${keyspace}.${name}`;
  }

  createType(): void {
    const ts = this.ts;
    this.ifNotExists();
    const q = this.qualifiedName('type name');
    ts.expectPunct('(');
    const fieldNames: string[] = [];
    const fieldTypes: CqlType[] = [];
    if (!ts.isPunct(')')) {
      do {
        fieldNames.push(ts.identifier('field name'));
        fieldTypes.push(parseCqlType(ts, this.scope(q.keyspace), true));
      } while (ts.acceptPunct(','));
    }
    ts.expectPunct(')');
    this.types.set(this.typeKey(q.keyspace, q.name), {
      kind: 'udt',
      keyspace: q.keyspace,
      name: q.name,
      fieldNames,
      fieldTypes,
      frozen: true,
    });
  }

  alterType(): void {
    const ts = this.ts;
    const q = this.qualifiedName('type name');
    const key = this.typeKey(q.keyspace, q.name);
    const t = this.types.get(key);
    if (t === undefined || t.kind !== 'udt') this.failAt(`unknown type '${key}'`, q.at);
    if (ts.acceptKeyword('add')) {
      this.ifNotExists();
      const field = ts.identifier('field name');
      const type = parseCqlType(ts, this.scope(q.keyspace), true);
      this.types.set(key, {
        ...t,
        fieldNames: [...t.fieldNames, field],
        fieldTypes: [...t.fieldTypes, type],
      });
    } else if (ts.acceptKeyword('rename')) {
      this.ifExists();
      const names = [...t.fieldNames];
      do {
        const from = ts.identifier('field name');
        ts.expectKeyword('to');
        const to = ts.identifier('field name');
        const i = names.indexOf(from);
        if (i >= 0) names[i] = to;
      } while (ts.acceptKeyword('and'));
      this.types.set(key, { ...t, fieldNames: names });
    } else {
      this.skipToStatementEnd();
    }
  }

  ifExists(): void {
    if (this.ts.isKeyword('if') && this.ts.isKeyword('exists', 1)) {
      this.ts.next();
      this.ts.next();
    }
  }

  skipToStatementEnd(): void {
    const ts = this.ts;
    let depth = 0;
    while (!ts.atEnd()) {
      const t = ts.peek();
      if (t.kind === 'punct') {
        if (t.value === ';' && depth <= 0) return;
        if (t.value === '(' || t.value === '{' || t.value === '[') depth++;
        else if (t.value === ')' || t.value === '}' || t.value === ']') depth--;
      }
      ts.next();
    }
  }

  failAt(what: string, at: CqlToken): never {
    throw new DatamoveError('DataInvalid', `cql: schema line ${at.line} column ${at.column}: ${what}`, {
      context: { line: at.line, column: at.column },
    });
  }

  createTable(): void {
    const ts = this.ts;
    this.ifNotExists();
    const q = this.qualifiedName('table name');
    const scope = this.scope(q.keyspace);
    ts.expectPunct('(');
    const defs: { name: string; type: CqlType; isStatic: boolean; at: CqlToken }[] = [];
    let partitionKey: string[] | undefined;
    let clustering: string[] = [];
    do {
      if (ts.isKeyword('primary') && ts.isKeyword('key', 1)) {
        const at = ts.next();
        ts.next();
        if (partitionKey !== undefined) this.failAt('more than one PRIMARY KEY', at);
        ts.expectPunct('(');
        if (ts.acceptPunct('(')) {
          partitionKey = [ts.identifier('column name')];
          while (ts.acceptPunct(',')) partitionKey.push(ts.identifier('column name'));
          ts.expectPunct(')');
        } else {
          partitionKey = [ts.identifier('column name')];
        }
        clustering = [];
        while (ts.acceptPunct(',')) clustering.push(ts.identifier('column name'));
        ts.expectPunct(')');
        continue;
      }
      const at = ts.peek();
      const name = ts.identifier('column name');
      const type = parseCqlType(ts, scope, false);
      let isStatic = false;
      for (;;) {
        if (ts.acceptKeyword('static')) {
          isStatic = true;
        } else if (ts.isKeyword('primary') && ts.isKeyword('key', 1)) {
          const pkAt = ts.next();
          ts.next();
          if (partitionKey !== undefined) this.failAt('more than one PRIMARY KEY', pkAt);
          partitionKey = [name];
          clustering = [];
        } else {
          break;
        }
      }
      defs.push({ name, type, isStatic, at });
    } while (ts.acceptPunct(','));
    ts.expectPunct(')');
    if (partitionKey === undefined) this.failAt(`table ${q.name} has no PRIMARY KEY`, q.at);

    const table: TableSchema = {
      keyspace: q.keyspace,
      name: q.name,
      columns: [],
      partitionKey,
      clustering,
      clusteringOrder: clustering.map(() => 'ASC'),
      compactStorage: false,
      dropped: [],
      options: {},
    };
    const byName = new Map<string, (typeof defs)[number]>();
    for (const d of defs) {
      if (byName.has(d.name)) this.failAt(`column '${d.name}' is defined twice`, d.at);
      byName.set(d.name, d);
    }
    for (const k of [...partitionKey, ...clustering]) {
      if (!byName.has(k)) this.failAt(`primary key column '${k}' is not defined`, q.at);
    }
    const pk = new Set(partitionKey);
    const ck = new Set(clustering);
    for (const d of defs) {
      const kind = pk.has(d.name)
        ? 'partition_key'
        : ck.has(d.name)
          ? 'clustering'
          : d.isStatic
            ? 'static'
            : 'regular';
      if (d.isStatic && kind !== 'static')
        this.failAt(`primary key column '${d.name}' cannot be STATIC`, d.at);
      table.columns.push({ name: d.name, type: d.type, kind });
    }
    if (ts.acceptKeyword('with')) this.tableOptions(table);
    this.tables.push(table);
  }

  tableOptions(table: TableSchema): void {
    const ts = this.ts;
    do {
      if (ts.acceptKeyword('compact')) {
        ts.expectKeyword('storage');
        table.compactStorage = true;
      } else if (ts.isKeyword('clustering') && ts.isKeyword('order', 1)) {
        ts.next();
        ts.next();
        ts.expectKeyword('by');
        ts.expectPunct('(');
        do {
          const at = ts.peek();
          const col = ts.identifier('column name');
          let order: 'ASC' | 'DESC' = 'ASC';
          if (ts.acceptKeyword('desc')) order = 'DESC';
          else ts.acceptKeyword('asc');
          const i = table.clustering.indexOf(col);
          if (i < 0) this.failAt(`CLUSTERING ORDER BY names '${col}', which is not a clustering column`, at);
          table.clusteringOrder[i] = order;
        } while (ts.acceptPunct(','));
        ts.expectPunct(')');
      } else {
        const at = ts.peek();
        const name = ts.identifier('option name');
        ts.expectPunct('=');
        const value = this.literal();
        if (name === 'id') {
          if (typeof value !== 'string') this.failAt('table ID must be a UUID', at);
          table.id = value;
        } else {
          table.options[name] = value;
        }
      }
    } while (ts.acceptKeyword('and'));
  }

  /** A constant: string, number, boolean, identifier, uuid, blob, map `{}`, list `[]`, set/tuple `()`. */
  literal(): unknown {
    const ts = this.ts;
    const t = ts.peek();
    switch (t.kind) {
      case 'string':
      case 'uuid':
      case 'hex':
        ts.next();
        return t.value;
      case 'number':
        ts.next();
        return Number(t.value);
      case 'ident':
        ts.next();
        if (t.value === 'true') return true;
        if (t.value === 'false') return false;
        if (t.value === 'null') return null;
        if (t.value === 'nan') return Number.NaN;
        if (t.value === 'infinity') return Number.POSITIVE_INFINITY;
        return t.value;
      case 'qident':
        ts.next();
        return t.value;
      case 'punct': {
        if (t.value === '-' && ts.isKeyword('infinity', 1)) {
          ts.next();
          ts.next();
          return Number.NEGATIVE_INFINITY;
        }
        if (t.value === '{') {
          ts.next();
          const out: Record<string, unknown> = {};
          const items: unknown[] = [];
          let isMap = true;
          if (!ts.isPunct('}')) {
            do {
              const k = this.literal();
              if (ts.acceptPunct(':')) {
                const v = this.literal();
                out[typeof k === 'string' ? k : JSON.stringify(k)] = v;
              } else {
                isMap = false;
                items.push(k);
              }
            } while (ts.acceptPunct(','));
          }
          ts.expectPunct('}');
          return isMap ? out : items;
        }
        if (t.value === '[' || t.value === '(') {
          ts.next();
          const close = t.value === '[' ? ']' : ')';
          const items: unknown[] = [];
          if (!ts.isPunct(close)) {
            do {
              items.push(this.literal());
            } while (ts.acceptPunct(','));
          }
          ts.expectPunct(close);
          return items;
        }
        return ts.fail('expected a value');
      }
      default:
        return ts.fail('expected a value');
    }
  }

  findTable(q: QualifiedName): TableSchema {
    for (let i = this.tables.length - 1; i >= 0; i--) {
      const t = this.tables[i]!;
      if (t.name === q.name && (q.keyspace === '' || t.keyspace === q.keyspace)) return t;
    }
    const shown = q.keyspace === '' ? q.name : `${q.keyspace}.${q.name}`;
    return this.failAt(`ALTER TABLE of unknown table '${shown}'`, q.at);
  }

  usingTimestamp(): number | undefined {
    const ts = this.ts;
    if (!ts.acceptKeyword('using')) return undefined;
    ts.expectKeyword('timestamp');
    const t = ts.peek();
    if (t.kind !== 'number' || !/^-?[0-9]+$/.test(t.value)) ts.fail('expected a timestamp in microseconds');
    ts.next();
    return Number(t.value);
  }

  alterTable(): void {
    const ts = this.ts;
    this.ifExists();
    const q = this.qualifiedName('table name');
    const table = this.findTable(q);
    if (ts.acceptKeyword('drop')) {
      this.ifExists();
      const names: CqlToken[] = [];
      if (ts.acceptPunct('(')) {
        do {
          names.push(ts.peek());
          ts.identifier('column name');
        } while (ts.acceptPunct(','));
        ts.expectPunct(')');
      } else {
        names.push(ts.peek());
        ts.identifier('column name');
      }
      const at = ts.peek();
      const droppedAt = this.usingTimestamp();
      if (droppedAt === undefined) this.failAt('ALTER TABLE DROP without USING TIMESTAMP', at);
      for (const n of names) {
        const i = table.columns.findIndex((c) => c.name === n.value);
        const col = i >= 0 ? table.columns[i] : undefined;
        if (col !== undefined && col.kind !== 'regular' && col.kind !== 'static') {
          this.failAt(`cannot drop primary key column '${n.value}'`, n);
        }
        if (i >= 0) table.columns.splice(i, 1);
        table.dropped = table.dropped.filter((d) => d.name !== n.value);
        table.dropped.push(
          col === undefined ? { name: n.value, droppedAt } : { name: n.value, type: col.type, droppedAt },
        );
      }
    } else if (ts.acceptKeyword('add')) {
      this.ifNotExists();
      const scope = this.scope(table.keyspace);
      const addOne = (): void => {
        const at = ts.peek();
        const name = ts.identifier('column name');
        const type = parseCqlType(ts, scope, false);
        const isStatic = ts.acceptKeyword('static');
        if (table.columns.some((c) => c.name === name)) this.failAt(`column '${name}' already exists`, at);
        table.columns.push({ name, type, kind: isStatic ? 'static' : 'regular' });
      };
      if (ts.acceptPunct('(')) {
        do {
          addOne();
        } while (ts.acceptPunct(','));
        ts.expectPunct(')');
      } else {
        addOne();
      }
      this.usingTimestamp();
    } else if (ts.acceptKeyword('with')) {
      this.tableOptions(table);
    } else if (ts.acceptKeyword('rename')) {
      this.ifExists();
      do {
        const from = ts.identifier('column name');
        ts.expectKeyword('to');
        const to = ts.identifier('column name');
        const rename = (n: string): string => (n === from ? to : n);
        table.columns = table.columns.map((c) => (c.name === from ? { ...c, name: to } : c));
        table.partitionKey = table.partitionKey.map(rename);
        table.clustering = table.clustering.map(rename);
      } while (ts.acceptKeyword('and'));
    } else {
      this.skipToStatementEnd();
    }
  }
}

/**
 * Parses a schema.cql text: every CREATE TYPE / CREATE TABLE / ALTER TABLE (ADD, DROP ... USING
 * TIMESTAMP, WITH, RENAME) / ALTER TYPE (ADD, RENAME) in order; other statements are skipped. Unquoted
 * identifiers are lower-cased; quoted ones kept verbatim. Throws `DataInvalid` naming line and column.
 */
export function parseSchemaCql(text: string): SchemaCql {
  return new SchemaParser(text).parse();
}
