/**
 * The storage interface of the Iceberg writer: whole objects by URI (Iceberg's `FileIO`, narrowed to what a
 * writer needs). Data and metadata files are written once and never modified, so no append or range write
 * is needed. Implementations: `local/` (a folder, `file://` URIs or absolute paths) and `s3/` (`s3://bucket/key`);
 * resolving-file-io.ts picks one per URI scheme.
 */

export interface FileInfo {
  readonly uri: string;
  readonly size: number;
  /** Milliseconds since the epoch. */
  readonly lastModified: number;
}

export interface FileIO {
  /** Whole object; a missing object is a `NotFound` DatamoveError. */
  read(uri: string): Promise<Uint8Array>;
  /** Creates or replaces the object; readers never see a partial object. */
  write(uri: string, bytes: Uint8Array): Promise<void>;
  exists(uri: string): Promise<boolean>;
  /** Every object whose URI starts with `prefix` (recursively). */
  list(prefix: string): Promise<FileInfo[]>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(uri: string): Promise<void>;
  /** Releases connections (S3 clients); a FileIO that holds none has no `close`. */
  close?(): Promise<void>;
}

/** Joins a location and a relative path with exactly one slash. */
export function locationJoin(base: string, ...parts: string[]): string {
  let out = base.replace(/\/+$/, '');
  for (const p of parts) out = `${out}/${p.replace(/^\/+/, '')}`;
  return out;
}
