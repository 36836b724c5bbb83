/**
 * Runs one task of a plan: opens the SSTables it reads (only those), scans only its byte ranges — tightened
 * with the partition index to the task's token range — keeps each replica's partitions of the sub-ranges it
 * was chosen for, drops what was written after `--as-of`, merges everything with the streaming k-way merge
 * (partitions by token and key, rows by clustering, cells by column and path) and hands live rows, cut into
 * Arrow batches of the raw model, to a `TaskSink`. Memory is bounded by the number of SSTables merged (one
 * read-ahead window each) and the batch size; a partition of any size streams through row by row.
 *
 * The same function runs in a piscina worker (compact-worker.ts) and in-process (`pool: 'inline'`).
 */
import { cancelledError, DatamoveError } from '../../core/index.js';
import {
  type BackupSource,
  type BackupSourceOpenOptions,
  backupDirectory,
  backupSourceOpen,
  componentFile,
  descriptorParse,
  Murmur3Token,
  murmur3Partitioner,
  NOT_READY,
  type PartitionStream,
  parseSchemaCql,
  partitionStreamSync,
  type SSTable,
  sstableOpen,
  syncPartitionStream,
  type TableModel,
  type TableSchema,
  tableModelFromSchema,
} from '../../reader/index.js';
import type { ByteSourceDirectory } from '../../storage/index.js';
import { RawBatchBuilder, type RawBatchOptions } from '../arrow/raw-batch-builder.js';
import { PartitionLiveRows } from '../live-rows.js';
import { type MergeSource, PartitionMerger } from '../partition-merge.js';
import type { CompactionPlan, CompactionTask, DataRange, PlanNode } from '../plan/plan-model.js';
import { MAX_TOKEN } from '../plan/token-ring.js';
import { partitionStreamConcat, partitionsInRanges, writtenAtOrBefore } from './stream-filters.js';
import type { TaskOutput, TaskSink } from './task-sink.js';

/** What every task of a job needs besides its own task: sent once per worker (piscina `workerData`). */
export interface TaskJobContext {
  readonly source: string;
  readonly keyspace: string;
  readonly table: string;
  readonly schemaText: string | undefined;
  readonly now: number;
  readonly asOfMicros: number | undefined;
  readonly nodes: readonly PlanNode[];
  /** Source settings (S3 endpoint, credentials): never part of the printed plan. */
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly batch?: RawBatchOptions;
  /** Tighten the planned byte ranges with the partition index (default true). */
  readonly refine?: boolean;
  /** Verify chunk checksums (default true). */
  readonly verifyChecksums?: boolean;
  /** Read-ahead per SSTable scan (default 1 MiB). */
  readonly readAheadBytes?: number;
}

export function taskJobContext(
  plan: CompactionPlan,
  extra: Partial<
    Pick<TaskJobContext, 'sourceOptions' | 'batch' | 'refine' | 'verifyChecksums' | 'readAheadBytes'>
  > = {},
): TaskJobContext {
  return {
    source: plan.source,
    keyspace: plan.keyspace,
    table: plan.table,
    schemaText: plan.schemaText,
    now: plan.now,
    asOfMicros: plan.asOfMicros,
    nodes: plan.nodes,
    ...extra,
  };
}

export interface TaskProgress {
  readonly taskId: number;
  /** Uncompressed Data.db bytes consumed so far (of the task's ranges). */
  readonly bytesRead: number;
  readonly rows: number;
}

export interface TaskRunHooks {
  /** Called every few thousand rows and at each batch. */
  readonly onProgress?: (p: TaskProgress) => void;
  /**
   * Checked at every partition and every few thousand rows (the inline pool's cancellation; worker threads
   * are terminated instead): once aborted the task stops, its sink is aborted and it rejects as cancelled.
   */
  readonly signal?: AbortSignal;
}

export interface TaskRunResult extends TaskOutput {
  readonly taskId: number;
  readonly bytesRead: number;
}

/** The table model from the job's schema text, or undefined to take it from the first SSTable's header. */
export function jobTableModel(ctx: TaskJobContext): TableModel | undefined {
  if (ctx.schemaText === undefined) return undefined;
  const schema = parseSchemaCql(ctx.schemaText);
  const t: TableSchema | undefined = schema.tables.find(
    (x) => x.name === ctx.table && (x.keyspace === ctx.keyspace || schema.tables.length === 1),
  );
  if (t === undefined) {
    throw new DatamoveError(
      'NotFound',
      `compactor: the backup's schema has no table ${ctx.keyspace}.${ctx.table}`,
      {
        context: { keyspace: ctx.keyspace, table: ctx.table },
      },
    );
  }
  return tableModelFromSchema(t);
}

/** Runs `task`; the sink is committed on success and aborted on failure (then the error is rethrown). */
export async function compactionTaskRun(
  ctx: TaskJobContext,
  task: CompactionTask,
  makeSink: (model: TableModel) => TaskSink,
  hooks: TaskRunHooks = {},
): Promise<TaskRunResult> {
  const signal = hooks.signal;
  const check = (): void => {
    if (signal?.aborted) throw cancelledError('compactor', `task ${task.id}`, signal, { task: task.id });
  };
  check();
  const source: BackupSource = backupSourceOpen(ctx.source, ctx.sourceOptions ?? {});
  const opened: SSTable[] = [];
  let sink: TaskSink | undefined;
  try {
    let model = jobTableModel(ctx);
    const dirs = new Map<string, ByteSourceDirectory>();
    const dirOf = (node: string): ByteSourceDirectory => {
      let d = dirs.get(node);
      if (d === undefined) {
        const n = ctx.nodes.find((x) => x.node === node);
        if (n === undefined)
          throw new DatamoveError(
            'Unexpected',
            `compactor: task ${task.id} reads node ${node}, not in the plan`,
            {},
          );
        d = backupDirectory(source, n.folder, n.files);
        dirs.set(node, d);
      }
      return d;
    };
    const ownedBy = new Map(task.owners.map((o) => [o.node, o.ranges]));
    const progress = { consumed: new Float64Array(task.reads.length), rows: 0 };
    const sources: MergeSource[] = [];
    for (let r = 0; r < task.reads.length; r++) {
      check();
      const read = task.reads[r]!;
      const d = descriptorParse(read.sstable);
      if (d === undefined)
        throw new DatamoveError('DataInvalid', `compactor: ${read.sstable} is not a Data.db name`, {});
      const dir = dirOf(read.node);
      const sst = await sstableOpen(dir, d, model, {
        verifyChecksums: ctx.verifyChecksums ?? true,
        ...(ctx.readAheadBytes === undefined ? {} : { readAheadBytes: ctx.readAheadBytes }),
      });
      opened.push(sst);
      model ??= sst.model;
      const ranges = ctx.refine === false ? read.ranges : await refineRanges(sst, dir, read.ranges);
      const consumedBefore = (i: number): number => {
        let n = 0;
        for (let k = 0; k < i; k++) n += ranges[k]!.end - ranges[k]!.start;
        return n;
      };
      let stream: PartitionStream = partitionStreamConcat(
        ranges.map(
          (range, i) => () =>
            tracked(sst.scan(range.start, range.end), range, consumedBefore(i), progress.consumed, r),
        ),
      );
      stream = partitionsInRanges(stream, ownedBy.get(read.node) ?? []);
      if (ctx.asOfMicros !== undefined) stream = writtenAtOrBefore(stream, ctx.asOfMicros);
      sources.push({ scanner: stream, name: `${read.node}/${read.sstable}` });
    }
    if (model === undefined || opened.length === 0) {
      sink = makeSink(model ?? ({} as TableModel));
      const out = await sink.commit();
      return { ...out, taskId: task.id, bytesRead: 0 };
    }
    sink = makeSink(model);
    const merger = new PartitionMerger(
      sources,
      murmur3Partitioner,
      opened[0]!.layout.clusteringTypes,
      model,
      ctx.now,
    );
    const builder = sink.accepts === 'batches' ? new RawBatchBuilder(model, ctx.batch ?? {}) : undefined;
    const report = (): void => {
      let bytesRead = 0;
      for (const c of progress.consumed) bytesRead += c;
      hooks.onProgress?.({ taskId: task.id, bytesRead, rows: progress.rows });
    };
    for (let p = await merger.nextPartition(); p !== undefined; p = await merger.nextPartition()) {
      check();
      // live rows pulled synchronously; an await only when a source needs its next chunk of bytes
      const live = new PartitionLiveRows(p, model, ctx.now);
      for (let row = live.tryNext(); row !== null; row = live.tryNext()) {
        if (row === NOT_READY) {
          await merger.ready();
          continue;
        }
        progress.rows++;
        if ((progress.rows & 4095) === 0) check();
        if (builder === undefined) await sink.writeRow(row);
        else {
          const batch = builder.add(row);
          if (batch !== undefined) {
            await sink.writeBatch(batch);
            report();
          }
        }
        if ((progress.rows & 4095) === 0) report();
      }
    }
    const last = builder?.flush();
    if (last !== undefined) await sink.writeBatch(last);
    for (let r = 0; r < task.reads.length; r++) progress.consumed[r] = task.reads[r]!.bytes;
    report();
    const out = await sink.commit();
    let bytesRead = 0;
    for (const c of progress.consumed) bytesRead += c;
    return { ...out, taskId: task.id, bytesRead };
  } catch (e) {
    await sink?.abort().catch(() => {});
    throw e;
  } finally {
    await Promise.all(opened.map((t) => t.close().catch(() => {})));
    await source.close().catch(() => {});
  }
}

/**
 * Tightens planned ranges (from summary samples, a superset) to the exact partitions of their token spans:
 * `[dataPositionAtOrAfter(from + 1), dataPositionAtOrAfter(to + 1))`. Without Index.db the plan stands.
 */
async function refineRanges(
  sst: SSTable,
  dir: ByteSourceDirectory,
  ranges: readonly DataRange[],
): Promise<DataRange[]> {
  const names = await dir.list();
  if (!names.includes(componentFile(sst.descriptor, 'Index.db'))) return [...ranges];
  const index = await sst.partitionIndex();
  const out: DataRange[] = [];
  for (const r of ranges) {
    const start = Math.max(
      r.start,
      await index.dataPositionAtOrAfter(Murmur3Token.fromBigInt(BigInt(r.fromToken) + 1n)),
    );
    const to = BigInt(r.toToken);
    const end =
      to >= MAX_TOKEN
        ? r.end
        : Math.min(r.end, await index.dataPositionAtOrAfter(Murmur3Token.fromBigInt(to + 1n)));
    if (end > start) out.push({ ...r, start, end });
  }
  return out;
}

/** Records how far into its range a scan is (partition and row positions), for progress. */
function tracked(
  stream: PartitionStream,
  range: DataRange,
  before: number,
  consumed: Float64Array,
  slot: number,
): PartitionStream {
  let n = 0;
  const s = partitionStreamSync(stream);
  return syncPartitionStream({
    tryNextPartition() {
      const p = s.tryNextPartition();
      if (p === NOT_READY) return p;
      consumed[slot] = before + (p === undefined ? range.end - range.start : p.position - range.start);
      return p;
    },
    tryNextUnfiltered() {
      const u = s.tryNextUnfiltered();
      if (u !== null && u !== NOT_READY && (++n & 1023) === 0)
        consumed[slot] = before + (u.position - range.start);
      return u;
    },
    ready: () => s.ready(),
  });
}
