/**
 * Committing a run's data files as one snapshot (format/spec.md "Snapshots", "Manifest Lists",
 * "Sequence Numbers"; the optimistic-concurrency section "Commit Conflict Resolution and Retry").
 *
 * Shape: manifests of the new files are written once; each attempt refreshes the table, checks the run id
 * (idempotency), writes a manifest list (new manifests + the parent's, or for `overwrite` + manifests that
 * mark every parent file DELETED) and asks the catalog to swap with `assert-table-uuid` and
 * `assert-ref-snapshot-id main`. Conflicts retry with jittered exponential backoff; an unknown commit state
 * is resolved by looking for the run id, else reported (and recorded in a marker file that makes
 * `tableClean` refuse to run) — never retried blindly, never cleaned up.
 */
import { randomUUID } from 'node:crypto';
import { DatamoveError, isDatamoveError } from '../../core/index.js';
import type { Catalog, LoadedTable, TableIdentifier } from '../catalog/catalog.js';
import { versionHintWrite } from '../catalog/metadata-file.js';
import { type FileIO, locationJoin } from '../io/file-io.js';
import { type DataFile, ENTRY_ADDED, ENTRY_DELETED, type ManifestEntry } from '../manifest/data-file.js';
import {
  type ManifestFile,
  manifestListRead,
  manifestListWrite,
  manifestRead,
  manifestWrite,
} from '../manifest/manifest-file.js';
import {
  metadataSchema,
  metadataSnapshot,
  metadataSpec,
  type Snapshot,
  snapshotIdNew,
  type TableMetadata,
} from '../metadata/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../metadata/table-update.js';
import { commitOptionsResolve, type ResolvedCommitOptions } from './commit-options.js';

/** Summary key holding the run id. */
export const RUN_ID_KEY = 'datamove.run-id';
/** Prefix of the marker files left when a commit state is unknown. */
export const UNKNOWN_MARKER_PREFIX = 'datamove-commit-unknown-';

export interface CommitResult {
  readonly snapshotId: bigint;
  readonly sequenceNumber: number;
  readonly metadataLocation: string;
  /** True when the run id was already committed (nothing was written). */
  readonly alreadyCommitted: boolean;
  readonly attempts: number;
}

/** The snapshot that committed `runId`, if any. */
export function snapshotOfRun(m: TableMetadata, runId: string): Snapshot | undefined {
  return m.snapshots.find((s) => s.summary[RUN_ID_KEY] === runId);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live (not deleted) entries of a snapshot's data manifests, with inherited sequence numbers made explicit. */
export async function snapshotEntries(
  io: FileIO,
  m: TableMetadata,
  snap: Snapshot,
): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  for (const mf of await manifestListRead(io, snap['manifest-list'])) {
    if (mf.content !== 0) continue;
    for (const e of await manifestRead(
      io,
      mf.manifestPath,
      metadataSchema(m),
      metadataSpec(m, mf.partitionSpecId),
    )) {
      if (e.status === ENTRY_DELETED) continue;
      out.push({
        ...e,
        snapshotId: e.snapshotId ?? mf.addedSnapshotId,
        sequenceNumber: e.sequenceNumber ?? mf.sequenceNumber,
        fileSequenceNumber: e.fileSequenceNumber ?? mf.sequenceNumber,
      });
    }
  }
  return out;
}

function summaryOf(
  o: ResolvedCommitOptions,
  files: readonly DataFile[],
  deleted: readonly ManifestEntry[],
  manifests: readonly ManifestFile[],
  parent: Snapshot | undefined,
): Record<string, string> & { operation: string } {
  const addedRecords = files.reduce((a, f) => a + f.recordCount, 0);
  const addedSize = files.reduce((a, f) => a + f.fileSizeInBytes, 0);
  const deletedRecords = deleted.reduce((a, e) => a + e.dataFile.recordCount, 0);
  const deletedSize = deleted.reduce((a, e) => a + e.dataFile.fileSizeInBytes, 0);
  let totalFiles = 0;
  let totalRecords = 0;
  for (const m of manifests) {
    totalFiles += m.addedFilesCount + m.existingFilesCount;
    totalRecords += m.addedRowsCount + m.existingRowsCount;
  }
  const parentSize = Number(parent?.summary['total-files-size'] ?? 0);
  const partitions = new Set(
    files.map((f) => JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v))),
  );
  const s: Record<string, string> = {
    operation: o.mode === 'append' || deleted.length === 0 ? 'append' : 'overwrite',
    'added-data-files': String(files.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedSize),
    'changed-partition-count': String(partitions.size),
    'total-records': String(totalRecords),
    'total-files-size': String(parentSize + addedSize - deletedSize),
    'total-data-files': String(totalFiles),
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
    [RUN_ID_KEY]: o.runId,
    'datamove.mode': o.mode,
  };
  if (deleted.length > 0) {
    s['deleted-data-files'] = String(deleted.length);
    s['deleted-records'] = String(deletedRecords);
    s['removed-files-size'] = String(deletedSize);
  }
  if (o.jobName !== undefined) s['datamove.job'] = o.jobName;
  if (o.sourceBackupIds !== undefined) s['datamove.source-backup-ids'] = o.sourceBackupIds.join(',');
  if (o.asOf !== undefined) s['datamove.as-of'] = o.asOf;
  if (o.referenceNow !== undefined) s['datamove.reference-now'] = o.referenceNow;
  if (o.connector !== undefined) s['datamove.connector'] = o.connector;
  for (const [k, v] of Object.entries(o.rowCounts ?? {})) s[`datamove.rows.${k}`] = String(v);
  return s as Record<string, string> & { operation: string };
}

/**
 * Commits `files` (written by a `DataWriter` for the table's current schema and default spec) as one
 * snapshot on branch main. Idempotent on `options.runId`.
 */
export async function icebergCommit(
  catalog: Catalog,
  id: TableIdentifier,
  files: readonly DataFile[],
  options: unknown,
): Promise<CommitResult> {
  const o = commitOptionsResolve(options);
  const io = catalog.io;
  let table = await catalog.loadTable(id);
  const done = (t: LoadedTable, s: Snapshot, attempts: number, already: boolean): CommitResult => ({
    snapshotId: s['snapshot-id'],
    sequenceNumber: s['sequence-number'],
    metadataLocation: t.metadataLocation,
    alreadyCommitted: already,
    attempts,
  });
  const existing = snapshotOfRun(table.metadata, o.runId);
  if (existing !== undefined) return done(table, existing, 0, true);

  const commitId = randomUUID();
  const snapshotId = snapshotIdNew();
  const metaDir = locationJoin(table.metadata.location, 'metadata');
  const schema = metadataSchema(table.metadata);
  // new files' manifests: written once, one per spec
  const bySpec = new Map<number, DataFile[]>();
  for (const f of files) bySpec.set(f.specId, [...(bySpec.get(f.specId) ?? []), f]);
  const newManifests: ManifestFile[] = [];
  let mi = 0;
  for (const [specId, list] of bySpec) {
    newManifests.push(
      await manifestWrite(io, locationJoin(metaDir, `${commitId}-m${mi++}.avro`), {
        schema,
        spec: metadataSpec(table.metadata, specId),
        snapshotId,
        entries: list.map((dataFile) => ({
          status: ENTRY_ADDED,
          snapshotId,
          sequenceNumber: null,
          fileSequenceNumber: null,
          dataFile,
        })),
      }),
    );
  }
  const deleteManifestCache = new Map<string, { manifest: ManifestFile; entries: ManifestEntry[] }>();
  const writtenLists: string[] = [];

  for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
    if (attempt > 1) {
      table = await catalog.loadTable(id);
      const prior = snapshotOfRun(table.metadata, o.runId);
      if (prior !== undefined) return done(table, prior, attempt - 1, true);
    }
    const m = table.metadata;
    const parent = metadataSnapshot(m);
    const seq = BigInt(m['last-sequence-number'] + 1);
    const parentManifests = parent ? await manifestListRead(io, parent['manifest-list']) : [];
    const manifests: ManifestFile[] = newManifests.map((x) => ({
      ...x,
      sequenceNumber: seq,
      minSequenceNumber: seq,
    }));
    const deleted: ManifestEntry[] = [];
    for (const pm of parentManifests) {
      const live = pm.addedFilesCount + pm.existingFilesCount > 0 || pm.content !== 0;
      if (!live) continue; // manifests of only DELETED entries drop out after their snapshot
      if (o.mode === 'append' || pm.content !== 0) {
        manifests.push(pm);
        continue;
      }
      let cached = deleteManifestCache.get(pm.manifestPath);
      if (cached === undefined) {
        const entries = (await manifestRead(io, pm.manifestPath, schema, metadataSpec(m, pm.partitionSpecId)))
          .filter((e) => e.status !== ENTRY_DELETED)
          .map((e) => ({
            status: ENTRY_DELETED as 2,
            snapshotId,
            sequenceNumber: e.sequenceNumber ?? pm.sequenceNumber,
            fileSequenceNumber: e.fileSequenceNumber ?? pm.sequenceNumber,
            dataFile: e.dataFile,
          }));
        const manifest = await manifestWrite(io, locationJoin(metaDir, `${commitId}-m${mi++}.avro`), {
          schema,
          spec: metadataSpec(m, pm.partitionSpecId),
          snapshotId,
          entries,
        });
        cached = { manifest, entries };
        deleteManifestCache.set(pm.manifestPath, cached);
      }
      deleted.push(...cached.entries);
      manifests.push({ ...cached.manifest, sequenceNumber: seq, minSequenceNumber: pm.minSequenceNumber });
    }
    const listPath = locationJoin(metaDir, `snap-${snapshotId}-${attempt}-${commitId}.avro`);
    await manifestListWrite(io, listPath, {
      snapshotId,
      parentSnapshotId: parent?.['snapshot-id'] ?? null,
      sequenceNumber: seq,
      manifests,
    });
    writtenLists.push(listPath);
    const snapshot: Snapshot = {
      'snapshot-id': snapshotId,
      ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
      'sequence-number': Number(seq),
      'timestamp-ms': Math.max(Date.now(), (parent?.['timestamp-ms'] ?? 0) + 1),
      'manifest-list': listPath,
      summary: summaryOf(o, files, deleted, manifests, parent),
      'schema-id': schema['schema-id'],
    };
    const requirements: TableRequirement[] = [
      { type: 'assert-table-uuid', uuid: m['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent?.['snapshot-id'] ?? null },
    ];
    const updates: TableUpdate[] = [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ];
    try {
      const committed = await catalog.commitTable(id, requirements, updates);
      await versionHintWrite(io, committed.metadataLocation, committed.metadata).catch(() => undefined);
      for (const p of writtenLists) if (p !== listPath) await io.delete(p).catch(() => undefined);
      return done(committed, snapshot, attempt, false);
    } catch (e) {
      if (!isDatamoveError(e)) throw e;
      if (e.kind === 'CommitConflict' && e.retryable) {
        await io.delete(listPath).catch(() => undefined);
        const backoff = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** (attempt - 1));
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
        continue;
      }
      if (e.kind === 'CommitStateUnknown') {
        // did it land? look for our run id before reporting
        for (let i = 0; i < 3; i++) {
          try {
            const t = await catalog.loadTable(id);
            const s = snapshotOfRun(t.metadata, o.runId);
            if (s !== undefined) return done(t, s, attempt, false);
            break;
          } catch {
            await sleep(o.baseBackoffMs);
          }
        }
        await io
          .write(
            locationJoin(metaDir, `${UNKNOWN_MARKER_PREFIX}${commitId}.json`),
            new TextEncoder().encode(
              JSON.stringify({ runId: o.runId, snapshotId: String(snapshotId), at: Date.now() }),
            ),
          )
          .catch(() => undefined);
      }
      throw e;
    }
  }
  throw new DatamoveError(
    'CommitConflict',
    `iceberg: commit of run ${o.runId} gave up after ${o.maxAttempts} conflicting attempts`,
    { context: { runId: o.runId, attempts: o.maxAttempts }, retryable: true },
  );
}
