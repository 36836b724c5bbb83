/**
 * Data.db as it is written: uncompressed bytes in, fixed-size chunks out. Compressed files get each chunk
 * compressed and followed by the CRC32 of the compressed bytes, with the chunk offsets collected for
 * CompressionInfo.db (io/compress/CompressedSequentialWriter.java); uncompressed files get one CRC32 per
 * chunk for CRC.db (io/util/ChecksumWriter). The CRC32 of the whole file goes to Digest.crc32.
 *
 * `write` is synchronous (the partition serializer calls it per record) and only queues whole chunks;
 * the caller awaits `drain()` between records to push them to the sink, so memory stays at a few chunks.
 */

import type { ChunkCompressor } from '../reader/index.js';
import { crc32 } from '../reader/index.js';
import type { ByteSink } from '../storage/index.js';
import type { DataOutput } from './partition-serializer.js';

export class DataFileWriter implements DataOutput {
  private buffer: Uint8Array;
  private fill = 0;
  private written = 0; // uncompressed bytes before `buffer`
  private fileLength = 0;
  private digest = 0;
  private queue: Uint8Array[] = [];
  private queued = 0;
  readonly chunkOffsets: number[] = [];
  readonly chunkCrcs: number[] = [];

  constructor(
    private readonly sink: ByteSink,
    readonly chunkLength: number,
    private readonly compressor: ChunkCompressor | null,
    /** 4.0+: a chunk that would not compress below this is stored as is. */
    private readonly maxCompressedLength = Number.POSITIVE_INFINITY,
  ) {
    this.buffer = new Uint8Array(chunkLength);
  }

  get position(): number {
    return this.written + this.fill;
  }

  /** Bytes waiting for `drain()`. */
  get pending(): number {
    return this.queued;
  }

  write(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.chunkLength - this.fill);
      this.buffer.set(bytes.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
      if (this.fill === this.chunkLength) this.emitChunk();
    }
  }

  async drain(): Promise<void> {
    const parts = this.queue;
    this.queue = [];
    this.queued = 0;
    for (const p of parts) await this.sink.write(p);
  }

  /** Writes the last partial chunk and closes the file; returns the uncompressed length. */
  async finish(): Promise<{ dataLength: number; fileLength: number; digest: number }> {
    if (this.fill > 0) this.emitChunk();
    await this.drain();
    await this.sink.close();
    return { dataLength: this.written, fileLength: this.fileLength, digest: this.digest };
  }

  private emitChunk(): void {
    const raw = this.buffer.subarray(0, this.fill);
    if (this.compressor === null) {
      const copy = raw.slice();
      this.chunkCrcs.push(crc32(copy));
      this.push(copy);
    } else {
      this.chunkOffsets.push(this.fileLength);
      let compressed = this.compressor.compress(raw);
      if (compressed.length >= this.maxCompressedLength) compressed = raw.slice();
      const crc = new Uint8Array(4);
      new DataView(crc.buffer).setUint32(0, crc32(compressed));
      this.push(compressed);
      this.push(crc);
    }
    this.written += this.fill;
    this.fill = 0;
  }

  private push(bytes: Uint8Array): void {
    this.digest = crc32(bytes, this.digest);
    this.fileLength += bytes.length;
    this.queue.push(bytes);
    this.queued += bytes.length;
  }
}
