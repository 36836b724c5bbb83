/** Where a backup's bytes come from: backup sources over S3 and local folders, opened from a URI. */
export type { BackupSource, DirectoryFile, ObjectInfo } from './backup-source.js';
export { backupDirectory, sourceFolderDirectory } from './backup-source.js';
export { localBackupSource } from './local/local-backup-source.js';
export { type S3SourceHooks, s3BackupSource } from './s3/s3-backup-source.js';
export { type BackupSourceOpenOptions, backupSourceOpen, tableFolderResolve } from './source-uri.js';
