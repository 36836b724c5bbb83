/**
 * Live rows as JSON objects keyed by column name, in `SELECT *` column order (partition key, clustering,
 * then the other columns by name), with the value conventions of the corpus (reader/cql/cql-value.ts).
 */

import type { Cell, CqlType, TableModel } from '../reader/index.js';
import { compositeSplit, cqlMultiCellToJson, cqlValueToJson, type JsonValue } from '../reader/index.js';
import type { LiveRow } from './live-rows.js';

export type JsonRow = Record<string, JsonValue>;

export interface RowJsonFormatter {
  readonly columns: readonly string[];
  format(row: LiveRow): JsonRow;
}

function unreversed(t: CqlType): CqlType {
  return t.kind === 'reversed' ? t.inner : t;
}

export function rowJsonFormatter(model: TableModel): RowJsonFormatter {
  const others = model.columns
    .filter((c) => !c.hidden)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const columns = [
    ...model.partitionKey.map((c) => c.name),
    ...model.clustering.map((c) => c.name),
    ...others.map((c) => c.name),
  ];
  const keyTypes = model.partitionKey.map((c) => unreversed(c.type));
  const clusteringTypes = model.clustering.map((c) => unreversed(c.type));
  return {
    columns,
    format(row) {
      const out: JsonRow = {};
      if (keyTypes.length === 1) out[model.partitionKey[0]!.name] = cqlValueToJson(keyTypes[0]!, row.key);
      else {
        const parts = compositeSplit(row.key);
        keyTypes.forEach((t, i) => {
          out[model.partitionKey[i]!.name] = cqlValueToJson(t, parts[i]!);
        });
      }
      clusteringTypes.forEach((t, i) => {
        const v = row.clustering?.[i];
        out[model.clustering[i]!.name] = v === undefined || v === null ? null : cqlValueToJson(t, v);
      });
      for (const c of others) {
        const v = row.values[c.id];
        if (v === undefined) out[c.name] = null;
        else if (Array.isArray(v))
          out[c.name] =
            v.length === 0
              ? null
              : cqlMultiCellToJson(c.type, v as { path: Uint8Array; value: Uint8Array }[]);
        else out[c.name] = cqlValueToJson(c.type, (v as Cell).value);
      }
      return out;
    },
  };
}
