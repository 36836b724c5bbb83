/**
 * SSTable chunk codecs (apache/cassandra `io/compress/*Compressor.java`) and CRC-32 for chunk checksums.
 */

export type { ChunkCodec, ChunkCompressor, ChunkDecompressor } from './compressor.js';
export { compressorForClass } from './compressor.js';
export { crc32 } from './crc32.js';
