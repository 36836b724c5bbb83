/**
 * The worker side of `restore --to sstables`: a compactor `TaskSink` module (loaded through the compactor's
 * `module` sink with `accepts: 'rows'`) that writes one compaction task's live rows as `nb` SSTables inside
 * the worker which merged them, so the tasks of a restore run in parallel on the pool like `datamove run`.
 *
 * A task is a token range and its rows arrive in token order, so each task has its own `SSTableSetWriter`
 * (sstable-set-writer.ts) with its own generation, `task id + 1`: the tasks of one target range write
 * separate SSTables (`nb-<generation>-big-*`) into the same folder, which Cassandra accepts (`nodetool
 * import` takes every SSTable of the folder). A task crossing a boundary of `--topology` splits its output
 * at the boundary (one writer per range, at most two open: the current range and the wrapping first one).
 *
 * An attempt writes under `<root>/.restore-staging/task-<id>.attempt-<n>/`; `commit` moves its files into
 * `<root>/<set folder>/` (names are unique per task, so a retried task after a commit that died half-way
 * renames the same names again) and returns what it wrote; `abort` removes the attempt's folder. What a
 * worker that died leaves in the staging folder is removed by the main thread (restore-run.ts).
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModuleSinkTask, TaskOutput, TaskSink } from '../../compactor/index.js';
import type { WriterCompression } from '../../sstable-writer/index.js';
import { SSTableSetWriter, type WrittenSet } from './sstable-set-writer.js';
import type { Topology } from './tokenmap.js';

/** The staging folder of a restore's attempts, under the output root. */
export const RESTORE_STAGING = '.restore-staging';

/** Plain data the main thread sends with every task. */
export interface SSTableTaskSinkOptions {
  /** The restore's local output (or staging) root. */
  readonly root: string;
  /** `<table>-<table id>`. */
  readonly tableDir: string;
  readonly topology?: Topology;
  readonly compression?: WriterCompression;
}

/** What a committed task returns (`TaskOutput.detail`): the sets it wrote, files already in place. */
export interface SSTableTaskDetail {
  readonly sets: readonly WrittenSet[];
}

/** The SSTable generation a task writes. */
export function taskGeneration(taskId: number): number {
  return taskId + 1;
}

export async function taskSinkCreate(input: unknown, task: ModuleSinkTask): Promise<TaskSink> {
  const o = input as SSTableTaskSinkOptions;
  const staging = join(o.root, RESTORE_STAGING, `task-${task.taskId}.attempt-${task.attempt}`);
  const writer = new SSTableSetWriter(
    staging,
    task.model,
    o.tableDir,
    undefined,
    o.topology,
    o.compression ?? 'lz4',
    taskGeneration(task.taskId),
  );
  return {
    accepts: 'rows',
    async writeBatch() {
      throw new Error('restore: the SSTable sink takes rows');
    },
    writeRow: (row) => writer.add(row),
    async commit(): Promise<TaskOutput> {
      const sets = await writer.finish();
      for (const s of sets) {
        const from = join(staging, ...s.folder.split('/'));
        const to = join(o.root, ...s.folder.split('/'));
        await mkdir(to, { recursive: true });
        for (const f of s.files) await rename(join(from, f.name), join(to, f.name));
      }
      await rm(staging, { recursive: true, force: true });
      const detail: SSTableTaskDetail = { sets };
      return {
        rows: sets.reduce((n, s) => n + s.rows, 0),
        batches: 0,
        bytes: sets.reduce((n, s) => n + s.files.reduce((m, f) => m + f.size, 0), 0),
        detail,
      };
    },
    async abort() {
      await writer.abort();
      await rm(staging, { recursive: true, force: true });
    },
  };
}
