/**
 * Table operations behind `datamove table …`: history, snapshots, the files of a snapshot chosen by id or
 * time (what validation and restore read), rollback, snapshot expiry and orphan-file cleanup
 * (format/spec.md "Snapshots", "Snapshot References"; Java's `ExpireSnapshots` and `DeleteOrphanFiles`).
 * Each takes a catalog and an identifier and returns plain data.
 */
import { DatamoveError } from '../../core/index.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { tableIdentifierString } from '../catalog/catalog.js';
import { versionHintWrite } from '../catalog/metadata-file.js';
import { RUN_ID_KEY, snapshotEntries, UNKNOWN_MARKER_PREFIX } from '../commit/table-commit.js';
import { locationJoin } from '../io/file-io.js';
import type { DataFile } from '../manifest/data-file.js';
import { manifestListRead } from '../manifest/manifest-file.js';
import { metadataSnapshot, type Snapshot, type TableMetadata } from '../metadata/table-metadata.js';

export interface SnapshotInfo {
  readonly snapshotId: string;
  readonly parentId: string | null;
  readonly sequenceNumber: number;
  readonly timestamp: string;
  readonly operation: string;
  readonly runId: string | null;
  readonly totalRecords: number | null;
  readonly current: boolean;
  readonly summary: Readonly<Record<string, string>>;
}

export interface HistoryEntry {
  readonly madeCurrentAt: string;
  readonly snapshotId: string;
  readonly parentId: string | null;
  /** True when the snapshot is an ancestor of (or is) the current snapshot. */
  readonly isCurrentAncestor: boolean;
}

function info(m: TableMetadata, s: Snapshot): SnapshotInfo {
  const total = s.summary['total-records'];
  return {
    snapshotId: String(s['snapshot-id']),
    parentId: s['parent-snapshot-id'] === undefined ? null : String(s['parent-snapshot-id']),
    sequenceNumber: s['sequence-number'],
    timestamp: new Date(s['timestamp-ms']).toISOString(),
    operation: s.summary.operation,
    runId: s.summary[RUN_ID_KEY] ?? null,
    totalRecords: total === undefined ? null : Number(total),
    current: s['snapshot-id'] === m['current-snapshot-id'],
    summary: s.summary,
  };
}

function ancestors(m: TableMetadata): Set<bigint> {
  const byId = new Map(m.snapshots.map((s) => [s['snapshot-id'], s]));
  const out = new Set<bigint>();
  let s = metadataSnapshot(m);
  while (s !== undefined) {
    out.add(s['snapshot-id']);
    s = s['parent-snapshot-id'] === undefined ? undefined : byId.get(s['parent-snapshot-id']);
  }
  return out;
}

/** All snapshots, oldest first. */
export async function tableSnapshots(catalog: Catalog, id: TableIdentifier): Promise<SnapshotInfo[]> {
  const { metadata } = await catalog.loadTable(id);
  return [...metadata.snapshots]
    .sort((a, b) => a['timestamp-ms'] - b['timestamp-ms'])
    .map((s) => info(metadata, s));
}

/** The snapshot log: when each snapshot became current. */
export async function tableHistory(catalog: Catalog, id: TableIdentifier): Promise<HistoryEntry[]> {
  const { metadata } = await catalog.loadTable(id);
  const anc = ancestors(metadata);
  const byId = new Map(metadata.snapshots.map((s) => [s['snapshot-id'], s]));
  return metadata['snapshot-log'].map((e) => {
    const sid = BigInt(e['snapshot-id']);
    const parent = byId.get(sid)?.['parent-snapshot-id'];
    return {
      madeCurrentAt: new Date(e['timestamp-ms']).toISOString(),
      snapshotId: String(sid),
      parentId: parent === undefined ? null : String(parent),
      isCurrentAncestor: anc.has(sid),
    };
  });
}

/** Which snapshot: an id, or the one current at a time (ms since epoch or ISO-8601). */
export type SnapshotSelector = { readonly snapshotId: bigint | string } | { readonly asOf: number | string };

/** Resolves a selector against the snapshot log (time travel as the spec defines it). */
export function snapshotSelect(m: TableMetadata, sel: SnapshotSelector): Snapshot {
  if ('snapshotId' in sel) {
    const sid = BigInt(sel.snapshotId);
    const s = m.snapshots.find((x) => x['snapshot-id'] === sid);
    if (s === undefined)
      throw new DatamoveError('NotFound', `iceberg: snapshot ${sid} does not exist`, {
        context: { snapshot: String(sid) },
      });
    return s;
  }
  const t = typeof sel.asOf === 'number' ? sel.asOf : Date.parse(sel.asOf);
  if (!Number.isFinite(t))
    throw new DatamoveError('InvalidArgument', `iceberg: ${String(sel.asOf)} is not a time`);
  let found: bigint | undefined;
  for (const e of m['snapshot-log']) if (e['timestamp-ms'] <= t) found = BigInt(e['snapshot-id']);
  const s = found === undefined ? undefined : m.snapshots.find((x) => x['snapshot-id'] === found);
  if (s === undefined) {
    throw new DatamoveError('NotFound', `iceberg: no snapshot was current at ${new Date(t).toISOString()}`, {
      context: { asOf: new Date(t).toISOString() },
    });
  }
  return s;
}

/** The plan of a read at a snapshot: its live data files (read them with any Parquet reader). */
export async function tableFilesAt(
  catalog: Catalog,
  id: TableIdentifier,
  sel?: SnapshotSelector,
): Promise<{ snapshot: SnapshotInfo; files: DataFile[] }> {
  const { metadata } = await catalog.loadTable(id);
  const snap = sel === undefined ? metadataSnapshot(metadata) : snapshotSelect(metadata, sel);
  if (snap === undefined)
    throw new DatamoveError('NotFound', `iceberg: table ${tableIdentifierString(id)} has no snapshot`);
  const entries = await snapshotEntries(catalog.io, metadata, snap);
  return { snapshot: info(metadata, snap), files: entries.map((e) => e.dataFile) };
}

/** Points main back at an earlier snapshot (by id or time). */
export async function tableRollback(
  catalog: Catalog,
  id: TableIdentifier,
  sel: SnapshotSelector,
): Promise<{ from: string | null; to: string }> {
  const t = await catalog.loadTable(id);
  const target = snapshotSelect(t.metadata, sel);
  const cur = metadataSnapshot(t.metadata);
  const committed = await catalog.commitTable(
    id,
    [
      { type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': cur?.['snapshot-id'] ?? null },
    ],
    [
      {
        action: 'set-snapshot-ref',
        'ref-name': 'main',
        type: 'branch',
        'snapshot-id': target['snapshot-id'],
      },
    ],
  );
  await versionHintWrite(catalog.io, committed.metadataLocation, committed.metadata).catch(() => undefined);
  return { from: cur === undefined ? null : String(cur['snapshot-id']), to: String(target['snapshot-id']) };
}

/** Removes snapshots older than `olderThanMs` (keeping the current one and `retainLast` most recent). */
export async function tableExpireSnapshots(
  catalog: Catalog,
  id: TableIdentifier,
  options: { readonly olderThanMs: number; readonly retainLast?: number; readonly now?: number },
): Promise<{ expired: string[] }> {
  const t = await catalog.loadTable(id);
  const now = options.now ?? Date.now();
  const keep = new Set<bigint>(Object.values(t.metadata.refs).map((r) => BigInt(r['snapshot-id'])));
  const recent = [...t.metadata.snapshots]
    .sort((a, b) => b['timestamp-ms'] - a['timestamp-ms'])
    .slice(0, options.retainLast ?? 1);
  for (const s of recent) keep.add(s['snapshot-id']);
  const expired = t.metadata.snapshots
    .filter((s) => !keep.has(s['snapshot-id']) && s['timestamp-ms'] < now - options.olderThanMs)
    .map((s) => s['snapshot-id']);
  if (expired.length === 0) return { expired: [] };
  const committed = await catalog.commitTable(
    id,
    [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }],
    [{ action: 'remove-snapshots', 'snapshot-ids': expired }],
  );
  await versionHintWrite(catalog.io, committed.metadataLocation, committed.metadata).catch(() => undefined);
  return { expired: expired.map(String) };
}

const norm = (uri: string): string => {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
};

/**
 * Deletes files under the table location that no snapshot, manifest or retained metadata file references
 * and that are older than `olderThanMs` (so files of in-flight commits survive). Refuses when a commit of
 * this table ended in an unknown state (a marker file is present) unless that run is now in the table.
 */
export async function tableClean(
  catalog: Catalog,
  id: TableIdentifier,
  options: { readonly olderThanMs: number; readonly now?: number; readonly dryRun?: boolean },
): Promise<{ deleted: string[]; kept: number }> {
  const t = await catalog.loadTable(id);
  const m = t.metadata;
  const io = catalog.io;
  const now = options.now ?? Date.now();
  const all = await io.list(`${m.location}/`);
  const runIds = new Set(m.snapshots.map((s) => s.summary[RUN_ID_KEY]).filter((x) => x !== undefined));
  for (const f of all) {
    const name = f.uri.slice(f.uri.lastIndexOf('/') + 1);
    if (!name.startsWith(UNKNOWN_MARKER_PREFIX)) continue;
    const marker = JSON.parse(new TextDecoder().decode(await io.read(f.uri))) as { runId: string };
    if (!runIds.has(marker.runId)) {
      throw new DatamoveError(
        'CommitStateUnknown',
        `iceberg: table ${tableIdentifierString(id)}: the commit of run ${marker.runId} ended in an unknown state; re-run it (idempotent) before cleaning, or delete ${f.uri}`,
        { context: { table: tableIdentifierString(id), runId: marker.runId } },
      );
    }
  }
  const live = new Set<string>([norm(t.metadataLocation)]);
  for (const e of m['metadata-log']) live.add(norm(e['metadata-file']));
  const metaDir = locationJoin(m.location, 'metadata');
  live.add(norm(locationJoin(metaDir, 'version-hint.text')));
  for (const s of m.snapshots) {
    live.add(norm(s['manifest-list']));
    for (const mf of await manifestListRead(io, s['manifest-list'])) live.add(norm(mf.manifestPath));
    for (const e of await snapshotEntries(io, m, s)) live.add(norm(e.dataFile.filePath));
  }
  const deleted: string[] = [];
  let kept = 0;
  for (const f of all) {
    const name = f.uri.slice(f.uri.lastIndexOf('/') + 1);
    const isHintCopy = /^v\d+\.metadata\.json$/.test(name);
    if (
      live.has(norm(f.uri)) ||
      name.startsWith(UNKNOWN_MARKER_PREFIX) ||
      f.lastModified > now - options.olderThanMs
    ) {
      kept++;
      continue;
    }
    // the path-reader copies are kept for the current version only
    if (
      isHintCopy &&
      norm(f.uri).endsWith(
        `/v${Math.max(1, Number(/(\d+)-/.exec(t.metadataLocation.slice(t.metadataLocation.lastIndexOf('/') + 1))?.[1] ?? 0))}.metadata.json`,
      )
    ) {
      kept++;
      continue;
    }
    if (!options.dryRun) await io.delete(f.uri);
    deleted.push(f.uri);
  }
  return { deleted, kept };
}
