/**
 * Bad restores are one-line errors and write nothing — the warehouse files, the catalog's tables and
 * snapshots and the SSTable output folder stay as they were: a time before the first backup, a time in the
 * future, a malformed time, an existing target without --force, and a time whose backup set is incomplete
 * (a node's manifest is missing: the error names the node and the earliest restorable time).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogOpen, type OpenedCatalog, tableSnapshots } from '../../iceberg-writer/index.js';
import {
  folderState,
  generateHistory,
  HISTORY_START,
  type HistoryResult,
  historyJob,
} from '../../infra/index.js';
import type { Job } from '../job-file.js';
import { restoreToIceberg, restoreToSSTables } from '../restore/restore-run.js';
import { restoreTableName, restoreTimeParse } from '../restore/restore-time.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-restore-err-'));
const backups = join(work, 'backups');
let h: HistoryResult;
let job: Job;
let opened: OpenedCatalog;

beforeAll(async () => {
  h = await generateHistory({ out: backups, start: HISTORY_START, partitions: 40 });
  job = historyJob(backups, work);
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'warehouse') });
  // one good restore, so there is something that must stay unchanged
  await restoreToIceberg(job, {
    asOf: new Date(h.backups[1]!.time * 1000).toISOString(),
    catalog: opened,
    pool: 'inline',
    historyPath: join(work, 'runs.db'),
  });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The warehouse files and every table's snapshots. */
async function state(): Promise<string> {
  const tables = await opened.catalog.listTables(['lake']);
  const snaps = [];
  for (const t of tables)
    snaps.push([t.name, (await tableSnapshots(opened.catalog, t)).map((s) => s.snapshotId)]);
  return JSON.stringify([folderState(join(work, 'warehouse')), snaps]);
}

async function fails(
  asOf: string,
  message: RegExp,
  extra: { into?: string; job?: Job; icebergOnly?: boolean } = {},
): Promise<void> {
  const before = await state();
  const out = join(work, 'never');
  await expect(
    restoreToIceberg(extra.job ?? job, {
      asOf,
      catalog: opened,
      pool: 'inline',
      ...(extra.into === undefined ? {} : { into: extra.into }),
    }),
  ).rejects.toThrow(message);
  if (extra.icebergOnly !== true)
    await expect(restoreToSSTables(extra.job ?? job, { asOf, out })).rejects.toThrow(message);
  expect(existsSync(out)).toBe(false);
  expect(await state()).toBe(before);
}

it('a time before the first backup', async () => {
  await fails(
    new Date((h.backups[0]!.time - 3600) * 1000).toISOString(),
    /^restore: 2026-03-01T23:00:00\.000Z is before the first backup of hist\.events in .* \(2026-03-02T00:00:00\.000Z\)$/,
  );
});

it('a time in the future', async () => {
  await fails(
    new Date(Date.now() + 86400_000).toISOString(),
    /^restore: --as-of '.*' is in the future \(now is /,
  );
});

it('malformed times', async () => {
  for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30', '2026-03-02T25:00:00Z', '1772409600'])
    await fails(bad, /^restore: --as-of '.*' is not (an ISO-8601 time|a valid date and time)/);
  // no zone means UTC
  expect(restoreTimeParse('2026-03-02T12:00:00')).toBe(Date.parse('2026-03-02T12:00:00Z'));
  expect(restoreTimeParse('2026-03-02T14:00:00+02:00')).toBe(Date.parse('2026-03-02T12:00:00Z'));
  expect(restoreTableName('events', Date.parse('2026-03-02T12:34:56.789Z'))).toBe(
    'events__asof_20260302T123456',
  );
});

it('an existing target without --force', async () => {
  await fails(
    new Date(h.backups[1]!.time * 1000).toISOString(),
    /^restore: table lake\.events__asof_20260303T000000 already exists; add --force/,
    { icebergOnly: true },
  );
  await fails(new Date(h.backups[2]!.time * 1000).toISOString(), /is the job's own table.*--force/, {
    into: 'lake.events',
    icebergOnly: true,
  });
});

it('an incomplete backup set: the node that lacks a backup and the earliest restorable time', async () => {
  const copy = join(work, 'incomplete');
  cpSync(backups, copy, { recursive: true });
  const node = h.backups[0]!.nodes[1]!;
  rmSync(
    join(
      copy,
      'dc1',
      node,
      'hist',
      'events-7e57ab1e0000400080001157a11e0000',
      'snapshots',
      'day1',
      'manifest.json',
    ),
  );
  const broken = historyJob(copy, work);
  await fails(
    new Date((h.backups[0]!.time + 3600) * 1000).toISOString(),
    new RegExp(
      `^restore: .*incomplete: no complete backup set as of 2026-03-02T01:00:00\\.000Z: node ${node.replace(/\./g, '\\.')}: .*; earliest restorable time: 2026-03-03T00:00:00\\.000Z$`,
    ),
    { job: broken },
  );
});
