/**
 * The uncompressed Data.db stream as chunks, read on demand from a `ByteSource` and checked as they
 * arrive. Compressed files: each chunk is followed by the CRC32 of its compressed bytes
 * (io/util/CompressedChunkReader.java); uncompressed files: CRC.db holds the chunk size and one CRC32 per
 * chunk (io/util/ChecksummedRandomAccessReader, DataIntegrityMetadata). A chunk that fails its check is
 * an error naming the file, the chunk and its offset; its bytes never reach the parser.
 *
 * When a scan reads the file from its first byte to its last in order, the CRC32 of the whole file is
 * accumulated on the way and compared with Digest.crc32 after the last chunk.
 */
import { DatamoveError } from '../../core/index.js';
import type { ByteSource } from '../../storage/index.js';
import type { ChunkDecompressor } from '../codec/compressor.js';
import { crc32 } from '../codec/crc32.js';
import type { CompressionInfo } from './compression-info.js';

export interface ChunkSource {
  readonly file: string;
  /** Length of the uncompressed stream. */
  readonly length: number;
  readonly chunkLength: number;
  readonly chunkCount: number;
  /** Chunks `[first, first + count)`, decompressed and verified. */
  readChunks(first: number, count: number): Promise<Uint8Array[]>;
}

export interface ChunkCheckOptions {
  /** Verify per-chunk CRCs (default true). */
  readonly verifyChecksums: boolean;
  /** The whole-file CRC32 from Digest.crc32, checked when the file is read from start to end in order. */
  readonly digest?: number;
}

/** Accumulates the whole-file CRC while chunks are read in file order. */
class DigestTracker {
  private crc = 0;
  private nextRaw = 0;
  private broken = false;
  constructor(
    private readonly file: string,
    private readonly expected: number | undefined,
    private readonly fileLength: number,
  ) {}

  feed(rawStart: number, raw: Uint8Array): void {
    if (this.expected === undefined || this.broken) return;
    if (rawStart !== this.nextRaw) {
      this.broken = true;
      return;
    }
    this.crc = crc32(raw, this.crc);
    this.nextRaw = rawStart + raw.length;
    if (this.nextRaw === this.fileLength && this.crc !== this.expected) {
      throw new DatamoveError(
        'DataInvalid',
        `sstable: ${this.file}: digest mismatch: Digest.crc32 says ${this.expected}, the file's CRC32 is ${this.crc}`,
        { context: { file: this.file, expected: this.expected, actual: this.crc } },
      );
    }
  }
}

export function compressedChunkSource(
  source: ByteSource,
  info: CompressionInfo,
  decompressor: ChunkDecompressor,
  options: ChunkCheckOptions,
): ChunkSource {
  const file = source.name;
  const count = info.chunkOffsets.length;
  const digest = new DigestTracker(file, options.digest, source.byteLength);
  const rawEnd = (i: number): number => (i + 1 < count ? info.chunkOffsets[i + 1]! : source.byteLength);
  return {
    file,
    length: info.dataLength,
    chunkLength: info.chunkLength,
    chunkCount: count,
    async readChunks(first, n) {
      const last = Math.min(count, first + n);
      if (first >= last) return [];
      const start = info.chunkOffsets[first]!;
      const end = rawEnd(last - 1);
      const raw = await source.read(start, end);
      if (raw.length !== end - start) {
        throw new DatamoveError(
          'DataInvalid',
          `sstable: ${file}: truncated: chunks ${first}..${last - 1} need bytes ${start}..${end}, the file has ${source.byteLength}`,
          { context: { file, offset: start } },
        );
      }
      const out: Uint8Array[] = [];
      for (let i = first; i < last; i++) {
        const s = info.chunkOffsets[i]! - start;
        const e = rawEnd(i) - start - 4;
        if (e < s) throw chunkError(file, i, info.chunkOffsets[i]!, `chunk length ${e - s} is negative`);
        const compressed = raw.subarray(s, e);
        if (options.verifyChecksums) {
          const stored = ((raw[e]! << 24) | (raw[e + 1]! << 16) | (raw[e + 2]! << 8) | raw[e + 3]!) >>> 0;
          const actual = crc32(compressed);
          if (stored !== actual) {
            throw chunkError(
              file,
              i,
              info.chunkOffsets[i]!,
              `crc mismatch (stored ${stored}, computed ${actual})`,
            );
          }
        }
        const expected = Math.max(0, Math.min(info.chunkLength, info.dataLength - i * info.chunkLength));
        if (compressed.length >= info.maxCompressedLength) {
          out.push(compressed.slice());
          continue;
        }
        const dst = new Uint8Array(expected);
        let written: number;
        try {
          written = decompressor.decompress(compressed, dst);
        } catch (err) {
          throw chunkError(
            file,
            i,
            info.chunkOffsets[i]!,
            `${decompressor.name} decompression failed: ${(err as Error).message}`,
          );
        }
        if (written !== expected) {
          throw chunkError(
            file,
            i,
            info.chunkOffsets[i]!,
            `decompressed to ${written} bytes, expected ${expected}`,
          );
        }
        out.push(dst);
      }
      digest.feed(start, raw);
      return out;
    },
  };
}

/** Uncompressed Data.db with CRC.db: `int chunkSize` then one big-endian CRC32 per chunk. */
export function uncompressedChunkSource(
  source: ByteSource,
  crcFile: Uint8Array | undefined,
  options: ChunkCheckOptions,
): ChunkSource {
  const file = source.name;
  const view = crcFile ? new DataView(crcFile.buffer, crcFile.byteOffset, crcFile.byteLength) : undefined;
  const chunkLength = view && crcFile!.length >= 4 ? view.getInt32(0) : 65536;
  if (chunkLength <= 0) {
    throw new DatamoveError('DataInvalid', `sstable: ${file}: CRC.db gives chunk size ${chunkLength}`, {
      context: { file },
    });
  }
  const length = source.byteLength;
  const count = Math.ceil(length / chunkLength);
  if (view && options.verifyChecksums && (crcFile!.length - 4) / 4 < count) {
    throw new DatamoveError(
      'DataInvalid',
      `sstable: ${file}: CRC.db holds ${(crcFile!.length - 4) / 4} checksums for ${count} chunks`,
      { context: { file } },
    );
  }
  const digest = new DigestTracker(file, options.digest, length);
  return {
    file,
    length,
    chunkLength,
    chunkCount: count,
    async readChunks(first, n) {
      const last = Math.min(count, first + n);
      if (first >= last) return [];
      const start = first * chunkLength;
      const end = Math.min(length, last * chunkLength);
      const raw = await source.read(start, end);
      if (raw.length !== end - start) {
        throw new DatamoveError('DataInvalid', `sstable: ${file}: truncated at ${start + raw.length}`, {
          context: { file, offset: start + raw.length },
        });
      }
      const out: Uint8Array[] = [];
      for (let i = first; i < last; i++) {
        const chunk = raw.subarray(
          (i - first) * chunkLength,
          Math.min(raw.length, (i - first + 1) * chunkLength),
        );
        if (view && options.verifyChecksums) {
          const stored = view.getUint32(4 + 4 * i);
          const actual = crc32(chunk);
          if (stored !== actual) {
            throw chunkError(
              file,
              i,
              i * chunkLength,
              `crc mismatch (CRC.db says ${stored}, computed ${actual})`,
            );
          }
        }
        out.push(chunk);
      }
      digest.feed(start, raw);
      return out;
    },
  };
}

function chunkError(file: string, index: number, offset: number, what: string): DatamoveError {
  return new DatamoveError('DataInvalid', `sstable: chunk ${index} of ${file} at offset ${offset}: ${what}`, {
    context: { file, chunk: index, offset },
  });
}

/**
 * A sequential window over a chunk source, from `start` to `end` of the uncompressed stream, that keeps
 * one batch of chunks read ahead. `next()` returns the next block of bytes (one chunk, trimmed to the
 * range) or `undefined` at the end.
 */
export class ChunkStream {
  private nextChunk: number;
  private readonly lastChunk: number;
  private pending: Promise<Uint8Array[]> | undefined;
  private ready: Uint8Array[] = [];
  private readyIndex = 0;
  private chunkIndex: number;
  private readonly batch: number;

  constructor(
    private readonly src: ChunkSource,
    private readonly start: number,
    private readonly end: number,
    readAheadBytes = 1 << 20,
  ) {
    this.nextChunk = Math.floor(start / src.chunkLength);
    this.chunkIndex = this.nextChunk;
    // a scan to the end reads every chunk, trailing empty ones included, so the whole-file digest is checked
    this.lastChunk =
      end <= start ? this.nextChunk : end >= src.length ? src.chunkCount : Math.ceil(end / src.chunkLength);
    this.batch = Math.max(1, Math.floor(readAheadBytes / src.chunkLength));
  }

  /** The absolute position of the first byte the next `next()` returns. */
  position(): number {
    return Math.max(this.start, this.chunkIndex * this.src.chunkLength);
  }

  async next(): Promise<Uint8Array | undefined> {
    if (this.readyIndex >= this.ready.length) {
      if (this.nextChunk >= this.lastChunk && this.pending === undefined) return undefined;
      this.ready = await (this.pending ?? this.fetch());
      this.readyIndex = 0;
      this.pending = this.nextChunk < this.lastChunk ? this.fetch() : undefined;
      // a read-ahead that fails is reported when its chunks are needed, not before
      this.pending?.catch(() => undefined);
      if (this.ready.length === 0) return undefined;
    }
    const i = this.chunkIndex++;
    let chunk = this.ready[this.readyIndex++]!;
    const chunkStart = i * this.src.chunkLength;
    const from = Math.max(0, this.start - chunkStart);
    const to = Math.min(chunk.length, this.end - chunkStart);
    if (from > 0 || to < chunk.length) chunk = chunk.subarray(from, to);
    return chunk;
  }

  private fetch(): Promise<Uint8Array[]> {
    const first = this.nextChunk;
    const n = Math.min(this.batch, this.lastChunk - first);
    this.nextChunk += n;
    return this.src.readChunks(first, n);
  }
}
