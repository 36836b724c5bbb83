/**
 * Checks a connector's output batch against the Arrow schema it declared (from `target`): column count,
 * names, types, and no null in a required column. A mismatch fails the task with a message naming the
 * connector and the column — caught here, at the connector boundary, not deep inside the Parquet writer.
 */
import type * as arrow from 'apache-arrow';
import { DatamoveError } from '../core/index.js';

function mismatch(connector: string, column: string, what: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `connector ${connector}: column ${column} ${what}`, {
    context: { connector, column },
  });
}

export function connectorBatchCheck(connector: string, batch: arrow.RecordBatch, schema: arrow.Schema): void {
  const got = batch.schema.fields;
  const want = schema.fields;
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w === undefined) throw mismatch(connector, g!.name, 'is not in the declared schema');
    if (g === undefined) throw mismatch(connector, w.name, 'is missing from the batch');
    if (g.name !== w.name) throw mismatch(connector, w.name, `is named ${g.name} in the batch`);
    if (String(g.type) !== String(w.type))
      throw mismatch(connector, w.name, `is ${String(g.type)} in the batch, ${String(w.type)} declared`);
    if (!w.nullable && batch.data.children[i]!.nullCount > 0)
      throw mismatch(connector, w.name, `is required but has ${batch.data.children[i]!.nullCount} nulls`);
  }
}

/** Wraps anything a connector throws so the message names the connector. */
export function connectorError(connector: string, e: unknown): DatamoveError {
  if (e instanceof DatamoveError) {
    if (e.message.startsWith(`connector ${connector}:`)) return e;
    return new DatamoveError(e.kind, `connector ${connector}: ${e.message}`, {
      context: { ...e.context, connector },
      cause: e,
      retryable: e.retryable,
    });
  }
  const message = (e as Error)?.message ?? String(e);
  return new DatamoveError('DataInvalid', `connector ${connector}: ${message}`, {
    context: { connector },
    cause: e,
  });
}
