/**
 * The connector interface: what every member of the family (`raw/`, `kv/`, `timeseries/`, or a module of
 * the user's) declares, and what the runner (runner/) and the worker-side sink (runner/connector-sink.ts)
 * rely on. A connector turns the compacted rows of one or more Cassandra tables — Arrow batches of the raw
 * model, one stream per source — into Arrow batches of its own target schema; no intermediate table.
 *
 * Shaped as plain declarations plus one streaming function, so the main thread plans from declarations
 * only (sources, target schema, partition spec, sort order) and the workers run `transform`:
 * - `sources` names the tables read. A `main` source is compacted by token-range tasks and streamed through
 *   `transform`; its `tables` are merged as ONE table (the same schema: Cassandra's reconciliation across
 *   all their SSTables, so a row stored in two of them comes out once). A `keyed` source is compacted first
 *   into a temporary keyed store on disk (runner/keyed-store.ts); `transform` looks rows up by key.
 * - `target` gives the Iceberg schema, partition spec and sort order from the CQL schema(s).
 * - `transform` maps one task's stream of one main source to batches of the target's Arrow schema
 *   (`ctx.schema`); every batch is checked against it (connector-check.ts).
 */
import type * as arrow from 'apache-arrow';
import type { z } from 'zod';
import type { ArrowSchemaOptions, IcebergSchema, PartitionSpec, SortOrder } from '../iceberg-writer/index.js';
import type { TableModel } from '../reader/index.js';

/** A source: tables of the backup's keyspace read together. */
export interface SourceDecl {
  /** Name the transform sees (`ctx.source`, `ctx.lookup(name, …)`). */
  readonly name: string;
  readonly role: 'main' | 'keyed';
  /** Tables merged as one (the first gives the schema; the others must have the same one). */
  readonly tables: readonly string[];
  /** `keyed`: the columns whose values form the lookup key (see `keyedKey`). */
  readonly key?: readonly string[];
}

/** What `sources` may look at: the keyspace's tables and small control tables. */
export interface SourceContext<O> {
  readonly keyspace: string;
  readonly options: O;
  /** Tables of the keyspace in the backup. */
  readonly tables: readonly string[];
  /** Compacts a small table in-process and returns its rows as raw-model batches (control tables). */
  readTable(table: string): Promise<arrow.RecordBatch[]>;
}

export interface TargetDecl {
  readonly schema: IcebergSchema;
  readonly spec: PartitionSpec;
  readonly sortOrder: SortOrder;
  /** Arrow layout options of the schema (vectors as FixedSizeList). */
  readonly arrowOptions?: ArrowSchemaOptions;
}

/** A per-item problem a transform reports instead of failing (skipped items). */
export interface ConnectorIssue {
  readonly kind: string;
  /** Identifies the item in messages (`id/key`). */
  readonly item: string;
}

export interface TransformContext<O> {
  readonly connector: string;
  readonly options: O;
  /** The main source this stream is of. */
  readonly source: string;
  /** The CQL model of the source's table(s). */
  readonly model: TableModel;
  /** The Arrow schema output batches must have (from `target`). */
  readonly schema: arrow.Schema;
  /** The job's reference time, seconds. */
  readonly now: number;
  /** Rows of a keyed source stored under `key` (raw-model batches, in the source's clustering order). */
  lookup(source: string, key: string): AsyncIterable<arrow.RecordBatch>;
  /** Records a skipped item. */
  report(issue: ConnectorIssue): void;
}

export interface Connector<O = unknown> {
  readonly name: string;
  /** Options, validated once at the boundary (`job.connector.options`). */
  readonly options: z.ZodType<O>;
  /** Whether the raw batches need the per-column write time / TTL columns (`_writetime_<col>`, `_ttl_<col>`). */
  metadataColumns(options: O): boolean;
  sources(ctx: SourceContext<O>): Promise<readonly SourceDecl[]>;
  target(models: ReadonlyMap<string, TableModel>, sources: readonly SourceDecl[], options: O): TargetDecl;
  transform(
    input: AsyncIterable<arrow.RecordBatch>,
    ctx: TransformContext<O>,
  ): AsyncIterable<arrow.RecordBatch>;
}

/** The key of a keyed-source row: the key columns' values joined (strings as is, bytes as hex). */
export function keyedKey(parts: readonly (string | Uint8Array | number | null)[]): string {
  let s = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i > 0) s += '\u0000';
    if (p instanceof Uint8Array) s += Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('hex');
    else s += p === null || p === undefined ? '' : String(p);
  }
  return s;
}

/** The sort order of a target table: the given field ids, ascending, nulls first (order id 1). */
export function sortOrderAscending(fieldIds: readonly number[]): SortOrder {
  return {
    'order-id': 1,
    fields: fieldIds.map((id) => ({
      transform: 'identity',
      'source-id': id,
      direction: 'asc' as const,
      'null-order': 'nulls-first' as const,
    })),
  };
}
