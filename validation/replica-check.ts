/**
 * Do the replicas of some partitions disagree? For the `consistency-level` category of a shadow run's
 * differences: the legacy path reads every replica, the new path as many as the job's consistency level
 * needs, so differences confined to partitions whose replicas hold different live rows are explained by
 * the consistency level, not by either path.
 *
 * Re-reads the backup (the same selection as the runs: backup time, reference time, as-of) with the
 * reader and the compactor's reconciliation, ONE replica at a time: per replica that owns the token of a
 * wanted partition (the compaction plan at consistency ALL says which nodes own which ranges), its live
 * rows of just the wanted partitions (every other partition is skipped before merging), as JSON. Replicas
 * disagree on a partition when their rows differ. Each replica's SSTables are scanned end to end (the scan
 * skips unwanted partitions but reads through them): fine for a few tables' worth of differences, and the
 * check runs only when a shadow run found differences.
 */
import { cpus, totalmem } from 'node:os';
import {
  compactionPlan,
  compactOptionsResolve,
  mergedLiveRows,
  partitionsWhere,
  rowJsonFormatter,
  writtenAtOrBefore,
} from '../compactor/index.js';
import type { CqlType, TableModel } from '../reader/index.js';
import {
  type BackupSourceOpenOptions,
  backupLayoutResolve,
  backupSelect,
  backupSourceOpen,
  backupTableDirectory,
  compositeSplit,
  cqlValueToJson,
  tableFolderOpen,
} from '../reader/index.js';

export interface ReplicaCheckSource {
  readonly source: string;
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly layout?: string;
  readonly keyspace: string;
  readonly table: string;
  /** Reference time, seconds. */
  readonly now: number;
  readonly asOfMicros?: number;
  /** Backup selection time, ms. */
  readonly backupAsOf?: number;
  readonly replicationFactor?: number;
}

export interface ReplicaCheckResult {
  /** Partition key columns (what `partitions` must carry). */
  readonly partitionKey: readonly string[];
  /** Wanted partitions found in at least one replica. */
  readonly checked: number;
  /** Of those, partitions whose owning replicas hold different live rows. */
  readonly disagree: number;
  /** Wanted partitions no replica holds (their key could not be matched). */
  readonly notFound: number;
  /** The disagreeing partitions' keys (`v1|v2|…`, values as text), at most 1000. */
  readonly disagreeKeys: readonly string[];
  /** A few partitions with each replica's row count. */
  readonly examples: { key: string; replicas: Record<string, number> }[];
}

const norm = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));

function unreversed(t: CqlType): CqlType {
  return t.kind === 'reversed' ? t.inner : t;
}

/** The partition key of serialized key bytes, as the normalized text `v1|v2|…`. */
function keyText(model: TableModel, key: Uint8Array): string {
  const types = model.partitionKey.map((c) => unreversed(c.type));
  if (types.length === 1) return norm(cqlValueToJson(types[0]!, key));
  const parts = compositeSplit(key);
  return types.map((t, i) => norm(cqlValueToJson(t, parts[i]!))).join('|');
}

/**
 * Checks the given partitions (rows carrying the partition key columns, e.g. the differing rows of a
 * diff; values compared as text).
 */
export async function replicaCheck(
  src: ReplicaCheckSource,
  partitions: readonly Record<string, unknown>[],
): Promise<ReplicaCheckResult> {
  const source = backupSourceOpen(src.source, src.sourceOptions ?? {});
  try {
    const options = compactOptionsResolve(
      {
        keyspace: src.keyspace,
        table: src.table,
        ...(src.layout === undefined ? {} : { layout: src.layout }),
        now: src.now,
        ...(src.asOfMicros === undefined ? {} : { asOf: src.asOfMicros }),
        ...(src.backupAsOf === undefined ? {} : { backupAsOf: new Date(src.backupAsOf).toISOString() }),
        ...(src.replicationFactor === undefined ? {} : { replicationFactor: src.replicationFactor }),
        consistency: 'all',
      },
      { cores: cpus().length, memoryBytes: totalmem() },
    );
    const plan = await compactionPlan(source, options);
    const layout = await backupLayoutResolve(source, plan.layout);
    const set = await backupSelect(source, layout, {
      ...(src.backupAsOf === undefined ? {} : { asOf: src.backupAsOf }),
      filter: { keyspace: src.keyspace, table: src.table },
      missingAllowed: () => true,
    });
    // owned ranges per node
    const owned = new Map<string, { start: bigint; end: bigint }[]>();
    for (const t of plan.tasks)
      for (const o of t.owners) {
        const list = owned.get(o.node) ?? [];
        for (const r of o.ranges) list.push({ start: BigInt(r.start), end: BigInt(r.end) });
        owned.set(o.node, list);
      }
    let partitionKey: string[] | undefined;
    let wanted: Set<string> | undefined;
    /** key text → node → sorted JSON rows */
    const seen = new Map<string, { token: bigint; rows: Map<string, string[]> }>();
    for (const node of plan.nodes) {
      const folder = await tableFolderOpen(
        backupTableDirectory(source, set, node.node, src.keyspace, src.table),
        { table: `${src.keyspace}.${src.table}` },
      );
      try {
        const model = folder.model;
        if (partitionKey === undefined) {
          const pk = model.partitionKey.map((c) => c.name);
          partitionKey = pk;
          wanted = new Set(partitions.map((p) => pk.map((c) => norm(p[c])).join('|')));
        }
        if (wanted!.size === 0 || folder.sstables.length === 0) continue;
        const first = folder.sstables[0]!;
        const partitioner = first.partitioner;
        const streams = folder.sstables.map((t) => {
          const s = partitionsWhere(t.scan(), (key) => wanted!.has(keyText(model, key)));
          return options.asOfMicros === undefined ? s : writtenAtOrBefore(s, options.asOfMicros);
        });
        const fmt = rowJsonFormatter(model);
        for await (const row of mergedLiveRows(streams, partitioner, first.layout.clusteringTypes, model, {
          now: options.now,
        })) {
          const k = keyText(model, row.key);
          let e = seen.get(k);
          if (e === undefined) {
            e = { token: BigInt(partitioner.tokenToString(partitioner.tokenOf(row.key))), rows: new Map() };
            seen.set(k, e);
          }
          const list = e.rows.get(node.node) ?? [];
          list.push(JSON.stringify(fmt.format(row)));
          e.rows.set(node.node, list);
        }
      } finally {
        await folder.close();
      }
    }
    let disagree = 0;
    const disagreeKeys: string[] = [];
    const examples: ReplicaCheckResult['examples'] = [];
    for (const [k, e] of seen) {
      const owners = [...owned.entries()]
        .filter(([, ranges]) => ranges.some((r) => r.start < e.token && e.token <= r.end))
        .map(([n]) => n);
      const views = new Set(owners.map((n) => (e.rows.get(n) ?? []).sort().join('\n')));
      if (views.size > 1) {
        disagree++;
        if (disagreeKeys.length < 1000) disagreeKeys.push(k);
        if (examples.length < 5)
          examples.push({
            key: k,
            replicas: Object.fromEntries(owners.map((n) => [n, e.rows.get(n)?.length ?? 0])),
          });
      }
    }
    return {
      partitionKey: partitionKey ?? [],
      checked: seen.size,
      disagree,
      disagreeKeys,
      notFound: Math.max(0, (wanted?.size ?? 0) - seen.size),
      examples,
    };
  } finally {
    await source.close();
  }
}
