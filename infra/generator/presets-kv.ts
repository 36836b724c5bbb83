/**
 * The `kv` preset: the Key-Value abstraction's two tables, exactly as connectors/kv/README.md documents
 * them. Items up to 1 MiB are inline in `value`; larger ones have no `value` and their (possibly
 * compressed) bytes split into 1 MiB chunks in `<t>_chunks`, partitioned by (id, key). `value_metadata`
 * is UTF-8 JSON `{compression, size, chunks, chunk_size, content_type}`; some inline items carry none
 * (uncompressed). Small items get the usual history (updates, deletions, TTLs); chunked items are written
 * once, with their chunks at the same timestamp. One item of the first id is `wideBytes` large.
 */

import { ITEM_CODECS, type ItemCodec, itemCompress, itemContent } from './item-content.js';
import type { PresetOptions, Shape, Values } from './presets.js';
import { hex } from './presets.js';
import { hash32, Rng } from './prng.js';

export const KV_CHUNK_SIZE = 1 << 20;
const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/x-protobuf',
];
const MAIN_TAG = 11;
const CHUNK_TAG = 12;

interface Item {
  readonly size: number;
  readonly codec: ItemCodec;
  readonly contentType: string;
  readonly withMetadata: boolean;
  readonly chunked: boolean;
  /** Write time of a chunked item, as a fraction of the write window. */
  readonly at: number;
}

export function kvShapes(o: PresetOptions, seed: number): Shape[] {
  const t = 'kv';
  const ks = o.keyspace;
  const avgItems = 15.5;
  const avgBytes = 900;
  const count = o.partitions ?? Math.max(1, Math.round(o.bytes / (avgItems * avgBytes)));
  const rows = (p: number): number => 1 + new Rng(seed, MAIN_TAG, 1, p).int(30);
  const idOf = (p: number): string => `user-${p.toString(36).padStart(4, '0')}`;
  const keyOf = (p: number, j: number): string => {
    const h = hash32(seed, 0x6b65, p, j);
    return `0x${j.toString(16).padStart(8, '0')}${h.toString(16).padStart(8, '0')}`;
  };
  const item = (p: number, j: number): Item => {
    const rng = new Rng(seed, 0x17e, p, j);
    const r = rng.next();
    let size =
      r < 0.97
        ? 16 + rng.int(2000)
        : r < 0.995
          ? 4096 + rng.int(300_000)
          : KV_CHUNK_SIZE + 1 + rng.int(2 * KV_CHUNK_SIZE);
    if (p === 0 && j === 0 && o.wideBytes > KV_CHUNK_SIZE) size = o.wideBytes;
    const chunked = size > KV_CHUNK_SIZE;
    return {
      size,
      codec: rng.pick(ITEM_CODECS),
      contentType: rng.pick(CONTENT_TYPES),
      withMetadata: chunked || rng.chance(0.8),
      chunked,
      at: 0.05 + rng.next() * 0.9,
    };
  };
  /** Stored bytes of an item version: content, then compression; one-item cache for chunk rows. */
  let cached: { p: number; j: number; version: number; stored: Uint8Array } | undefined;
  const stored = (p: number, j: number, version: number): Uint8Array => {
    if (cached && cached.p === p && cached.j === j && cached.version === version) return cached.stored;
    const it = item(p, j);
    const content = itemContent(it.size, seed, p, j, version);
    const codec = it.withMetadata ? it.codec : 'none';
    cached = { p, j, version, stored: itemCompress(codec, content) };
    return cached.stored;
  };
  const metadata = (p: number, j: number): string => {
    const it = item(p, j);
    const m: Record<string, string | number> = {
      compression: it.codec,
      size: it.size,
      content_type: it.contentType,
    };
    if (it.chunked) {
      m.chunks = Math.ceil(stored(p, j, 0).length / KV_CHUNK_SIZE);
      m.chunk_size = KV_CHUNK_SIZE;
    }
    return hex(new TextEncoder().encode(JSON.stringify(m)));
  };
  // value (id 0), value_metadata (id 1)
  const mainValues = (p: number, j: number, anyVersion: number): Values => {
    const it = item(p, j);
    // a chunked item has one version, the one its chunks hold
    const version = it.chunked ? 0 : anyVersion;
    const out: Values = [];
    if (!it.chunked) out.push([0, hex(stored(p, j, version))]);
    if (it.withMetadata) out.push([1, metadata(p, j)]);
    return out;
  };
  const main: Shape = {
    cql: `CREATE TABLE ${ks}.${t} (id text, key blob, value blob, value_metadata blob, PRIMARY KEY (id, key)) WITH CLUSTERING ORDER BY (key ASC);`,
    table: t,
    rowBytes: avgBytes,
    churn: 0.4,
    noCellDeletes: true,
    count,
    tag: MAIN_TAG,
    rows: (_rng, p) => rows(p),
    key: (p) => [idOf(p)],
    clustering: (p, j) => [keyOf(p, j)],
    fixed: (p, j) => {
      const it = item(p, j);
      return it.chunked ? it.at : undefined;
    },
    // an inline item's versions: the first write is version 0 only for chunked items (fixed above)
    values: (rng, p, j) => mainValues(p, j, 1 + rng.int(1 << 30)),
    update: (rng, p, j) => mainValues(p, j, 1 + rng.int(1 << 30)),
  };

  // the chunked items, in (id, key) order; their chunks form the second table
  const large: [number, number][] = [];
  for (let p = 0; p < count; p++)
    for (let j = 0, n = rows(p); j < n; j++) if (item(p, j).chunked) large.push([p, j]);
  const chunks: Shape = {
    cql: `CREATE TABLE ${ks}.${t}_chunks (id text, key blob, chunk int, data blob, PRIMARY KEY ((id, key), chunk));`,
    table: `${t}_chunks`,
    rowBytes: KV_CHUNK_SIZE,
    churn: 0,
    noDeletes: true,
    count: large.length,
    tag: CHUNK_TAG,
    rows: (_rng, q) => {
      const [p, j] = large[q]!;
      return Math.ceil(stored(p, j, 0).length / KV_CHUNK_SIZE);
    },
    key: (q) => {
      const [p, j] = large[q]!;
      return [idOf(p), keyOf(p, j)];
    },
    clustering: (_q, c) => [c],
    fixed: (q) => item(...large[q]!).at,
    values: (_rng, q, c) => {
      const [p, j] = large[q]!;
      return [[0, hex(stored(p, j, 0).subarray(c * KV_CHUNK_SIZE, (c + 1) * KV_CHUNK_SIZE))]];
    },
    update: () => [],
  };
  return [main, chunks];
}
