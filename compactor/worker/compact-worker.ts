/**
 * The piscina worker entry (compiled to dist/compactor/worker/compact-worker.js, which the pool loads):
 * runs one task per call with the job context from `workerData`, writes through the sink the main thread
 * asked for, reports progress on the task's MessagePort, and returns plain data — the task output's
 * metadata, or the error as `{kind, message, context}`. A collecting sink's Arrow IPC bytes are
 * transferred (`Piscina.move`), never cloned.
 *
 * S3 request failures of the task (storage/s3/s3-errors.ts) are posted on the same port as
 * `{s3Failure: {kind, operation}}`: this thread's failure listeners are not the main thread's, so the pool
 * re-emits them there (the metrics' `datamove_s3_request_failures_total`).
 *
 * `faults` exists for tests: `exitAfterRows` ends the worker thread abruptly mid-task (as a crash or an
 * OOM kill would), on the given attempt only.
 */
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { DatamoveError, type DatamoveErrorData } from '../../core/index.js';
import type { TableModel } from '../../reader/index.js';
import { type S3FailureKind, s3FailureListen } from '../../storage/index.js';
import type { CompactionTask } from '../plan/plan-model.js';
import { arrowFileSink, jsonLinesSink } from './file-sinks.js';
import { moduleSink } from './module-sink.js';
import { compactionTaskRun, type TaskJobContext, type TaskProgress, type TaskRunResult } from './task-run.js';
import { collectingSink, countingSink, type SinkSpec, type TaskSink } from './task-sink.js';

export interface WorkerTaskMessage {
  readonly task: CompactionTask;
  readonly attempt: number;
  readonly sink: SinkSpec;
  /** Progress reports go here (transferred with the task). */
  readonly port?: MessagePort;
  /** The job context, when not given as the pool's `workerData` (inline runs). */
  readonly context?: TaskJobContext;
  readonly faults?: { readonly exitAfterRows?: number; readonly onAttempt?: number };
}

/** What a worker posts on a task's port: progress, or one failed S3 request. */
export type WorkerPortMessage =
  | TaskProgress
  | { readonly s3Failure: { readonly kind: S3FailureKind; readonly operation: string } };

export type WorkerTaskReply =
  | { readonly ok: true; readonly result: TaskRunResult }
  | { readonly ok: false; readonly error: DatamoveErrorData };

export function sinkCreate(
  spec: SinkSpec,
  taskId: number,
  attempt: number,
  model: TableModel,
  now = 0,
): TaskSink {
  switch (spec.kind) {
    case 'count':
      return countingSink();
    case 'collect':
      return collectingSink();
    case 'jsonl':
      return jsonLinesSink(spec.dir, taskId, attempt, model);
    case 'arrow-file':
      return arrowFileSink(spec.dir, taskId, attempt);
    case 'module':
      return moduleSink(spec.module, spec.options, { taskId, attempt, model, now }, spec.accepts);
  }
}

export function errorToData(e: unknown): DatamoveErrorData {
  if (e instanceof DatamoveError) return e.toData();
  const err = e as Error;
  return {
    kind: 'Unexpected',
    message: `compactor: ${err?.message ?? String(e)}`,
    context: {},
    retryable: true,
  };
}

/**
 * One task: the function piscina calls (and the inline pool too, with the run's `signal`, checked between
 * partitions; a worker thread is terminated instead).
 */
export async function compactTaskHandle(
  msg: WorkerTaskMessage,
  workerContext?: TaskJobContext,
  signal?: AbortSignal,
): Promise<WorkerTaskReply> {
  const ctx = msg.context ?? workerContext;
  if (ctx === undefined) {
    return {
      ok: false,
      error: {
        kind: 'Unexpected',
        message: 'compactor: worker has no job context',
        context: {},
        retryable: false,
      },
    };
  }
  const exitAfter =
    msg.faults?.exitAfterRows !== undefined && (msg.faults.onAttempt ?? 0) === msg.attempt
      ? msg.faults.exitAfterRows
      : undefined;
  const onProgress = (p: TaskProgress): void => {
    msg.port?.postMessage(p);
    if (exitAfter !== undefined && p.rows >= exitAfter) process.exit(1);
  };
  try {
    const result = await compactionTaskRun(
      ctx,
      msg.task,
      (model) => sinkCreate(msg.sink, msg.task.id, msg.attempt, model, ctx.now),
      { onProgress, ...(signal === undefined ? {} : { signal }) },
    );
    return { ok: true, result };
  } catch (e) {
    return { ok: false, error: errorToData(e) };
  } finally {
    msg.port?.close();
  }
}

/** The piscina entry point. */
export default async function compactWorker(msg: WorkerTaskMessage): Promise<WorkerTaskReply> {
  const port = msg.port;
  // one task at a time per thread (piscina's default): every failure heard now is this task's
  const unlisten = s3FailureListen((kind, operation) => {
    const m: WorkerPortMessage = { s3Failure: { kind, operation } };
    try {
      port?.postMessage(m);
    } catch {
      // the port is closed: the task is over
    }
  });
  let reply: WorkerTaskReply;
  try {
    reply = await compactTaskHandle(msg, Piscina.workerData as TaskJobContext | undefined);
  } finally {
    unlisten();
  }
  if (reply.ok && reply.result.ipc !== undefined) {
    // hand the Arrow bytes over without a copy: the reply travels with its buffer in the transfer list
    const movable = {
      [Piscina.transferableSymbol]: [reply.result.ipc.buffer],
      [Piscina.valueSymbol]: reply,
    };
    return Piscina.move(movable as unknown as ArrayBufferView) as unknown as WorkerTaskReply;
  }
  return reply;
}
