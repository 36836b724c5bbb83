/**
 * Item bytes for the Key-Value and Time-Series presets: compressible text derived from a seed, stored
 * uncompressed or compressed with one of the codecs the abstractions' `value_metadata` names (gzip, zstd,
 * LZ4 frame, raw Snappy).
 */
import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress } from 'snappy';
import { compress as zstdCompress } from 'zstd-napi';
import { Rng } from './prng.js';

export const ITEM_CODECS = ['none', 'gzip', 'zstd', 'lz4', 'snappy'] as const;
export type ItemCodec = (typeof ITEM_CODECS)[number];

/** `size` bytes of text: a block of up to 4 KiB of seeded words, repeated with a running counter. */
export function itemContent(size: number, ...seed: number[]): Uint8Array {
  const rng = new Rng(...seed);
  const blockLength = Math.min(size, 4096);
  const block = new Uint8Array(blockLength);
  for (let i = 0; i < blockLength; i++) {
    const r = rng.u32();
    // lower-case letters with a space about every sixth byte: compressible like text
    block[i] = r % 6 === 0 ? 0x20 : 0x61 + ((r >>> 8) % 26);
  }
  if (size <= blockLength) return block;
  const out = new Uint8Array(size);
  for (let at = 0, n = 0; at < size; at += blockLength, n++) {
    out.set(block.subarray(0, Math.min(blockLength, size - at)), at);
    const tag = TAGS[n % TAGS.length]!;
    if (at + tag.length <= size) out.set(tag, at);
  }
  return out;
}

const TAGS = Array.from({ length: 256 }, (_, n) => new TextEncoder().encode(`#${n}#`));

export function itemCompress(codec: ItemCodec, bytes: Uint8Array): Uint8Array {
  switch (codec) {
    case 'none':
      return bytes;
    case 'gzip':
      return new Uint8Array(gzipSync(bytes));
    case 'zstd':
      return new Uint8Array(zstdCompress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    case 'lz4':
      return new Uint8Array(compressFrameSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    case 'snappy':
      return new Uint8Array(snappyCompress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  }
}
