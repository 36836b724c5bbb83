/**
 * Iceberg schemas in the JSON shape of table metadata (format/spec.md, "Schemas and Data Types" and
 * Appendix C "JSON serialization"). We keep the spec's JSON shape as our in-memory model, so a schema
 * read from metadata.json, sent to a REST catalog or embedded in a manifest needs no conversion.
 */
import { DatamoveError } from '../../core/index.js';

/** Primitive type names as the spec spells them in JSON (`decimal(10, 2)`, `fixed[16]`). */
export type IcebergPrimitive = string;

export interface IcebergField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

export interface IcebergStructType {
  readonly type: 'struct';
  readonly fields: readonly IcebergField[];
}

export interface IcebergListType {
  readonly type: 'list';
  readonly 'element-id': number;
  readonly element: IcebergType;
  readonly 'element-required': boolean;
}

export interface IcebergMapType {
  readonly type: 'map';
  readonly 'key-id': number;
  readonly key: IcebergType;
  readonly 'value-id': number;
  readonly value: IcebergType;
  readonly 'value-required': boolean;
}

export type IcebergType = IcebergPrimitive | IcebergStructType | IcebergListType | IcebergMapType;

export interface IcebergSchema extends IcebergStructType {
  readonly 'schema-id': number;
  readonly 'identifier-field-ids'?: readonly number[];
}

/** A primitive type parsed into its parameters. */
export type PrimitiveInfo =
  | {
      readonly name:
        | 'boolean'
        | 'int'
        | 'long'
        | 'float'
        | 'double'
        | 'date'
        | 'time'
        | 'timestamp'
        | 'timestamptz'
        | 'string'
        | 'uuid'
        | 'binary';
    }
  | { readonly name: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly name: 'fixed'; readonly length: number };

const SIMPLE = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'string',
  'uuid',
  'binary',
]);

/** Parses `decimal(P, S)`, `fixed[L]` and the simple names; anything else is FeatureUnsupported. */
export function icebergPrimitiveParse(t: string): PrimitiveInfo {
  if (SIMPLE.has(t)) return { name: t as 'int' };
  const d = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (d) return { name: 'decimal', precision: Number(d[1]), scale: Number(d[2]) };
  const f = /^fixed\[(\d+)\]$/.exec(t);
  if (f) return { name: 'fixed', length: Number(f[1]) };
  throw new DatamoveError('FeatureUnsupported', `iceberg: type ${t} is not supported (v2 types only)`, {
    context: { type: t },
  });
}

/** `decimal(P, S)` as the spec spells it. */
export function icebergDecimal(precision: number, scale: number): string {
  return `decimal(${precision}, ${scale})`;
}

/** Every field of a schema, nested ones included, with its parent chain; depth-first. */
export interface FieldInfo {
  readonly id: number;
  readonly name: string;
  readonly type: IcebergType;
  readonly required: boolean;
  /** Dotted path of names (`a.b.element`). */
  readonly path: string;
  /** True when a list or map lies between the root and this field (its bounds do not filter rows). */
  readonly repeated: boolean;
}

/** Indexes a schema by field id, list elements and map keys/values included. */
export function icebergSchemaIndex(schema: IcebergStructType): Map<number, FieldInfo> {
  const out = new Map<number, FieldInfo>();
  const visit = (type: IcebergType, path: string, repeated: boolean): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') {
      for (const f of type.fields) {
        const p = path === '' ? f.name : `${path}.${f.name}`;
        out.set(f.id, { id: f.id, name: f.name, type: f.type, required: f.required, path: p, repeated });
        visit(f.type, p, repeated);
      }
    } else if (type.type === 'list') {
      const p = `${path}.element`;
      out.set(type['element-id'], {
        id: type['element-id'],
        name: 'element',
        type: type.element,
        required: type['element-required'],
        path: p,
        repeated: true,
      });
      visit(type.element, p, true);
    } else {
      const kp = `${path}.key`;
      const vp = `${path}.value`;
      out.set(type['key-id'], {
        id: type['key-id'],
        name: 'key',
        type: type.key,
        required: true,
        path: kp,
        repeated: true,
      });
      out.set(type['value-id'], {
        id: type['value-id'],
        name: 'value',
        type: type.value,
        required: type['value-required'],
        path: vp,
        repeated: true,
      });
      visit(type.key, kp, true);
      visit(type.value, vp, true);
    }
  };
  visit(schema, '', false);
  return out;
}

/** The highest field id in a schema (for `last-column-id`). */
export function icebergSchemaMaxId(schema: IcebergStructType): number {
  let max = 0;
  for (const id of icebergSchemaIndex(schema).keys()) if (id > max) max = id;
  return max;
}
