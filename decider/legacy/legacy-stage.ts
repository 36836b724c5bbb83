/**
 * The legacy path, step 1: load EVERY cell of the selected backup — all replicas, every SSTable — into DuckDB
 * staging tables (the intermediate table of the engine this path imitates), one row per cell, row marker,
 * row deletion, range tombstone, partition deletion and collection deletion, exactly as stored. Nothing is
 * merged here: reconciliation is SQL (legacy-reconcile.ts). Memory grows with the data, by design.
 *
 * Only ownership is applied while loading: a node's partitions outside the ranges the ring gives it (data
 * left behind before `nodetool cleanup`) are skipped, as a read at consistency ALL would never see them.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { replicationFactorFromSchema, ringPlacement } from '../../compactor/index.js';
import { DatamoveError } from '../../core/index.js';
import type { BackupSource, TableModel } from '../../reader/index.js';
import {
  backupLayoutResolve,
  backupSelect,
  backupTableDirectory,
  boundIsBoundary,
  boundIsEnd,
  boundIsStart,
  CELL_DELETED,
  CELL_EXPIRING,
  type DeletionTime,
  deletionIsLive,
  MARKER,
  NO_TIMESTAMP,
  type Row,
  tableFolderOpen,
} from '../../reader/index.js';
import { legacyAbortCheck } from './legacy-prepared.js';
import { clusteringFrame, pathKeyEncoder, SortKeys, STATIC_KEY } from './sort-key.js';

export const STAGING_DDL = [
  'CREATE TABLE partition_deletions (pk BLOB, ts BIGINT)',
  'CREATE TABLE rows (pk BLOB, ck BLOB, ckv BLOB, marker_ts BIGINT, marker_ttl BIGINT, marker_ldt BIGINT, del_ts BIGINT, shadowable BOOLEAN)',
  'CREATE TABLE range_deletions (pk BLOB, start_key BLOB, end_key BLOB, ts BIGINT)',
  'CREATE TABLE complex_deletions (pk BLOB, ck BLOB, col INTEGER, ts BIGINT)',
  'CREATE TABLE cells (pk BLOB, ck BLOB, col INTEGER, path BLOB, path_key BLOB, value BLOB, ts BIGINT, ttl BIGINT, ldt BIGINT, tombstone BOOLEAN, expiring BOOLEAN)',
];

/** The staging tables STAGING_DDL creates (dropped once a table's reconciled rows are kept elsewhere). */
export const STAGING_TABLES = [
  'partition_deletions',
  'rows',
  'range_deletions',
  'complex_deletions',
  'cells',
] as const;

export interface StageOptions {
  readonly layout: string;
  readonly keyspace: string;
  readonly table: string;
  /** Backup selection time, ms (default now). */
  readonly backupAsOf?: number;
  readonly replicationFactor?: number;
  /** Drop everything written after this time (µs). */
  readonly asOfMicros?: number;
  /** Checked at every partition: once aborted, staging stops with the legacy path's cancellation error. */
  readonly signal?: AbortSignal;
}

export interface StageResult {
  readonly model: TableModel;
  readonly nodes: number;
  readonly sstables: number;
  readonly cells: number;
  readonly partitionsSkipped: number;
  readonly backupIds: readonly string[];
}

const MIN = -(2n ** 63n);

function blobOrNull(a: DuckDBAppender, v: Uint8Array | null): void {
  if (v === null) a.appendNull();
  else a.appendBlob(v);
}

function bigOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendBigInt(BigInt(v));
}

/** Owned ranges of a node, `(start, end]`, sorted; `undefined` = everything. */
type Owned = { start: bigint; end: bigint }[] | undefined;

function owns(owned: Owned, token: bigint): boolean {
  if (owned === undefined) return true;
  let lo = 0;
  let hi = owned.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = owned[mid]!;
    if (token <= r.start) hi = mid - 1;
    else if (token > r.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Loads the table's every cell into the staging tables (created by the caller with STAGING_DDL). */
export async function legacyStage(
  source: BackupSource,
  conn: DuckDBConnection,
  o: StageOptions,
): Promise<StageResult> {
  const layout = await backupLayoutResolve(source, o.layout);
  const set = await backupSelect(source, layout, {
    ...(o.backupAsOf === undefined ? {} : { asOf: o.backupAsOf }),
    filter: { keyspace: o.keyspace, table: o.table },
    missingAllowed: () => true,
  });
  // a node whose folder of the table holds no SSTable (nothing was flushed there) contributes nothing
  const holders = set.nodes.filter((n) =>
    n.tables.some(
      (t) =>
        t.keyspace === o.keyspace && t.table === o.table && t.files.some((f) => f.name.endsWith('-Data.db')),
    ),
  );
  if (holders.length === 0)
    throw new DatamoveError('NotFound', `legacy: ${set.source}: no node holds ${o.keyspace}.${o.table}`, {
      context: { keyspace: o.keyspace, table: o.table },
    });
  const members = set.nodes
    .filter((n) => n.tokens.length > 0)
    .map((n) => ({ node: n.node, ...(n.dc === undefined ? {} : { dc: n.dc }), tokens: n.tokens }));
  const ownedBy = new Map<string, Owned>();
  if (members.length > 0) {
    const rf =
      o.replicationFactor ??
      replicationFactorFromSchema(set.schema?.text, o.keyspace) ??
      Math.min(3, members.length);
    const placement = ringPlacement(members, rf);
    for (const m of members)
      ownedBy.set(
        m.node,
        placement.ranges
          .filter((r) => r.replicas.includes(m.node))
          .map((r) => ({ start: r.start, end: r.end })),
      );
  }
  const app = {
    pdel: await conn.createAppender('partition_deletions'),
    rows: await conn.createAppender('rows'),
    ranges: await conn.createAppender('range_deletions'),
    cdel: await conn.createAppender('complex_deletions'),
    cells: await conn.createAppender('cells'),
  };
  const asOf = o.asOfMicros ?? Number.POSITIVE_INFINITY;
  const written = (ts: number): boolean => ts !== NO_TIMESTAMP && ts <= asOf;
  let model: TableModel | undefined;
  let keys: SortKeys | undefined;
  let pathKeys: ((p: Uint8Array) => Uint8Array)[] = [];
  let cells = 0;
  let sstables = 0;
  let skipped = 0;

  const addCells = (pk: Uint8Array, ck: Uint8Array, row: Row, m: TableModel): void => {
    for (const c of row.cells) {
      const col = m.columns[c.column];
      if (col === undefined || !written(c.timestamp)) continue;
      if (col.droppedAt !== undefined && c.timestamp <= col.droppedAt) continue;
      const a = app.cells;
      a.appendBlob(pk);
      a.appendBlob(ck);
      a.appendInteger(c.column);
      blobOrNull(a, c.path);
      blobOrNull(a, c.path === null ? null : (pathKeys[c.column] ?? ((p) => p))(c.path));
      a.appendBlob(c.value);
      a.appendBigInt(BigInt(c.timestamp));
      a.appendBigInt(BigInt(c.ttl));
      a.appendBigInt(BigInt(c.localDeletionTime));
      a.appendBoolean((c.flags & CELL_DELETED) !== 0);
      a.appendBoolean((c.flags & CELL_EXPIRING) !== 0);
      a.endRow();
      cells++;
    }
    for (const d of row.complexDeletions ?? []) {
      if (!written(d.deletion.markedForDeleteAt)) continue;
      app.cdel.appendBlob(pk);
      app.cdel.appendBlob(ck);
      app.cdel.appendInteger(d.column);
      app.cdel.appendBigInt(BigInt(d.deletion.markedForDeleteAt));
      app.cdel.endRow();
    }
  };
  const addRange = (pk: Uint8Array, start: Uint8Array, end: Uint8Array, d: DeletionTime): void => {
    if (deletionIsLive(d) || !written(d.markedForDeleteAt)) return;
    app.ranges.appendBlob(pk);
    app.ranges.appendBlob(start);
    app.ranges.appendBlob(end);
    app.ranges.appendBigInt(BigInt(d.markedForDeleteAt));
    app.ranges.endRow();
  };

  try {
    for (const n of holders) {
      const dir = backupTableDirectory(source, set, n.node, o.keyspace, o.table);
      const folder = await tableFolderOpen(dir, { table: `${o.keyspace}.${o.table}` });
      try {
        const m = folder.model;
        if (model === undefined) {
          if (m.compactStorage)
            throw new DatamoveError(
              'FeatureUnsupported',
              `legacy: ${o.keyspace}.${o.table} is a COMPACT STORAGE table; the legacy path does not read it`,
              { context: { table: `${o.keyspace}.${o.table}` } },
            );
          model = m;
          keys = new SortKeys(m.clustering);
          pathKeys = m.columns.map((c) => (c.complex ? pathKeyEncoder(c.type) : (p: Uint8Array) => p));
        }
        const k = keys!;
        const owned = ownedBy.get(n.node);
        for (const t of folder.sstables) {
          sstables++;
          const murmur = t.partitioner.name.endsWith('Murmur3Partitioner');
          const scan = t.scan();
          for (let p = await scan.nextPartition(); p !== undefined; p = await scan.nextPartition()) {
            legacyAbortCheck(o.signal);
            if (murmur && owned !== undefined) {
              const token = BigInt(t.partitioner.tokenToString(t.partitioner.tokenOf(p.key)));
              if (!owns(owned, token === MIN ? 2n ** 63n - 1n : token)) {
                skipped++;
                continue;
              }
            }
            const pk = p.key;
            if (!deletionIsLive(p.deletion) && written(p.deletion.markedForDeleteAt)) {
              app.pdel.appendBlob(pk);
              app.pdel.appendBigInt(BigInt(p.deletion.markedForDeleteAt));
              app.pdel.endRow();
            }
            if (p.staticRow !== null) addCells(pk, STATIC_KEY, p.staticRow, m);
            let open: { start: Uint8Array; deletion: DeletionTime } | undefined;
            for (let u = await scan.nextUnfiltered(); u !== null; u = await scan.nextUnfiltered()) {
              if (u.kind === MARKER) {
                if (boundIsStart(u.boundKind))
                  open = { start: k.start(u.clustering, u.boundKind), deletion: u.deletion };
                else if (boundIsEnd(u.boundKind)) {
                  if (open !== undefined)
                    addRange(pk, open.start, k.end(u.clustering, u.boundKind), open.deletion);
                  open = undefined;
                } else if (boundIsBoundary(u.boundKind)) {
                  if (open !== undefined)
                    addRange(
                      pk,
                      open.start,
                      k.end(u.clustering, u.boundKind),
                      u.endDeletion ?? open.deletion,
                    );
                  open = { start: k.start(u.clustering, u.boundKind), deletion: u.deletion };
                }
                continue;
              }
              if (u.isStatic) {
                addCells(pk, STATIC_KEY, u, m);
                continue;
              }
              const ck = k.row(u.clustering);
              const marker = written(u.timestamp);
              const del = !deletionIsLive(u.deletion) && written(u.deletion.markedForDeleteAt);
              const a = app.rows;
              a.appendBlob(pk);
              a.appendBlob(ck);
              a.appendBlob(clusteringFrame(u.clustering));
              bigOrNull(a, marker ? u.timestamp : null);
              bigOrNull(a, marker ? u.ttl : null);
              bigOrNull(a, marker ? u.localExpirationTime : null);
              bigOrNull(a, del ? u.deletion.markedForDeleteAt : null);
              a.appendBoolean(u.shadowable);
              a.endRow();
              addCells(pk, ck, u, m);
            }
          }
        }
      } finally {
        await folder.close();
      }
    }
  } finally {
    for (const a of Object.values(app)) {
      a.flushSync();
      a.closeSync();
    }
  }
  return {
    model: model!,
    nodes: holders.length,
    sstables,
    cells,
    partitionsSkipped: skipped,
    backupIds: set.backupIds,
  };
}
