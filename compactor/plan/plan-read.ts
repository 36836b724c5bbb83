/**
 * Gathers the planner's input (plan-input.ts) from a backup or a plain folder of SSTables: selection as of
 * a time (reader/backup), then per replica and SSTable only the small files — TOC, Statistics.db (with its
 * partition size histogram), Summary.db and a few Index.db entries for the sampled partitions' Data.db
 * positions. No Data.db byte is read. A replica whose table cannot be opened is recorded with its problem
 * (the planner then falls back to another replica) instead of failing the job.
 */
import { DatamoveError } from '../../core/index.js';
import type { BackupLayout, SSTable } from '../../reader/index.js';
import {
  type BackupSource,
  backupDirectory,
  backupSelect,
  backupTableDirectory,
  componentFile,
  murmur3Partitioner,
  readUnsignedVInt,
  statisticsFullParse,
  summaryParse,
  tableFolderOpen,
} from '../../reader/index.js';
import type { ByteSourceDirectory } from '../../storage/index.js';
import type { PartitionSample, PlanInput, PlanInputNode, PlanSSTable } from './plan-input.js';
import { MAX_TOKEN, MIN_TOKEN } from './token-ring.js';

export interface PlanReadOptions {
  readonly keyspace: string;
  readonly table: string;
  /** Backup selection time, ms since the epoch (default now). */
  readonly backupAsOf?: number;
  readonly skewMs?: number;
  /** Samples per SSTable at most (default 256): enough to cut tasks, few Index.db reads. */
  readonly maxSamples?: number;
}

/** Planner input from a backup in any layout. */
export async function planInputFromBackup(
  source: BackupSource,
  layout: BackupLayout,
  options: PlanReadOptions,
): Promise<PlanInput> {
  const filter = { keyspace: options.keyspace, table: options.table };
  const set = await backupSelect(source, layout, {
    ...(options.backupAsOf === undefined ? {} : { asOf: options.backupAsOf }),
    ...(options.skewMs === undefined ? {} : { skewMs: options.skewMs }),
    filter,
    // the planner decides per token range whether the consistency level can still be met
    missingAllowed: () => true,
  });
  let missingNodes: PlanInput['missingNodes'] = set.missingNodes.map((node) => ({ node, tokens: [] }));
  if (missingNodes.length > 0) {
    // the token map of any chosen backup knows the missing nodes' tokens
    const all = await layout.discover(source, filter);
    const ring = all.find((b) => set.backupIds.includes(b.backupId) && b.ring !== undefined)?.ring;
    missingNodes = set.missingNodes.map((node) => {
      const r = ring?.find((x) => x.node === node);
      return { node, ...(r?.dc === undefined ? {} : { dc: r.dc }), tokens: r?.tokens ?? [] };
    });
  }
  const nodes: PlanInputNode[] = [];
  let partitioner: string | undefined;
  for (const n of set.nodes) {
    const t = n.tables.find((x) => x.keyspace === options.keyspace && x.table === options.table);
    const base = { node: n.node, ...(n.dc === undefined ? {} : { dc: n.dc }), tokens: n.tokens };
    if (t === undefined) {
      nodes.push({
        ...base,
        folder: `${set.source}/${n.node}`,
        files: [],
        sstables: [],
        problem: 'no backup of the table',
      });
      continue;
    }
    try {
      const dir = backupTableDirectory(source, set, n.node, options.keyspace, options.table);
      const r = await sstablesPlanRead(
        dir,
        set.schema?.text,
        `${options.keyspace}.${options.table}`,
        options,
      );
      partitioner ??= r.partitioner;
      nodes.push({ ...base, folder: t.folder, files: t.files, sstables: r.sstables });
    } catch (e) {
      nodes.push({ ...base, folder: t.folder, files: t.files, sstables: [], problem: (e as Error).message });
    }
  }
  if (partitioner === undefined) {
    throw new DatamoveError(
      'NotFound',
      `compactor: no readable backup of ${options.keyspace}.${options.table} in ${source.name}${nodes.length > 0 ? ` (${nodes[0]!.node}: ${nodes[0]!.problem})` : ''}`,
      { context: { source: source.name } },
    );
  }
  return {
    source: source.name,
    layout: layout.name,
    keyspace: options.keyspace,
    table: options.table,
    schemaText: set.schema?.text,
    backupIds: set.backupIds,
    partitioner,
    nodes,
    missingNodes,
    singleNode: false,
    warnings: set.warnings,
  };
}

/** Planner input from one folder of SSTables (a `nodetool snapshot` folder): one replica owning the whole ring. */
export async function planInputFromFolder(
  source: BackupSource,
  options: PlanReadOptions,
): Promise<PlanInput> {
  const files = (await source.list('')).filter((o) => !o.key.includes('/'));
  const dir = backupDirectory(
    source,
    source.name,
    files.map((f) => ({ name: f.key, key: f.key, size: f.size })),
  );
  const schema = await dir.readAll('schema.cql');
  const schemaText = schema === undefined ? undefined : new TextDecoder().decode(schema);
  const r = await sstablesPlanRead(dir, schemaText, `${options.keyspace}.${options.table}`, options);
  return {
    source: source.name,
    layout: 'folder',
    keyspace: options.keyspace,
    table: options.table,
    schemaText,
    partitioner: r.partitioner,
    nodes: [
      {
        node: 'local',
        tokens: [],
        folder: source.name,
        files: files.map((f) => ({ name: f.key, key: f.key, size: f.size })),
        sstables: r.sstables,
      },
    ],
    missingNodes: [],
    singleNode: true,
    warnings: [],
  };
}

async function sstablesPlanRead(
  dir: ByteSourceDirectory,
  schemaText: string | undefined,
  table: string,
  options: PlanReadOptions,
): Promise<{ partitioner: string; sstables: PlanSSTable[] }> {
  const folder = await tableFolderOpen(dir, {
    ...(schemaText === undefined ? {} : { schemaText }),
    table,
    verifyChecksums: false,
  });
  try {
    const partitioner = folder.sstables[0]!.partitioner.name;
    if (partitioner !== murmur3Partitioner.name) {
      throw new DatamoveError(
        'FeatureUnsupported',
        `compactor: ${dir.name}: partitioner ${partitioner} is not supported by the planner (Murmur3Partitioner only)`,
        { context: { partitioner } },
      );
    }
    const out: PlanSSTable[] = [];
    for (const t of folder.sstables) out.push(await sstablePlanRead(dir, t, options.maxSamples ?? 256));
    return { partitioner, sstables: out };
  } finally {
    await folder.close();
  }
}

async function sstablePlanRead(
  dir: ByteSourceDirectory,
  t: SSTable,
  maxSamples: number,
): Promise<PlanSSTable> {
  const file = (c: string): string => componentFile(t.descriptor, c);
  const token = (key: Uint8Array): string => t.partitioner.tokenToString(t.partitioner.tokenOf(key));
  // partition size estimates (Statistics.db STATS component)
  let estimatedPartitions = 0;
  let largestPartitionBytes = 0;
  const statsBytes = await dir.readAll(file('Statistics.db'));
  try {
    const h =
      statsBytes &&
      statisticsFullParse(statsBytes, t.descriptor.version, file('Statistics.db'), false).stats
        ?.estimatedPartitionSize;
    if (h) {
      for (let i = 0; i < h.buckets.length; i++) {
        const n = h.buckets[i]!;
        if (n === 0) continue;
        estimatedPartitions += n;
        const bound = h.bucketOffsets[Math.min(i, h.bucketOffsets.length - 1)]!;
        largestPartitionBytes = Math.max(
          largestPartitionBytes,
          i >= h.bucketOffsets.length ? Math.ceil(bound * 1.2) : bound,
        );
      }
    }
  } catch {
    // estimates only: an unparseable STATS component leaves them at 0
  }
  const base = { sstable: t.dataFile, dataLength: t.dataLength, estimatedPartitions, largestPartitionBytes };
  if (t.dataLength === 0)
    return { ...base, firstToken: MAX_TOKEN.toString(), lastToken: MIN_TOKEN.toString(), samples: [] };

  const listed = new Set(await dir.list());
  const summaryBytes = listed.has(file('Summary.db')) ? await dir.readAll(file('Summary.db')) : undefined;
  if (summaryBytes !== undefined && listed.has(file('Index.db'))) {
    const summary = summaryParse(summaryBytes, `${dir.name}/${file('Summary.db')}`);
    const index = await dir.open(file('Index.db'));
    try {
      const e = summary.entries;
      const step = Math.max(1, Math.ceil(e.length / maxSamples));
      const samples: PartitionSample[] = [];
      for (let i = 0; i < e.length; i += step) {
        const s = e[i]!;
        const at = s.indexPosition;
        const bytes = await index.read(at, Math.min(index.byteLength, at + 2 + s.key.length + 10));
        const position = i === 0 ? 0 : readUnsignedVInt(bytes, 2 + s.key.length).value;
        samples.push({ token: token(s.key), position });
      }
      return { ...base, firstToken: token(summary.firstKey), lastToken: token(summary.lastKey), samples };
    } finally {
      await index.close?.();
    }
  }
  if (listed.has(file('Index.db'))) {
    // no summary (Cassandra rebuilds it when missing): the whole partition index, thinned
    const all = await (await t.partitionIndex()).samples();
    const step = Math.max(1, Math.ceil(all.length / maxSamples));
    const samples: PartitionSample[] = [];
    for (let i = 0; i < all.length; i += step)
      samples.push({ token: token(all[i]!.key), position: all[i]!.dataPosition });
    return {
      ...base,
      firstToken: token(all[0]!.key),
      lastToken: token(all[all.length - 1]!.key),
      samples,
    };
  }
  // no index at all: every task scans the whole file and keeps its own tokens
  return {
    ...base,
    firstToken: MIN_TOKEN.toString(),
    lastToken: MAX_TOKEN.toString(),
    samples: [{ token: MIN_TOKEN.toString(), position: 0 }],
  };
}
