/**
 * `kv`: the Key-Value abstraction (connectors/kv/README.md) → one Iceberg table
 * `id string, key binary, value binary, content_type string, size long, write_time timestamptz`,
 * partitioned by `bucket(16, id)`, sorted by `id, key`.
 *
 * Sources: `<t>` (main; last write wins per (id, key) and deletions are already applied by the compactor)
 * and `<t>_chunks` (keyed by (id, key)). The two tables arrive in different token orders (items by the
 * token of `id`, chunks by the token of `(id, key)`), so the chunks table is compacted FIRST into a keyed
 * store on disk (runner/keyed-store.ts: Arrow IPC segments plus an index key → rows); the items' pass then
 * looks each chunked item up. Chosen over an in-memory join with spilled sorted runs: the store is written
 * once, sequentially, by the same token-range tasks as any table, memory holds one segment and the index
 * (about 100 bytes per chunked item), and lookups need no second sort.
 *
 * A chunked item is reassembled in chunk order, decompressed as `value_metadata` says and checked against
 * `size`; a missing chunk, a size mismatch or unreadable metadata is reported (count + sample ids) and the
 * item skipped — never written truncated. `write_time` is the write time of the item's `value` cell (of
 * `value_metadata` for chunked items, which have no `value`), µs.
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { IcebergSchema } from '../../iceberg-writer/index.js';
import { bytesAt, Int64Column, int64At, outBatch, stringAt, VarColumn } from '../arrow/out-columns.js';
import { valueDecode, valueMetadataParse } from '../codec/value-metadata.js';
import { type Connector, keyedKey, sortOrderAscending } from '../connector.js';

export const kvOptionsSchema = z
  .object({
    /** The abstraction's table `<t>`; chunks are read from `<t>_chunks`. */
    table: z.string().min(1),
    /** `string`: expose `key` as UTF-8 text instead of binary. */
    keyAs: z.enum(['binary', 'string']).default('binary'),
    /** `string`: expose `value` as UTF-8 text instead of binary. */
    valueAs: z.enum(['binary', 'string']).default('binary'),
    /** Output rows per batch at most (a batch is also cut past 8 MiB of values). */
    batchRows: z.number().int().min(1).default(4096),
  })
  .strict();

export type KvOptions = z.output<typeof kvOptionsSchema>;

export function kvIcebergSchema(o: KvOptions): IcebergSchema {
  return {
    type: 'struct',
    'schema-id': 0,
    'identifier-field-ids': [1, 2],
    fields: [
      { id: 1, name: 'id', required: true, type: 'string' },
      { id: 2, name: 'key', required: true, type: o.keyAs },
      { id: 3, name: 'value', required: false, type: o.valueAs },
      { id: 4, name: 'content_type', required: false, type: 'string' },
      { id: 5, name: 'size', required: false, type: 'long' },
      { id: 6, name: 'write_time', required: false, type: 'timestamptz' },
    ],
  };
}

const BATCH_BYTES = 8 << 20;

function column(batch: arrow.RecordBatch, name: string): arrow.Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`source batch has no column ${name}`);
  return batch.data.children[i]!;
}

export const kvConnector: Connector<KvOptions> = {
  name: 'kv',
  options: kvOptionsSchema,
  metadataColumns: () => true,
  async sources(ctx) {
    const t = ctx.options.table;
    if (!ctx.tables.includes(t)) throw new Error(`keyspace ${ctx.keyspace} has no table ${t}`);
    const chunks = `${t}_chunks`;
    return [
      ...(ctx.tables.includes(chunks)
        ? [{ name: 'chunks', role: 'keyed' as const, tables: [chunks], key: ['id', 'key'] }]
        : []),
      { name: 'items', role: 'main' as const, tables: [t] },
    ];
  },
  target(_models, _sources, o) {
    return {
      schema: kvIcebergSchema(o),
      spec: {
        'spec-id': 0,
        fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[16]' }],
      },
      sortOrder: sortOrderAscending([1, 2]),
    };
  },
  async *transform(input, ctx) {
    const schema = ctx.schema;
    const id = new VarColumn(new arrow.Utf8());
    const key = new VarColumn(schema.fields[1]!.type as arrow.Binary);
    const value = new VarColumn(schema.fields[2]!.type as arrow.Binary);
    const contentType = new VarColumn(new arrow.Utf8());
    const size = new Int64Column(new arrow.Int64());
    const writeTime = new Int64Column(new arrow.TimestampMicrosecond('UTC'));
    const cols = [id, key, value, contentType, size, writeTime];
    let rows = 0;
    const flush = (): arrow.RecordBatch => {
      const b = outBatch(schema, cols, rows);
      rows = 0;
      return b;
    };
    for await (const batch of input) {
      const cId = column(batch, 'id');
      const cKey = column(batch, 'key');
      const cValue = column(batch, 'value');
      const cMeta = column(batch, 'value_metadata');
      const cValueTime = column(batch, '_writetime_value');
      const cMetaTime = column(batch, '_writetime_value_metadata');
      for (let r = 0; r < batch.numRows; r++) {
        const itemId = stringAt(cId, r)!;
        const itemKey = bytesAt(cKey, r)!;
        const name = (): string => `${itemId}/${keyedKey([itemKey])}`;
        let meta: ReturnType<typeof valueMetadataParse>;
        try {
          meta = valueMetadataParse(bytesAt(cMeta, r));
        } catch {
          ctx.report({ kind: 'bad-metadata', item: name() });
          continue;
        }
        let stored = bytesAt(cValue, r);
        let time = int64At(cValueTime, r);
        if (stored === null) {
          // no value and not chunked: the value expired (jittered TTL) under a live row marker — a deleted
          // item, absent like any other
          if (meta.chunks === undefined) continue;
          time = int64At(cMetaTime, r);
          const parts: (Uint8Array | undefined)[] = new Array(meta.chunks);
          for await (const c of ctx.lookup('chunks', keyedKey([itemId, itemKey]))) {
            const cChunk = column(c, 'chunk');
            const cData = column(c, 'data');
            const nums = cChunk.values as Int32Array;
            for (let k = 0; k < c.numRows; k++) {
              const n = nums[k]!;
              const d = bytesAt(cData, k);
              if (n >= 0 && n < meta.chunks && d !== null) parts[n] = d;
            }
          }
          let total = 0;
          let missing = false;
          for (let n = 0; n < meta.chunks; n++) {
            const p = parts[n];
            if (p === undefined) missing = true;
            else total += p.length;
          }
          if (missing) {
            ctx.report({ kind: 'missing-chunk', item: name() });
            continue;
          }
          if (meta.compression === 'none') {
            // uncompressed: the chunks go straight into the output column, copied once
            if (meta.size !== undefined && total !== meta.size) {
              ctx.report({ kind: 'size-mismatch', item: name() });
              continue;
            }
            id.appendString(itemId);
            key.appendBytes(itemKey);
            value.appendParts(parts as Uint8Array[]);
            contentType.appendString(meta.contentType ?? null);
            size.append(total);
            writeTime.append(time);
            if (++rows >= ctx.options.batchRows || value.bytes >= BATCH_BYTES) yield flush();
            continue;
          }
          const whole = new Uint8Array(total);
          let at = 0;
          for (const p of parts) {
            whole.set(p!, at);
            at += p!.length;
          }
          stored = whole;
        }
        const bytes = valueDecode(meta, stored);
        if (typeof bytes === 'string') {
          ctx.report({ kind: bytes, item: name() });
          continue;
        }
        id.appendString(itemId);
        // binary, or the same bytes as UTF-8 text (keyAs/valueAs: 'string')
        key.appendBytes(itemKey);
        value.appendBytes(bytes);
        contentType.appendString(meta.contentType ?? null);
        size.append(bytes.length);
        writeTime.append(time);
        rows++;
        if (rows >= ctx.options.batchRows || value.bytes >= BATCH_BYTES) yield flush();
      }
    }
    if (rows > 0) yield flush();
  },
};
