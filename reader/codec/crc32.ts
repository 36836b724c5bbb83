/**
 * CRC-32 (IEEE 802.3, the polynomial of `java.util.zip.CRC32`) as Cassandra uses it in SSTables: the
 * big-endian int after each compressed chunk of Data.db, computed over the compressed bytes (apache/cassandra
 * `io/compress/CompressedSequentialWriter.java`; checked in `io/compress/CompressedRandomAccessReader.java`
 * (3.x) and `io/util/CompressedChunkReader.java` (4.0+)), the `CRC.db` of uncompressed files
 * (`io/util/ChecksumWriter.java`) and `Digest.crc32`. Backed by node:zlib's native `crc32` (Node >= 20.15).
 */

import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 of `bytes`, continuing from `initial` (the CRC of the bytes before, default 0), so that
 * `crc32(b, crc32(a)) === crc32(concat(a, b))`.
 *
 * @param initial - a previous result; a signed 32-bit value (as read with `getInt32`) is accepted too
 * @returns the CRC as an unsigned 32-bit number
 */
export function crc32(bytes: Uint8Array, initial = 0): number {
  return zlibCrc32(bytes, initial >>> 0) >>> 0;
}
