/**
 * What backups exist and whether each is complete — `datamove backups list`. Node backups from the
 * layout are verified (backup-verify.ts) and grouped into backup sets by backup id (Medusa backup name,
 * Scylla Manager snapshot tag, snapshot tag). A set is INCOMPLETE when a node backup has a problem or a
 * node of the ring has no backup in it; the ring is the token map the backups record (Medusa,
 * snapshot tokenmap files) or, when they record only their own tokens (Scylla Manager), the nodes of the
 * cluster's previous set.
 */
import type { BackupSource } from '../source/backup-source.js';
import type { BackupProblem, NodeBackup, TableFilter } from './backup-model.js';
import { type ListingCache, type NodeBackupVerified, nodeBackupVerify } from './backup-verify.js';
import type { BackupLayout } from './layout.js';
import { schemaVersion } from './schema-version.js';

/** One backup set as `backups list` reports it. */
export interface BackupSetSummary {
  readonly id: string;
  readonly layout: string;
  readonly cluster?: string;
  /** Earliest node backup time, ISO-8601. */
  readonly time: string;
  /** Latest node backup time, ISO-8601. */
  readonly latest: string;
  readonly nodes: readonly string[];
  readonly dcs: readonly string[];
  readonly sizeBytes: number;
  /** Distinct schema versions of the set's node backups (schema-version.ts). */
  readonly schemaVersions: readonly string[];
  readonly status: 'COMPLETE' | 'INCOMPLETE';
  readonly problems: readonly BackupProblem[];
  readonly warnings: readonly string[];
}

export interface BackupCatalog {
  readonly layout: string;
  readonly source: string;
  readonly nodeBackups: readonly NodeBackupVerified[];
  readonly sets: readonly BackupSetSummary[];
}

/** Schema versions per node backup, read once per schema object. */
export async function schemaVersionsRead(
  source: BackupSource,
  layout: BackupLayout,
  backups: readonly NodeBackup[],
  filter: TableFilter,
): Promise<Map<NodeBackup, { text: string; version: string } | undefined>> {
  const byKey = new Map<string, Promise<{ text: string; version: string } | undefined>>();
  const out = new Map<NodeBackup, { text: string; version: string } | undefined>();
  for (const b of backups) {
    const k = `${b.node}\u0000${b.schemaKeys.join('\u0000')}`;
    let p = byKey.get(k);
    if (p === undefined) {
      p = layout
        .schemaText(source, b)
        .then((text) => (text === undefined ? undefined : { text, version: schemaVersion(text, filter) }));
      byKey.set(k, p);
    }
    out.set(b, await p);
  }
  return out;
}

export async function backupCatalog(
  source: BackupSource,
  layout: BackupLayout,
  filter: TableFilter = {},
): Promise<BackupCatalog> {
  const discovered = await layout.discover(source, filter);
  const cache: ListingCache = new Map();
  const verified: NodeBackupVerified[] = [];
  for (const b of discovered) verified.push(await nodeBackupVerify(source, b, cache));
  const schemas = await schemaVersionsRead(source, layout, discovered, filter);

  const groups = new Map<string, NodeBackupVerified[]>();
  for (const v of verified) {
    const k = `${v.backup.cluster ?? ''}\u0000${v.backup.backupId}`;
    const g = groups.get(k);
    if (g) g.push(v);
    else groups.set(k, [v]);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => Math.min(...a.map((x) => x.backup.time)) - Math.min(...b.map((x) => x.backup.time)),
  );
  const previousNodes = new Map<string, Set<string>>();
  const sets: BackupSetSummary[] = [];
  for (const g of ordered) {
    const first = g[0]!.backup;
    const cluster = first.cluster ?? '';
    const present = new Set(g.map((v) => v.backup.node));
    const problems: BackupProblem[] = g.flatMap((v) => v.problems);
    const ring = g.find((v) => v.backup.ring !== undefined)?.backup.ring;
    const expected = ring ? ring.map((r) => r.node) : [...(previousNodes.get(cluster) ?? [])];
    for (const n of expected.sort()) {
      if (present.has(n)) continue;
      problems.push({
        kind: 'node-missing',
        node: n,
        message: ring
          ? `node ${n} missing (it is in the token map of ${first.backupId})`
          : `node ${n} missing (it is in the previous backup of the cluster)`,
      });
    }
    previousNodes.set(cluster, new Set([...present, ...(ring ? ring.map((r) => r.node) : [])]));
    const versions = new Map<string, string[]>();
    const warnings: string[] = [];
    for (const v of g) {
      const s = schemas.get(v.backup);
      if (s === undefined) {
        if (v.backup.tables.length > 0) warnings.push(`node ${v.backup.node}: no schema in the backup`);
        continue;
      }
      const nodes = versions.get(s.version);
      if (nodes) nodes.push(v.backup.node);
      else versions.set(s.version, [v.backup.node]);
    }
    if (versions.size > 1) {
      warnings.push(
        `nodes disagree on the schema: ${[...versions].map(([ver, ns]) => `${ver} (${ns.join(', ')})`).join('; ')}`,
      );
    }
    const times = g.map((v) => v.backup.time);
    sets.push({
      id: first.backupId,
      layout: layout.name,
      ...(first.cluster === undefined ? {} : { cluster: first.cluster }),
      time: new Date(Math.min(...times)).toISOString(),
      latest: new Date(Math.max(...times)).toISOString(),
      nodes: [...present].sort(),
      dcs: [...new Set(g.map((v) => v.backup.dc).filter((d): d is string => d !== undefined))].sort(),
      sizeBytes: g.reduce((n, v) => n + v.sizeBytes, 0),
      schemaVersions: [...versions.keys()],
      status: problems.length === 0 ? 'COMPLETE' : 'INCOMPLETE',
      problems,
      warnings,
    });
  }
  return { layout: layout.name, source: source.name, nodeBackups: verified, sets };
}
