/**
 * CompressionInfo.db (io/compress/CompressionMetadata.java): compressor class name, its options, the
 * uncompressed chunk length, (from `na`) the max compressed length, the uncompressed data length, and
 * the file offset of every compressed chunk. Each chunk in Data.db is followed by the CRC32 of its
 * compressed bytes (io/util/CompressedChunkReader.java).
 */
import { DatamoveError } from '../../core/index.js';
import { Cursor, NEED_MORE } from '../bytes/cursor.js';
import type { SSTableVersion } from './version.js';

export interface CompressionInfo {
  readonly compressorClass: string;
  readonly options: Readonly<Record<string, string>>;
  readonly chunkLength: number;
  /** Chunks whose compressed length is at least this are stored uncompressed (`na`+); Infinity before. */
  readonly maxCompressedLength: number;
  readonly dataLength: number;
  /** File offsets of the compressed chunks in Data.db. */
  readonly chunkOffsets: Float64Array;
}

export function compressionInfoParse(
  bytes: Uint8Array,
  version: SSTableVersion,
  file: string,
): CompressionInfo {
  const c = new Cursor(bytes);
  try {
    const compressorClass = c.utf();
    const optionCount = c.i32();
    const options: Record<string, string> = {};
    for (let i = 0; i < optionCount; i++) {
      const k = c.utf();
      options[k] = c.utf();
    }
    const chunkLength = c.i32();
    if (chunkLength <= 0 || chunkLength > 1 << 30)
      throw invalid(file, c.pos - 4, `chunk length ${chunkLength}`);
    let maxCompressedLength = Number.POSITIVE_INFINITY;
    if (version.maxCompressedLength) maxCompressedLength = c.i32();
    const dataLength = c.i64();
    const chunkCount = c.i32();
    // Cassandra 5.0 may end a file with an extra, empty chunk: more chunks than the data needs is valid
    if (chunkCount < Math.ceil(dataLength / chunkLength)) {
      throw invalid(
        file,
        c.pos - 4,
        `${chunkCount} chunks for ${dataLength} bytes in chunks of ${chunkLength}`,
      );
    }
    const chunkOffsets = new Float64Array(chunkCount);
    for (let i = 0; i < chunkCount; i++) chunkOffsets[i] = c.i64();
    return { compressorClass, options, chunkLength, maxCompressedLength, dataLength, chunkOffsets };
  } catch (e) {
    if (e === NEED_MORE) throw invalid(file, bytes.length, 'file is truncated');
    throw e;
  }
}

function invalid(file: string, offset: number, what: string): DatamoveError {
  return new DatamoveError(
    'DataInvalid',
    `sstable: ${file} at offset ${offset}: invalid CompressionInfo.db: ${what}`,
    {
      context: { file, offset },
    },
  );
}
