/**
 * Where SSTable bytes come from. Modelled on hyparquet's two-member `AsyncBuffer`: a length and a ranged
 * read. Local files implement it now; S3 range GETs implement the same interface, so no decoder knows
 * where its bytes live.
 */
export interface ByteSource {
  /** A name for messages: the file path or object key. */
  readonly name: string;
  readonly byteLength: number;
  /** Bytes `[start, end)`. Implementations may return a view of a shared buffer; callers never write to it. */
  read(start: number, end: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** A directory of files (a local folder or an S3 prefix): lists names and opens each as a `ByteSource`. */
export interface ByteSourceDirectory {
  readonly name: string;
  list(): Promise<string[]>;
  open(fileName: string): Promise<ByteSource>;
  /** Whole small file (TOC, Statistics, schema.cql); `undefined` when it does not exist. */
  readAll(fileName: string): Promise<Uint8Array | undefined>;
}

/** An in-memory source, for tests and for small files already fetched. */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    byteLength: bytes.length,
    read: async (start, end) => bytes.subarray(start, end),
  };
}
