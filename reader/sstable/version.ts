/**
 * SSTable format versions and what changes with them (io/sstable/format/big/BigFormat.java, `BigVersion`).
 * Only what the reader needs is modelled; every version from Cassandra 3.0 on shares the row format of
 * db/rows/UnfilteredSerializer.java.
 */
import { DatamoveError } from '../../core/index.js';

export interface SSTableVersion {
  readonly version: string;
  readonly format: 'big';
  /** Cassandra release line that writes it. */
  readonly cassandra: string;
  /**
   * 5.0 (`oa`): DeletionTime is written compactly (a 1-byte LIVE marker, else markedForDeleteAt then an
   * unsigned localDeletionTime), and local deletion times are unsigned 32-bit.
   */
  readonly uintDeletionTime: boolean;
  /** 4.0+ (`na`): CompressionInfo.db carries maxCompressedLength; chunks that would not shrink are stored raw. */
  readonly maxCompressedLength: boolean;
  /** 4.0+ (`na`): Statistics.db has a CRC32 after its component count, its table of contents and each component. */
  readonly metadataChecksum: boolean;
}

const BIG: Record<string, Omit<SSTableVersion, 'version' | 'format'>> = {
  ma: { cassandra: '3.0', uintDeletionTime: false, maxCompressedLength: false, metadataChecksum: false },
  mb: { cassandra: '3.0', uintDeletionTime: false, maxCompressedLength: false, metadataChecksum: false },
  mc: { cassandra: '3.0/3.11', uintDeletionTime: false, maxCompressedLength: false, metadataChecksum: false },
  md: { cassandra: '3.0/3.11', uintDeletionTime: false, maxCompressedLength: false, metadataChecksum: false },
  me: { cassandra: '3.0/3.11', uintDeletionTime: false, maxCompressedLength: false, metadataChecksum: false },
  na: { cassandra: '4.0', uintDeletionTime: false, maxCompressedLength: true, metadataChecksum: true },
  nb: { cassandra: '4.0/4.1', uintDeletionTime: false, maxCompressedLength: true, metadataChecksum: true },
  oa: { cassandra: '5.0', uintDeletionTime: true, maxCompressedLength: true, metadataChecksum: true },
};

export const SUPPORTED_VERSIONS: readonly string[] = Object.keys(BIG);

export function sstableVersion(version: string, format: string, file: string): SSTableVersion {
  if (format === 'bti') {
    throw new DatamoveError(
      'FeatureUnsupported',
      `sstable: ${file}: the BTI (trie-indexed) format, version ${version}, is not supported yet`,
      { context: { file, version, format } },
    );
  }
  const v = BIG[version];
  if (format !== 'big' || v === undefined) {
    throw new DatamoveError(
      'FeatureUnsupported',
      `sstable: ${file}: unknown SSTable version '${version}' (format '${format}'); supported: big ${SUPPORTED_VERSIONS.join(' ')}`,
      { context: { file, version, format } },
    );
  }
  return { version, format: 'big', ...v };
}
