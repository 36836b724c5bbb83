/**
 * The plain data a backup layout yields and selection returns. Everything here is JSON-serialisable
 * (times as ISO strings or ms numbers, tokens as decimal strings), so a `BackupSet` can be printed with
 * `--json`, stored with a job, and shipped to workers by the compactor planner.
 */

/** One file of a table in a node backup, as the manifest lists it. */
export interface BackupFileEntry {
  /** Name in the table folder (`nb-1-big-Data.db`). */
  readonly name: string;
  /** Object key relative to the source root. */
  readonly key: string;
  /** Size the manifest records, if it records one. */
  readonly size?: number;
  /** Checksum the manifest records (Medusa: the object's MD5 / S3 ETag, hex or base64). */
  readonly md5?: string;
}

/** One table of a node backup. */
export interface NodeTableBackup {
  readonly keyspace: string;
  readonly table: string;
  /** Table id or schema version from the folder name (`t-<32 hex>`), if any. */
  readonly tableId?: string;
  readonly files: readonly BackupFileEntry[];
  /** Total size the manifest records for the table (Scylla Manager), if any. */
  readonly size?: number;
}

/** A ring member as a whole-ring token map records it (Medusa tokenmap.json). */
export interface RingNode {
  readonly node: string;
  readonly dc?: string;
  readonly rack?: string;
  readonly tokens: readonly string[];
}

export type BackupProblemKind =
  | 'node-missing'
  | 'manifest-missing'
  | 'file-missing'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'upload-in-progress'
  | 'schema-missing';

/** Why a node backup or a backup set is not usable; `message` is one line. */
export interface BackupProblem {
  readonly kind: BackupProblemKind;
  readonly node?: string;
  readonly key?: string;
  readonly message: string;
}

/** One node's backup as its layout describes it (from manifests only; no data file read). */
export interface NodeBackup {
  readonly layout: string;
  /** Cluster id when the layout has one (Scylla Manager). */
  readonly cluster?: string;
  /** The backup's name: Medusa backup name, Scylla Manager snapshot tag, snapshot tag. */
  readonly backupId: string;
  readonly node: string;
  readonly dc?: string;
  readonly rack?: string;
  /** The node's own tokens (decimal strings), when recorded. */
  readonly tokens: readonly string[];
  /** The whole ring as this node saw it, when the layout records it. */
  readonly ring?: readonly RingNode[];
  /** When the backup was taken (started), ms since the epoch. */
  readonly time: number;
  /** When it finished (manifest written), ms since the epoch, if known. */
  readonly finishedAt?: number;
  /** Where the layout's schema for this backup lives (layout-specific, read by `schemaText`). */
  readonly schemaKeys: readonly string[];
  readonly tables: readonly NodeTableBackup[];
  /** Problems seen while discovering it (manifest missing, upload in progress). */
  readonly problems: readonly BackupProblem[];
}

/** Which tables to look at; both undefined = all. */
export interface TableFilter {
  readonly keyspace?: string;
  readonly table?: string;
}

/** A file of a selected backup: where it is and how big it is (verified). */
export interface BackupSetFile {
  readonly name: string;
  readonly key: string;
  readonly size: number;
}

export interface BackupSetTable {
  readonly keyspace: string;
  readonly table: string;
  readonly tableId?: string;
  /** A name for messages: `<source>/<node>/<keyspace>/<table>`. */
  readonly folder: string;
  readonly files: readonly BackupSetFile[];
  readonly sizeBytes: number;
}

export interface BackupSetNode {
  readonly node: string;
  readonly dc?: string;
  readonly rack?: string;
  readonly tokens: readonly string[];
  readonly backupId: string;
  /** ISO-8601. */
  readonly time: string;
  readonly tables: readonly BackupSetTable[];
}

/**
 * One cohesive unit to read a cluster's table as it was at `asOf`: per node the latest complete backup
 * taken at or before it (within the skew window), with the schema and topology of that backup.
 */
export interface BackupSet {
  readonly layout: string;
  readonly source: string;
  readonly cluster?: string;
  /** ISO-8601. */
  readonly asOf: string;
  readonly skewMs: number;
  /** The distinct backup ids the nodes' backups come from. */
  readonly backupIds: readonly string[];
  /** Earliest and latest node backup time, ISO-8601. */
  readonly earliest: string;
  readonly latest: string;
  readonly schema:
    | { readonly text: string; readonly version: string; readonly node: string; readonly backupId: string }
    | undefined;
  readonly nodes: readonly BackupSetNode[];
  /** Nodes of the ring with no usable backup (allowed by the caller's `missingAllowed`). */
  readonly missingNodes: readonly string[];
  readonly sizeBytes: number;
  /** Non-fatal observations (nodes that disagree on the schema, …). */
  readonly warnings: readonly string[];
}
