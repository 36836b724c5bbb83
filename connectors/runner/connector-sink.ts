/**
 * The worker side of a connector job: a compactor `TaskSink` (loaded through the compactor's `module` sink)
 * that runs inside the worker which compacted the rows. For a `main` source it streams the raw batches
 * through the connector's `transform`, checks every output batch against the declared schema and writes
 * it with the Iceberg `DataWriter` (Parquet, partitioned fan-out, rolling files); `commit` returns only the
 * data files' metadata and the per-item issues. For a `keyed` source it writes the keyed store
 * (keyed-store.ts). Batches never leave the worker.
 *
 * The compactor pushes batches (`writeBatch`) while a transform pulls a stream: a one-slot channel joins
 * the two, so at most one raw batch waits and a slow writer slows the compactor down (backpressure).
 */
import type * as arrow from 'apache-arrow';
import type { ModuleSinkTask, TaskOutput, TaskSink } from '../../compactor/index.js';
import type { DataFile, IcebergSchema, PartitionSpec, S3FileIOOptions } from '../../iceberg-writer/index.js';
import {
  type ArrowSchemaOptions,
  arrowSchemaFromIceberg,
  DataWriter,
  ResolvingFileIO,
} from '../../iceberg-writer/index.js';
import type { ConnectorIssue } from '../connector.js';
import { connectorBatchCheck, connectorError } from '../connector-check.js';
import { type ConnectorRef, connectorOptionsResolve, connectorResolve } from '../registry.js';
import { KeyedStoreReader, KeyedStoreWriter, type KeyedTaskStore } from './keyed-store.js';

/** Plain data the main thread sends with every task of a pass. */
export interface ConnectorSinkOptions {
  readonly connector: ConnectorRef;
  readonly connectorOptions: unknown;
  readonly source: string;
  readonly role: 'main' | 'keyed';
  /** keyed: key columns and the folder of the store files. */
  readonly key?: readonly string[];
  readonly storeDir?: string;
  /** main: where and what to write. */
  readonly target?: {
    readonly location: string;
    readonly schema: IcebergSchema;
    readonly spec: PartitionSpec;
    readonly arrowOptions?: ArrowSchemaOptions;
    readonly filePrefix: string;
    readonly writer?: unknown;
    readonly s3?: S3FileIOOptions;
  };
  /** main: keyed source name → index file. */
  readonly stores?: Readonly<Record<string, string>>;
}

/** Per-item issues of a task: count and up to 5 sample items per kind. */
export type IssueSummary = Record<string, { count: number; samples: string[] }>;

export interface ConnectorTaskDetail {
  readonly files?: readonly DataFile[];
  readonly store?: KeyedTaskStore;
  readonly issues: IssueSummary;
  readonly rowsIn: number;
}

/** A one-slot channel from pushes to an async iterable. */
class Channel implements AsyncIterable<arrow.RecordBatch> {
  #slot: arrow.RecordBatch | undefined;
  #ended = false;
  #failed: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  async push(b: arrow.RecordBatch): Promise<void> {
    while (this.#slot !== undefined && this.#failed === undefined)
      await new Promise<void>((r) => {
        this.#wakeProducer = r;
      });
    if (this.#failed !== undefined) throw this.#failed;
    this.#slot = b;
    this.#wakeConsumer?.();
  }

  end(): void {
    this.#ended = true;
    this.#wakeConsumer?.();
  }

  /** The consumer stopped (error): pushes fail from now on. */
  fail(e: unknown): void {
    this.#failed = e;
    this.#slot = undefined;
    this.#wakeProducer?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<arrow.RecordBatch> {
    for (;;) {
      while (this.#slot === undefined && !this.#ended)
        await new Promise<void>((r) => {
          this.#wakeConsumer = r;
        });
      const b = this.#slot;
      if (b === undefined) return;
      this.#slot = undefined;
      this.#wakeProducer?.();
      yield b;
    }
  }
}

export async function taskSinkCreate(input: unknown, task: ModuleSinkTask): Promise<TaskSink> {
  const o = input as ConnectorSinkOptions;
  const name = 'name' in o.connector ? o.connector.name : o.connector.module;
  if (o.role === 'keyed') {
    const w = new KeyedStoreWriter(
      o.storeDir!,
      `${o.source}-task-${task.taskId}.attempt-${task.attempt}`,
      o.key ?? [],
    );
    return {
      accepts: 'batches',
      async writeBatch(b) {
        w.write(b);
      },
      async writeRow() {
        throw new Error('connector sink takes batches');
      },
      async commit(): Promise<TaskOutput> {
        const store = await w.commit();
        const detail: ConnectorTaskDetail = { store, issues: {}, rowsIn: w.rows };
        return { rows: w.rows, batches: store.segments.length, bytes: 0, detail };
      },
      abort: () => w.abort(),
    };
  }

  const connector = await connectorResolve(o.connector);
  const options = connectorOptionsResolve(connector, o.connectorOptions);
  const t = o.target!;
  const io = new ResolvingFileIO(t.s3 === undefined ? {} : { s3: t.s3 });
  const writer = new DataWriter({
    io,
    location: t.location,
    schema: t.schema,
    spec: t.spec,
    ...(t.arrowOptions === undefined ? {} : { arrowOptions: t.arrowOptions }),
    ...(t.writer === undefined ? {} : { options: t.writer }),
    filePrefix: `${t.filePrefix}-t${task.taskId}-a${task.attempt}`,
  });
  const schema = arrowSchemaFromIceberg(t.schema, t.arrowOptions);
  const readers = new Map<string, Promise<KeyedStoreReader>>();
  const issues: IssueSummary = {};
  const channel = new Channel();
  let rowsIn = 0;
  let rowsOut = 0;
  let batchesOut = 0;
  const stream = connector.transform(channel, {
    connector: connector.name,
    options,
    source: o.source,
    model: task.model,
    schema,
    now: task.now,
    async *lookup(source: string, key: string) {
      const file = o.stores?.[source];
      if (file === undefined) return;
      let r = readers.get(source);
      if (r === undefined) {
        r = KeyedStoreReader.open(file);
        readers.set(source, r);
      }
      yield* (await r).lookup(key);
    },
    report(issue: ConnectorIssue) {
      const s = issues[issue.kind] ?? { count: 0, samples: [] };
      issues[issue.kind] = s;
      s.count++;
      if (s.samples.length < 5) s.samples.push(issue.item);
    },
  });
  const consumer = (async () => {
    try {
      for await (const out of stream) {
        connectorBatchCheck(connector.name, out, schema);
        await writer.write(out);
        rowsOut += out.numRows;
        batchesOut++;
      }
    } catch (e) {
      const err = connectorError(connector.name ?? name, e);
      channel.fail(err);
      throw err;
    }
  })();
  consumer.catch(() => {});
  const closeReaders = async (): Promise<void> => {
    for (const r of readers.values()) (await r.catch(() => undefined))?.close();
  };
  return {
    accepts: 'batches',
    async writeBatch(b) {
      rowsIn += b.numRows;
      await channel.push(b);
    },
    async writeRow() {
      throw new Error('connector sink takes batches');
    },
    async commit(): Promise<TaskOutput> {
      channel.end();
      try {
        await consumer;
        const files = await writer.close();
        const detail: ConnectorTaskDetail = { files, issues, rowsIn };
        return {
          rows: rowsOut,
          batches: batchesOut,
          bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0),
          detail,
        };
      } finally {
        await closeReaders();
        await io.close();
      }
    },
    async abort() {
      channel.fail(new Error('aborted'));
      await consumer.catch(() => {});
      await closeReaders();
      await io.close();
    },
  };
}
