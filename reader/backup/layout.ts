/**
 * The backup layout family: how a backup tool arranges SSTables, manifests, schema and topology in an
 * object store. Each member (snapshot/, medusa/, scylla-manager/; Priam v2 later) answers two questions
 * from the store alone — which node backups exist, and what each lists — and the layout-independent
 * modules do the rest: verification (backup-verify.ts), grouping into backup sets (backup-sets.ts) and
 * selection as of a time (backup-select.ts).
 *
 * The interface is shaped so Priam v2 fits: its META_V2 files list the SSTables of a node at an epoch
 * (`discover`), its SST_V2 objects are SNAPPY-framed (a future `NodeTableBackup.files[].encoding` and a
 * decoding `ByteSource` wrapper), its token is in the path (`tokens`), and its schema is in the meta file
 * (`schemaText`).
 */
import type { BackupSource } from '../source/backup-source.js';
import type { NodeBackup, TableFilter } from './backup-model.js';

export interface BackupLayout {
  /** `snapshot`, `medusa`, `scylla-manager`. */
  readonly name: string;
  /** Whether the source holds backups of this layout (a few LIST/GET requests). */
  detect(source: BackupSource): Promise<boolean>;
  /**
   * Every node backup in the source, complete or not, with the tables matching `filter`; read from
   * manifests and index objects only. Invalid manifests (not JSON, wrong shape, keys escaping the
   * prefix) throw a `DatamoveError` naming the object.
   */
  discover(source: BackupSource, filter: TableFilter): Promise<NodeBackup[]>;
  /** The node backup's schema as CQL text; `undefined` when the backup holds none the reader can use. */
  schemaText(source: BackupSource, backup: NodeBackup): Promise<string | undefined>;
}
