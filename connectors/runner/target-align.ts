/**
 * A run's target against its table (just created, or already there): the source's schema takes the table's
 * field ids by column name (a REST server may renumber a new table's columns) (iceberg-writer's `icebergSchemaAlign`), and when the source gained or lost columns the table
 * gets that schema as a new current schema (`add-schema` + `set-current-schema`, guarded by
 * `assert-current-schema-id`) before any file is written. Files are then written with the table's ids and its
 * default partition spec and sort order, so every engine reads each column under its own name in every
 * snapshot, before and after the change.
 */
import { DatamoveError } from '../../core/index.js';
import {
  type Catalog,
  icebergSchemaAlign,
  type LoadedTable,
  metadataSchema,
  metadataSpec,
  type TableIdentifier,
} from '../../iceberg-writer/index.js';
import type { TargetDecl } from '../connector.js';

export async function targetAlign(
  catalog: Catalog,
  id: TableIdentifier,
  table: LoadedTable,
  decl: TargetDecl,
): Promise<{ table: LoadedTable; decl: TargetDecl }> {
  const m = table.metadata;
  const current = metadataSchema(m);
  const aligned = icebergSchemaAlign(current, m['last-column-id'], decl.schema);
  let loaded = table;
  if (aligned.changed) {
    loaded = await catalog.commitTable(
      id,
      [{ type: 'assert-current-schema-id', 'current-schema-id': m['current-schema-id'] }],
      [
        { action: 'add-schema', schema: aligned.schema, 'last-column-id': aligned.lastColumnId },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    );
  }
  const schema = metadataSchema(loaded.metadata);
  const spec = metadataSpec(loaded.metadata);
  const ids = new Set(schema.fields.map((f) => f.id));
  for (const f of spec.fields) {
    if (!ids.has(f['source-id']))
      throw new DatamoveError(
        'InvalidArgument',
        `connectors: ${id.namespace.join('.')}.${id.name}: partition field ${f.name} reads column ${f['source-id']}, which the source no longer has`,
        { context: { field: f.name } },
      );
  }
  // vector columns laid out as FixedSizeList are named by field id: carry them to the table's ids
  const fsl = decl.arrowOptions?.fixedSizeLists;
  const idByName = new Map(schema.fields.map((f) => [f.name, f.id]));
  const arrowOptions =
    fsl === undefined
      ? decl.arrowOptions
      : {
          ...decl.arrowOptions,
          fixedSizeLists: new Map(
            [...fsl].map(([fid, n]) => [
              idByName.get(decl.schema.fields.find((f) => f.id === fid)?.name ?? '') ?? fid,
              n,
            ]),
          ),
        };
  const order = loaded.metadata['sort-orders'].find(
    (o) => o['order-id'] === loaded.metadata['default-sort-order-id'],
  );
  return {
    table: loaded,
    decl: {
      ...decl,
      ...(arrowOptions === undefined ? {} : { arrowOptions }),
      schema,
      spec,
      sortOrder:
        order === undefined || order.fields.some((f) => !ids.has(f['source-id'])) ? decl.sortOrder : order,
    },
  };
}
