/**
 * Opens a backup source from a URI: `s3://bucket/prefix` → S3, `file:///path` or a plain path → a local
 * folder. The one place that chooses the implementation, so callers (CLI, jobs) never do.
 */
import { DatamoveError } from '../../core/index.js';
import type { ByteSourceDirectory, S3Options } from '../../storage/index.js';
import { isS3Uri, localDirectory, localResolve } from '../../storage/index.js';
import { descriptorParse } from '../sstable/descriptor.js';
import { type BackupSource, sourceFolderDirectory } from './backup-source.js';
import { localBackupSource } from './local/local-backup-source.js';
import { type S3SourceHooks, s3BackupSource } from './s3/s3-backup-source.js';

export interface BackupSourceOpenOptions {
  readonly s3?: S3Options;
  readonly s3Hooks?: S3SourceHooks;
  /** Local folders: compute MD5 ETags so manifests' checksums can be verified (reads every file; default false). */
  readonly localEtags?: boolean;
}

export function backupSourceOpen(uri: string, options: BackupSourceOpenOptions = {}): BackupSource {
  if (isS3Uri(uri)) return s3BackupSource(uri, options.s3, options.s3Hooks);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
    throw new DatamoveError(
      'FeatureUnsupported',
      `source: '${uri.replace(/\/\/[^@/]*@/, '//')}': unsupported scheme (use s3://bucket/prefix, file:///path or a path)`,
      { context: { uri: uri.replace(/\/\/[^@/]*@/, '//') } },
    );
  }
  return localBackupSource(uri, { withEtags: options.localEtags ?? false });
}

/**
 * A table folder or one component file given as a path or an S3 URI (`datamove sstable dump <path>`):
 * the folder as a `ByteSourceDirectory`, the file name when a file was named, and `close`.
 */
export async function tableFolderResolve(
  target: string,
  options: BackupSourceOpenOptions = {},
): Promise<{ dir: ByteSourceDirectory; file?: string; close(): Promise<void> }> {
  if (!isS3Uri(target)) {
    const { dir, file } = await localResolve(target);
    return { dir: localDirectory(dir), ...(file === undefined ? {} : { file }), close: async () => {} };
  }
  const trimmed = target.replace(/\/+$/, '');
  const last = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const isFile = descriptorParse(last) !== undefined && !trimmed.endsWith(`//${last}`);
  const source = backupSourceOpen(
    isFile ? trimmed.slice(0, trimmed.length - last.length - 1) : trimmed,
    options,
  );
  try {
    const dir = await sourceFolderDirectory(source, '');
    return { dir, ...(isFile ? { file: last } : {}), close: () => source.close() };
  } catch (e) {
    await source.close();
    throw e;
  }
}
