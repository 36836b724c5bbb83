/**
 * Completeness of a node backup, verified from the manifests before any data is read: every listed
 * file exists, with the listed size and checksum where the layout records them (Medusa: size and MD5,
 * compared with the store's ETag when it is a plain MD5; Scylla Manager: the per-table total). One
 * LIST per table folder, cached across node backups that share folders (Medusa differential, Scylla
 * Manager), instead of a HEAD per file.
 */

import { objectKeyParent } from '../../storage/index.js';
import type { BackupSource, ObjectInfo } from '../source/backup-source.js';
import type { BackupProblem, NodeBackup } from './backup-model.js';

/** Folder listings shared by the verifications of one catalog. */
export type ListingCache = Map<string, Promise<Map<string, ObjectInfo>>>;

export interface NodeBackupVerified {
  readonly backup: NodeBackup;
  /** Discovery problems and verification problems together; empty = complete. */
  readonly problems: readonly BackupProblem[];
  /** Actual size per file key (from the listing). */
  readonly sizes: ReadonlyMap<string, number>;
  readonly sizeBytes: number;
}

function listing(source: BackupSource, dir: string, cache: ListingCache): Promise<Map<string, ObjectInfo>> {
  let p = cache.get(dir);
  if (p === undefined) {
    p = source.list(dir === '' ? '' : `${dir}/`).then((objects) => {
      const m = new Map<string, ObjectInfo>();
      for (const o of objects) if (objectKeyParent(o.key) === dir) m.set(o.key, o);
      return m;
    });
    cache.set(dir, p);
  }
  return p;
}

/** An MD5 as lower-case hex, from hex or base64 (GCS reports base64); `undefined` if neither. */
export function md5Hex(value: string): string | undefined {
  const v = value.replace(/"/g, '');
  if (/^[0-9a-fA-F]{32}$/.test(v)) return v.toLowerCase();
  if (/^[A-Za-z0-9+/]{22}==$/.test(v)) {
    const bin = atob(v);
    let hex = '';
    for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
    return hex;
  }
  return undefined;
}

/** Whether a recorded checksum and an ETag can be compared, and if so whether they match. */
export function checksumMatches(recorded: string, etag: string | undefined): boolean | undefined {
  if (etag === undefined) return undefined;
  const e = etag.replace(/"/g, '').toLowerCase();
  const r = recorded.replace(/"/g, '').toLowerCase();
  if (/-\d+$/.test(e) || /-\d+$/.test(r)) return /-\d+$/.test(e) && /-\d+$/.test(r) ? e === r : undefined;
  const a = md5Hex(recorded);
  return a === undefined || !/^[0-9a-f]{32}$/.test(e) ? undefined : a === e;
}

export async function nodeBackupVerify(
  source: BackupSource,
  backup: NodeBackup,
  cache: ListingCache = new Map(),
): Promise<NodeBackupVerified> {
  const problems: BackupProblem[] = [...backup.problems];
  const sizes = new Map<string, number>();
  let sizeBytes = 0;
  for (const t of backup.tables) {
    let tableSize = 0;
    for (const f of t.files) {
      const o = (await listing(source, objectKeyParent(f.key), cache)).get(f.key);
      const at = `node ${backup.node}: ${t.keyspace}.${t.table}`;
      if (o === undefined) {
        problems.push({
          kind: 'file-missing',
          node: backup.node,
          key: f.key,
          message: `${at}: ${f.key} missing`,
        });
        continue;
      }
      sizes.set(f.key, o.size);
      sizeBytes += o.size;
      tableSize += o.size;
      if (f.size !== undefined && f.size !== o.size) {
        problems.push({
          kind: 'size-mismatch',
          node: backup.node,
          key: f.key,
          message: `${at}: ${f.key} is ${o.size} bytes, the manifest says ${f.size}`,
        });
      } else if (f.md5 !== undefined && checksumMatches(f.md5, o.etag) === false) {
        problems.push({
          kind: 'checksum-mismatch',
          node: backup.node,
          key: f.key,
          message: `${at}: ${f.key} has ETag ${o.etag}, the manifest says MD5 ${f.md5}`,
        });
      }
    }
    if (t.size !== undefined && tableSize !== t.size && !problems.some((p) => p.kind === 'file-missing')) {
      problems.push({
        kind: 'size-mismatch',
        node: backup.node,
        message: `node ${backup.node}: ${t.keyspace}.${t.table}: files total ${tableSize} bytes, the manifest says ${t.size}`,
      });
    }
  }
  return { backup, problems, sizes, sizeBytes };
}
