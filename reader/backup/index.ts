/** Backups: layouts, completeness, selection as of a time, and reading a selected table. */
export type { BackupCatalog, BackupSetSummary } from './backup-catalog.js';
export { backupCatalog } from './backup-catalog.js';
export type {
  BackupFileEntry,
  BackupProblem,
  BackupProblemKind,
  BackupSet,
  BackupSetFile,
  BackupSetNode,
  BackupSetTable,
  NodeBackup,
  NodeTableBackup,
  RingNode,
  TableFilter,
} from './backup-model.js';
export type { BackupSelectOptions } from './backup-select.js';
export { backupSelect, DEFAULT_SKEW_MS } from './backup-select.js';
export { backupTableDirectory } from './backup-table-directory.js';
export type { NodeBackupVerified } from './backup-verify.js';
export { nodeBackupVerify } from './backup-verify.js';
export type { BackupLayout } from './layout.js';
export { BACKUP_LAYOUTS, type BackupLayoutName, backupLayoutResolve } from './layouts.js';
export { medusaLayout } from './medusa/medusa-layout.js';
export { scyllaManagerLayout } from './scylla-manager/scylla-manager-layout.js';
export { snapshotLayout } from './snapshot/snapshot-layout.js';
