/**
 * Selection as of a time T: per node, the latest complete backup taken at or before T. Nodes need not
 * have snapshotted together: every chosen backup must lie within `skewMs` (default 24 h) of the newest
 * one chosen. The ring (the nodes expected) is the token map of the newest chosen backup when the
 * layout records one, plus every node with any backup inside the window; without a recorded ring, also
 * every node whose last complete backup fell out of the window (a decommissioned node must then be
 * allowed by `missingAllowed`, or its old backups removed). A node with no usable backup
 * fails the selection unless `missingAllowed` (from the consistency level, defined by the compactor)
 * accepts its absence. The result is a plain-data `BackupSet`: schema, topology and SSTable lists with
 * verified sizes — the snapshot a planner reads.
 */
import { DatamoveError } from '../../core/index.js';
import type { BackupSource } from '../source/backup-source.js';
import { schemaVersionsRead } from './backup-catalog.js';
import type { BackupSet, BackupSetNode, NodeBackup, TableFilter } from './backup-model.js';
import { type ListingCache, type NodeBackupVerified, nodeBackupVerify } from './backup-verify.js';
import type { BackupLayout } from './layout.js';

export const DEFAULT_SKEW_MS = 24 * 3600 * 1000;

export interface BackupSelectOptions {
  /** ms since the epoch; default now. */
  readonly asOf?: number;
  /** Largest distance between the node backups of one set (default 24 h). */
  readonly skewMs?: number;
  readonly filter?: TableFilter;
  /** The cluster, when the source holds several (Scylla Manager cluster ids). */
  readonly cluster?: string;
  /**
   * Whether the set may be used without these nodes (default: never). The compactor derives it from
   * the consistency level (ONE / QUORUM / ALL) and the replication.
   */
  readonly missingAllowed?: (missing: readonly string[], present: readonly BackupSetNode[]) => boolean;
}

export async function backupSelect(
  source: BackupSource,
  layout: BackupLayout,
  options: BackupSelectOptions = {},
): Promise<BackupSet> {
  const asOf = options.asOf ?? Date.now();
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  const filter = options.filter ?? {};
  const at = new Date(asOf).toISOString();
  let all = await layout.discover(source, filter);
  const clusters = [...new Set(all.map((b) => b.cluster ?? ''))];
  if (options.cluster !== undefined) all = all.filter((b) => b.cluster === options.cluster);
  else if (clusters.length > 1) {
    throw new DatamoveError(
      'InvalidArgument',
      `backup: ${source.name} holds ${clusters.length} clusters (${clusters.join(', ')}); name one with --cluster`,
      { context: { source: source.name } },
    );
  }
  const byNode = new Map<string, NodeBackup[]>();
  for (const b of all) {
    if (b.time > asOf) continue;
    const list = byNode.get(b.node);
    if (list) list.push(b);
    else byNode.set(b.node, [b]);
  }
  if (byNode.size === 0) {
    throw new DatamoveError(
      'NotFound',
      `backup: ${source.name}: no ${layout.name} backup taken at or before ${at}`,
      {
        context: { source: source.name, asOf: at },
      },
    );
  }
  const cache: ListingCache = new Map();
  const chosen = new Map<string, NodeBackupVerified>();
  const why = new Map<string, string>();
  for (const [node, list] of byNode) {
    list.sort((a, b) => b.time - a.time);
    for (const b of list) {
      const v = await nodeBackupVerify(source, b, cache);
      if (v.problems.length === 0) {
        chosen.set(node, v);
        break;
      }
      if (!why.has(node)) why.set(node, `${b.backupId}: ${v.problems[0]!.message}`);
    }
  }
  if (chosen.size === 0) {
    throw new DatamoveError(
      'NotFound',
      `backup: ${source.name}: no complete backup at or before ${at} (${[...why].map(([n, w]) => `${n}: ${w}`).join('; ')})`,
      { context: { source: source.name, asOf: at } },
    );
  }
  const anchor = [...chosen.values()].reduce((a, b) => (b.backup.time > a.backup.time ? b : a));
  const windowStart = anchor.backup.time - skewMs;
  const stale: string[] = [];
  for (const [node, v] of chosen) {
    if (v.backup.time < windowStart) {
      chosen.delete(node);
      stale.push(node);
      why.set(
        node,
        `latest complete backup ${v.backup.backupId} (${new Date(v.backup.time).toISOString()}) is older than the ${skewMs / 3600000} h skew window`,
      );
    }
  }
  const expected = new Set<string>(anchor.backup.ring?.map((r) => r.node) ?? []);
  for (const [node, list] of byNode) if (list.some((b) => b.time >= windowStart)) expected.add(node);
  for (const n of chosen.keys()) expected.add(n);
  // without a recorded ring, a node whose last complete backup is too old is still taken as a member
  if (anchor.backup.ring === undefined) for (const n of stale) expected.add(n);
  const missing = [...expected].filter((n) => !chosen.has(n)).sort();

  const schemas = await schemaVersionsRead(
    source,
    layout,
    [...chosen.values()].map((v) => v.backup),
    filter,
  );
  const nodes: BackupSetNode[] = [...chosen.values()]
    .sort((a, b) => (a.backup.node < b.backup.node ? -1 : 1))
    .map(({ backup: b, sizes }) => ({
      node: b.node,
      ...(b.dc === undefined ? {} : { dc: b.dc }),
      ...(b.rack === undefined ? {} : { rack: b.rack }),
      tokens:
        b.tokens.length > 0 ? b.tokens : (anchor.backup.ring?.find((r) => r.node === b.node)?.tokens ?? []),
      backupId: b.backupId,
      time: new Date(b.time).toISOString(),
      tables: b.tables.map((t) => {
        const files = t.files.map((f) => ({
          name: f.name,
          key: f.key,
          size: sizes.get(f.key) ?? f.size ?? 0,
        }));
        return {
          keyspace: t.keyspace,
          table: t.table,
          ...(t.tableId === undefined ? {} : { tableId: t.tableId }),
          folder: `${source.name}/${b.node}/${t.keyspace}/${t.table}`,
          files,
          sizeBytes: files.reduce((n, f) => n + f.size, 0),
        };
      }),
    }));
  if (missing.length > 0 && !(options.missingAllowed?.(missing, nodes) ?? false)) {
    throw new DatamoveError(
      'NotFound',
      `backup: ${source.name}: no complete backup set as of ${at}: ${missing
        .map((n) => `node ${n}: ${why.get(n) ?? 'no backup'}`)
        .join('; ')}`,
      { context: { source: source.name, asOf: at, missing: missing.join(',') } },
    );
  }
  const warnings: string[] = [];
  const anchorSchema = schemas.get(anchor.backup);
  const disagree = [...chosen.values()].filter(
    (v) => schemas.get(v.backup) !== undefined && schemas.get(v.backup)?.version !== anchorSchema?.version,
  );
  if (disagree.length > 0) {
    warnings.push(
      `schema ${anchorSchema?.version ?? 'none'} of ${anchor.backup.node} differs from ${disagree
        .map((v) => `${v.backup.node} (${schemas.get(v.backup)!.version})`)
        .join(', ')}`,
    );
  }
  const times = [...chosen.values()].map((v) => v.backup.time);
  return {
    layout: layout.name,
    source: source.name,
    ...(anchor.backup.cluster === undefined ? {} : { cluster: anchor.backup.cluster }),
    asOf: at,
    skewMs,
    backupIds: [...new Set([...chosen.values()].map((v) => v.backup.backupId))].sort(),
    earliest: new Date(Math.min(...times)).toISOString(),
    latest: new Date(Math.max(...times)).toISOString(),
    schema:
      anchorSchema === undefined
        ? undefined
        : {
            text: anchorSchema.text,
            version: anchorSchema.version,
            node: anchor.backup.node,
            backupId: anchor.backup.backupId,
          },
    nodes,
    missingNodes: missing,
    sizeBytes: nodes.reduce((n, x) => n + x.tables.reduce((m, t) => m + t.sizeBytes, 0), 0),
    warnings,
  };
}
