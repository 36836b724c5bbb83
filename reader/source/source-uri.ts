/**
 * Opens a backup source from a URI: `s3://bucket/prefix` → S3, `file:///path` or a plain path → a local
 * folder. The one place that chooses the implementation, so callers (CLI, jobs) never do.
 */
import { DatamoveError } from '../../core/errors.js';
import type { BackupSource } from './backup-source.js';
import { localBackupSource } from './local/local-backup-source.js';
import { type S3SourceHooks, s3BackupSource } from './s3/s3-backup-source.js';
import type { S3Options } from './s3/s3-options.js';

export interface BackupSourceOpenOptions {
  readonly s3?: S3Options;
  readonly s3Hooks?: S3SourceHooks;
  /** Local folders: compute MD5 ETags so manifests' checksums can be verified (reads every file; default false). */
  readonly localEtags?: boolean;
}

/** True for `s3://…` URIs. */
export function isS3Uri(uri: string): boolean {
  return /^s3:\/\//i.test(uri);
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
