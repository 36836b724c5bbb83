/**
 * The `module` member of the `TaskSink` family: a sink implemented outside the compactor (connectors, which
 * sit downstream and may not be imported from here) and loaded by the worker by module path. The module
 * exports `taskSinkCreate(options, task)`; `options` is the plain data of the `SinkSpec`, so the main
 * thread decides everything and the worker only builds. Modules are imported once per worker thread.
 *
 * `sinkCreate` is synchronous while `import()` is not, so the sink returned here defers to the real one,
 * created on first use. Module sinks take Arrow batches, or live rows when the spec says `accepts: 'rows'`
 * (the compactor must know before the module is loaded, to build batches or not).
 */
import type * as arrow from 'apache-arrow';
import type { TableModel } from '../../reader/index.js';
import type { LiveRow } from '../live-rows.js';
import type { TaskOutput, TaskSink } from './task-sink.js';

/** What a module sink is told about its task. */
export interface ModuleSinkTask {
  readonly taskId: number;
  readonly attempt: number;
  readonly model: TableModel;
  /** The job's reference time, seconds. */
  readonly now: number;
}

/** The export a sink module provides. */
export type ModuleSinkCreate = (options: unknown, task: ModuleSinkTask) => Promise<TaskSink>;

const loaded = new Map<string, Promise<ModuleSinkCreate>>();

async function load(module: string): Promise<ModuleSinkCreate> {
  const m = (await import(module)) as { taskSinkCreate?: unknown };
  if (typeof m.taskSinkCreate !== 'function')
    throw new Error(`module sink ${module} does not export taskSinkCreate`);
  return m.taskSinkCreate as ModuleSinkCreate;
}

export function moduleSink(
  module: string,
  options: unknown,
  task: ModuleSinkTask,
  accepts: 'batches' | 'rows' = 'batches',
): TaskSink {
  let inner: Promise<TaskSink> | undefined;
  const get = (): Promise<TaskSink> => {
    if (inner === undefined) {
      let create = loaded.get(module);
      if (create === undefined) {
        create = load(module);
        loaded.set(module, create);
      }
      inner = create.then((f) => f(options, task));
    }
    return inner;
  };
  return {
    accepts,
    async writeBatch(b: arrow.RecordBatch) {
      await (await get()).writeBatch(b);
    },
    async writeRow(row: LiveRow) {
      await (await get()).writeRow(row);
    },
    async commit(): Promise<TaskOutput> {
      return (await get()).commit();
    },
    async abort() {
      if (inner !== undefined) await (await inner.catch(() => undefined))?.abort();
    },
  };
}
