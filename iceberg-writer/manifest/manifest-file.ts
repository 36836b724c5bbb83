/**
 * Manifests and manifest lists (format/spec.md "Manifests", "Manifest Lists", v2): writing them from
 * `DataFile`s and reading them back, including files other engines wrote (field names may differ, e.g.
 * `added_data_files_count` in older Spark lists; values are matched by name with those aliases).
 *
 * Entries added by a snapshot leave `sequence_number` null so they inherit the manifest list's value
 * (spec "Sequence Number Inheritance"): a manifest is written once and reused by every commit attempt.
 */
import { DatamoveError } from '../../core/index.js';
import type { FileIO } from '../io/file-io.js';
import { bytesToBigInt, decimalToBytes, icebergValueToBytes, statCompare } from '../parquet/single-value.js';
import { type IcebergSchema, icebergPrimitiveParse } from '../schema/iceberg-schema.js';
import type { PartitionSpec, PartitionValue } from '../write/partition-spec.js';
import { avroContainerRead, avroContainerWrite } from './avro-container.js';
import type { DataFile, ManifestEntry } from './data-file.js';
import {
  decimalFixedSize,
  MANIFEST_LIST_AVRO_SCHEMA,
  manifestEntryAvroSchema,
  partitionFieldTypes,
} from './manifest-schemas.js';

/** Per-partition-field summary in a manifest list entry. */
export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan: boolean | null;
  readonly lowerBound: Uint8Array | null;
  readonly upperBound: Uint8Array | null;
}

/** A manifest list entry (`manifest_file`). Sequence numbers are null until the commit assigns them. */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  readonly content: 0 | 1;
  readonly sequenceNumber: bigint | null;
  readonly minSequenceNumber: bigint | null;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions: readonly FieldSummary[] | null;
}

const mapToAvro = (m: Map<number, number> | undefined) =>
  m === undefined ? null : [...m].map(([key, value]) => ({ key, value }));
const boundsToAvro = (m: Map<number, Uint8Array>) =>
  [...m].map(([key, value]) => ({
    key,
    value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  }));

function partitionToAvro(type: string, v: PartitionValue): unknown {
  if (v === null) return null;
  const p = icebergPrimitiveParse(type);
  switch (p.name) {
    case 'decimal': {
      const min = decimalToBytes(v as bigint);
      const size = decimalFixedSize(p.precision);
      const out = Buffer.alloc(size, (min[0]! & 0x80) !== 0 ? 0xff : 0);
      out.set(min, size - min.length);
      return out;
    }
    case 'uuid':
    case 'fixed':
    case 'binary': {
      const b = v as Uint8Array;
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(v as bigint);
    default:
      return v;
  }
}

function partitionFromAvro(type: string, v: unknown): PartitionValue {
  if (v === null || v === undefined) return null;
  const p = icebergPrimitiveParse(type);
  if (p.name === 'decimal') return bytesToBigInt(v as Uint8Array);
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  return v as PartitionValue;
}

/** Writes a manifest of `entries` (all of one spec) and returns its manifest-list entry. */
export async function manifestWrite(
  io: FileIO,
  path: string,
  args: {
    readonly schema: IcebergSchema;
    readonly spec: PartitionSpec;
    readonly snapshotId: bigint;
    readonly entries: readonly ManifestEntry[];
  },
): Promise<ManifestFile> {
  const { schema, spec, entries } = args;
  const types = partitionFieldTypes(spec, schema) as string[];
  const records = entries.map((e) => {
    const f = e.dataFile;
    const partition: Record<string, unknown> = {};
    spec.fields.forEach((pf, i) => {
      partition[pf.name] = partitionToAvro(types[i]!, f.partition[i] ?? null);
    });
    return {
      status: e.status,
      snapshot_id: e.snapshotId,
      sequence_number: e.sequenceNumber,
      file_sequence_number: e.fileSequenceNumber,
      data_file: {
        content: f.content,
        file_path: f.filePath,
        file_format: f.fileFormat,
        partition,
        record_count: f.recordCount,
        file_size_in_bytes: f.fileSizeInBytes,
        column_sizes: mapToAvro(f.columnSizes),
        value_counts: mapToAvro(f.valueCounts),
        null_value_counts: mapToAvro(f.nullValueCounts),
        nan_value_counts: mapToAvro(f.nanValueCounts),
        lower_bounds: boundsToAvro(f.lowerBounds),
        upper_bounds: boundsToAvro(f.upperBounds),
        key_metadata: null,
        split_offsets: f.splitOffsets.length === 0 ? null : f.splitOffsets,
        equality_ids: null,
        sort_order_id: f.sortOrderId ?? null,
      },
    };
  });
  const bytes = avroContainerWrite(manifestEntryAvroSchema(spec, schema), records, {
    schema: JSON.stringify(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': String(spec['spec-id']),
    'format-version': '2',
    content: 'data',
  });
  await io.write(path, bytes);
  let added = 0;
  let existing = 0;
  let deleted = 0;
  let addedRows = 0;
  let existingRows = 0;
  let deletedRows = 0;
  for (const e of entries) {
    const rows = e.dataFile.recordCount;
    if (e.status === 1) {
      added++;
      addedRows += rows;
    } else if (e.status === 0) {
      existing++;
      existingRows += rows;
    } else {
      deleted++;
      deletedRows += rows;
    }
  }
  const seqs = entries.map((e) => e.sequenceNumber).filter((s): s is bigint => s !== null);
  let minSeq: bigint | null = seqs.length === entries.length && seqs.length > 0 ? seqs[0]! : null;
  for (const s of seqs) if (minSeq !== null && s < minSeq) minSeq = s;
  return {
    manifestPath: path,
    manifestLength: bytes.length,
    partitionSpecId: spec['spec-id'],
    content: 0,
    sequenceNumber: null,
    minSequenceNumber: minSeq,
    addedSnapshotId: args.snapshotId,
    addedFilesCount: added,
    existingFilesCount: existing,
    deletedFilesCount: deleted,
    addedRowsCount: addedRows,
    existingRowsCount: existingRows,
    deletedRowsCount: deletedRows,
    partitions: partitionSummaries(
      types,
      entries.map((e) => e.dataFile),
    ),
  };
}

function partitionSummaries(types: string[], files: readonly DataFile[]): FieldSummary[] {
  return types.map((t, i) => {
    let containsNull = false;
    let containsNan = false;
    let lo: PartitionValue = null;
    let hi: PartitionValue = null;
    for (const f of files) {
      const v = f.partition[i] ?? null;
      if (v === null) {
        containsNull = true;
        continue;
      }
      if (typeof v === 'number' && Number.isNaN(v)) {
        containsNan = true;
        continue;
      }
      if (lo === null || statCompare(v, lo) < 0) lo = v;
      if (hi === null || statCompare(v, hi) > 0) hi = v;
    }
    const info = icebergPrimitiveParse(t);
    return {
      containsNull,
      containsNan: info.name === 'float' || info.name === 'double' ? containsNan : null,
      lowerBound: lo === null ? null : icebergValueToBytes(info, lo),
      upperBound: hi === null ? null : icebergValueToBytes(info, hi),
    };
  });
}

const num = (v: unknown): number => Number(v as bigint);
const mapFromAvro = (v: unknown): Map<number, number> | undefined =>
  v == null
    ? undefined
    : new Map((v as { key: number; value: bigint }[]).map((e) => [e.key, Number(e.value)]));
const boundsFromAvro = (v: unknown): Map<number, Uint8Array> =>
  v == null
    ? new Map()
    : new Map((v as { key: number; value: Buffer }[]).map((e) => [e.key, Uint8Array.from(e.value)]));

/** Reads a manifest's entries; `schema` and `spec` type its partition tuple. */
export async function manifestRead(
  io: FileIO,
  path: string,
  schema: IcebergSchema,
  spec: PartitionSpec,
): Promise<ManifestEntry[]> {
  const c = avroContainerRead(await io.read(path), path);
  const types = partitionFieldTypes(spec, schema) as string[];
  return c.records.map((r) => {
    const rec = r as Record<string, unknown>;
    const d = rec.data_file as Record<string, unknown>;
    const part = (d.partition ?? {}) as Record<string, unknown>;
    const dataFile: DataFile = {
      content: num(d.content ?? 0) as 0,
      filePath: d.file_path as string,
      fileFormat: String(d.file_format).toUpperCase() as 'PARQUET',
      specId: spec['spec-id'],
      partition: spec.fields.map((pf, i) => partitionFromAvro(types[i]!, part[pf.name])),
      recordCount: num(d.record_count),
      fileSizeInBytes: num(d.file_size_in_bytes),
      columnSizes: mapFromAvro(d.column_sizes) ?? new Map(),
      valueCounts: mapFromAvro(d.value_counts) ?? new Map(),
      nullValueCounts: mapFromAvro(d.null_value_counts) ?? new Map(),
      ...(d.nan_value_counts == null ? {} : { nanValueCounts: mapFromAvro(d.nan_value_counts)! }),
      lowerBounds: boundsFromAvro(d.lower_bounds),
      upperBounds: boundsFromAvro(d.upper_bounds),
      splitOffsets: ((d.split_offsets as bigint[] | null) ?? []).map(Number),
      ...(d.sort_order_id == null ? {} : { sortOrderId: d.sort_order_id as number }),
    };
    const big = (v: unknown): bigint | null => (v == null ? null : BigInt(v as bigint));
    return {
      status: num(rec.status) as 0 | 1 | 2,
      snapshotId: big(rec.snapshot_id),
      sequenceNumber: big(rec.sequence_number),
      fileSequenceNumber: big(rec.file_sequence_number),
      dataFile,
    };
  });
}

/** Writes a manifest list for a snapshot; every entry must have its sequence numbers assigned. */
export async function manifestListWrite(
  io: FileIO,
  path: string,
  args: {
    readonly snapshotId: bigint;
    readonly parentSnapshotId: bigint | null;
    readonly sequenceNumber: bigint;
    readonly manifests: readonly ManifestFile[];
  },
): Promise<number> {
  const records = args.manifests.map((m) => {
    if (m.sequenceNumber === null || m.minSequenceNumber === null) {
      throw new DatamoveError('Unexpected', `iceberg: manifest ${m.manifestPath} has no sequence number`);
    }
    return {
      manifest_path: m.manifestPath,
      manifest_length: m.manifestLength,
      partition_spec_id: m.partitionSpecId,
      content: m.content,
      sequence_number: m.sequenceNumber,
      min_sequence_number: m.minSequenceNumber,
      added_snapshot_id: m.addedSnapshotId,
      added_files_count: m.addedFilesCount,
      existing_files_count: m.existingFilesCount,
      deleted_files_count: m.deletedFilesCount,
      added_rows_count: m.addedRowsCount,
      existing_rows_count: m.existingRowsCount,
      deleted_rows_count: m.deletedRowsCount,
      partitions:
        m.partitions === null
          ? null
          : m.partitions.map((s) => ({
              contains_null: s.containsNull,
              contains_nan: s.containsNan,
              lower_bound: s.lowerBound === null ? null : Buffer.from(s.lowerBound),
              upper_bound: s.upperBound === null ? null : Buffer.from(s.upperBound),
            })),
      key_metadata: null,
    };
  });
  const bytes = avroContainerWrite(MANIFEST_LIST_AVRO_SCHEMA, records, {
    'snapshot-id': String(args.snapshotId),
    'parent-snapshot-id': args.parentSnapshotId === null ? 'null' : String(args.parentSnapshotId),
    'sequence-number': String(args.sequenceNumber),
    'format-version': '2',
  });
  await io.write(path, bytes);
  return bytes.length;
}

/** Reads a manifest list (any engine's; old field names accepted). */
export async function manifestListRead(io: FileIO, path: string): Promise<ManifestFile[]> {
  const c = avroContainerRead(await io.read(path), path);
  return c.records.map((r) => {
    const m = r as Record<string, unknown>;
    const parts = m.partitions as Record<string, unknown>[] | null | undefined;
    return {
      manifestPath: m.manifest_path as string,
      manifestLength: num(m.manifest_length),
      partitionSpecId: num(m.partition_spec_id),
      content: num(m.content ?? 0) as 0 | 1,
      sequenceNumber: BigInt((m.sequence_number ?? 0n) as bigint),
      minSequenceNumber: BigInt((m.min_sequence_number ?? 0n) as bigint),
      addedSnapshotId: BigInt(m.added_snapshot_id as bigint),
      addedFilesCount: num(m.added_files_count ?? m.added_data_files_count),
      existingFilesCount: num(m.existing_files_count ?? m.existing_data_files_count),
      deletedFilesCount: num(m.deleted_files_count ?? m.deleted_data_files_count),
      addedRowsCount: num(m.added_rows_count),
      existingRowsCount: num(m.existing_rows_count),
      deletedRowsCount: num(m.deleted_rows_count),
      partitions:
        parts == null
          ? null
          : parts.map((p) => ({
              containsNull: p.contains_null as boolean,
              containsNan: (p.contains_nan ?? null) as boolean | null,
              lowerBound: p.lower_bound == null ? null : Uint8Array.from(p.lower_bound as Buffer),
              upperBound: p.upper_bound == null ? null : Uint8Array.from(p.upper_bound as Buffer),
            })),
    };
  });
}
