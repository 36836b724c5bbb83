/**
 * Executes a plan: a piscina pool (or, for debugging and in-process tests, an inline pool) runs each task,
 * retrying a failed attempt (a thrown error, or the worker thread dying mid-task) up to `retries` times;
 * each attempt writes through its own sink, so a failed attempt's partial output is discarded. Outcomes
 * are results per task — `done` with its output metadata, or `failed` with the token range and the error
 * as plain `{kind, message, context}` — never a throw on the first failure. Progress (bytes of Data.db read
 * out of the plan's total, rows out, per-task state) is reported as events; the CLI draws its progress
 * line from them.
 *
 * Cancellation (`signal`): once aborted no task or retry starts, the worker threads are terminated
 * (`pool.destroy()`, which waits for every thread's exit; the inline pool's tasks check the signal between
 * partitions), every attempt's uncommitted output is swept, and the run rejects with a `DatamoveError`
 * saying it was cancelled and why. A task's published output (a committed sink) is the caller's to drop.
 *
 * S3 request failures in worker threads are re-emitted to this thread's listeners (`s3FailureNotify`), so
 * the metrics count them like the main thread's own.
 */
import { once } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { DatamoveErrorData } from '../../core/index.js';
import { cancelledError } from '../../core/index.js';
import type { BackupSourceOpenOptions } from '../../reader/index.js';
import { s3FailureNotify } from '../../storage/index.js';
import type { RawBatchOptions } from '../arrow/raw-batch-builder.js';
import type { CompactionPlan, TokenRange } from '../plan/plan-model.js';
import {
  compactTaskHandle,
  type WorkerPortMessage,
  type WorkerTaskMessage,
  type WorkerTaskReply,
} from '../worker/compact-worker.js';
import { sinkAttemptDiscard } from '../worker/file-sinks.js';
import { type TaskJobContext, type TaskRunResult, taskJobContext } from '../worker/task-run.js';
import type { SinkSpec } from '../worker/task-sink.js';
import { compactWorkerFile } from './worker-file.js';

export type TaskState = 'queued' | 'running' | 'retrying' | 'done' | 'failed';

export type CompactionEvent =
  | {
      readonly type: 'task-start';
      readonly taskId: number;
      readonly attempt: number;
      readonly range: TokenRange;
    }
  | {
      readonly type: 'task-progress';
      readonly taskId: number;
      readonly bytesRead: number;
      readonly rows: number;
    }
  | {
      readonly type: 'task-done';
      readonly taskId: number;
      readonly attempt: number;
      readonly result: TaskRunResult;
    }
  | {
      readonly type: 'task-retry' | 'task-failed';
      readonly taskId: number;
      readonly attempt: number;
      readonly range: TokenRange;
      readonly error: DatamoveErrorData;
    }
  | {
      readonly type: 'progress';
      readonly bytesRead: number;
      readonly totalBytes: number;
      readonly rows: number;
      readonly tasksDone: number;
      readonly tasksFailed: number;
      readonly tasksTotal: number;
      readonly states: readonly TaskState[];
    };

export interface CompactionRunOptions {
  readonly sink: SinkSpec;
  /** Default: the plan's worker count. */
  readonly workers?: number;
  /** Extra attempts per task (default 2). */
  readonly retries?: number;
  /** `threads` (default): piscina worker threads. `inline`: in this thread, for debugging and tests. */
  readonly pool?: 'threads' | 'inline';
  /** The compiled worker entry (default: compactWorkerFile()). */
  readonly workerFile?: string;
  readonly sourceOptions?: BackupSourceOpenOptions;
  readonly batch?: RawBatchOptions;
  readonly refine?: boolean;
  readonly verifyChecksums?: boolean;
  readonly readAheadBytes?: number;
  /** V8 old-generation limit per worker, MiB (default: Node's). */
  readonly workerHeapMb?: number;
  readonly onEvent?: (e: CompactionEvent) => void;
  /**
   * Cancels the run: no further task starts, worker threads are terminated, uncommitted attempt output is
   * removed, and the run rejects with `compactor: run cancelled: <reason>` (see the module comment).
   */
  readonly signal?: AbortSignal;
  /** Test hooks: end the worker thread of a task mid-way on one attempt. */
  readonly faults?: readonly {
    readonly taskId: number;
    readonly exitAfterRows: number;
    readonly onAttempt?: number;
  }[];
}

export interface TaskOutcome {
  readonly taskId: number;
  readonly range: TokenRange;
  readonly state: 'done' | 'failed';
  readonly attempts: number;
  readonly result?: TaskRunResult;
  readonly error?: DatamoveErrorData;
}

export interface CompactionRunResult {
  /** The job's reference time (seconds) and `--as-of` (µs), as recorded in the plan. */
  readonly now: number;
  readonly asOfMicros: number | undefined;
  readonly rows: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** In task (token) order. */
  readonly tasks: readonly TaskOutcome[];
  readonly failed: readonly TaskOutcome[];
  readonly elapsedMs: number;
}

interface Runner {
  run(msg: WorkerTaskMessage, onMessage: (m: WorkerPortMessage) => void): Promise<WorkerTaskReply>;
  /**
   * Ends the pool; idempotent (every call waits for the same end). Threads: terminated at once, resolved
   * when every thread has exited. Inline: resolved when the running tasks have returned (they check the
   * run's signal between partitions).
   */
  close(): Promise<void>;
}

/** A port's messages until the worker side closes it (so none is lost), bounded. */
async function portDrained(port: MessagePort, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    once(port, 'close'),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * The old-generation limit of each worker thread: its share of the plan's memory budget, less the main
 * thread and room for buffers outside the V8 heap. Without a limit V8 sizes a thread's heap by the
 * machine's RAM and lets garbage grow to gigabytes before collecting it (measured: 1.7 GiB RSS on a 2 GiB
 * table with one worker); with it, memory follows the budget, not the data.
 */
export function workerHeapMb(plan: CompactionPlan, workers: number): number {
  const budgetMb = plan.sizing.memoryBudgetBytes / 2 ** 20;
  return Math.max(128, Math.floor((budgetMb - 160) / workers / 1.5));
}

function threadRunner(
  ctx: TaskJobContext,
  workers: number,
  file: string,
  heapMb: number | undefined,
): Runner {
  const pool = new Piscina({
    filename: file,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    workerData: ctx,
    ...(heapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heapMb } }),
  });
  let closed: Promise<void> | undefined;
  return {
    async run(msg, onMessage) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: WorkerPortMessage) => onMessage(m));
      try {
        const reply = (await pool.run({ ...msg, port: port2 }, { transferList: [port2] })) as WorkerTaskReply;
        // the reply travels on piscina's port: let this task's last messages (progress, S3 failures) arrive
        await portDrained(port1, 1000);
        return reply;
      } finally {
        port1.close();
      }
    },
    close: () => {
      closed ??= pool.destroy();
      return closed;
    },
  };
}

function inlineRunner(ctx: TaskJobContext, workers: number, signal: AbortSignal | undefined): Runner {
  let active = 0;
  const waiting: (() => void)[] = [];
  const running = new Set<Promise<unknown>>();
  const run = async (
    msg: WorkerTaskMessage,
    onMessage: (m: WorkerPortMessage) => void,
  ): Promise<WorkerTaskReply> => {
    while (active >= workers) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: WorkerPortMessage) => onMessage(m));
      try {
        // faults end worker threads; inline there is no thread to end
        const { faults: _ignored, ...rest } = msg;
        return await compactTaskHandle({ ...rest, port: port2 }, ctx, signal);
      } finally {
        port1.close();
      }
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
  return {
    run(msg, onMessage) {
      const p = run(msg, onMessage);
      const settled = p.catch(() => {});
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return p;
    },
    close: async () => {
      await Promise.all([...running]);
      // tasks still queued behind `workers` start, see the aborted signal and return at once
      while (waiting.length > 0) waiting.shift()?.();
    },
  };
}

/** Runs every task of `plan`; resolves with per-task outcomes (failed tasks included). */
export async function compactionRun(
  plan: CompactionPlan,
  options: CompactionRunOptions,
): Promise<CompactionRunResult> {
  const started = Date.now();
  const workers = Math.max(1, options.workers ?? plan.workers);
  const retries = options.retries ?? 2;
  const signal = options.signal;
  const cancelled = () =>
    cancelledError('compactor', 'run', signal!, {
      tasks: plan.tasks.length,
      elapsedMs: Date.now() - started,
    });
  if (signal?.aborted) throw cancelled();
  /** Set when the run ends early (cancelled, or a task threw): nothing more may start. */
  let halted = false;
  const ctx = taskJobContext(plan, {
    ...(options.sourceOptions === undefined ? {} : { sourceOptions: options.sourceOptions }),
    ...(options.batch === undefined ? {} : { batch: options.batch }),
    ...(options.refine === undefined ? {} : { refine: options.refine }),
    ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
    ...(options.readAheadBytes === undefined ? {} : { readAheadBytes: options.readAheadBytes }),
  });
  const runner =
    options.pool === 'inline'
      ? inlineRunner(ctx, workers, signal)
      : threadRunner(
          ctx,
          workers,
          options.workerFile ?? compactWorkerFile(),
          options.workerHeapMb ?? workerHeapMb(plan, workers),
        );
  const emit = options.onEvent ?? (() => {});
  const n = plan.tasks.length;
  const states: TaskState[] = new Array(n).fill('queued');
  const bytes = new Float64Array(n);
  const rows = new Float64Array(n);
  let done = 0;
  let failed = 0;
  // aborted: terminate the threads now (tasks in flight reject; queued ones never start)
  const onAbort = (): void => {
    void runner.close();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const progress = (): void => {
    let b = 0;
    let r = 0;
    for (let i = 0; i < n; i++) {
      b += bytes[i]!;
      r += rows[i]!;
    }
    emit({
      type: 'progress',
      bytesRead: b,
      totalBytes: plan.totalBytes,
      rows: r,
      tasksDone: done,
      tasksFailed: failed,
      tasksTotal: n,
      states,
    });
  };

  const runTask = async (i: number): Promise<TaskOutcome> => {
    const task = plan.tasks[i]!;
    const fault = options.faults?.find((f) => f.taskId === task.id);
    let lastError: DatamoveErrorData | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (signal?.aborted) throw cancelled();
      if (halted) throw new Error(`compactor: task ${task.id} not started: the run ended`);
      states[i] = attempt === 0 ? 'running' : 'retrying';
      bytes[i] = 0;
      rows[i] = 0;
      emit({ type: 'task-start', taskId: task.id, attempt, range: task.range });
      let reply: WorkerTaskReply;
      try {
        reply = await runner.run(
          {
            task,
            attempt,
            sink: options.sink,
            ...(fault === undefined
              ? {}
              : { faults: { exitAfterRows: fault.exitAfterRows, onAttempt: fault.onAttempt ?? 0 } }),
          },
          (m) => {
            if ('s3Failure' in m) {
              s3FailureNotify(m.s3Failure.kind, m.s3Failure.operation);
              return;
            }
            bytes[i] = m.bytesRead;
            rows[i] = m.rows;
            emit({ type: 'task-progress', taskId: task.id, bytesRead: m.bytesRead, rows: m.rows });
            progress();
          },
        );
      } catch (e) {
        if (signal?.aborted) throw cancelled();
        // the worker thread died (crash, kill, out of memory): its sink never committed
        reply = {
          ok: false,
          error: {
            kind: 'Unexpected',
            message: `compactor: worker ended during task ${task.id}: ${(e as Error)?.message ?? String(e)}`,
            context: {},
            retryable: true,
          },
        };
      }
      if (reply.ok) {
        states[i] = 'done';
        bytes[i] = reply.result.bytesRead;
        rows[i] = reply.result.rows;
        done++;
        emit({ type: 'task-done', taskId: task.id, attempt, result: reply.result });
        progress();
        return {
          taskId: task.id,
          range: task.range,
          state: 'done',
          attempts: attempt + 1,
          result: reply.result,
        };
      }
      lastError = reply.error;
      await sinkAttemptDiscard(options.sink, task.id, attempt);
      if (signal?.aborted) throw cancelled();
      const permanent = reply.error.kind === 'InvalidArgument' || reply.error.kind === 'FeatureUnsupported';
      if (attempt < retries && !permanent) {
        emit({ type: 'task-retry', taskId: task.id, attempt, range: task.range, error: reply.error });
        continue;
      }
      break;
    }
    states[i] = 'failed';
    failed++;
    const error = lastError!;
    emit({ type: 'task-failed', taskId: task.id, attempt: retries, range: task.range, error });
    progress();
    return { taskId: task.id, range: task.range, state: 'failed', attempts: retries + 1, error };
  };

  let outcomes: TaskOutcome[];
  try {
    const all = plan.tasks.map((_, i) => runTask(i));
    try {
      outcomes = await Promise.all(all);
    } catch (e) {
      // cancelled (or a bug): the other tasks end with the pool; none may still write after the sweep
      halted = true;
      await runner.close();
      await Promise.allSettled(all);
      throw e;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await runner.close();
    // a worker thread that was killed may still have had a file creation in flight when its attempt was
    // discarded: once every thread is gone, sweep the attempts of every task again
    for (const task of plan.tasks) {
      for (let attempt = 0; attempt <= retries; attempt++)
        await sinkAttemptDiscard(options.sink, task.id, attempt);
    }
  }
  // aborted as the last task finished: the caller must not publish what it asked to stop
  if (signal?.aborted) throw cancelled();
  const ok = outcomes.filter((o) => o.state === 'done');
  return {
    now: plan.now,
    asOfMicros: plan.asOfMicros,
    rows: ok.reduce((x, o) => x + o.result!.rows, 0),
    bytesRead: ok.reduce((x, o) => x + o.result!.bytesRead, 0),
    totalBytes: plan.totalBytes,
    tasks: outcomes,
    failed: outcomes.filter((o) => o.state === 'failed'),
    elapsedMs: Date.now() - started,
  };
}
