/**
 * A data file as a manifest entry describes it (format/spec.md "Manifests", struct `data_file`, field 2).
 * Plain data (numbers, maps, bytes) so it can be shipped between workers and the committer.
 */
import type { DataFileMetrics } from '../parquet/parquet-metrics.js';
import type { PartitionValue } from '../write/partition-spec.js';

export interface DataFile extends DataFileMetrics {
  /** 0 = data (datamove writes data files only). */
  readonly content: 0 | 1 | 2;
  readonly filePath: string;
  readonly fileFormat: 'PARQUET' | 'AVRO' | 'ORC';
  readonly specId: number;
  /** One value per field of the partition spec, in order. */
  readonly partition: readonly PartitionValue[];
  readonly fileSizeInBytes: number;
  readonly sortOrderId?: number;
  readonly nanValueCounts?: Map<number, number>;
}

/** Manifest entry status (spec: 0 EXISTING, 1 ADDED, 2 DELETED). */
export const ENTRY_EXISTING = 0;
export const ENTRY_ADDED = 1;
export const ENTRY_DELETED = 2;

/** A manifest entry as read back or about to be written. */
export interface ManifestEntry {
  readonly status: 0 | 1 | 2;
  readonly snapshotId: bigint | null;
  readonly sequenceNumber: bigint | null;
  readonly fileSequenceNumber: bigint | null;
  readonly dataFile: DataFile;
}
