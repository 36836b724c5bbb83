/**
 * Cancelling a compaction (`signal`): aborted mid-way — after the first task is done, with tasks still
 * running and queued — the run rejects within a bound with `compactor: run cancelled: <reason>`, no task
 * starts after the abort, the worker threads are gone (counted in /proc/self/task: the process is back to
 * its thread count from before the pool), and no attempt's partial output is left. The inline pool stops
 * between partitions the same way. Real generated backup, real piscina threads (the compiled worker in
 * dist/, built by vitest's global setup).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCancelled } from '../../core/index.js';
import { BASE, generate, planFor } from '../../infra/index.js';
import { type CompactionEvent, compactionRun } from '../execute/compaction-run.js';
import type { CompactionPlan } from '../plan/plan-model.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-compact-cancel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** OS threads of this process (the main thread, libuv's pool, V8's platform threads, worker threads). */
const threads = (): number => readdirSync('/proc/self/task').length;

let plan: CompactionPlan;
beforeAll(async () => {
  const out = join(work, 'narrow');
  await generate({ ...BASE, partitions: 1500, out, preset: 'narrow' });
  plan = await planFor(out, {
    keyspace: 'gen',
    table: 'narrow',
    consistency: 'all',
    replicationFactor: 3,
    tasks: 16,
  });
}, 60_000);

async function cancelMidway(pool: 'threads' | 'inline', sinkDir: string) {
  mkdirSync(sinkDir, { recursive: true });
  const ac = new AbortController();
  const events: { at: number; e: CompactionEvent }[] = [];
  let abortedAt = 0;
  let doneAtAbort = -1;
  const before = threads();
  let during = 0;
  const p = compactionRun(plan, {
    pool,
    workers: 2,
    sink: { kind: 'arrow-file', dir: sinkDir },
    batch: { batchRows: 64 },
    onEvent: (e) => {
      events.push({ at: Date.now(), e });
      if (e.type === 'task-done' && abortedAt === 0) {
        during = threads();
        doneAtAbort = events.filter((x) => x.e.type === 'task-done').length;
        abortedAt = Date.now();
        ac.abort(new Error('test: stop mid-way'));
      }
    },
    signal: ac.signal,
  });
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const rejectedAt = Date.now();
  return { error, abortedAt, rejectedAt, events, doneAtAbort, before, during, after: threads() };
}

describe('cancelling a compaction', () => {
  it('worker threads: rejects promptly, terminates every thread, leaves no partial output', async () => {
    expect(plan.tasks.length).toBeGreaterThanOrEqual(8);
    const dir = join(work, 'out-threads');
    const r = await cancelMidway('threads', dir);
    expect(r.abortedAt).toBeGreaterThan(0);
    expect((r.error as Error)?.message).toBe('compactor: run cancelled: test: stop mid-way');
    expect(isCancelled(r.error)).toBe(true);
    // mid-way: some tasks were done, most were not
    expect(r.doneAtAbort).toBeGreaterThanOrEqual(1);
    expect(r.doneAtAbort).toBeLessThan(plan.tasks.length);
    // promptly: terminating threads takes milliseconds, not the remaining tasks' time
    expect(r.rejectedAt - r.abortedAt).toBeLessThan(2000);
    // nothing started after the abort
    expect(r.events.filter((x) => x.at > r.abortedAt && x.e.type === 'task-start')).toEqual([]);
    // the pool's threads existed while it ran and are gone once the run rejected
    expect(r.during).toBeGreaterThanOrEqual(r.before + 2);
    expect(r.after).toBeLessThanOrEqual(r.before);
    // no attempt's partial file: only whole outputs of tasks that were done
    const left = readdirSync(dir);
    expect(left.filter((f) => f.includes('.attempt-'))).toEqual([]);
    expect(left.length).toBeLessThan(plan.tasks.length);
  }, 60_000);

  it('inline pool: stops between partitions and rejects the same way', async () => {
    const dir = join(work, 'out-inline');
    const r = await cancelMidway('inline', dir);
    expect((r.error as Error)?.message).toBe('compactor: run cancelled: test: stop mid-way');
    expect(r.doneAtAbort).toBeLessThan(plan.tasks.length);
    expect(r.rejectedAt - r.abortedAt).toBeLessThan(2000);
    expect(r.events.filter((x) => x.at > r.abortedAt && x.e.type === 'task-start')).toEqual([]);
    const left = readdirSync(dir);
    expect(left.filter((f) => f.includes('.attempt-'))).toEqual([]);
    expect(left.length).toBeLessThan(plan.tasks.length);
  }, 60_000);

  it('an already aborted signal runs nothing', async () => {
    const events: CompactionEvent[] = [];
    await expect(
      compactionRun(plan, {
        pool: 'threads',
        sink: { kind: 'count' },
        signal: AbortSignal.abort(new Error('too late')),
        onEvent: (e) => events.push(e),
      }),
    ).rejects.toThrow(/^compactor: run cancelled: too late$/);
    expect(events).toEqual([]);
  });
});
