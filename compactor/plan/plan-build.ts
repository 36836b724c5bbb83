/**
 * The planner: from what the backup says about itself (plan-input.ts) to a `CompactionPlan`, with no I/O.
 *
 * 1. Replicas: the ring as of the backup gives each vnode range its replicas; the consistency level says
 *    how many of them to read (ONE 1, QUORUM floor(n/2)+1, ALL n). Replicas without a usable backup are
 *    skipped (fallback to the next one); a range with too few left is an error naming it. The choice
 *    rotates with the range so ONE and QUORUM spread the reading over all nodes.
 * 2. Ownership: a node is read only for the ranges it is chosen for, so data it keeps for ranges it does not
 *    own (before `nodetool cleanup`) is never read, and deleted data cannot come back from it.
 * 3. Task boundaries: the sampled partitions of every SSTable of every chosen replica give bytes per token;
 *    the ring is cut where the running sum crosses equal shares, so each task reads about the same bytes.
 * 4. Byte ranges: per task and SSTable, the Data.db range from the last sample at or before the range start
 *    to the first sample after its end (partition-aligned, a superset); SSTables whose first/last tokens
 *    miss the range are skipped. Workers tighten each range with the partition index and drop every
 *    partition outside the node's owned sub-ranges by token, so the result is exact either way.
 * 5. Sizing: workers from cores and the memory budget (each worker holds a read-ahead window per SSTable
 *    it merges plus one Arrow batch); tasks so each worker gets several, each at least the largest partition.
 */
import { DatamoveError } from '../../core/index.js';
import type { PartitionSample, PlanInput, PlanSSTable, ResolvedPlanOptions } from './plan-input.js';
import type {
  CompactionPlan,
  CompactionTask,
  DataRange,
  PlanSizing,
  TaskNodeRanges,
  TaskRead,
  TokenRange,
} from './plan-model.js';
import { MAX_TOKEN, MIN_TOKEN, type ReplicaRange, replicasNeeded, ringPlacement } from './token-ring.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Memory of the main thread (the reader of results, the pool). */
const MAIN_BYTES = 96 * MiB;
/** A worker thread's own heap and code, plus two Arrow batches in flight. */
const WORKER_BASE_BYTES = 64 * MiB;
/** Per SSTable merged at once: the read-ahead window (1 MiB) plus the chunk under the cursor. */
const PER_SCAN_BYTES = (3 * MiB) / 2;
const MAX_TASKS = 10_000;

interface Span {
  start: bigint;
  end: bigint;
}

export function compactionPlanBuild(input: PlanInput, options: ResolvedPlanOptions): CompactionPlan {
  const warnings = [...input.warnings];
  const usable = new Map(input.nodes.filter((n) => n.problem === undefined).map((n) => [n.node, n]));
  for (const n of input.nodes) {
    if (n.problem !== undefined) warnings.push(`node ${n.node} is not read: ${n.problem}`);
  }

  // 1. replicas per range
  let ranges: readonly ReplicaRange[];
  let strategy: CompactionPlan['strategy'];
  let rf: number;
  if (input.singleNode) {
    const only = input.nodes[0]!;
    ranges = [{ start: MIN_TOKEN, end: MAX_TOKEN, replicas: [only.node] }];
    strategy = 'single-node';
    rf = 1;
  } else {
    const members = [
      ...input.nodes.map((n) => ({
        node: n.node,
        ...(n.dc === undefined ? {} : { dc: n.dc }),
        tokens: n.tokens,
      })),
      ...input.missingNodes,
    ];
    const unknown = members.filter((m) => m.tokens.length === 0).map((m) => m.node);
    if (unknown.length > 0) {
      throw new DatamoveError(
        'NotFound',
        `compactor: the tokens of ${unknown.join(', ')} are unknown (no token map in the backup); cannot tell which replica owns what`,
        { context: { nodes: unknown.join(',') } },
      );
    }
    rf = options.replicationFactor ?? Math.min(3, members.length);
    if (options.replicationFactor === undefined)
      warnings.push(`replication factor not given and not in the schema: assuming ${rf}`);
    const placement = ringPlacement(members, rf);
    ranges = placement.ranges;
    strategy = placement.strategy;
    rf = placement.replicasPerRange;
  }

  const chosen = new Map<string, Span[]>();
  const short: string[] = [];
  ranges.forEach((r, i) => {
    const available = r.replicas.filter((n) => usable.has(n));
    const need = replicasNeeded(options.consistency, r.replicas.length);
    if (available.length < need) {
      short.push(
        `(${r.start}, ${r.end}] needs ${need} of replicas ${r.replicas.join(', ')}, ${available.length} readable`,
      );
      return;
    }
    for (let k = 0; k < need; k++) {
      const node = available[(i + k) % available.length]!;
      const spans = chosen.get(node) ?? [];
      const last = spans[spans.length - 1];
      if (last !== undefined && last.end === r.start) last.end = r.end;
      else spans.push({ start: r.start, end: r.end });
      chosen.set(node, spans);
    }
  });
  if (short.length > 0) {
    throw new DatamoveError(
      'NotFound',
      `compactor: consistency ${options.consistency} cannot be met for ${short.length} token range${short.length === 1 ? '' : 's'}: ${short.slice(0, 3).join('; ')}${short.length > 3 ? '; …' : ''}`,
      { context: { consistency: options.consistency, ranges: short.length } },
    );
  }

  // 3. bytes per token over what will be read
  const events: { token: bigint; bytes: number }[] = [];
  let estimatedPartitions = 0;
  let largestPartitionBytes = 0;
  let scans = 0;
  let backupBytes = 0;
  for (const n of input.nodes) for (const t of n.sstables) backupBytes += t.dataLength;
  for (const [node, spans] of chosen) {
    const n = usable.get(node)!;
    scans += n.sstables.length;
    for (const t of n.sstables) {
      estimatedPartitions += t.estimatedPartitions;
      largestPartitionBytes = Math.max(largestPartitionBytes, t.largestPartitionBytes);
      const s = t.samples;
      for (let j = 0; j < s.length; j++) {
        const token = BigInt(s[j]!.token);
        const bytes = (j + 1 < s.length ? s[j + 1]!.position : t.dataLength) - s[j]!.position;
        if (bytes > 0 && spansContain(spans, token)) events.push({ token, bytes });
      }
    }
  }
  events.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const total = events.reduce((n, e) => n + e.bytes, 0);

  // 5. sizing
  const { cores, memoryBytes } = options.machine;
  const budget = options.memoryBudgetBytes ?? Math.min(GiB, Math.floor(memoryBytes / 2));
  const perWorker = WORKER_BASE_BYTES + PER_SCAN_BYTES * Math.max(1, scans);
  let workers =
    options.workers ?? Math.max(1, Math.min(cores, Math.floor((budget - MAIN_BYTES) / perWorker)));
  const minTask = Math.max(16 * MiB, largestPartitionBytes);
  const targetTaskBytes = Math.max(minTask, Math.min(256 * MiB, Math.ceil(total / (workers * 4))));
  let taskCount = options.tasks ?? Math.max(1, Math.min(MAX_TASKS, Math.ceil(total / targetTaskBytes)));
  taskCount = Math.min(taskCount, Math.max(1, events.length));

  // boundaries at equal shares of the bytes
  const bounds: bigint[] = [];
  let acc = 0;
  let k = 1;
  for (const e of events) {
    acc += e.bytes;
    while (k < taskCount && acc >= (total * k) / taskCount) {
      const last = bounds[bounds.length - 1];
      if (e.token < MAX_TOKEN && (last === undefined || e.token > last)) bounds.push(e.token);
      k++;
    }
  }
  const taskRanges: Span[] = [];
  let prev = MIN_TOKEN;
  for (const b of bounds) {
    taskRanges.push({ start: prev, end: b });
    prev = b;
  }
  taskRanges.push({ start: prev, end: MAX_TOKEN });

  // 4. per task: owners and byte ranges
  const gap = options.mergeGapBytes ?? MiB;
  const tasks: CompactionTask[] = [];
  for (const tr of taskRanges) {
    const owners: TaskNodeRanges[] = [];
    const reads: TaskRead[] = [];
    for (const [node, spans] of [...chosen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const clipped = clip(spans, tr);
      if (clipped.length === 0) continue;
      const n = usable.get(node)!;
      let any = false;
      for (const t of n.sstables) {
        const dataRanges = byteRanges(t, clipped, gap);
        if (dataRanges.length === 0) continue;
        any = true;
        reads.push({
          node,
          sstable: t.sstable,
          ranges: dataRanges,
          bytes: dataRanges.reduce((x, r) => x + r.end - r.start, 0),
        });
      }
      if (any) owners.push({ node, ranges: clipped.map(tokenRange) });
    }
    if (reads.length === 0) continue;
    tasks.push({
      id: tasks.length,
      range: tokenRange(tr),
      owners,
      reads,
      bytes: reads.reduce((x, r) => x + r.bytes, 0),
    });
  }
  workers = Math.max(1, Math.min(workers, tasks.length));
  const sizing: PlanSizing = {
    cores,
    memoryBytes,
    memoryBudgetBytes: budget,
    estimatedWorkerBytes: perWorker,
    targetTaskBytes,
    estimatedPartitions,
    largestPartitionBytes,
    tasksChosenBy: options.tasks === undefined ? 'auto' : 'option',
    workersChosenBy: options.workers === undefined ? 'auto' : 'option',
  };
  if (options.workers === undefined && MAIN_BYTES + workers * perWorker > budget)
    warnings.push(
      `estimated memory ${mib(MAIN_BYTES + workers * perWorker)} exceeds the budget ${mib(budget)} even with one worker`,
    );
  return {
    version: 1,
    source: input.source,
    layout: input.layout,
    keyspace: input.keyspace,
    table: input.table,
    schemaText: input.schemaText,
    ...(input.backupIds === undefined ? {} : { backupIds: input.backupIds }),
    partitioner: input.partitioner,
    now: options.now,
    asOfMicros: options.asOfMicros,
    consistency: options.consistency,
    replicationFactor: rf,
    strategy,
    nodes: input.nodes
      .filter((n) => chosen.has(n.node))
      .map((n) => ({
        node: n.node,
        ...(n.dc === undefined ? {} : { dc: n.dc }),
        folder: n.folder,
        files: n.files,
      })),
    missingNodes: input.missingNodes.map((m) => m.node),
    totalBytes: tasks.reduce((x, t) => x + t.bytes, 0),
    backupBytes,
    workers,
    tasks,
    sizing,
    warnings,
  };
}

function mib(n: number): string {
  return `${(n / MiB).toFixed(0)} MiB`;
}

function tokenRange(s: Span): TokenRange {
  return { start: s.start.toString(), end: s.end.toString() };
}

/** True when some span `(start, end]` holds `token`. */
function spansContain(spans: readonly Span[], token: bigint): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (token <= s.start) hi = mid - 1;
    else if (token > s.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The parts of `spans` inside `(range.start, range.end]`. */
function clip(spans: readonly Span[], range: Span): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    // bigints: Math.max/min do not apply
    let start = range.start;
    if (s.start > start) start = s.start;
    let end = range.end;
    if (s.end < end) end = s.end;
    if (start < end) out.push({ start, end });
  }
  return out;
}

/** Partition-aligned byte ranges of `t` that cover the partitions of `spans` (a superset), merged across small gaps. */
function byteRanges(t: PlanSSTable, spans: readonly Span[], gap: number): DataRange[] {
  const first = BigInt(t.firstToken);
  const last = BigInt(t.lastToken);
  const out: DataRange[] = [];
  for (const s of spans) {
    if (s.end < first || s.start >= last) continue;
    const start = s.start < first ? 0 : samplePositionAtOrBefore(t.samples, s.start);
    const end = s.end >= last ? t.dataLength : samplePositionAfter(t.samples, s.end, t.dataLength);
    if (end <= start) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && start <= prev.end + gap) {
      out[out.length - 1] = {
        start: prev.start,
        end: Math.max(prev.end, end),
        fromToken: prev.fromToken,
        toToken: s.end.toString(),
      };
    } else out.push({ start, end, fromToken: s.start.toString(), toToken: s.end.toString() });
  }
  return out;
}

/** Position of the last sample whose token is <= `token` (0 if none): no partition after `token` starts before it. */
function samplePositionAtOrBefore(samples: readonly PartitionSample[], token: bigint): number {
  let lo = 0;
  let hi = samples.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (BigInt(samples[mid]!.token) <= token) {
      best = samples[mid]!.position;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Position of the first sample whose token is > `token` (`dataLength` if none): every partition <= `token` ends before it. */
function samplePositionAfter(samples: readonly PartitionSample[], token: bigint, dataLength: number): number {
  let lo = 0;
  let hi = samples.length - 1;
  let best = dataLength;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (BigInt(samples[mid]!.token) > token) {
      best = samples[mid]!.position;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return best;
}
