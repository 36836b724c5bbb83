/**
 * Statistics.db: a table of contents (`int count`, then `int type, int offset` pairs) followed by the
 * metadata components (io/sstable/metadata/MetadataSerializer.java). We read VALIDATION (partitioner,
 * bloom filter chance) and HEADER (db/SerializationHeader.java `Component`: encoding stats, key type,
 * clustering types, static and regular columns with their types). Versions from `na` also store a CRC32
 * after the table of contents and after each component; offsets still point at the components, so the
 * reader seeks by offset and never depends on those trailers.
 */
import { DatamoveError } from '../../core/index.js';
import { Cursor, decodeUtf8, NEED_MORE } from '../bytes/cursor.js';
import type { SSTableVersion } from './version.js';

/** MetadataType ordinals. */
export const METADATA_VALIDATION = 0;
export const METADATA_COMPACTION = 1;
export const METADATA_STATS = 2;
export const METADATA_HEADER = 3;

/** db/rows/EncodingStats.java: the epochs the minimums are stored relative to. */
export const TIMESTAMP_EPOCH = 1442880000000000; // 2015-09-22T00:00:00Z in microseconds
export const DELETION_TIME_EPOCH = 1442880000; // the same instant in seconds
export const TTL_EPOCH = 0;

export interface EncodingStats {
  readonly minTimestamp: number;
  readonly minLocalDeletionTime: number;
  readonly minTTL: number;
}

export interface HeaderColumn {
  /** Column name (UTF-8). */
  readonly name: string;
  /** The marshal type string, e.g. `org.apache.cassandra.db.marshal.Int32Type`. */
  readonly type: string;
}

export interface SerializationHeaderComponent {
  readonly stats: EncodingStats;
  readonly keyType: string;
  readonly clusteringTypes: readonly string[];
  readonly staticColumns: readonly HeaderColumn[];
  readonly regularColumns: readonly HeaderColumn[];
}

export interface SSTableStatistics {
  /** Partitioner class name, e.g. `org.apache.cassandra.dht.Murmur3Partitioner`. */
  readonly partitioner: string;
  readonly bloomFilterFpChance: number;
  readonly header: SerializationHeaderComponent;
}

export function statisticsParse(bytes: Uint8Array, version: SSTableVersion, file: string): SSTableStatistics {
  try {
    const c = new Cursor(bytes);
    const count = c.i32();
    if (count < 0 || count > 16) throw invalid(file, 0, `${count} metadata components`);
    if (version.metadataChecksum) c.skip(4);
    const toc = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const type = c.i32();
      const offset = c.i32();
      if (offset < 0 || offset >= bytes.length)
        throw invalid(file, c.pos - 4, `component ${type} offset ${offset}`);
      toc.set(type, offset);
    }
    const validationAt = toc.get(METADATA_VALIDATION);
    const headerAt = toc.get(METADATA_HEADER);
    if (validationAt === undefined) throw invalid(file, 4, 'no VALIDATION component');
    if (headerAt === undefined) throw invalid(file, 4, 'no HEADER (serialization header) component');

    c.pos = validationAt;
    const partitioner = c.utf();
    const bloomFilterFpChance = c.f64();

    c.pos = headerAt;
    const stats: EncodingStats = {
      minTimestamp: TIMESTAMP_EPOCH + c.unsignedVIntSigned(),
      minLocalDeletionTime: (c.unsignedVInt() + DELETION_TIME_EPOCH) | 0,
      minTTL: (c.unsignedVInt() + TTL_EPOCH) | 0,
    };
    const keyType = readType(c);
    const clusteringCount = c.unsignedVInt32();
    const clusteringTypes: string[] = [];
    for (let i = 0; i < clusteringCount; i++) clusteringTypes.push(readType(c));
    const staticColumns = readColumns(c);
    const regularColumns = readColumns(c);
    return {
      partitioner,
      bloomFilterFpChance,
      header: { stats, keyType, clusteringTypes, staticColumns, regularColumns },
    };
  } catch (e) {
    if (e === NEED_MORE) throw invalid(file, bytes.length, 'file is truncated');
    if (e instanceof RangeError) throw invalid(file, 0, e.message);
    throw e;
  }
}

function readType(c: Cursor): string {
  return decodeUtf8(c.bytes(c.unsignedVInt32()));
}

function readColumns(c: Cursor): HeaderColumn[] {
  const n = c.unsignedVInt32();
  const out: HeaderColumn[] = [];
  for (let i = 0; i < n; i++) {
    const name = decodeUtf8(c.bytes(c.unsignedVInt32()));
    out.push({ name, type: readType(c) });
  }
  return out;
}

function invalid(file: string, offset: number, what: string): DatamoveError {
  return new DatamoveError(
    'DataInvalid',
    `sstable: ${file} at offset ${offset}: invalid Statistics.db: ${what}`,
    {
      context: { file, offset },
    },
  );
}
