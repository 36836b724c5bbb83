/**
 * Executes a plan: a piscina pool (or, for debugging and in-process tests, an inline pool) runs each task,
 * retrying a failed attempt (a thrown error, or the worker thread dying mid-task) up to `retries` times;
 * each attempt writes through its own sink, so a failed attempt's partial output is discarded. Outcomes
 * are results per task — `done` with its output metadata, or `failed` with the token range and the error
 * as plain `{kind, message, context}` — never a throw on the first failure. Progress (bytes of Data.db read
 * out of the plan's total, rows out, per-task state) is reported as events; the CLI draws its progress
 * line from them.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { DatamoveErrorData } from '../../core/errors.js';
import type { BackupSourceOpenOptions } from '../../reader/source/source-uri.js';
import type { RawBatchOptions } from '../arrow/raw-batch-builder.js';
import type { CompactionPlan, TokenRange } from '../plan/plan-model.js';
import { compactTaskHandle, type WorkerTaskMessage, type WorkerTaskReply } from '../worker/compact-worker.js';
import { sinkAttemptDiscard } from '../worker/file-sinks.js';
import {
  type TaskJobContext,
  type TaskProgress,
  type TaskRunResult,
  taskJobContext,
} from '../worker/task-run.js';
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
  run(msg: WorkerTaskMessage, onProgress: (p: TaskProgress) => void): Promise<WorkerTaskReply>;
  close(): Promise<void>;
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
  return {
    async run(msg, onProgress) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (p: TaskProgress) => onProgress(p));
      try {
        return (await pool.run({ ...msg, port: port2 }, { transferList: [port2] })) as WorkerTaskReply;
      } finally {
        port1.close();
      }
    },
    close: () => pool.destroy(),
  };
}

function inlineRunner(ctx: TaskJobContext, workers: number): Runner {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(msg, onProgress) {
      while (active >= workers) await new Promise<void>((r) => waiting.push(r));
      active++;
      try {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (p: TaskProgress) => onProgress(p));
        try {
          // faults end worker threads; inline there is no thread to end
          const { faults: _ignored, ...rest } = msg;
          return await compactTaskHandle({ ...rest, port: port2 }, ctx);
        } finally {
          port1.close();
        }
      } finally {
        active--;
        waiting.shift()?.();
      }
    },
    close: async () => {},
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
  const ctx = taskJobContext(plan, {
    ...(options.sourceOptions === undefined ? {} : { sourceOptions: options.sourceOptions }),
    ...(options.batch === undefined ? {} : { batch: options.batch }),
    ...(options.refine === undefined ? {} : { refine: options.refine }),
    ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
    ...(options.readAheadBytes === undefined ? {} : { readAheadBytes: options.readAheadBytes }),
  });
  const runner =
    options.pool === 'inline'
      ? inlineRunner(ctx, workers)
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
          (p) => {
            bytes[i] = p.bytesRead;
            rows[i] = p.rows;
            emit({ type: 'task-progress', taskId: task.id, bytesRead: p.bytesRead, rows: p.rows });
            progress();
          },
        );
      } catch (e) {
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
    outcomes = await Promise.all(plan.tasks.map((_, i) => runTask(i)));
  } finally {
    await runner.close();
    // a worker thread that was killed may still have had a file creation in flight when its attempt was
    // discarded: once every thread is gone, sweep the attempts of every task again
    for (const task of plan.tasks) {
      for (let attempt = 0; attempt <= retries; attempt++)
        await sinkAttemptDiscard(options.sink, task.id, attempt);
    }
  }
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
