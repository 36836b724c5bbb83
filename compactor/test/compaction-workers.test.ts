/**
 * The compactor in real piscina worker threads. The pool runs the compiled worker
 * (dist/compactor/worker/compact-worker.js, see compactor/execute/worker-file.ts): vitest's global setup
 * builds it; with DATAMOVE_SKIP_BUILD=1 run `npx tsc -p tsconfig.build.json` first.
 * Scenario: the narrow preset (4 nodes, RF 3, one node missing writes, one with stale ranges) with ALL;
 * one task's worker thread is ended abruptly mid-task (after its first rows, as a crash or OOM kill
 * would): the task is retried, the dead attempt's partial file is discarded, and the job still produces
 * exactly the oracle. Batches collected in workers come back as transferred Arrow IPC bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, generate, jsonlFile, planFor, runToRows } from '../../infra/index.js';
import type { CompactionEvent } from '../execute/compaction-run.js';
import { compactionRun } from '../execute/compaction-run.js';
import type { CompactionPlan } from '../plan/plan-model.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-compact-workers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let plan: CompactionPlan;
let oracle: string[];
beforeAll(async () => {
  const out = join(work, 'narrow');
  const g = await generate({ ...BASE, partitions: 120, out, preset: 'narrow' });
  oracle = jsonlFile(g.tables[0]!.oracleFile);
  plan = await planFor(out, {
    keyspace: 'gen',
    table: 'narrow',
    consistency: 'all',
    replicationFactor: 3,
    tasks: 4,
  });
});

describe('compaction in worker threads', () => {
  it('a worker killed mid-task: the task is retried and the job gives exactly the oracle', async () => {
    expect(plan.tasks.length).toBeGreaterThanOrEqual(3);
    const events: CompactionEvent[] = [];
    const { rows, result } = await runToRows(plan, {
      pool: 'threads',
      workers: 2,
      retries: 2,
      batch: { batchRows: 16 },
      faults: [{ taskId: 1, exitAfterRows: 1, onAttempt: 0 }],
      onEvent: (e) => events.push(e),
    });
    expect(result.failed).toEqual([]);
    expect(rows).toEqual(oracle);
    const retried = result.tasks.find((t) => t.taskId === 1)!;
    expect(retried.attempts).toBe(2);
    expect(
      events.some((e) => e.type === 'task-retry' && e.taskId === 1 && /worker ended/.test(e.error.message)),
    ).toBe(true);
    const last = events.filter((e) => e.type === 'progress').at(-1);
    expect(last).toMatchObject({ type: 'progress', tasksDone: plan.tasks.length, rows: oracle.length });
  });

  it('a task failing every attempt is reported with its token range and reason', async () => {
    // every Data.db is missing from the plan's file lists: each attempt fails in the worker
    const broken: CompactionPlan = {
      ...plan,
      nodes: plan.nodes.map((n) => ({ ...n, files: n.files.filter((f) => !f.name.endsWith('Data.db')) })),
    };
    const bad = await compactionRun(broken, {
      pool: 'threads',
      workers: 2,
      retries: 1,
      sink: { kind: 'count' },
    });
    expect(bad.failed.length).toBe(plan.tasks.length);
    expect(bad.failed[0]!.range).toEqual(plan.tasks[0]!.range);
    expect(bad.failed[0]!.attempts).toBe(2);
    expect(bad.failed[0]!.error!.message).toMatch(/Data\.db/);
  });

  it('batches collected in workers arrive as transferred Arrow IPC', async () => {
    const result = await compactionRun(plan, { pool: 'threads', workers: 2, sink: { kind: 'collect' } });
    let n = 0;
    for (const t of result.tasks) if (t.result?.ipc) n += arrow.tableFromIPC(t.result.ipc).numRows;
    expect(n).toBe(oracle.length);
  });
});
