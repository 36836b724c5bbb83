/**
 * Shared helpers of the connector tests: generated backups, a temporary SQLite catalog, reading a
 * committed table back (parquet-wasm), and the model rules applied to the generator's oracle — the
 * expected rows of each connector, computed independently of the connector code paths that join, merge
 * and filter (only the codecs are shared).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { valueDecompress, valueMetadataParse } from '../../connectors/index.js';
import type { Catalog, TableIdentifier } from '../../iceberg-writer/index.js';
import { tableFilesAt } from '../../iceberg-writer/index.js';
import type { GenerateOptions } from '../generator/generate.js';

export const NOW = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);
export const MACHINE = { cores: 2, memoryBytes: 4 * 1024 ** 3 };

export const GEN: Omit<GenerateOptions, 'out' | 'preset'> = {
  nodes: 4,
  dcs: 1,
  replicationFactor: 3,
  numTokens: 8,
  // seed 2: the wide kv item is stored uncompressed, so its 3 MiB span 3 chunks
  seed: 2,
  bytes: 0,
  wideBytes: 3 << 20,
  partitions: 30,
  flushes: 3,
  version: 'nb',
  compression: 'lz4',
  now: NOW,
  keyspace: 'gen',
  tag: 'snap1',
  nodeExpectations: false,
  missRate: 0.1,
};

export type Json = Record<string, unknown>;

export function oracleRows(path: string): Json[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Json);
}

export function hexBytes(h: unknown): Uint8Array | null {
  if (typeof h !== 'string') return null;
  return new Uint8Array(Buffer.from(h.startsWith('0x') ? h.slice(2) : h, 'hex'));
}

export function hex(b: Uint8Array | null | undefined): string | null {
  return b === null || b === undefined ? null : `0x${Buffer.from(b).toString('hex')}`;
}

export function digest(b: Uint8Array | null | undefined): string | null {
  return b === null || b === undefined ? null : createHash('sha1').update(b).digest('hex');
}

/** Every row of the table's current snapshot, with the Arrow schema of its files. */
export async function tableRead(
  catalog: Catalog,
  id: TableIdentifier,
): Promise<{ rows: Json[]; schema: arrow.Schema | undefined }> {
  const { files } = await tableFilesAt(catalog, id);
  const rows: Json[] = [];
  let schema: arrow.Schema | undefined;
  for (const f of files) {
    const t = arrow.tableFromIPC(pw.readParquet(await catalog.io.read(f.filePath)).intoIPCStream());
    if (t.numRows !== f.recordCount)
      throw new Error(`${f.filePath}: ${t.numRows} rows, manifest ${f.recordCount}`);
    schema ??= t.schema;
    for (const r of t) rows.push(r!.toJSON() as Json);
  }
  return { rows, schema };
}

/** kv model rules over the oracle: chunks reassembled, values decompressed, bad items skipped. */
export function kvExpected(items: Json[], chunks: Json[]): { rows: string[]; skipped: number } {
  const byItem = new Map<string, Json[]>();
  for (const c of chunks) {
    const k = `${c.id}/${c.key}`;
    byItem.set(k, [...(byItem.get(k) ?? []), c]);
  }
  const rows: string[] = [];
  let skipped = 0;
  for (const it of items) {
    const meta = valueMetadataParse(hexBytes(it.value_metadata));
    let stored = hexBytes(it.value);
    if (stored === null) {
      const parts = (byItem.get(`${it.id}/${it.key}`) ?? []).sort(
        (a, b) => Number(a.chunk) - Number(b.chunk),
      );
      // neither a value nor chunks: the value expired under a live row marker, a deleted item
      if (meta.chunks === undefined) continue;
      if (parts.length !== meta.chunks) {
        skipped++;
        continue;
      }
      stored = new Uint8Array(Buffer.concat(parts.map((p) => hexBytes(p.data)!)));
    }
    const value = valueDecompress(meta.compression, stored);
    if (meta.size !== undefined && value.length !== meta.size) {
      skipped++;
      continue;
    }
    rows.push(JSON.stringify([it.id, it.key, digest(value), meta.contentType ?? null, value.length]));
  }
  return { rows: rows.sort(), skipped };
}

export function kvActual(rows: Json[]): string[] {
  return rows
    .map((r) =>
      JSON.stringify([
        r.id,
        hex(r.key as Uint8Array),
        digest(r.value as Uint8Array),
        r.content_type,
        Number(r.size),
      ]),
    )
    .sort();
}

/**
 * timeseries model rules over the oracle of the backup in `out`: the slices `time_slices` says overlap
 * `[from, to)` (ISO times) with their `wide_<slice>_1` copies, each event item once (keyed by the full
 * primary key; the copies must agree), rows outside the window dropped, values decompressed.
 */
export function timeseriesExpected(out: string, from: string, to: string): string[] {
  const oracle = (table: string): Json[] => oracleRows(join(out, 'oracle', `gen.${table}.jsonl`));
  const slices = oracle('time_slices').filter(
    (s) =>
      Date.parse(s.start_time as string) < Date.parse(to) &&
      Date.parse(s.end_time as string) > Date.parse(from),
  );
  const seen = new Map<string, string>();
  for (const s of slices) {
    const tables = [s.slice_table as string, `wide_${s.slice_table}_1`];
    for (const t of tables) {
      let rows: Json[];
      try {
        rows = oracle(t);
      } catch {
        continue;
      }
      for (const r of rows) {
        const ms = Date.parse(r.event_time as string);
        if (ms < Date.parse(from) || ms >= Date.parse(to)) continue;
        const key = JSON.stringify([
          r.time_series_id,
          r.time_bucket,
          r.event_bucket,
          r.event_time,
          r.event_id,
          r.event_item_key,
        ]);
        const meta = valueMetadataParse(hexBytes(r.value_metadata));
        const value = valueDecompress(meta.compression, hexBytes(r.event_item_value)!);
        const row = JSON.stringify([
          r.time_series_id,
          r.event_time,
          r.event_id,
          r.event_item_key,
          digest(value),
        ]);
        const prev = seen.get(key);
        if (prev !== undefined && prev !== row) throw new Error(`oracle copies of ${key} differ`);
        seen.set(key, row);
      }
    }
  }
  return [...seen.values()].sort();
}

/** Rows of a timeseries target table, comparable with `timeseriesExpected`. */
export function timeseriesActual(rows: Json[]): string[] {
  const ms = (v: unknown): number => (typeof v === 'bigint' ? Number(v / 1000n) : (v as number));
  return rows
    .map((r) =>
      JSON.stringify([
        r.time_series_id,
        new Date(ms(r.event_time)).toISOString(),
        r.event_id,
        r.event_item_key,
        digest(r.event_item_value as Uint8Array),
      ]),
    )
    .sort();
}
