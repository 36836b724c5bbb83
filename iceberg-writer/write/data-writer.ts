/**
 * The partitioned, rolling data file writer: Arrow batches in, Parquet data files (with manifest-ready
 * `DataFile` metrics) out. Each batch is split by the partition spec (format/spec.md "Partitioning") —
 * a zero-copy pass-through when it holds one partition, a gather otherwise — and appended to that
 * partition's open file; a file is encoded once its estimated size reaches the target, so memory holds at
 * most one target-size file per open partition. The size estimate is the Arrow byte size times the
 * compression ratio observed on the previous file (1.0 at first, so the first file errs small).
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { DatamoveError } from '../../core/index.js';
import { type FileIO, locationJoin } from '../io/file-io.js';
import type { DataFile } from '../manifest/data-file.js';
import { type ParquetEncoder, parquetWasmEncoder } from '../parquet/parquet-encoder.js';
import { parquetFileMetrics } from '../parquet/parquet-metrics.js';
import { type ArrowSchemaOptions, arrowSchemaFromIceberg } from '../schema/arrow-schema.js';
import { type IcebergSchema, icebergSchemaIndex } from '../schema/iceberg-schema.js';
import { arrowTakeBatch } from './arrow-take.js';
import { dataWriterOptionsResolve, type ResolvedDataWriterOptions } from './data-writer-options.js';
import {
  type PartitionCodes,
  type PartitionSpec,
  type PartitionValue,
  partitionCodes,
  partitionHumanString,
  partitionSpecValidate,
} from './partition-spec.js';

export interface DataWriterArgs {
  readonly io: FileIO;
  /** Table location; files go under `<location>/data/`. */
  readonly location: string;
  readonly schema: IcebergSchema;
  readonly spec: PartitionSpec;
  readonly options?: unknown;
  readonly arrowOptions?: ArrowSchemaOptions;
  readonly encoder?: ParquetEncoder;
  /** Distinguishes this writer's files (default: a random UUID). */
  readonly filePrefix?: string;
}

interface OpenFile {
  readonly partition: readonly PartitionValue[];
  readonly path: string;
  batches: arrow.RecordBatch[];
  bytes: number;
}

/** Bytes of all buffers of an Arrow Data tree. */
export function arrowByteLength(data: arrow.Data): number {
  let n = 0;
  for (const b of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
    | ArrayBufferView
    | undefined
  )[]) {
    if (b) n += b.byteLength;
  }
  for (const c of data.children) n += arrowByteLength(c);
  return n;
}

export class DataWriter {
  readonly #args: DataWriterArgs;
  readonly #options: ResolvedDataWriterOptions;
  readonly #arrowSchema: arrow.Schema;
  readonly #structType: arrow.Struct;
  readonly #encoder: ParquetEncoder;
  readonly #prefix: string;
  /** Source column path (child indexes) of each partition field. */
  readonly #sources: { path: number[]; type: string }[];
  readonly #open = new Map<string, OpenFile>();
  readonly #done: DataFile[] = [];
  #fileCount = 0;
  #ratio = 1;

  constructor(args: DataWriterArgs) {
    this.#args = args;
    this.#options = dataWriterOptionsResolve(args.options);
    this.#arrowSchema = arrowSchemaFromIceberg(args.schema, args.arrowOptions);
    this.#structType = new arrow.Struct(this.#arrowSchema.fields);
    this.#encoder = args.encoder ?? parquetWasmEncoder({ rowGroupRows: this.#options.rowGroupRows });
    this.#prefix = args.filePrefix ?? randomUUID();
    partitionSpecValidate(args.spec, args.schema);
    const index = icebergSchemaIndex(args.schema);
    this.#sources = args.spec.fields.map((f) => {
      const info = index.get(f['source-id'])!;
      const names = info.path.split('.');
      const path: number[] = [];
      let fields = args.schema.fields;
      for (const n of names) {
        const i = fields.findIndex((x) => x.name === n);
        path.push(i);
        const t = fields[i]!.type;
        fields = typeof t === 'object' && t.type === 'struct' ? t.fields : [];
      }
      return { path, type: info.type as string };
    });
  }

  /** The Arrow schema batches must have. */
  get arrowSchema(): arrow.Schema {
    return this.#arrowSchema;
  }

  /** Re-labels a batch with our schema (field ids), after checking the column types match. */
  #conform(batch: arrow.RecordBatch): arrow.RecordBatch {
    if (batch.schema === this.#arrowSchema) return batch;
    const want = this.#arrowSchema.fields;
    const got = batch.schema.fields;
    if (got.length !== want.length) {
      throw new DatamoveError(
        'InvalidArgument',
        `iceberg: batch has ${got.length} columns, the table ${want.length}`,
        {
          context: { columns: got.length },
        },
      );
    }
    want.forEach((f, i) => {
      if (String(f.type) !== String(got[i]!.type)) {
        throw new DatamoveError(
          'InvalidArgument',
          `iceberg: column ${f.name} is ${String(got[i]!.type)} in the batch, ${String(f.type)} in the table schema`,
          { context: { column: f.name } },
        );
      }
    });
    const data = arrow.makeData({
      type: this.#structType,
      length: batch.numRows,
      nullCount: 0,
      children: batch.data.children,
    });
    return new arrow.RecordBatch(this.#arrowSchema, data);
  }

  /** Adds a batch; may encode and upload files that reached the target size. */
  async write(input: arrow.RecordBatch): Promise<void> {
    if (input.numRows === 0) return;
    const batch = this.#conform(input);
    if (this.#sources.length === 0) {
      await this.#append([], '', batch);
      return;
    }
    const codes: PartitionCodes[] = this.#sources.map((s, i) => {
      let data: arrow.Data = batch.data;
      for (const c of s.path) data = data.children[c]!;
      return partitionCodes(this.#args.spec.fields[i]!.transform, s.type, data);
    });
    // combine per-field codes into one group code per row
    const n = batch.numRows;
    const combined = new Float64Array(n);
    let card = 1;
    for (const c of codes) {
      const k = c.values.length;
      for (let r = 0; r < n; r++) combined[r] = combined[r]! * k + c.codes[r]!;
      card *= k;
    }
    if (card === 1) {
      await this.#append(this.#valuesOf(codes, 0), this.#keyOf(codes, 0), batch);
      return;
    }
    const groups = new Map<number, number[]>();
    for (let r = 0; r < n; r++) {
      const g = combined[r]!;
      let rows = groups.get(g);
      if (rows === undefined) {
        rows = [];
        groups.set(g, rows);
      }
      rows.push(r);
    }
    for (const rows of groups.values()) {
      const first = rows[0]!;
      const part = rows.length === n ? batch : arrowTakeBatch(batch, Int32Array.from(rows));
      await this.#append(this.#valuesOf(codes, first), this.#keyOf(codes, first), part);
    }
  }

  #valuesOf(codes: PartitionCodes[], row: number): PartitionValue[] {
    return codes.map((c) => c.values[c.codes[row]!]!);
  }

  #keyOf(codes: PartitionCodes[], row: number): string {
    return this.#args.spec.fields
      .map(
        (f, i) =>
          `${f.name}=${encodeURIComponent(partitionHumanString(f.transform, this.#sources[i]!.type, codes[i]!.values[codes[i]!.codes[row]!]!))}`,
      )
      .join('/');
  }

  async #append(partition: readonly PartitionValue[], key: string, batch: arrow.RecordBatch): Promise<void> {
    let f = this.#open.get(key);
    if (f === undefined) {
      const name = `${String(this.#fileCount++).padStart(5, '0')}-${this.#prefix}.parquet`;
      const path =
        key === ''
          ? locationJoin(this.#args.location, 'data', name)
          : locationJoin(this.#args.location, 'data', key, name);
      f = { partition, path, batches: [], bytes: 0 };
      this.#open.set(key, f);
    }
    f.batches.push(batch);
    f.bytes += arrowByteLength(batch.data);
    if (f.bytes * this.#ratio >= this.#options.targetFileSizeBytes) {
      this.#open.delete(key);
      await this.#flush(f);
    }
  }

  async #flush(f: OpenFile): Promise<void> {
    const bytes = this.#encoder.encode(this.#arrowSchema, f.batches);
    f.batches = [];
    await this.#args.io.write(f.path, bytes);
    if (f.bytes > 0) this.#ratio = bytes.length / f.bytes;
    const metrics = parquetFileMetrics(bytes, this.#args.schema);
    this.#done.push({
      content: 0,
      filePath: f.path,
      fileFormat: 'PARQUET',
      specId: this.#args.spec['spec-id'],
      partition: f.partition,
      fileSizeInBytes: bytes.length,
      ...metrics,
    });
  }

  /** Encodes every open file and returns all files written. */
  async close(): Promise<DataFile[]> {
    for (const f of this.#open.values()) await this.#flush(f);
    this.#open.clear();
    return [...this.#done];
  }
}
