/** Where bytes come from: byte sources, backup sources (S3, local folders), range reads and retries. */
export type { BackupSource, DirectoryFile, ObjectInfo } from './backup-source.js';
export { backupDirectory, sourceFolderDirectory } from './backup-source.js';
export type { ByteSource, ByteSourceDirectory } from './byte-source.js';
export { bytesSource } from './byte-source.js';
export { localBackupSource } from './local/local-backup-source.js';
export { localDirectory, localFileSource, localResolve } from './local/local-source.js';
export { objectKeyCheck, objectKeyJoin } from './object-key.js';
export { rangedByteSource } from './ranged-source.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './retry.js';
export { s3BackupSource, s3ClientCreate, s3UriParse } from './s3/s3-backup-source.js';
export {
  type ResolvedS3Options,
  type S3Options,
  s3OptionsFromEnv,
  s3OptionsResolve,
  s3OptionsSchema,
} from './s3/s3-options.js';
export { type BackupSourceOpenOptions, backupSourceOpen, isS3Uri, tableFolderResolve } from './source-uri.js';
