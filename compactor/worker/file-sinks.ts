/**
 * File members of the `TaskSink` family, part of the worker side (the only compactor code that touches
 * `node:fs`): each attempt writes `task-<id>.attempt-<n>.<ext>` and `commit` renames it to
 * `task-<id>.<ext>`; `abort` deletes it, so a failed attempt's partial output never survives.
 * - `jsonl`: live rows as JSON lines with the corpus value conventions (the development output of
 *   `datamove compact --out`);
 * - `arrow-file`: the batches as an Arrow IPC stream file — where the Parquet writer will plug in.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import type { TableModel } from '../../reader/index.js';
import type { LiveRow } from '../live-rows.js';
import { rowJsonFormatter } from '../row-json.js';
import { batchBytes, type TaskOutput, type TaskSink } from './task-sink.js';

function writeFile(stream: WriteStream, chunk: string | Uint8Array): Promise<void> | undefined {
  if (stream.write(chunk)) return undefined;
  return new Promise((resolve) => stream.once('drain', resolve));
}

function endFile(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

function bigintSafe(_k: string, x: unknown): unknown {
  return typeof x === 'bigint' ? x.toString() : x;
}

export function jsonLinesSink(dir: string, taskId: number, attempt: number, model: TableModel): TaskSink {
  const temp = join(dir, `task-${taskId}.attempt-${attempt}.jsonl`);
  const final = join(dir, `task-${taskId}.jsonl`);
  const stream = createWriteStream(temp);
  const fmt = rowJsonFormatter(model);
  let rows = 0;
  let bytes = 0;
  return {
    accepts: 'rows',
    async writeBatch() {
      throw new Error('jsonl sink takes rows');
    },
    async writeRow(row: LiveRow) {
      const line = `${JSON.stringify(fmt.format(row), bigintSafe)}\n`;
      rows++;
      bytes += line.length;
      await writeFile(stream, line);
    },
    async commit(): Promise<TaskOutput> {
      await endFile(stream);
      await rename(temp, final);
      return { rows, batches: 0, bytes, file: final };
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
}

export function arrowFileSink(dir: string, taskId: number, attempt: number): TaskSink {
  const temp = join(dir, `task-${taskId}.attempt-${attempt}.arrows`);
  const final = join(dir, `task-${taskId}.arrows`);
  const stream = createWriteStream(temp);
  let writer: arrow.RecordBatchStreamWriter | undefined;
  let piped: Promise<void> | undefined;
  let rows = 0;
  let batches = 0;
  let bytes = 0;
  return {
    accepts: 'batches',
    async writeBatch(b) {
      if (writer === undefined) {
        writer = new arrow.RecordBatchStreamWriter();
        const out = writer.toNodeStream();
        out.pipe(stream);
        piped = new Promise((resolve, reject) => {
          stream.once('finish', resolve);
          stream.once('error', reject);
        });
      }
      writer.write(b);
      rows += b.numRows;
      batches++;
      bytes += batchBytes(b);
      if (stream.writableNeedDrain)
        await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    },
    async writeRow() {
      throw new Error('arrow-file sink takes batches');
    },
    async commit(): Promise<TaskOutput> {
      if (writer) {
        writer.close();
        await piped;
      } else await endFile(stream);
      await rename(temp, final);
      return { rows, batches, bytes, file: final };
    },
    async abort() {
      stream.destroy();
      await rm(temp, { force: true });
    },
  };
}

/**
 * Removes whatever a failed attempt left (a worker thread that died cannot abort its own sink): called by
 * the executor after every failed attempt; a no-op for sinks without files.
 */
export async function sinkAttemptDiscard(
  spec: { readonly kind: string; readonly dir?: string },
  taskId: number,
  attempt: number,
): Promise<void> {
  if (spec.dir === undefined) return;
  for (const ext of ['jsonl', 'arrows'])
    await rm(join(spec.dir, `task-${taskId}.attempt-${attempt}.${ext}`), { force: true });
}
