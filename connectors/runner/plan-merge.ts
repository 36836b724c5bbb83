/**
 * Merges the compaction plans of tables with the same schema into ONE plan, as if their SSTables were one
 * table's: each replica of each extra table becomes a plan node of its own (`<node>#<table>`), and every
 * table is re-cut to the same token-range tasks (those of the plan with the most tasks), so a task merges
 * the same token range of all tables and the compactor's reconciliation sees every copy of a row together.
 * Plain data in, plain data out.
 *
 * Re-cutting: a node keeps the token ranges it was chosen for (its `owners` ranges, clipped to the task);
 * its byte ranges are those of the original reads that overlap the task, merged into one superset range
 * per SSTable with the token span clipped to the task. Workers tighten ranges with the partition index and
 * drop partitions outside the owned ranges by token, so a superset is exact.
 */
import type {
  CompactionPlan,
  CompactionTask,
  DataRange,
  TaskNodeRanges,
  TaskRead,
  TokenRange,
} from '../../compactor/index.js';
import { MAX_TOKEN, MIN_TOKEN } from '../../compactor/index.js';

interface Span {
  readonly start: bigint;
  readonly end: bigint;
}

const span = (r: TokenRange): Span => ({ start: BigInt(r.start), end: BigInt(r.end) });

function clip(a: Span, b: Span): Span | undefined {
  // bigints: Math.max/min do not apply
  let start = a.start;
  if (b.start > start) start = b.start;
  let end = a.end;
  if (b.end < end) end = b.end;
  return start < end ? { start, end } : undefined;
}

function retask(
  plan: CompactionPlan,
  k: number,
  range: Span,
): { owners: TaskNodeRanges[]; reads: TaskRead[] } {
  const rename = (node: string): string => (k === 0 ? node : `${node}#${plan.table}`);
  const owned = new Map<string, TokenRange[]>();
  const reads = new Map<string, { node: string; sstable: string; ranges: DataRange[] }>();
  for (const t of plan.tasks) {
    for (const o of t.owners)
      for (const r of o.ranges) {
        const c = clip(span(r), range);
        if (c !== undefined) {
          const list = owned.get(o.node) ?? [];
          list.push({ start: c.start.toString(), end: c.end.toString() });
          owned.set(o.node, list);
        }
      }
    for (const rd of t.reads)
      for (const dr of rd.ranges) {
        if (clip({ start: BigInt(dr.fromToken), end: BigInt(dr.toToken) }, range) === undefined) continue;
        const id = `${rd.node}/${rd.sstable}`;
        const e = reads.get(id) ?? { node: rd.node, sstable: rd.sstable, ranges: [] };
        e.ranges.push(dr);
        reads.set(id, e);
      }
  }
  const outReads: TaskRead[] = [];
  for (const e of reads.values()) {
    if (!owned.has(e.node)) continue;
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    let from = range.end;
    let to = range.start;
    for (const r of e.ranges) {
      start = Math.min(start, r.start);
      end = Math.max(end, r.end);
      const f = BigInt(r.fromToken);
      const t = BigInt(r.toToken);
      if (f < from) from = f;
      if (t > to) to = t;
    }
    if (from < range.start) from = range.start;
    if (to > range.end) to = range.end;
    outReads.push({
      node: rename(e.node),
      sstable: e.sstable,
      ranges: [{ start, end, fromToken: from.toString(), toToken: to.toString() }],
      bytes: end - start,
    });
  }
  const owners = [...owned].map(([node, ranges]) => ({ node: rename(node), ranges }));
  return { owners, reads: outReads };
}

export function compactionPlanMerge(plans: readonly CompactionPlan[]): CompactionPlan {
  const first = plans[0]!;
  if (plans.length === 1) return first;
  const driver = plans.reduce((a, b) => (b.tasks.length > a.tasks.length ? b : a));
  const tasks: CompactionTask[] = [];
  // the driver's tasks tile the ring except where it had nothing to read: close those gaps
  const ranges: TokenRange[] = driver.tasks.map((t, i) => ({
    start: i === 0 ? MIN_TOKEN.toString() : driver.tasks[i - 1]!.range.end,
    end: i === driver.tasks.length - 1 ? MAX_TOKEN.toString() : t.range.end,
  }));
  if (ranges.length === 0) ranges.push({ start: MIN_TOKEN.toString(), end: MAX_TOKEN.toString() });
  for (const tr of ranges) {
    const range = span(tr);
    const owners: TaskNodeRanges[] = [];
    const reads: TaskRead[] = [];
    plans.forEach((p, k) => {
      const r = retask(p, k, range);
      owners.push(...r.owners);
      reads.push(...r.reads);
    });
    if (reads.length === 0) continue;
    tasks.push({
      id: tasks.length,
      range: tr,
      owners,
      reads,
      bytes: reads.reduce((n, r) => n + r.bytes, 0),
    });
  }
  return {
    ...first,
    nodes: plans.flatMap((p, k) =>
      p.nodes.map((n) => ({ ...n, node: k === 0 ? n.node : `${n.node}#${p.table}` })),
    ),
    missingNodes: [...new Set(plans.flatMap((p) => p.missingNodes))],
    totalBytes: tasks.reduce((n, t) => n + t.bytes, 0),
    backupBytes: plans.reduce((n, p) => n + p.backupBytes, 0),
    workers: Math.max(...plans.map((p) => p.workers)),
    tasks,
    warnings: plans.flatMap((p) => p.warnings),
  };
}
