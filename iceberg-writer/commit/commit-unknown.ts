/**
 * What a commit does when the catalog cannot say whether its swap happened (`CommitStateUnknown`: a REST
 * 5xx or a network failure after the request was sent, a failed SQL UPDATE). It looks for the run id in the
 * table — a few reads, as the catalog may be what is failing — and tells three answers apart:
 * - landed: the commit is done;
 * - not landed: the run id is not in the table, but the request may still land, so it is never retried
 *   (a retry could commit the run twice);
 * - could not tell: every read failed.
 * The last two raise `CommitStateUnknown` saying what the check found, and leave a marker
 * `metadata/datamove-commit-unknown-<commit id>.json` that makes `tableClean` refuse until the run is
 * re-run (idempotent on the run id). `tableClean` relies on that marker, so a marker that could not be
 * written is reported too: in the error and as a warning.
 */
import { DatamoveError } from '../../core/index.js';
import type { Catalog, LoadedTable, TableIdentifier } from '../catalog/catalog.js';
import { errorLine } from '../errors.js';
import { locationJoin } from '../io/file-io.js';
import type { Snapshot, TableMetadata } from '../metadata/table-metadata.js';
import type { ResolvedCommitHooks } from './commit-hooks.js';

/** Prefix of the marker files left when a commit state is unknown. */
export const UNKNOWN_MARKER_PREFIX = 'datamove-commit-unknown-';

/** Reads of the table before the check gives up. */
const CHECK_READS = 3;

export interface UnknownCommit {
  readonly runId: string;
  /** Names the marker: unique per commit call. */
  readonly commitId: string;
  readonly snapshotId: bigint;
  /** `<table location>/metadata`. */
  readonly metaDir: string;
  /** Wait between two reads of the check. */
  readonly retryMs: number;
  /** The snapshot that committed the run, if any. */
  readonly find: (m: TableMetadata) => Snapshot | undefined;
}

type Check =
  | { readonly state: 'landed'; readonly table: LoadedTable; readonly snapshot: Snapshot }
  | { readonly state: 'not-landed' }
  | { readonly state: 'unknown'; readonly error: unknown };

async function landedCheck(
  catalog: Catalog,
  id: TableIdentifier,
  c: UnknownCommit,
  hooks: ResolvedCommitHooks,
): Promise<Check> {
  let error: unknown;
  for (let i = 0; i < CHECK_READS; i++) {
    if (i > 0) await hooks.sleep(c.retryMs);
    let table: LoadedTable;
    try {
      table = await catalog.loadTable(id);
    } catch (e) {
      error = e;
      continue;
    }
    const snapshot = c.find(table.metadata);
    return snapshot === undefined ? { state: 'not-landed' } : { state: 'landed', table, snapshot };
  }
  return { state: 'unknown', error };
}

/**
 * Resolves `error` (a `CommitStateUnknown` from `catalog.commitTable`): the table and snapshot when the
 * commit landed after all; otherwise writes the marker and throws the `CommitStateUnknown` to report.
 */
export async function commitUnknownResolve(
  catalog: Catalog,
  id: TableIdentifier,
  error: DatamoveError,
  c: UnknownCommit,
  hooks: ResolvedCommitHooks,
): Promise<{ table: LoadedTable; snapshot: Snapshot }> {
  const check = await landedCheck(catalog, id, c, hooks);
  if (check.state === 'landed') return check;
  const found =
    check.state === 'not-landed'
      ? `run ${c.runId} is not in the table (the request may still land, so it is not retried)`
      : `whether run ${c.runId} landed could not be checked (${CHECK_READS} reads of the table failed, the last: ${errorLine(check.error)})`;
  const marker = locationJoin(c.metaDir, `${UNKNOWN_MARKER_PREFIX}${c.commitId}.json`);
  let markerError: unknown;
  try {
    await catalog.io.write(
      marker,
      new TextEncoder().encode(
        JSON.stringify({ runId: c.runId, snapshotId: String(c.snapshotId), at: hooks.now() }),
      ),
    );
  } catch (e) {
    markerError = e;
  }
  if (markerError !== undefined) {
    hooks.warn(
      `iceberg: run ${c.runId}: the commit state is unknown and the marker ${marker} could not be written (${errorLine(markerError)}); table clean cannot see it: re-run the run before cleaning`,
    );
  }
  const next =
    markerError === undefined
      ? `marker ${marker} written: re-run the run (idempotent) before table clean`
      : `the marker ${marker} could not be written (${errorLine(markerError)}), so table clean cannot see it: re-run the run (idempotent) before cleaning`;
  throw new DatamoveError('CommitStateUnknown', `${error.message}; ${found}; ${next}`, {
    context: {
      ...error.context,
      runId: c.runId,
      snapshotId: String(c.snapshotId),
      check: check.state,
      marker,
      markerWritten: markerError === undefined,
    },
    cause: error,
  });
}
