/**
 * Cassandra table folder names (`<table>-<32 hex id>`, or the bare table name in old versions) and the
 * table filter, shared by the layouts.
 */
import type { TableFilter } from './backup-model.js';

/** `users-0f1e…` → `{table: 'users', id: '0f1e…'}`; a name without an id is the table name. */
export function tableDirParse(dir: string): { table: string; id?: string } {
  const m = /^(.+)-([0-9a-f]{32})$/.exec(dir);
  return m ? { table: m[1]!, id: m[2]! } : { table: dir };
}

export function tableFilterMatches(filter: TableFilter, keyspace: string, table: string): boolean {
  return (
    (filter.keyspace === undefined || filter.keyspace === keyspace) &&
    (filter.table === undefined || filter.table === table)
  );
}
