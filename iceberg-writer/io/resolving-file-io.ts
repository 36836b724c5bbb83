/**
 * A `FileIO` that picks the implementation from each URI's scheme, as Java's `ResolvingFileIO` does:
 * `s3://`, `s3a://`, `s3n://` → `S3FileIO` (created on first use, so a local-only catalog never builds an
 * S3 client), anything else (`file://`, absolute paths) → `LocalFileIO`. One catalog can then hold tables
 * in a local warehouse and in S3, and a table's files are reached wherever its metadata says they are.
 */
import type { FileInfo, FileIO } from './file-io.js';
import { LocalFileIO, type LocalFileIOOptions } from './local/local-file-io.js';
import { isS3Location, S3FileIO, type S3FileIOHooks } from './s3/s3-file-io.js';
import { type S3FileIOOptions, s3FileIOOptionsResolve } from './s3/s3-file-io-options.js';

export interface ResolvingFileIOOptions {
  /** Settings of the S3 FileIO (the S3 options of backups, plus `partBytes`). */
  readonly s3?: S3FileIOOptions;
  readonly s3Hooks?: S3FileIOHooks;
  readonly local?: LocalFileIOOptions;
}

export class ResolvingFileIO implements FileIO {
  readonly #options: ResolvingFileIOOptions;
  readonly #local: LocalFileIO;
  #s3: S3FileIO | undefined;

  constructor(options: ResolvingFileIOOptions = {}) {
    this.#options = options;
    this.#local = new LocalFileIO(options.local);
    // validate the S3 settings now, so a bad option fails at open rather than at the first s3:// file
    if (options.s3 !== undefined) s3FileIOOptionsResolve(options.s3);
  }

  /** The implementation serving `uri`. */
  ioOf(uri: string): FileIO {
    if (!isS3Location(uri)) return this.#local;
    this.#s3 ??= new S3FileIO(this.#options.s3, this.#options.s3Hooks);
    return this.#s3;
  }

  read(uri: string): Promise<Uint8Array> {
    return this.ioOf(uri).read(uri);
  }

  write(uri: string, bytes: Uint8Array): Promise<void> {
    return this.ioOf(uri).write(uri, bytes);
  }

  exists(uri: string): Promise<boolean> {
    return this.ioOf(uri).exists(uri);
  }

  list(prefix: string): Promise<FileInfo[]> {
    return this.ioOf(prefix).list(prefix);
  }

  delete(uri: string): Promise<void> {
    return this.ioOf(uri).delete(uri);
  }

  async close(): Promise<void> {
    await this.#s3?.close();
    this.#s3 = undefined;
  }
}
