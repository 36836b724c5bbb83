/**
 * `restoreToIceberg` over a generated backup history (four daily backups; `extra` added between 1 and 2, a
 * node joins between 2 and 3, `legacy` dropped between 3 and 4): restores before, between and after those
 * changes equal the history's oracle at T — the schema of the backup at T (a column dropped later present,
 * one added later absent), the ring of that backup (consistency ONE would miss writes if a node were read
 * for a range it no longer owns), writes after T dropped (T inside a snapshot's flush lag) and TTLs judged
 * at T. The snapshot summary records T and the backups used; the default target name carries T.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  catalogOpen,
  type OpenedCatalog,
  tableIdentifierParse,
  tableSnapshots,
} from '../../iceberg-writer/index.js';
import {
  canon,
  generateHistory,
  HISTORY_START,
  type HistoryResult,
  historyJob,
  historyOracleRows,
  tableRead,
} from '../../infra/index.js';
import type { Job } from '../job-file.js';
import { restoreToIceberg } from '../restore/restore-run.js';
import { restoreTableName } from '../restore/restore-time.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-restore-ice-'));
const backups = join(work, 'backups');
let h: HistoryResult;
let job: Job;
let opened: OpenedCatalog;

beforeAll(async () => {
  h = await generateHistory({ out: backups, start: HISTORY_START, partitions: 200 });
  job = historyJob(backups, work);
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'warehouse') });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

const iso = (sec: number): string => new Date(sec * 1000).toISOString();

it('the history changes schema and topology between backups, and its oracles differ over time', () => {
  const [d1, d2, d3, d4] = h.backups;
  expect(d1!.columns).toEqual(['name', 'amount', 'score', 'legacy']);
  expect(d2!.columns).toEqual(['name', 'amount', 'score', 'legacy', 'extra']);
  expect(d4!.columns).toEqual(['name', 'amount', 'score', 'extra']);
  expect(d2!.nodes).toHaveLength(3);
  expect(d3!.nodes).toHaveLength(4);
  expect(d3!.nodes).toContain(h.joinedNode);
  expect(d1!.time < h.events.columnAdded && h.events.columnAdded < d2!.time).toBe(true);
  expect(d2!.time < h.events.nodeJoined && h.events.nodeJoined < d3!.time).toBe(true);
  expect(d3!.time < h.events.columnDropped && h.events.columnDropped < d4!.time).toBe(true);
  const sizes = h.backups.map((b) => b.oracleRows);
  expect(new Set(sizes).size).toBe(4);
  // the stored per-backup oracle is the oracle function at the backup's time
  const stored = readFileSync(d2!.oracleFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  expect(canon(stored)).toEqual(canon(historyOracleRows(h, d2!.time * 1000)!));
  // TTLs judged at T: the same backup gives fewer rows a day later
  expect(historyOracleRows(h, (d2!.time + 20 * 3600) * 1000)!.length).toBeLessThan(d2!.oracleRows);
});

const cases: { name: string; at: () => number; columns: string[] }[] = [
  {
    // inside day 1's flush lag: the snapshot holds writes up to day1 + 10 min, the restore drops them
    name: 'before both changes, inside a snapshot flush lag',
    at: () => (h.backups[0]!.time + 300) * 1000,
    columns: ['amount', 'ck', 'id', 'legacy', 'name', 'score'],
  },
  {
    name: 'after the column was added, before the node joined',
    at: () => (h.backups[1]!.time + 6 * 3600) * 1000,
    columns: ['amount', 'ck', 'extra', 'id', 'legacy', 'name', 'score'],
  },
  {
    name: 'at a backup time after the node joined, before the drop',
    at: () => h.backups[2]!.time * 1000,
    columns: ['amount', 'ck', 'extra', 'id', 'legacy', 'name', 'score'],
  },
  {
    name: 'after the column was dropped',
    at: () => (h.backups[3]!.time + 2 * 3600) * 1000,
    columns: ['amount', 'ck', 'extra', 'id', 'name', 'score'],
  },
];

for (const c of cases)
  it(`restores ${c.name} and equals the oracle at T`, async () => {
    const at = c.at();
    const s = await restoreToIceberg(job, {
      asOf: new Date(at).toISOString(),
      catalog: opened,
      historyPath: join(work, 'runs.db'),
      pool: 'inline',
    });
    const id = tableIdentifierParse(s.table);
    expect(s.table).toBe(`lake.${restoreTableName('events', at)}`);
    expect(s.mode).toBe('new-table');
    const expected = historyOracleRows(h, at)!;
    const { rows, schema } = await tableRead(opened.catalog, id);
    expect(rows.length).toBe(expected.length);
    expect(canon(rows)).toEqual(canon(expected));
    expect(
      schema!.fields
        .map((f) => f.name)
        .filter((n) => !n.includes('__'))
        .sort(),
    ).toEqual(c.columns);
    const backup = [...h.backups].reverse().find((b) => b.time * 1000 <= at)!;
    expect(s.backupIds).toEqual([backup.id]);
    const [snap] = await tableSnapshots(opened.catalog, id);
    expect(snap!.summary['datamove.as-of']).toBe(new Date(at).toISOString());
    expect(snap!.summary['datamove.reference-now']).toBe(iso(Math.floor(at / 1000)));
    expect(snap!.summary['datamove.source-backup-ids']).toBe(backup.id);
    const props = (await opened.catalog.loadTable(id)).metadata.properties;
    expect(props['datamove.restore.as-of']).toBe(new Date(at).toISOString());
  }, 60_000);

it("restores over the job's own table only with force, as an overwrite snapshot", async () => {
  const at = h.backups[3]!.time * 1000;
  await expect(
    restoreToIceberg(job, { asOf: new Date(at).toISOString(), into: 'lake.events', catalog: opened }),
  ).rejects.toThrow(/lake\.events is the job's own table.*--force/);
  expect(await opened.catalog.tableExists({ namespace: ['lake'], name: 'events' })).toBe(false);
  const first = await restoreToIceberg(job, {
    asOf: new Date(h.backups[2]!.time * 1000).toISOString(),
    into: 'lake.events',
    force: true,
    catalog: opened,
    historyPath: join(work, 'runs.db'),
    pool: 'inline',
  });
  expect(first.mode).toBe('new-table');
  const again = await restoreToIceberg(job, {
    asOf: new Date(at + 3600_000).toISOString(),
    into: 'lake.events',
    force: true,
    catalog: opened,
    historyPath: join(work, 'runs.db'),
    pool: 'inline',
  });
  expect(again.mode).toBe('overwrite');
  const snaps = await tableSnapshots(opened.catalog, { namespace: ['lake'], name: 'events' });
  expect(snaps.map((s) => s.operation)).toEqual(['append', 'overwrite']);
  const { rows } = await tableRead(opened.catalog, { namespace: ['lake'], name: 'events' });
  expect(canon(rows)).toEqual(canon(historyOracleRows(h, at + 3600_000)!));
}, 120_000);

it('a Medusa backup history restores the same way (per-node token maps, schema in the backup meta)', async () => {
  const medusa = join(work, 'medusa');
  const m = await generateHistory({ out: medusa, start: HISTORY_START, partitions: 40, layout: 'medusa' });
  const mjob = historyJob(medusa, work, {
    name: 'hist-medusa',
    source: { uri: medusa, layout: 'medusa', keyspace: 'hist', table: 'events' },
  });
  for (const at of [(m.backups[1]!.time + 3600) * 1000, (m.backups[3]!.time + 60) * 1000]) {
    const s = await restoreToIceberg(mjob, {
      asOf: new Date(at).toISOString(),
      into: `lake.medusa_${at}`,
      catalog: opened,
      historyPath: join(work, 'runs.db'),
      pool: 'inline',
    });
    const { rows } = await tableRead(opened.catalog, tableIdentifierParse(s.table));
    expect(canon(rows)).toEqual(canon(historyOracleRows(m, at)!));
  }
}, 120_000);
