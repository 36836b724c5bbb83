/**
 * `value_metadata` of the Key-Value and Time-Series abstractions (connectors/kv/README.md): UTF-8 JSON
 * `{"compression": "none|gzip|zstd|lz4|snappy", "size": N, "chunks": N, "chunk_size": N, "content_type": "…"}`,
 * and the codecs it names — gzip (RFC 1952, node:zlib), zstd (one frame, zstd-napi), lz4 (LZ4 frame format,
 * lz4-napi) and snappy (one raw block, no framing). Worker-side code: the only connector module that touches
 * native codecs.
 */
import { gunzipSync } from 'node:zlib';
import { decompressFrameSync } from 'lz4-napi';
import { uncompressSync as snappyUncompress } from 'snappy';
import { decompress as zstdDecompress } from 'zstd-napi';

export type ValueCodec = 'none' | 'gzip' | 'zstd' | 'lz4' | 'snappy';

export interface ValueMetadata {
  readonly compression: ValueCodec;
  /** Uncompressed size, when recorded. */
  readonly size: number | undefined;
  readonly chunks: number | undefined;
  readonly chunkSize: number | undefined;
  readonly contentType: string | undefined;
}

const NONE: ValueMetadata = {
  compression: 'none',
  size: undefined,
  chunks: undefined,
  chunkSize: undefined,
  contentType: undefined,
};
const decoder = new TextDecoder();
const CODECS = new Set(['none', 'gzip', 'zstd', 'lz4', 'snappy']);

/** Parses `value_metadata`; null (missing) = uncompressed inline. Throws on bad JSON or an unknown codec. */
export function valueMetadataParse(bytes: Uint8Array | null): ValueMetadata {
  if (bytes === null || bytes.length === 0) return NONE;
  const j = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  const compression = (j.compression ?? 'none') as string;
  if (!CODECS.has(compression)) throw new Error(`value_metadata names unknown compression '${compression}'`);
  const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
  return {
    compression: compression as ValueCodec,
    size: num(j.size),
    chunks: num(j.chunks),
    chunkSize: num(j.chunk_size),
    contentType: typeof j.content_type === 'string' ? j.content_type : undefined,
  };
}

function buf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Why stored bytes are not the item `value_metadata` describes (the skipped-item kinds). */
export type ValueProblem = 'corrupt-value' | 'size-mismatch';

/**
 * The item's bytes as `meta` says: decompressed and size-checked; or the problem — a codec that fails is
 * `corrupt-value`, a length other than `size` is `size-mismatch`. Both paths of every connector skip such
 * an item under that kind.
 */
export function valueDecode(meta: ValueMetadata, stored: Uint8Array): Uint8Array | ValueProblem {
  let bytes: Uint8Array;
  try {
    bytes = valueDecompress(meta.compression, stored);
  } catch {
    return 'corrupt-value';
  }
  return meta.size !== undefined && bytes.length !== meta.size ? 'size-mismatch' : bytes;
}

/** Decompresses stored bytes (`none` returns them as they are). */
export function valueDecompress(codec: ValueCodec, stored: Uint8Array): Uint8Array {
  switch (codec) {
    case 'none':
      return stored;
    case 'gzip':
      return view(gunzipSync(buf(stored)));
    case 'zstd':
      return view(zstdDecompress(buf(stored)));
    case 'lz4':
      return view(decompressFrameSync(buf(stored)));
    case 'snappy':
      return view(snappyUncompress(buf(stored)) as Buffer);
  }
}
