/**
 * One node's table of a selected backup as a `ByteSourceDirectory`, so `tableFolderOpen` reads it
 * unchanged: `list()` is the manifest's file names (no listing request), each opened by its key wherever
 * it lives (Medusa differential backups keep files outside the backup folder) with its verified size
 * (no HEAD), and `schema.cql` is the set's schema.
 */
import { DatamoveError } from '../../core/index.js';
import type { ByteSourceDirectory } from '../../storage/index.js';
import { type BackupSource, backupDirectory } from '../source/backup-source.js';
import type { BackupSet } from './backup-model.js';

const encoder = new TextEncoder();

export function backupTableDirectory(
  source: BackupSource,
  set: BackupSet,
  node: string,
  keyspace: string,
  table: string,
): ByteSourceDirectory {
  const n = set.nodes.find((x) => x.node === node);
  const t = n?.tables.find((x) => x.keyspace === keyspace && x.table === table);
  if (t === undefined) {
    throw new DatamoveError(
      'NotFound',
      `backup: ${set.source}: ${n === undefined ? `node ${node} is not in the backup set` : `node ${node} has no table ${keyspace}.${table} in backup ${n.backupId}`}`,
      { context: { node, keyspace, table } },
    );
  }
  return backupDirectory(
    source,
    t.folder,
    t.files,
    set.schema === undefined ? {} : { 'schema.cql': encoder.encode(set.schema.text) },
  );
}
