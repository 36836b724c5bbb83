/**
 * The job's target table, created before either path runs (so both paths write the same table with the same
 * schema, spec and sort order) and given the job file's `target.properties`.
 */
import type { TargetDecl } from '../connectors/index.js';
import type { Catalog, LoadedTable, TableIdentifier } from '../iceberg-writer/index.js';

export async function targetTableEnsure(
  catalog: Catalog,
  id: TableIdentifier,
  decl: TargetDecl,
  properties: Record<string, string>,
): Promise<LoadedTable> {
  if (!(await catalog.namespaceExists(id.namespace))) await catalog.createNamespace(id.namespace);
  if (!(await catalog.tableExists(id)))
    return catalog.createTable(id, {
      schema: decl.schema,
      partitionSpec: decl.spec,
      sortOrder: decl.sortOrder,
      properties,
    });
  const table = await catalog.loadTable(id);
  const changed = Object.entries(properties).filter(([k, v]) => table.metadata.properties[k] !== v);
  if (changed.length === 0) return table;
  return catalog.commitTable(id, [], [{ action: 'set-properties', updates: Object.fromEntries(changed) }]);
}
