/**
 * Schema evolution by name (format/spec.md "Schema Evolution": columns are tracked by field id, never by
 * name or position). A writer derives its schema afresh from the source each run, with ids counted from 1;
 * against an existing table that numbering is meaningless — a column added or dropped in the source shifts
 * the ids of every later column, and an engine reading by id would show one column's values under another's
 * name. `icebergSchemaAlign` gives the source schema the table's ids instead: a column (or nested field,
 * list element, map key/value) keeps the id of the same-named one in the table's current schema, a new one
 * gets a fresh id above `last-column-id` and is optional (rows already in the table have no value for it).
 * Columns the source no longer has are left out, as in the source (old snapshots keep their schema).
 * A type change other than the spec's safe promotions is an error naming the column.
 */
import { DatamoveError } from '../../core/index.js';
import type { IcebergField, IcebergSchema, IcebergType } from './iceberg-schema.js';

export interface AlignedSchema {
  readonly schema: IcebergSchema;
  readonly lastColumnId: number;
  /** False when the aligned schema is the table's current one (same ids, names, types, requiredness). */
  readonly changed: boolean;
}

/** The spec's type promotions: int → long, float → double, decimal(P, S) → decimal(P', S) with P' ≥ P. */
function promotes(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === 'int' && to === 'long') return true;
  if (from === 'float' && to === 'double') return true;
  const a = /^decimal\((\d+),\s*(\d+)\)$/.exec(from);
  const b = /^decimal\((\d+),\s*(\d+)\)$/.exec(to);
  return a !== null && b !== null && a[2] === b[2] && Number(b[1]) >= Number(a[1]);
}

/** JSON with object keys sorted, so schemas written by other engines compare by content. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const kindOf = (t: IcebergType): string => (typeof t === 'string' ? 'primitive' : t.type);

/** `next` (ids from 1) with the ids of `base`, the table's current schema; new ids above `lastColumnId`. */
export function icebergSchemaAlign(
  base: IcebergSchema,
  lastColumnId: number,
  next: IcebergSchema,
): AlignedSchema {
  let last = lastColumnId;
  const fresh = () => ++last;
  const align = (b: IcebergType | undefined, t: IcebergType, name: string): IcebergType => {
    if (b !== undefined && kindOf(b) !== kindOf(t)) {
      throw new DatamoveError(
        'InvalidArgument',
        `iceberg: column ${name} is ${JSON.stringify(b)} in the table and ${JSON.stringify(t)} in the source; the table's schema cannot change that way`,
        { context: { column: name } },
      );
    }
    if (typeof t === 'string') {
      if (typeof b === 'string' && !promotes(b, t)) {
        throw new DatamoveError(
          'InvalidArgument',
          `iceberg: column ${name} is ${b} in the table and ${t} in the source; the table's schema cannot change that way`,
          { context: { column: name } },
        );
      }
      return t;
    }
    if (t.type === 'struct') {
      const bf = b !== undefined && typeof b !== 'string' && b.type === 'struct' ? b.fields : [];
      return { type: 'struct', fields: fieldsAlign(bf, t.fields, `${name}.`) };
    }
    if (t.type === 'list') {
      const bl = b !== undefined && typeof b !== 'string' && b.type === 'list' ? b : undefined;
      return {
        type: 'list',
        'element-id': bl?.['element-id'] ?? fresh(),
        element: align(bl?.element, t.element, `${name}.element`),
        'element-required': t['element-required'] && (bl?.['element-required'] ?? true),
      };
    }
    const bm = b !== undefined && typeof b !== 'string' && b.type === 'map' ? b : undefined;
    return {
      type: 'map',
      'key-id': bm?.['key-id'] ?? fresh(),
      key: align(bm?.key, t.key, `${name}.key`),
      'value-id': bm?.['value-id'] ?? fresh(),
      value: align(bm?.value, t.value, `${name}.value`),
      'value-required': t['value-required'] && (bm?.['value-required'] ?? true),
    };
  };
  const fieldsAlign = (
    bf: readonly IcebergField[],
    nf: readonly IcebergField[],
    prefix: string,
  ): IcebergField[] => {
    // ids of the top level first, so a new column's id comes before its nested ones
    const matched = nf.map((f) => bf.find((x) => x.name === f.name));
    const ids = nf.map((_, i) => matched[i]?.id ?? fresh());
    return nf.map((f, i) => {
      const m = matched[i];
      const out: IcebergField = {
        ...f,
        id: ids[i]!,
        required: m === undefined ? false : m.required && f.required,
        type: align(m?.type, f.type, `${prefix}${f.name}`),
      };
      return out;
    });
  };
  const fields = fieldsAlign(base.fields, next.fields, '');
  const byName = new Map(next.fields.map((f, i) => [f.id, fields[i]!]));
  const identifiers = next['identifier-field-ids']?.map((id) => byName.get(id));
  const schema: IcebergSchema = {
    type: 'struct',
    'schema-id': base['schema-id'],
    fields,
    ...(identifiers !== undefined && identifiers.length > 0 && identifiers.every((f) => f?.required)
      ? { 'identifier-field-ids': identifiers.map((f) => f!.id) }
      : {}),
  };
  const same = (s: IcebergSchema) => sortedJson({ f: s.fields, i: s['identifier-field-ids'] ?? [] });
  return { schema, lastColumnId: last, changed: same(schema) !== same(base) };
}
