/**
 * The SQL catalog in the layout of Iceberg's JdbcCatalog (Java `JdbcUtil.java`) and pyiceberg's SqlCatalog
 * (`catalog/sql.py`), so Spark, Trino and pyiceberg open the same tables:
 * `iceberg_tables(catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location,
 * iceberg_type)` and `iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)`.
 * Namespaces are stored dot-joined.
 *
 * Commit = check requirements against the current metadata, write the next metadata.json, then a
 * compare-and-set `UPDATE … WHERE metadata_location = <old>`: 0 rows is a conflict (our metadata file is
 * removed, nothing references it); an error during the UPDATE leaves the state unknown.
 */
import { DatamoveError, isDatamoveError } from '../../../core/index.js';
import type { FileIO } from '../../io/file-io.js';
import { locationJoin } from '../../io/file-io.js';
import { metadataNew } from '../../metadata/table-metadata.js';
import {
  metadataApplyUpdates,
  requirementsCheck,
  type TableRequirement,
  type TableUpdate,
} from '../../metadata/table-update.js';
import {
  type Catalog,
  type CreateTableRequest,
  type LoadedTable,
  type TableIdentifier,
  tableIdentifierString,
  tableNotFound,
} from '../catalog.js';
import { metadataFileRead, metadataFileWrite } from '../metadata-file.js';
import { sqlCatalogOptionsResolve } from './sql-catalog-options.js';
import type { SqlDriver } from './sql-driver.js';

const CREATE_TABLES = `CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name))`;

const CREATE_NAMESPACES = `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000),
  PRIMARY KEY (catalog_name, namespace, property_key))`;

/** Opens a SQL catalog: SQLite file or PostgreSQL, per `options.uri`. */
export async function sqlCatalogOpen(options: unknown, io: FileIO): Promise<SqlCatalog> {
  const o = sqlCatalogOptionsResolve(options);
  let driver: SqlDriver;
  if (o.uri.startsWith('sqlite:')) {
    const { sqliteDriverOpen } = await import('./sqlite-driver.js');
    driver = sqliteDriverOpen(o.uri.slice('sqlite:'.length));
  } else {
    const { postgresDriverOpen } = await import('./postgres-driver.js');
    driver = postgresDriverOpen(o.uri);
  }
  const catalog = new SqlCatalog(o.name, o.warehouse, driver, io);
  await catalog.initialize();
  return catalog;
}

export class SqlCatalog implements Catalog {
  constructor(
    readonly name: string,
    readonly warehouse: string,
    readonly driver: SqlDriver,
    readonly io: FileIO,
  ) {}

  /** Creates the two tables if missing (concurrent first use is fine: IF NOT EXISTS). */
  async initialize(): Promise<void> {
    for (const ddl of [CREATE_TABLES, CREATE_NAMESPACES]) {
      try {
        await this.driver.execute(ddl);
      } catch (e) {
        // PostgreSQL: two sessions racing on CREATE TABLE IF NOT EXISTS can collide on the type name
        if (!/already exists|duplicate key/i.test(String((e as Error).message))) throw e;
      }
    }
  }

  async createNamespace(
    namespace: readonly string[],
    properties: Record<string, string> = {},
  ): Promise<void> {
    const ns = namespace.join('.');
    const props = { exists: 'true', ...properties };
    for (const [k, v] of Object.entries(props)) {
      const sql =
        this.driver.dialect === 'postgres'
          ? 'INSERT INTO iceberg_namespace_properties VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
          : 'INSERT OR IGNORE INTO iceberg_namespace_properties VALUES (?, ?, ?, ?)';
      await this.driver.execute(sql, [this.name, ns, k, v]);
    }
  }

  async namespaceExists(namespace: readonly string[]): Promise<boolean> {
    const ns = namespace.join('.');
    const a = await this.driver.query(
      'SELECT 1 AS x FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ? LIMIT 1',
      [this.name, ns],
    );
    if (a.length > 0) return true;
    const b = await this.driver.query(
      'SELECT 1 AS x FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? LIMIT 1',
      [this.name, ns],
    );
    return b.length > 0;
  }

  async listNamespaces(): Promise<string[][]> {
    const rows = await this.driver.query(
      `SELECT DISTINCT namespace AS ns FROM iceberg_namespace_properties WHERE catalog_name = ?
       UNION SELECT DISTINCT table_namespace AS ns FROM iceberg_tables WHERE catalog_name = ?`,
      [this.name, this.name],
    );
    return rows.map((r) => String(r.ns).split('.')).sort((a, b) => (a.join('.') < b.join('.') ? -1 : 1));
  }

  async #pointer(id: TableIdentifier): Promise<string | undefined> {
    const rows = await this.driver.query(
      `SELECT metadata_location FROM iceberg_tables
       WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?`,
      [this.name, id.namespace.join('.'), id.name],
    );
    return rows.length === 0 ? undefined : String(rows[0]!.metadata_location);
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable> {
    if (!(await this.namespaceExists(id.namespace))) await this.createNamespace(id.namespace);
    const location = request.location ?? locationJoin(this.warehouse, ...id.namespace, id.name);
    const metadata = metadataNew({ ...request, location });
    const loc = await metadataFileWrite(this.io, metadata, undefined);
    try {
      await this.driver.execute(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location,
         previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')`,
        [this.name, id.namespace.join('.'), id.name, loc],
      );
    } catch (e) {
      await this.io.delete(loc);
      if (/unique|duplicate|constraint/i.test(String((e as Error).message))) {
        throw new DatamoveError(
          'CommitConflict',
          `iceberg: table ${tableIdentifierString(id)} already exists`,
          {
            context: { table: tableIdentifierString(id) },
            cause: e,
          },
        );
      }
      throw e;
    }
    return { identifier: id, metadataLocation: loc, metadata };
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const loc = await this.#pointer(id);
    if (loc === undefined) throw tableNotFound(id);
    return { identifier: id, metadataLocation: loc, metadata: await metadataFileRead(this.io, loc) };
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.#pointer(id)) !== undefined;
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const rows = await this.driver.query(
      'SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? ORDER BY table_name',
      [this.name, namespace.join('.')],
    );
    return rows.map((r) => ({ namespace: [...namespace], name: String(r.table_name) }));
  }

  async commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable> {
    const base = await this.loadTable(id);
    requirementsCheck(base.metadata, requirements);
    const next = metadataApplyUpdates(base.metadata, updates, { baseLocation: base.metadataLocation });
    const loc = await metadataFileWrite(this.io, next, base.metadataLocation);
    let changed: number;
    try {
      changed = await this.driver.execute(
        `UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ?
         WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?`,
        [loc, base.metadataLocation, this.name, id.namespace.join('.'), id.name, base.metadataLocation],
      );
    } catch (e) {
      if (isDatamoveError(e)) throw e;
      throw new DatamoveError(
        'CommitStateUnknown',
        `iceberg: commit of ${tableIdentifierString(id)} to ${loc}: the catalog update failed and may or may not have applied`,
        { context: { table: tableIdentifierString(id), metadata: loc }, cause: e },
      );
    }
    if (changed === 0) {
      await this.io.delete(loc);
      throw new DatamoveError(
        'CommitConflict',
        `iceberg: commit conflict on ${tableIdentifierString(id)}: metadata moved past ${base.metadataLocation}`,
        { context: { table: tableIdentifierString(id) }, retryable: true },
      );
    }
    return { identifier: id, metadataLocation: loc, metadata: next };
  }

  async dropTable(id: TableIdentifier): Promise<void> {
    const n = await this.driver.execute(
      'DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?',
      [this.name, id.namespace.join('.'), id.name],
    );
    if (n === 0) throw tableNotFound(id);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
