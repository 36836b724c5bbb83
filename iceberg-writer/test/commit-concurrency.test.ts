/**
 * Two processes commit to one table 50 times each (optimistic concurrency across processes): the table
 * ends with exactly 100 snapshots in one line of ancestry, and every data file either process committed is
 * live in the final snapshot's manifests, once. Against the embedded SQLite catalog (compare-and-set
 * UPDATE in one database file shared by both processes), a real PostgreSQL server (the same UPDATE over
 * the network; infra/testing/postgres-server.ts) and a REST catalog (409 on a stale requirement).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NARROW_SCHEMA,
  postgresAvailable,
  postgresServerStart,
  restCatalogServerStart,
} from '../../infra/index.js';
import type { Catalog } from '../catalog/catalog.js';
import { catalogOpen } from '../catalog/catalog-open.js';
import { snapshotEntries } from '../commit/table-commit.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { metadataSnapshot } from '../metadata/table-metadata.js';
import {
  type ChildRun,
  commitChildDistCheck,
  commitChildDone,
  commitChildSpawn,
} from './commit-child-run.js';
import { duplicates, tableReadIds, tempDir } from './helpers.js';

const PER_PROCESS = 50;
const ROWS = 10;
const id = { namespace: ['ks'], name: 'contended' };

const runsOf = (who: string, base: number): ChildRun[] =>
  Array.from({ length: PER_PROCESS }, (_, i) => ({
    runId: `${who}-${i}`,
    start: base + i * ROWS,
    rows: ROWS,
  }));

async function contend(catalogOptions: Record<string, unknown>, check: Catalog): Promise<void> {
  await check.createTable(id, { schema: NARROW_SCHEMA });
  const job = { catalog: catalogOptions, table: 'ks.contended', maxAttempts: 200, waitForGo: true };
  const children = [
    commitChildSpawn({ ...job, runs: runsOf('a', 0) }),
    commitChildSpawn({ ...job, runs: runsOf('b', 1_000_000) }),
  ];
  // both loaded and connected, then both released at once
  await Promise.all(children.map((c) => c.waitFor((e) => e.event === 'ready')));
  for (const c of children) c.go();
  const [a, b] = await Promise.all(children.map(commitChildDone));
  const events = [...a!, ...b!].filter((e) => e.event === 'committed');
  expect(events).toHaveLength(2 * PER_PROCESS);
  expect(events.every((e) => e.alreadyCommitted === false)).toBe(true);
  // both processes really raced: some commits needed more than one attempt
  expect(events.some((e) => (e.attempts ?? 0) > 1)).toBe(true);

  const { metadata } = await check.loadTable(id);
  expect(metadata.snapshots).toHaveLength(2 * PER_PROCESS);
  expect(new Set(metadata.snapshots.map((s) => s.summary['datamove.run-id'])).size).toBe(2 * PER_PROCESS);
  expect(metadata.snapshots.map((s) => s['sequence-number']).sort((x, y) => x - y)).toEqual(
    Array.from({ length: 2 * PER_PROCESS }, (_, i) => i + 1),
  );
  // one line of ancestry: no commit was based on a snapshot another one had replaced
  const byId = new Map(metadata.snapshots.map((s) => [s['snapshot-id'], s]));
  let depth = 0;
  for (let s = metadataSnapshot(metadata); s !== undefined; depth++) {
    s = s['parent-snapshot-id'] === undefined ? undefined : byId.get(s['parent-snapshot-id']);
  }
  expect(depth).toBe(2 * PER_PROCESS);
  // no lost data file: every file committed is live in the final snapshot, exactly once
  const live = (await snapshotEntries(check.io, metadata, metadataSnapshot(metadata)!)).map(
    (e) => e.dataFile.filePath,
  );
  const committed = events.flatMap((e) => e.files ?? []);
  expect(committed).toHaveLength(2 * PER_PROCESS);
  expect([...live].sort()).toEqual([...committed].sort());
  const ids = await tableReadIds(check, id);
  expect(ids).toHaveLength(2 * PER_PROCESS * ROWS);
  expect(duplicates(ids)).toEqual([]);
  expect(metadataSnapshot(metadata)!.summary['total-records']).toBe(String(2 * PER_PROCESS * ROWS));
}

describe('two processes commit 50 times each to one table', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    commitChildDistCheck();
    dir = await tempDir('dm-iceberg-contend-');
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('SQLite catalog: 100 snapshots, no lost data files', async () => {
    const options = { catalog: join(dir.path, 'catalog.db'), warehouse: join(dir.path, 'wh') };
    const opened = await catalogOpen(options);
    try {
      await contend(options, opened.catalog);
    } finally {
      await opened.close();
    }
  });

  it.runIf(
    postgresAvailable(
      'the PostgreSQL catalog under concurrent commits (iceberg-writer/test/commit-concurrency.test.ts)',
    ),
  )('PostgreSQL catalog: 100 snapshots, no lost data files', async () => {
    const server = process.env.DATAMOVE_TEST_PG ? undefined : await postgresServerStart();
    const options = {
      catalog: process.env.DATAMOVE_TEST_PG ?? server!.url,
      name: `contend${Date.now()}`,
      warehouse: join(dir.path, 'pg-wh'),
    };
    const opened = await catalogOpen(options);
    try {
      await contend(options, opened.catalog);
    } finally {
      await opened.close();
      await server?.stop();
    }
  });

  it('REST catalog: 100 snapshots, no lost data files', async () => {
    const io = new LocalFileIO();
    const server = await restCatalogServerStart({ io, warehouse: join(dir.path, 'rest-wh') });
    const opened = await catalogOpen({ catalog: server.url });
    try {
      await opened.catalog.createNamespace(['ks']);
      await contend({ catalog: server.url }, opened.catalog);
      expect(server.commits).toBe(2 * PER_PROCESS);
    } finally {
      await opened.close();
      await server.close();
    }
  });
});
