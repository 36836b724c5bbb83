/**
 * A short, stable version for a backup's schema, so `backups list` shows when it changed between
 * backups: the CRC-32 (hex) of the CQL with whitespace collapsed, or — for one table — of that table's
 * columns, keys and clustering order as parsed, so unrelated schema changes do not count.
 */
import { crc32 } from '../codec/crc32.js';
import { parseSchemaCql } from '../cql/schema-cql.js';
import type { TableFilter } from './backup-model.js';

const encoder = new TextEncoder();

export function schemaVersion(text: string, filter: TableFilter = {}): string {
  let basis = text.replace(/\s+/g, ' ').trim();
  if (filter.table !== undefined) {
    try {
      const t = parseSchemaCql(text).tables.find(
        (x) => x.name === filter.table && (filter.keyspace === undefined || x.keyspace === filter.keyspace),
      );
      if (t !== undefined) {
        basis = JSON.stringify([
          t.keyspace,
          t.name,
          t.columns,
          t.partitionKey,
          t.clustering,
          t.clusteringOrder,
          t.dropped,
        ]);
      }
    } catch {
      // an unparsable schema is versioned by its text
    }
  }
  return crc32(encoder.encode(basis)).toString(16).padStart(8, '0');
}
