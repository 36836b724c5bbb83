/**
 * The planner on hand-built input (no I/O): tasks tile the ring in token order, consistency levels pick
 * the right number of replicas, a missing replica is replaced by another or makes the level unmeetable,
 * byte ranges stay inside each SSTable and skip SSTables outside a task, and the as-of filter drops
 * everything written after T.
 */
import { describe, expect, it } from 'vitest';
import { LIVE, MARKER, type Row } from '../../reader/index.js';
import { compactionPlanBuild } from '../plan/plan-build.js';
import type { PlanInput, PlanInputNode, ResolvedPlanOptions } from '../plan/plan-input.js';
import type { CompactionPlan } from '../plan/plan-model.js';
import { MAX_TOKEN, MIN_TOKEN, replicationFactorFromSchema } from '../plan/token-ring.js';
import { writtenAtOrBefore } from '../worker/stream-filters.js';
import { cell, del, int32, marker, memoryStream, row } from './memory-stream.js';

const STEP = 2n ** 60n;

/** Node i owns tokens i*STEP + k*4*STEP; one SSTable with samples every STEP/2 over the whole ring. */
function node(i: number, extra: Partial<PlanInputNode> = {}): PlanInputNode {
  const tokens: string[] = [];
  for (let t = MIN_TOKEN + BigInt(i + 1) * STEP; t < MAX_TOKEN; t += 4n * STEP) tokens.push(t.toString());
  const samples = [];
  let pos = 0;
  for (let t = MIN_TOKEN + 1n; t < MAX_TOKEN - STEP; t += STEP / 2n) {
    samples.push({ token: t.toString(), position: pos });
    pos += 1000;
  }
  return {
    node: `n${i}`,
    tokens,
    folder: `/b/n${i}`,
    files: [],
    sstables: [
      {
        sstable: 'nb-1-big-Data.db',
        dataLength: pos,
        firstToken: samples[0]!.token,
        lastToken: (MAX_TOKEN - STEP).toString(),
        samples,
        estimatedPartitions: 100,
        largestPartitionBytes: 2000,
      },
    ],
    ...extra,
  };
}

function input(nodes: PlanInputNode[], missing: PlanInput['missingNodes'] = []): PlanInput {
  return {
    source: '/b',
    layout: 'snapshot',
    keyspace: 'ks',
    table: 't',
    schemaText: undefined,
    partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
    nodes,
    missingNodes: missing,
    singleNode: false,
    warnings: [],
  };
}

const OPTIONS: ResolvedPlanOptions = {
  consistency: 'quorum',
  replicationFactor: 3,
  tasks: 6,
  workers: undefined,
  now: 1_767_225_600,
  asOfMicros: undefined,
  memoryBudgetBytes: undefined,
  machine: { cores: 2, memoryBytes: 8 * 1024 ** 3 },
  mergeGapBytes: 0,
};

/** How many owners each token of the ring has, checked at many points. */
function ownersAt(plan: CompactionPlan, token: bigint): number {
  const task = plan.tasks.find((t) => BigInt(t.range.start) < token && token <= BigInt(t.range.end));
  if (task === undefined) return 0;
  return task.owners.filter((o) => o.ranges.some((r) => BigInt(r.start) < token && token <= BigInt(r.end)))
    .length;
}

describe('compactionPlanBuild', () => {
  it('tiles the ring with tasks of about equal bytes', () => {
    const plan = compactionPlanBuild(input([node(0), node(1), node(2), node(3)]), OPTIONS);
    expect(plan.tasks.length).toBe(6);
    expect(plan.tasks[0]!.range.start).toBe(MIN_TOKEN.toString());
    expect(plan.tasks.at(-1)!.range.end).toBe(MAX_TOKEN.toString());
    for (let i = 1; i < plan.tasks.length; i++)
      expect(plan.tasks[i]!.range.start).toBe(plan.tasks[i - 1]!.range.end);
    const sizes = plan.tasks.map((t) => t.bytes);
    expect(Math.max(...sizes)).toBeLessThan(2.5 * Math.min(...sizes));
    for (const t of plan.tasks)
      for (const r of t.reads)
        for (const d of r.ranges) {
          expect(d.start).toBeGreaterThanOrEqual(0);
          expect(d.end).toBeLessThanOrEqual(plan.tasks[0]!.reads[0]!.bytes * 100);
          expect(d.start).toBeLessThan(d.end);
        }
  });

  it('reads 1, 2 or 3 replicas of each token for ONE, QUORUM, ALL', () => {
    const nodes = [node(0), node(1), node(2), node(3)];
    for (const [consistency, n] of [
      ['one', 1],
      ['quorum', 2],
      ['all', 3],
    ] as const) {
      const plan = compactionPlanBuild(input(nodes), { ...OPTIONS, consistency });
      for (let t = MIN_TOKEN + 12345n; t < MAX_TOKEN; t += STEP / 3n) expect(ownersAt(plan, t)).toBe(n);
    }
  });

  it('falls back past a missing replica, and refuses ALL without it', () => {
    const nodes = [node(0), node(1), node(2)];
    const missing = [{ node: 'n3', tokens: node(3).tokens }];
    const plan = compactionPlanBuild(input(nodes, missing), { ...OPTIONS, consistency: 'quorum' });
    expect(plan.missingNodes).toEqual(['n3']);
    for (let t = MIN_TOKEN + 999n; t < MAX_TOKEN; t += STEP / 3n) expect(ownersAt(plan, t)).toBe(2);
    expect(() => compactionPlanBuild(input(nodes, missing), { ...OPTIONS, consistency: 'all' })).toThrow(
      /consistency all cannot be met/,
    );
    // an unreadable replica counts as missing
    const broken = [node(0), node(1), node(2), node(3, { problem: 'corrupt Statistics.db' })];
    const p2 = compactionPlanBuild(input(broken), { ...OPTIONS, consistency: 'quorum' });
    expect(p2.nodes.map((n) => n.node)).not.toContain('n3');
    expect(p2.warnings.join()).toMatch(/n3 is not read: corrupt/);
  });

  it('skips SSTables whose tokens miss the task', () => {
    const n = node(0);
    const sst = n.sstables[0]!;
    const narrow = {
      ...sst,
      sstable: 'nb-2-big-Data.db',
      firstToken: sst.samples[2]!.token,
      lastToken: sst.samples[4]!.token,
      samples: sst.samples.slice(2, 5).map((s, i) => ({ ...s, position: i * 1000 })),
      dataLength: 3000,
    };
    const plan = compactionPlanBuild(input([{ ...n, sstables: [sst, narrow] }, node(1), node(2), node(3)]), {
      ...OPTIONS,
      consistency: 'all',
    });
    const withNarrow = plan.tasks.filter((t) => t.reads.some((r) => r.sstable === 'nb-2-big-Data.db'));
    expect(withNarrow.length).toBeGreaterThan(0);
    expect(withNarrow.length).toBeLessThan(plan.tasks.length);
  });

  it('auto-sizes within the memory budget', () => {
    const plan = compactionPlanBuild(input([node(0), node(1), node(2), node(3)]), {
      ...OPTIONS,
      tasks: undefined,
      memoryBudgetBytes: 256 * 1024 * 1024,
    });
    expect(plan.workers).toBe(1);
    expect(plan.sizing.tasksChosenBy).toBe('auto');
    expect(plan.sizing.estimatedPartitions).toBe(400);
  });

  it('reads the replication factor from CREATE KEYSPACE', () => {
    const cql =
      "CREATE KEYSPACE ks WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': 2} AND durable_writes = true;";
    expect(replicationFactorFromSchema(cql, 'ks')).toBe(3);
    expect(replicationFactorFromSchema(cql, 'other')).toBeUndefined();
  });
});

describe('writtenAtOrBefore', () => {
  it('drops cells, markers, row and partition deletions written after T', async () => {
    const T = 1000;
    const s = writtenAtOrBefore(
      memoryStream([
        {
          key: int32(1),
          deletion: del(1500),
          unfiltereds: [
            row([int32(1)], [cell(0, int32(7), 900), cell(1, int32(8), 1100)], {
              timestamp: 1200,
              deletion: del(1300),
            }),
            marker(1, [int32(2)], del(2000)),
            marker(6, [int32(3)], del(2000)),
          ],
        },
      ]),
      T,
    );
    const p = (await s.nextPartition())!;
    expect(p.deletion).toEqual(LIVE);
    const r = (await s.nextUnfiltered()) as Row;
    expect(r.cells.map((c) => c.timestamp)).toEqual([900]);
    expect(r.timestamp).toBeLessThan(0);
    expect(r.deletion).toEqual(LIVE);
    const m = await s.nextUnfiltered();
    expect(m).toMatchObject({ kind: MARKER, deletion: LIVE });
    expect(await s.nextUnfiltered()).toMatchObject({ kind: MARKER, deletion: LIVE });
    expect(await s.nextUnfiltered()).toBeNull();
  });
});
