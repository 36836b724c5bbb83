/**
 * Crash safety of a commit (embedded SQLite catalog): a committing process is killed with SIGKILL before
 * the catalog swap, during it (metadata.json written, compare-and-set UPDATE not run; UPDATE applied but
 * unseen by the committer) and right after it. After each kill the table is at the old or the new
 * snapshot — which one is fixed by the point — and fully readable; re-running the same run id commits it
 * exactly once (no duplicate rows). Then kills at seeded random times over a sequence of runs, and
 * `table clean` removing what the killed processes left without touching any snapshot's files.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NARROW_SCHEMA, narrowBatch } from '../../infra/index.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { catalogOpen, type OpenedCatalog } from '../catalog/catalog-open.js';
import { icebergCommit, RUN_ID_KEY } from '../commit/table-commit.js';
import { metadataSnapshot } from '../metadata/table-metadata.js';
import { tableClean } from '../table/table-ops.js';
import { DataWriter } from '../write/data-writer.js';
import {
  type ChildRun,
  type CrashPoint,
  commitChildDistCheck,
  commitChildRun,
  commitChildSpawn,
} from './commit-child-run.js';
import { duplicates, tableReadIds, tempDir } from './helpers.js';

let dir: { path: string; cleanup: () => Promise<void> };
let options: { catalog: string; warehouse: string };
let opened: OpenedCatalog;

beforeAll(async () => {
  commitChildDistCheck();
  dir = await tempDir('dm-iceberg-kill-');
  options = { catalog: join(dir.path, 'catalog.db'), warehouse: join(dir.path, 'wh') };
  opened = await catalogOpen(options);
});
afterAll(async () => {
  await opened.close();
  await dir.cleanup();
});

const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** Run ids of the snapshots, and the current snapshot's run id. */
async function state(catalog: Catalog, id: TableIdentifier) {
  const { metadata } = await catalog.loadTable(id);
  return {
    runs: metadata.snapshots.map((s) => s.summary[RUN_ID_KEY]!),
    current: metadataSnapshot(metadata)?.summary[RUN_ID_KEY],
  };
}

describe('SIGKILL at each point of a commit', () => {
  const id = { namespace: ['ks'], name: 'killed' };
  const expected: number[] = [];
  const POINTS: { point: CrashPoint; landed: boolean }[] = [
    { point: 'before-swap', landed: false },
    { point: 'metadata-written', landed: false },
    { point: 'swap-applied', landed: true },
    { point: 'after-swap', landed: true },
  ];

  beforeAll(async () => {
    const { catalog } = opened;
    const t = await catalog.createTable(id, { schema: NARROW_SCHEMA });
    const w = new DataWriter({
      io: catalog.io,
      location: t.metadata.location,
      schema: NARROW_SCHEMA,
      spec: t.metadata['partition-specs'][0]!,
    });
    await w.write(narrowBatch(100, 0));
    await icebergCommit(catalog, id, await w.close(), { mode: 'append', runId: 'base' });
    expected.push(...range(0, 100));
  });

  for (const [k, { point, landed }] of POINTS.entries()) {
    it(`${point}: the table is at the ${landed ? 'new' : 'old'} snapshot; re-running adds the rows once`, async () => {
      const { catalog } = opened;
      const run: ChildRun = { runId: `run-${point}`, start: 1000 * (k + 1), rows: 100 };
      const before = await state(catalog, id);
      const child = commitChildSpawn({ catalog: options, table: 'ks.killed', runs: [run], crashAt: point });
      await child.waitFor((e) => e.event === 'crash-point' && e.point === point);
      child.kill();
      expect((await child.exited).signal).toBe('SIGKILL');

      const after = await state(catalog, id);
      expect(after.current).toBe(landed ? run.runId : before.current);
      expect(after.runs).toEqual(landed ? [...before.runs, run.runId] : before.runs);
      const visible = landed ? [...expected, ...range(run.start, run.rows)] : expected;
      const ids = await tableReadIds(catalog, id);
      expect(duplicates(ids)).toEqual([]);
      expect(sorted(ids)).toEqual(sorted(visible));

      // the same run id again: committed exactly once
      const events = await commitChildRun({ catalog: options, table: 'ks.killed', runs: [run] });
      expect(events.find((e) => e.event === 'committed')?.alreadyCommitted).toBe(landed);
      expected.push(...range(run.start, run.rows));
      const again = await tableReadIds(catalog, id);
      expect(duplicates(again)).toEqual([]);
      expect(sorted(again)).toEqual(sorted(expected));
      const final = await state(catalog, id);
      expect(final.runs).toEqual([...before.runs, run.runId]);
      expect(final.current).toBe(run.runId);
    });
  }

  it('clean removes what the killed commits left, and every snapshot stays readable', async () => {
    const { catalog } = opened;
    const cleaned = await tableClean(catalog, id, { olderThanMs: 0, now: Date.now() + 1000 });
    // the killed attempts' data files, manifests, manifest lists and metadata files
    expect(cleaned.deleted.filter((f) => f.includes('/data/')).length).toBeGreaterThanOrEqual(2);
    expect(cleaned.deleted.some((f) => /\/snap-[^/]+\.avro$/.test(f))).toBe(true);
    expect(cleaned.deleted.some((f) => /\/\d{5,}-[^/]+\.metadata\.json$/.test(f))).toBe(true);
    const { metadata } = await catalog.loadTable(id);
    let rows = 0;
    for (const s of [...metadata.snapshots].sort((a, b) => a['sequence-number'] - b['sequence-number'])) {
      rows += 100;
      const ids = await tableReadIds(catalog, id, { snapshotId: s['snapshot-id'] });
      expect(ids).toHaveLength(rows);
    }
    expect(sorted(await tableReadIds(catalog, id))).toEqual(sorted(expected));
  });
});

describe('SIGKILL at random times over a sequence of runs', () => {
  it('after every kill the table is consistent; re-running completes every run exactly once', async () => {
    const { catalog } = opened;
    const id = { namespace: ['ks'], name: 'random' };
    await catalog.createTable(id, { schema: NARROW_SCHEMA });
    const runs: ChildRun[] = Array.from({ length: 12 }, (_, i) => ({
      runId: `r${i}`,
      start: i * 50,
      rows: 50,
    }));
    let seed = 0x2545f491;
    const random = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const job = { catalog: options, table: 'ks.random', runs };
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const child = commitChildSpawn(job);
      // wait for the first commit of this round, then kill somewhere in the following ones
      await Promise.race([child.waitFor((e) => e.event === 'committed'), child.exited]);
      await new Promise((r) => setTimeout(r, 20 + random() * 150));
      child.kill();
      const { signal } = await child.exited;
      if (signal === 'SIGKILL') kills++;
      const s = await state(catalog, id);
      // every committed run is a prefix of the sequence, once, and its rows are visible exactly once
      expect(s.runs).toEqual(runs.slice(0, s.runs.length).map((r) => r.runId));
      const ids = await tableReadIds(catalog, id);
      expect(duplicates(ids)).toEqual([]);
      expect(sorted(ids)).toEqual(range(0, 50 * s.runs.length));
      if (s.runs.length === runs.length) break;
    }
    expect(kills).toBeGreaterThan(0);
    await commitChildRun(job);
    const s = await state(catalog, id);
    expect(s.runs).toEqual(runs.map((r) => r.runId));
    const ids = await tableReadIds(catalog, id);
    expect(sorted(ids)).toEqual(range(0, 50 * runs.length));
  });
});
