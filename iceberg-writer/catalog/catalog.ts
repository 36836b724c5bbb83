/**
 * The catalog interface: where a table's current metadata.json is recorded and atomically swapped
 * (format/spec.md "Overview": "a table's current metadata location is tracked by a catalog"; the commit
 * protocol of open-api/rest-catalog-open-api.yaml `updateTable`). Members: `sql/` (JdbcCatalog/pyiceberg
 * SqlCatalog layout, SQLite or PostgreSQL) and `rest/` (REST protocol client). One contract suite
 * (test/catalog-contract.test.ts) runs against all of them.
 *
 * `commitTable` fails with a retryable `CommitConflict` when a requirement no longer holds, and with a
 * non-retryable `CommitStateUnknown` when the swap may or may not have happened.
 */
import { DatamoveError } from '../../core/index.js';
import type { FileIO } from '../io/file-io.js';
import type { SortOrder, TableMetadata } from '../metadata/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../metadata/table-update.js';
import type { IcebergSchema } from '../schema/iceberg-schema.js';
import type { PartitionSpec } from '../write/partition-spec.js';

export interface TableIdentifier {
  readonly namespace: readonly string[];
  readonly name: string;
}

export interface LoadedTable {
  readonly identifier: TableIdentifier;
  readonly metadataLocation: string;
  readonly metadata: TableMetadata;
}

export interface CreateTableRequest {
  readonly schema: IcebergSchema;
  readonly partitionSpec?: PartitionSpec;
  readonly sortOrder?: SortOrder;
  readonly properties?: Record<string, string>;
  /** Defaults to `<warehouse>/<namespace…>/<name>`. */
  readonly location?: string;
}

export interface Catalog {
  readonly name: string;
  /** Storage of the tables' files. */
  readonly io: FileIO;
  /** Creates a namespace; an existing namespace is left as it is. */
  createNamespace(namespace: readonly string[], properties?: Record<string, string>): Promise<void>;
  namespaceExists(namespace: readonly string[]): Promise<boolean>;
  listNamespaces(): Promise<string[][]>;
  /** Creates an empty table; an existing table is a `CommitConflict` (not retryable). */
  createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable>;
  /** Current metadata; a missing table is `NotFound`. */
  loadTable(id: TableIdentifier): Promise<LoadedTable>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  listTables(namespace: readonly string[]): Promise<TableIdentifier[]>;
  /** Checks requirements, applies updates, swaps the pointer — atomically. */
  commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable>;
  /** Removes the table from the catalog (files stay). */
  dropTable(id: TableIdentifier): Promise<void>;
  close(): Promise<void>;
}

/** `ns1.ns2.table` → identifier (the last part is the table). */
export function tableIdentifierParse(text: string): TableIdentifier {
  const parts = text.split('.');
  if (parts.length < 2 || parts.some((p) => p === '')) {
    throw new DatamoveError(
      'InvalidArgument',
      `iceberg: table identifier ${text} must be <namespace>.<table>`,
      {
        context: { table: text },
      },
    );
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! };
}

export function tableIdentifierString(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

export function tableNotFound(id: TableIdentifier, cause?: unknown): DatamoveError {
  return new DatamoveError('NotFound', `iceberg: table ${tableIdentifierString(id)} does not exist`, {
    context: { table: tableIdentifierString(id) },
    cause,
  });
}
