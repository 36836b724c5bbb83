/**
 * The CQL → Iceberg mapping: the Iceberg schema of a table (ids, required keys, identifier fields,
 * types), and that it agrees with the raw Arrow schema the compactor builds batches in — the Arrow
 * schema of the Iceberg schema is the raw schema, field for field, over every type and the corpus.
 */
import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { rawArrowSchema } from '../../compactor/index.js';
import { arrowSchemaFromIceberg } from '../../iceberg-writer/index.js';
import { corpusCases } from '../../infra/index.js';
import type { CqlType, NativeTypeName, TableModel } from '../../reader/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import { icebergSchemaFromTable } from '../cql-mapping.js';

describe('CQL mapping', () => {
  it('maps a table model to an Iceberg schema and an Arrow schema with field ids', () => {
    const n = (name: NativeTypeName): CqlType => ({ kind: 'native', name });
    const mapping = icebergSchemaFromTable(
      {
        keyspace: 'ks',
        name: 't',
        partitionKey: [{ name: 'k', type: n('uuid') }],
        clustering: [{ name: 'c', type: { kind: 'reversed', inner: n('timestamp') } }],
        columns: [
          { id: 0, name: 'v', type: n('varint'), kind: 'regular', complex: false, hidden: false },
          {
            id: 1,
            name: 'm',
            type: { kind: 'map', key: n('text'), value: n('decimal'), frozen: false },
            kind: 'regular',
            complex: true,
            hidden: false,
          },
          { id: 2, name: 'd', type: n('duration'), kind: 'regular', complex: false, hidden: false },
          {
            id: 3,
            name: 'vec',
            type: { kind: 'vector', element: n('float'), dimension: 3 },
            kind: 'regular',
            complex: false,
            hidden: false,
          },
          {
            id: 4,
            name: 'tu',
            type: { kind: 'tuple', elements: [n('int'), n('inet')] },
            kind: 'regular',
            complex: false,
            hidden: false,
          },
        ],
        compactStorage: false,
        fromSchema: true,
      },
      { vector: 'fixed-size-list' },
    );
    const f = mapping.schema.fields;
    expect(f.map((x) => [x.id, x.name, x.required])).toEqual([
      [1, 'k', true],
      [2, 'c', true],
      [3, 'v', false],
      [4, 'm', false],
      [5, 'd', false],
      [6, 'vec', false],
      [7, 'tu', false],
    ]);
    expect(f[0]!.type).toBe('uuid');
    expect(f[1]!.type).toBe('timestamptz');
    expect(f[2]!.type).toBe('decimal(38, 0)');
    expect(f[3]!.type).toEqual({
      type: 'map',
      'key-id': 8,
      key: 'string',
      'value-id': 9,
      value: 'string',
      'value-required': false,
    });
    expect(mapping.schema['identifier-field-ids']).toEqual([1, 2]);
    const arrow = arrowSchemaFromIceberg(mapping.schema, { fixedSizeLists: mapping.fixedSizeLists });
    expect(String(arrow.fields[5]!.type)).toContain('FixedSizeList[3]');
    expect(arrow.fields[3]!.metadata.get('PARQUET:field_id')).toBe('4');
  });
});

const n = (name: NativeTypeName): CqlType => ({ kind: 'native', name });
const NATIVES: NativeTypeName[] = [
  'ascii',
  'text',
  'blob',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'varint',
  'float',
  'double',
  'decimal',
  'counter',
  'timestamp',
  'date',
  'time',
  'duration',
  'uuid',
  'timeuuid',
  'inet',
  'empty',
];
const NESTED: CqlType[] = [
  { kind: 'list', element: n('int'), frozen: false },
  { kind: 'set', element: { kind: 'tuple', elements: [n('text'), n('duration')] }, frozen: true },
  {
    kind: 'map',
    key: n('timeuuid'),
    value: { kind: 'list', element: n('varint'), frozen: true },
    frozen: false,
  },
  {
    kind: 'udt',
    keyspace: 'ks',
    name: 'u',
    fieldNames: ['a', 'b'],
    fieldTypes: [n('decimal'), { kind: 'vector', element: n('float'), dimension: 2 }],
    frozen: false,
  },
  { kind: 'vector', element: { kind: 'vector', element: n('int'), dimension: 2 }, dimension: 3 },
  { kind: 'list', element: { kind: 'vector', element: n('float'), dimension: 2 }, frozen: false },
  { kind: 'custom', className: 'org.example.CustomType' },
];
/** Every type once, a composite key, a reversed vector clustering column and a hidden column. */
const EVERY_TYPE: TableModel = {
  keyspace: 'ks',
  name: 'every_type',
  partitionKey: [
    { name: 'k', type: n('uuid') },
    { name: 'k2', type: n('text') },
  ],
  clustering: [
    { name: 'c', type: { kind: 'reversed', inner: { kind: 'vector', element: n('int'), dimension: 2 } } },
  ],
  columns: [...NATIVES.map(n), ...NESTED].map((type, id) => ({
    id,
    name: `v${id}`,
    type,
    kind: id % 5 === 0 ? ('static' as const) : ('regular' as const),
    complex: false,
    hidden: id === 3,
  })),
  compactStorage: false,
  fromSchema: true,
};
const OPTIONS = [
  {},
  { vector: 'fixed-size-list' },
  { varint: 'string', decimal: { precision: 20, scale: 4 } },
];

function shape(f: arrow.Field): unknown {
  return {
    name: f.name,
    nullable: f.nullable,
    type: String(f.type),
    id: f.metadata.get('PARQUET:field_id'),
    children: (f.type.children ?? []).map(shape),
  };
}

describe('the Iceberg schema and the raw Arrow schema agree', () => {
  it('over every CQL type and the corpus tables', async () => {
    const models: TableModel[] = [EVERY_TYPE];
    for (const c of corpusCases()) {
      if (c.spec.expected.error !== undefined) continue;
      const t = await tableFolderOpen(localDirectory(c.dir));
      models.push(t.model);
      await t.close();
    }
    expect(models.length).toBeGreaterThan(40);
    for (const model of models) {
      for (const o of OPTIONS) {
        const mapping = icebergSchemaFromTable(model, o);
        const fromIceberg = arrowSchemaFromIceberg(mapping.schema, {
          fixedSizeLists: mapping.fixedSizeLists,
        });
        const raw = rawArrowSchema(model, o);
        expect(raw.schema.fields.map(shape), `${model.name} ${JSON.stringify(o)}`).toEqual(
          fromIceberg.fields.map(shape),
        );
      }
    }
  });
  it('names the column a composite type cannot map', () => {
    const model = {
      ...EVERY_TYPE,
      columns: [
        {
          id: 0,
          name: 'x',
          type: { kind: 'composite', components: [n('int')] },
          kind: 'regular',
          complex: false,
          hidden: false,
        },
      ],
    } as TableModel;
    expect(() => icebergSchemaFromTable(model)).toThrow(
      'iceberg: column x: CQL type composite has no Iceberg mapping',
    );
  });
});
