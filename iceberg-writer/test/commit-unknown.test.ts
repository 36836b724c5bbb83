/**
 * A commit whose state the catalog cannot tell (`CommitStateUnknown`), on the embedded SQLite catalog with
 * faults injected around it: the check for the run id tells "landed", "not landed" and "could not tell"
 * apart, never retries the swap, and the marker `table clean` relies on is written — or, when it cannot
 * be, that is said in the error and in a warning. Waits go through an injected sleep: no real time passes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import type { SqlCatalog } from '../catalog/sql/sql-catalog.js';
import type { CommitHooks } from '../commit/commit-hooks.js';
import { UNKNOWN_MARKER_PREFIX } from '../commit/commit-unknown.js';
import { icebergCommit, snapshotOfRun } from '../commit/table-commit.js';
import { tableClean, tableFilesAt } from '../table/table-ops.js';
import { filesWrite, replaced, sqliteTableOpen } from './helpers.js';

const id: TableIdentifier = { namespace: ['ks'], name: 't' };
let inner: SqlCatalog;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ catalog: inner, close } = await sqliteTableOpen(id, 'dm-iceberg-unknown-'));
});
afterEach(() => close());

const unknown = () =>
  new DatamoveError('CommitStateUnknown', 'iceberg: commit of ks.t: server answered 502; state unknown', {
    context: { table: 'ks.t', status: 502 },
  });

/** Counts the swaps asked for; `landed` decides whether the unknown failure comes after the real swap. */
function flaky(landed: boolean, over: Partial<Catalog> = {}): { catalog: Catalog; swaps: () => number } {
  let swaps = 0;
  const catalog = replaced<Catalog>(inner, {
    async commitTable(tid, requirements, updates) {
      swaps++;
      if (landed) await inner.commitTable(tid, requirements, updates);
      throw unknown();
    },
    ...over,
  });
  return { catalog, swaps: () => swaps };
}

function recorded(): CommitHooks & { sleeps: number[]; warnings: string[] } {
  const sleeps: number[] = [];
  const warnings: string[] = [];
  return {
    sleeps,
    warnings,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    warn: (m) => warnings.push(m),
  };
}

async function markers(): Promise<string[]> {
  const loc = (await inner.loadTable(id)).metadata.location;
  return (await inner.io.list(`${loc}/metadata/`))
    .map((f) => f.uri)
    .filter((u) => u.slice(u.lastIndexOf('/') + 1).startsWith(UNKNOWN_MARKER_PREFIX));
}

async function failure(p: Promise<unknown>): Promise<DatamoveError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DatamoveError);
  return e as DatamoveError;
}

describe('a commit in an unknown state', () => {
  it('that landed after all is resolved through the run id, with one swap', async () => {
    const { catalog, swaps } = flaky(true);
    const h = recorded();
    const r = await icebergCommit(
      catalog,
      id,
      await filesWrite(catalog, id, 0, 10),
      { mode: 'append', runId: 'a' },
      h,
    );
    expect(r.alreadyCommitted).toBe(false);
    expect(swaps()).toBe(1);
    expect(snapshotOfRun((await inner.loadTable(id)).metadata, 'a')?.['snapshot-id']).toBe(r.snapshotId);
    expect(await markers()).toEqual([]);
    expect(h.warnings).toEqual([]);
  });

  it('that did not land is reported, not retried, and leaves the marker table clean refuses on', async () => {
    const { catalog, swaps } = flaky(false);
    const h = recorded();
    const files = await filesWrite(catalog, id, 0, 10);
    const e = await failure(icebergCommit(catalog, id, files, { mode: 'append', runId: 'b' }, h));
    expect(e.kind).toBe('CommitStateUnknown');
    expect(e.retryable).toBe(false);
    expect(e.context).toMatchObject({ check: 'not-landed', markerWritten: true, runId: 'b', status: 502 });
    expect(e.message).toMatch(
      /^iceberg: commit of ks\.t: server answered 502; state unknown; run b is not in the table \(the request may still land, so it is not retried\); marker .*datamove-commit-unknown-.*\.json written/,
    );
    expect(e.message).not.toContain('\n');
    expect(swaps()).toBe(1);
    expect(h.sleeps).toEqual([]);
    expect(await markers()).toEqual([e.context.marker]);
    await expect(tableClean(inner, id, { olderThanMs: 0 })).rejects.toMatchObject({
      kind: 'CommitStateUnknown',
    });
    // re-running the run commits it and unblocks clean
    await icebergCommit(inner, id, files, { mode: 'append', runId: 'b' });
    await tableClean(inner, id, { olderThanMs: 0, now: Date.now() + 1000 });
    expect((await tableFilesAt(inner, id)).files.reduce((a, f) => a + f.recordCount, 0)).toBe(10);
  });

  it('whose check cannot read the table is "could not tell": the load errors are in the error, no retry', async () => {
    let loads = 0;
    const { catalog, swaps } = flaky(false, {
      async loadTable(tid) {
        loads++;
        if (swaps() > 0) {
          throw new DatamoveError(
            'Unexpected',
            `iceberg: REST GET /v1/namespaces/ks/tables/t: 503 busy (read ${loads})`,
          );
        }
        return inner.loadTable(tid);
      },
    });
    const h = recorded();
    const files = await filesWrite(inner, id, 0, 10);
    const e = await failure(
      icebergCommit(catalog, id, files, { mode: 'append', runId: 'c', baseBackoffMs: 40 }, h),
    );
    expect(e.kind).toBe('CommitStateUnknown');
    expect(e.context).toMatchObject({ check: 'unknown', markerWritten: true });
    expect(e.message).toContain(
      'whether run c landed could not be checked (3 reads of the table failed, the last: iceberg: REST GET /v1/namespaces/ks/tables/t: 503 busy (read 4))',
    );
    expect(swaps()).toBe(1);
    expect(loads).toBe(4); // the first load of the commit, then three reads of the check
    expect(h.sleeps).toEqual([40, 40]);
    expect(await markers()).toHaveLength(1);
  });

  it('whose marker cannot be written says so in the error and in a warning', async () => {
    const io = replaced(inner.io, {
      async write(uri, bytes) {
        if (uri.includes(UNKNOWN_MARKER_PREFIX)) {
          throw new DatamoveError('Unexpected', `iceberg: write ${uri}: ENOSPC: no space left on device`);
        }
        return inner.io.write(uri, bytes);
      },
    });
    const { catalog } = flaky(false, { io });
    const h = recorded();
    const e = await failure(
      icebergCommit(catalog, id, await filesWrite(catalog, id, 0, 10), { mode: 'append', runId: 'd' }, h),
    );
    expect(e.kind).toBe('CommitStateUnknown');
    expect(e.context).toMatchObject({ check: 'not-landed', markerWritten: false });
    expect(e.message).toMatch(
      /; the marker \S+datamove-commit-unknown-\S+\.json could not be written \(iceberg: write \S+: ENOSPC: no space left on device\), so table clean cannot see it: re-run the run \(idempotent\) before cleaning$/,
    );
    expect(e.message).not.toContain('\n');
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toMatch(
      /^iceberg: run d: the commit state is unknown and the marker \S+ could not be written \(.*ENOSPC.*\); table clean cannot see it/,
    );
    expect(await markers()).toEqual([]);
  });
});
