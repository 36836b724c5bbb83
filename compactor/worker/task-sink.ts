/**
 * Where a task's output goes, inside the worker that produced it. The design keeps batches in the worker:
 * the connector and the Parquet writer will be `TaskSink`s (or wrap one), and the main thread receives only
 * what `commit` returns — file metadata, counts — never the rows. A task attempt writes through its own
 * sink; `commit` publishes the output once the task succeeded, `abort` discards a failed attempt's partial
 * output, so a retried task never leaves duplicates.
 *
 * Members: counting (here), collecting (here: batches returned as Arrow IPC bytes, transferred without a
 * copy), and file sinks in file-sinks.ts (JSON lines, Arrow IPC files).
 */
import * as arrow from 'apache-arrow';
import type { LiveRow } from '../live-rows.js';

/** What a committed task output says about itself (plain data, sent to the main thread). */
export interface TaskOutput {
  readonly rows: number;
  readonly batches: number;
  /** Arrow buffer bytes of the batches (or bytes written, for file sinks). */
  readonly bytes: number;
  /** A file the output was published to. */
  readonly file?: string;
  /** Arrow IPC stream bytes (collecting sink), transferred. */
  readonly ipc?: Uint8Array;
  /** Sink-specific plain data (module sinks: e.g. the data files a connector wrote), cloned to the main thread. */
  readonly detail?: unknown;
}

export interface TaskSink {
  /**
   * `batches`: the sink receives Arrow RecordBatches (the production path). `rows`: it receives live rows
   * (the development JSON lines output, which prints values with the corpus conventions).
   */
  readonly accepts: 'batches' | 'rows';
  writeBatch(batch: arrow.RecordBatch): Promise<void>;
  writeRow(row: LiveRow): Promise<void>;
  commit(): Promise<TaskOutput>;
  abort(): Promise<void>;
}

/** How the main thread asks for a sink (plain data: the worker builds it). */
export type SinkSpec =
  | { readonly kind: 'count' }
  | { readonly kind: 'collect' }
  | { readonly kind: 'jsonl'; readonly dir: string }
  | { readonly kind: 'arrow-file'; readonly dir: string }
  /**
   * A sink from a module the worker imports (an extension point for later stages, e.g. connectors): the
   * module exports `taskSinkCreate(options, {taskId, attempt, model, now})` (see module-sink.ts). `accepts`
   * says what it takes (default `batches`; `rows` for sinks that need the cells themselves, e.g. an SSTable
   * writer keeping write times and TTLs).
   */
  | {
      readonly kind: 'module';
      readonly module: string;
      readonly options: unknown;
      readonly accepts?: 'batches' | 'rows';
    };

export function batchBytes(batch: arrow.RecordBatch): number {
  let n = 0;
  const visit = (d: arrow.Data): void => {
    for (const b of [d.values, d.valueOffsets, d.nullBitmap] as (ArrayBufferView | undefined)[])
      n += b?.byteLength ?? 0;
    for (const c of d.children) visit(c);
  };
  visit(batch.data);
  return n;
}

/** Counts rows and bytes, keeps nothing. */
export function countingSink(): TaskSink {
  let rows = 0;
  let batches = 0;
  let bytes = 0;
  return {
    accepts: 'batches',
    async writeBatch(b) {
      rows += b.numRows;
      batches++;
      bytes += batchBytes(b);
    },
    async writeRow() {
      rows++;
    },
    commit: async () => ({ rows, batches, bytes }),
    abort: async () => {},
  };
}

/** Keeps the batches and returns them as one Arrow IPC stream (for tests and small tables). */
export function collectingSink(): TaskSink {
  const kept: arrow.RecordBatch[] = [];
  let rows = 0;
  let bytes = 0;
  return {
    accepts: 'batches',
    async writeBatch(b) {
      kept.push(b);
      rows += b.numRows;
      bytes += batchBytes(b);
    },
    async writeRow() {
      throw new Error('collecting sink takes batches');
    },
    async commit() {
      const batches = kept.length;
      const ipc = batches === 0 ? undefined : arrow.tableToIPC(new arrow.Table(kept), 'stream');
      kept.length = 0;
      return { rows, batches, bytes, ...(ipc === undefined ? {} : { ipc }) };
    },
    abort: async () => {
      kept.length = 0;
    },
  };
}
