/**
 * The seam between a connector's legacy implementation (legacy-raw.ts, legacy-kv.ts) and the shared
 * write-and-commit step of legacy-job.ts: each stages and reconciles its tables in DuckDB, then hands over
 * the declared target and a stream of target-schema batches; legacy-job.ts writes them with the Iceberg
 * DataWriter and commits ONE snapshot, the same way for every connector.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type * as arrow from 'apache-arrow';
import type { IssueSummary, TargetDecl } from '../../connectors/index.js';
import { cancelledError } from '../../core/index.js';
import type { BackupSource } from '../../reader/index.js';
import type { StageOptions } from './legacy-stage.js';

export interface LegacyPrepareInput {
  readonly db: DuckDBInstance;
  /** A connection with nothing staged yet. */
  readonly conn: DuckDBConnection;
  readonly source: BackupSource;
  /** Staging options but the table (the connector knows which tables it reads). */
  readonly stage: Omit<StageOptions, 'table'>;
  /** Reference time for TTLs, seconds. */
  readonly now: number;
  readonly onPhase?: (phase: string) => void;
  /** Cancels the run (legacy-job.ts): every connection opened must be handed to `legacyInterruptOn`. */
  readonly signal?: AbortSignal;
}

/** Throws the legacy path's cancellation error once `signal` is aborted. */
export function legacyAbortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError('legacy', 'run', signal);
}

/**
 * Interrupts the query `conn` runs (DuckDB's `interrupt()`: it fails with an INTERRUPT error) as soon as
 * `signal` aborts. Returns the function that stops listening.
 */
export function legacyInterruptOn(signal: AbortSignal | undefined, conn: DuckDBConnection): () => void {
  if (signal === undefined) return () => {};
  const interrupt = (): void => {
    try {
      conn.interrupt();
    } catch {
      // the connection is closed: nothing runs on it
    }
  };
  if (signal.aborted) interrupt();
  signal.addEventListener('abort', interrupt, { once: true });
  return () => signal.removeEventListener('abort', interrupt);
}

export interface LegacyPrepared {
  /** Connector name recorded with the table and the snapshot. */
  readonly connector: string;
  readonly decl: TargetDecl;
  /** Batches of the target's Arrow schema, pulled once. */
  readonly batches: AsyncIterable<arrow.RecordBatch>;
  /** Cells staged over every table read. */
  readonly cells: number;
  readonly sstables: number;
  readonly backupIds: readonly string[];
  /** Skipped items per kind, filled while `batches` is pulled (same shape as the new path's). */
  readonly issues: IssueSummary;
}

/** Adds one skipped item to `issues` (count, and up to 5 samples per kind). */
export function legacyIssueAdd(issues: IssueSummary, kind: string, item: string): void {
  const s = issues[kind] ?? { count: 0, samples: [] };
  issues[kind] = s;
  s.count++;
  if (s.samples.length < 5) s.samples.push(item);
}
