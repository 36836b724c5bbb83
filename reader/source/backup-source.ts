/**
 * The object-store abstraction backups are read through: list by prefix, head, get whole, get a range —
 * the four operations S3, GCS, Azure and a local folder all have. One `BackupSource` is rooted at a
 * prefix (`s3://bucket/prefix` or a folder) and keys are relative to it (see object-key.ts).
 *
 * SSTable bytes reach the reader as `ByteSource`s (`open`), which read ranges on demand: a Data.db is
 * never downloaded whole before decoding starts. Small files (TOC, Statistics, manifests) use `get`.
 */

import { DatamoveError } from '../../core/index.js';
import type { ByteSource, ByteSourceDirectory } from '../../storage/index.js';
import { objectKeyBase, objectKeyCheck } from '../../storage/index.js';

/** One object as a listing or a HEAD reports it. */
export interface ObjectInfo {
  /** Key relative to the source's root. */
  readonly key: string;
  readonly size: number;
  /** The ETag without quotes (S3: the MD5 hex of a single-part upload, `<md5>-<parts>` for multipart). */
  readonly etag?: string;
  /** Last modification, ms since the epoch. */
  readonly lastModified?: number;
}

export interface BackupSource {
  /** The source's URI for messages (`s3://bucket/prefix`, `/backups`); never carries credentials. */
  readonly name: string;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** The object's size and ETag; `undefined` when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** The whole object (for small files); `undefined` when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Bytes `[start, end)` of an object; fewer only at its end. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /**
   * The object as a range-reading `ByteSource`. `size` (from a listing or a manifest) saves a HEAD.
   */
  open(key: string, size?: number): Promise<ByteSource>;
  close(): Promise<void>;
}

/** A file of a `backupDirectory`: its name in the directory, its key in the source, its size if known. */
export interface DirectoryFile {
  readonly name: string;
  readonly key: string;
  readonly size?: number;
}

/**
 * A `ByteSourceDirectory` over chosen objects of a source: the names are what `list()` returns, each
 * mapped to a key anywhere under the source's root (a Medusa differential backup's files live outside
 * the backup's own folder). `name` is for messages. `extra` serves small files from memory (the backup's
 * schema.cql).
 */
export function backupDirectory(
  source: BackupSource,
  name: string,
  files: readonly DirectoryFile[],
  extra: Readonly<Record<string, Uint8Array>> = {},
): ByteSourceDirectory {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const f of files) objectKeyCheck(f.key, name);
  const names = [...new Set([...byName.keys(), ...Object.keys(extra)])].sort();
  const find = (fileName: string): DirectoryFile => {
    const f = byName.get(fileName);
    if (f === undefined) {
      throw new DatamoveError('NotFound', `source: ${name}/${fileName}: no such file in the backup`, {
        context: { file: `${name}/${fileName}` },
      });
    }
    return f;
  };
  return {
    name,
    list: async () => names,
    async open(fileName) {
      const f = find(fileName);
      return source.open(f.key, f.size);
    },
    async readAll(fileName) {
      const x = extra[fileName];
      if (x !== undefined) return x;
      const f = byName.get(fileName);
      return f === undefined ? undefined : source.get(f.key);
    },
  };
}

/**
 * The objects directly under `prefix` (one folder level) as a `ByteSourceDirectory` — how a plain S3
 * folder of SSTables is read (`datamove sstable dump s3://bucket/folder`).
 */
export async function sourceFolderDirectory(
  source: BackupSource,
  prefix: string,
): Promise<ByteSourceDirectory> {
  const p = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  const objects = (await source.list(p)).filter((o) => !o.key.slice(p.length).includes('/'));
  return backupDirectory(
    source,
    `${source.name.replace(/\/+$/, '')}/${p.replace(/\/$/, '')}`.replace(/\/$/, ''),
    objects.map((o) => ({ name: objectKeyBase(o.key), key: o.key, size: o.size })),
  );
}
