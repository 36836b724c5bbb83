/**
 * Where written files go: a folder of new files (local now; S3 multipart uploads implement the same
 * interface). Files appear under their final names only when closed, so a reader never sees half a file.
 */
export interface ByteSink {
  readonly name: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Completes the file (renames it into place). */
  close(): Promise<void>;
  /** Drops the partial file. */
  abort(): Promise<void>;
}

export interface SinkDirectory {
  readonly name: string;
  create(fileName: string): Promise<ByteSink>;
  /** Writes a whole small file. */
  writeAll(fileName: string, bytes: Uint8Array): Promise<void>;
}
