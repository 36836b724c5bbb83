/**
 * Parquet writer benchmark: the same Arrow batches (`alltypes` and `narrow` presets) through each
 * candidate, printing MB/s (of Parquet written) and rows/s. Run after a build:
 *   node dist/iceberg-writer/bench/writer.bench.js [rows=1000000]
 * Candidates: parquet-wasm (chosen: Arrow IPC in, field ids, stats, zstd), DuckDB `COPY … (FORMAT parquet,
 * FIELD_IDS, RETURN_STATS)` fed through its appender (the Node API has no Arrow ingestion), and
 * parquetjs-lite (one JS object per row; no field ids). DuckDB and parquetjs-lite are measured on `narrow`
 * only: feeding nested Arrow columns through either would need a per-value converter.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { ALLTYPES_SCHEMA, alltypesBatch, NARROW_SCHEMA, narrowBatch } from '../../infra/index.js';
import { parquetWasmEncoder } from '../parquet/parquet-encoder.js';
import { parquetFileMetrics } from '../parquet/parquet-metrics.js';
import { arrowSchemaFromIceberg } from '../schema/arrow-schema.js';
import type { IcebergSchema } from '../schema/iceberg-schema.js';
import { arrowByteLength } from '../write/data-writer.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH = 65_536;

function batches(make: (n: number, start: number) => arrow.RecordBatch): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (let s = 0; s < ROWS; s += BATCH) out.push(make(Math.min(BATCH, ROWS - s), s));
  return out;
}

const arrowMB = new Map<string, number>();

function report(name: string, preset: string, ms: number, bytes: number): void {
  const mb = bytes / 1e6;
  const inMB = arrowMB.get(preset) ?? 0;
  console.log(
    `${preset.padEnd(9)} ${name.padEnd(16)} ${String(ROWS).padStart(8)} rows  ${(ms / 1000).toFixed(2).padStart(6)} s  ${(inMB / (ms / 1000)).toFixed(1).padStart(7)} MB/s Arrow in  ${(mb / (ms / 1000)).toFixed(1).padStart(6)} MB/s Parquet out  ${Math.round(
      ROWS / (ms / 1000),
    )
      .toLocaleString('en-US')
      .padStart(11)} rows/s  file ${mb.toFixed(1)} MB`,
  );
}

function measure(preset: string, bs: arrow.RecordBatch[]): void {
  arrowMB.set(preset, bs.reduce((a, b) => a + arrowByteLength(b.data), 0) / 1e6);
}

function benchWasm(preset: string, schema: IcebergSchema, bs: arrow.RecordBatch[]): void {
  const enc = parquetWasmEncoder();
  const t0 = performance.now();
  const bytes = enc.encode(arrowSchemaFromIceberg(schema), bs);
  parquetFileMetrics(bytes, schema);
  report('parquet-wasm', preset, performance.now() - t0, bytes.length);
}

async function benchDuckdb(bs: arrow.RecordBatch[], dir: string): Promise<void> {
  const { DuckDBInstance, DuckDBTimestampTZValue } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  const out = join(dir, 'duck.parquet');
  const t0 = performance.now();
  await c.run('CREATE TABLE t (id BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL, value DOUBLE)');
  const app = await c.createAppender('t');
  for (const b of bs) {
    const id = b.getChildAt(0)!.data[0]!.values as BigInt64Array;
    const ts = b.getChildAt(1)!.data[0]!.values as BigInt64Array;
    const v = b.getChildAt(2)!;
    const vals = v.data[0]!.values as Float64Array;
    for (let i = 0; i < b.numRows; i++) {
      app.appendBigInt(id[i]!);
      app.appendTimestampTZ(new DuckDBTimestampTZValue(ts[i]!));
      if (v.isValid(i)) app.appendDouble(vals[i]!);
      else app.appendNull();
      app.endRow();
    }
  }
  app.closeSync();
  const stats = await c.runAndReadAll(
    `COPY t TO '${out}' (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {id: 1, ts: 2, value: 3}, RETURN_STATS)`,
  );
  stats.getRows();
  report('duckdb-appender', 'narrow', performance.now() - t0, statSync(out).size);
  c.closeSync();
}

async function benchParquetjs(bs: arrow.RecordBatch[], dir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const parquet = require('parquetjs-lite');
  const schema = new parquet.ParquetSchema({
    id: { type: 'INT64' },
    ts: { type: 'TIMESTAMP_MICROS' },
    value: { type: 'DOUBLE', optional: true },
  });
  const out = join(dir, 'pjs.parquet');
  const t0 = performance.now();
  const w = await parquet.ParquetWriter.openFile(schema, out, { compression: 'GZIP' });
  for (const b of bs) {
    const id = b.getChildAt(0)!.data[0]!.values as BigInt64Array;
    const ts = b.getChildAt(1)!.data[0]!.values as BigInt64Array;
    const v = b.getChildAt(2)!;
    for (let i = 0; i < b.numRows; i++) {
      await w.appendRow({ id: Number(id[i]), ts: Number(ts[i]), value: v.isValid(i) ? v.get(i) : null });
    }
  }
  await w.close();
  report('parquetjs-lite*', 'narrow', performance.now() - t0, readFileSync(out).length);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-bench-'));
  try {
    const narrow = batches(narrowBatch);
    measure('narrow', narrow);
    benchWasm('narrow', NARROW_SCHEMA, narrow);
    await benchDuckdb(narrow, dir);
    if (!process.argv.includes('--skip-parquetjs')) await benchParquetjs(narrow, dir);
    const all = batches(alltypesBatch);
    measure('alltypes', all);
    benchWasm('alltypes', ALLTYPES_SCHEMA, all);
    console.log('* parquetjs-lite: gzip (no zstd), no field ids; not eligible, measured for reference');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
