/**
 * Seeded differences on a generated narrow backup and the report and category each one gets: the legacy
 * and new paths agree (zero both ways); rows dropped, added, changed (other), values that differ only in
 * float precision (type-mapping); rows dropped from partitions whose replicas disagree (consistency-level,
 * from a real replica-by-replica re-read of the backup) or agree (other); two runs with different TTL
 * reference times, with and without the raw connector's metadata columns (ttl-reference-time); two runs
 * reading different backups (backup-selection).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRun } from '../../decider/index.js';
import { catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import { GEN, generate, NOW } from '../../infra/index.js';
import { diffCategorize } from '../categorize.js';
import { type DiffReport, diffSessionOpen, tableDiffOpen, tableRefParse } from '../diff.js';
import { replicaCheck } from '../replica-check.js';
import { type TestJob, tableLocalFiles, testJob } from './validation-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-categorize-'));
const backup = join(work, 'backup');
const twoBackups = join(work, 'two-backups');
const DAY = 86400;
const iso = (s: number) => new Date(s * 1000).toISOString();
let opened: OpenedCatalog;

const job = (j: Omit<TestJob, 'catalog' | 'warehouse' | 'source'> & { source?: string }) =>
  testJob({ source: backup, ...j, catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });

async function run(j: ReturnType<typeof job>, path: 'new' | 'legacy' = 'new'): Promise<void> {
  await jobRun(j, {
    catalog: opened,
    override: path,
    fallback: false,
    pool: 'inline',
    workers: 1,
    historyPath: join(work, 'runs.db'),
  });
}

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'narrow', partitions: 30 });
  // two backups of one cluster a day apart, of different data (another seed)
  await generate({ ...GEN, out: twoBackups, preset: 'narrow', partitions: 30, tag: 'snap1' });
  await generate({
    ...GEN,
    out: twoBackups,
    preset: 'narrow',
    partitions: 30,
    tag: 'snap2',
    now: NOW + DAY,
    seed: 3,
  });
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  await run(job({ name: 'n', targetTable: 'narrow_new' }));
  await run(job({ name: 'l', targetTable: 'narrow_legacy' }), 'legacy');
}, 120_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

const KEY = ['id', 'ck'];

/** Diffs two tables (current snapshots) and categorises the result. */
async function tablesCategorize(c: string, m: string, withReplicaCheck = false) {
  const s = await tableDiffOpen(opened.catalog, tableRefParse(c), tableRefParse(m), { key: KEY });
  try {
    const report = await s.report();
    const cat = report.equal
      ? undefined
      : await diffCategorize({
          session: s,
          report,
          cSummary: report.c.snapshot!.summary,
          mSummary: report.m.snapshot!.summary,
          ...(withReplicaCheck ? { replicaCheck: (p) => replicaCheck(REPLICA_SRC, p) } : {}),
        });
    return { report, cat };
  } finally {
    await s.close();
  }
}

const REPLICA_SRC = { source: backup, keyspace: 'gen', table: 'narrow', now: NOW };

/** The new path's table with `sql` applied (`t` is its rows), diffed against it and categorised. */
async function seeded(
  sql: string,
  withReplicaCheck = false,
  o: { table?: string; mSummary?: Record<string, string> } = {},
): Promise<{ report: DiffReport; category: string }> {
  const { files, summary } = await tableLocalFiles(opened.catalog, {
    namespace: ['lake'],
    name: o.table ?? 'narrow_new',
  });
  const out = join(work, `seeded-${Math.random().toString(36).slice(2)}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
  await conn.run(`COPY (${sql}) TO '${out}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  const s = await diffSessionOpen(
    { label: 'C', files },
    { label: 'M', files: [out] },
    { key: KEY, samples: 5 },
  );
  try {
    const report = await s.report();
    const cat = await diffCategorize({
      session: s,
      report,
      cSummary: summary,
      mSummary: { ...summary, ...(o.mSummary ?? {}) },
      ...(withReplicaCheck ? { replicaCheck: (p) => replicaCheck(REPLICA_SRC, p) } : {}),
    });
    return { report, category: cat.category };
  } finally {
    await s.close();
  }
}

describe('diff and categories on a generated backup', () => {
  it('the legacy and new paths agree: zero both ways', async () => {
    const { report } = await tablesCategorize('lake.narrow_legacy', 'lake.narrow_new');
    expect(report.cRows).toBeGreaterThan(50);
    expect(report).toMatchObject({ cMinusM: 0, mMinusC: 0, equal: true, similarity: 1 });
    expect(report.cRows).toBe(report.mRows);
  }, 60_000);

  it('dropped rows are missing (other)', async () => {
    const { report, category } = await seeded(
      'SELECT * FROM t QUALIFY row_number() OVER (ORDER BY id, ck) > 3',
    );
    expect([report.cMinusM, report.mMinusC]).toEqual([3, 0]);
    expect(report.keyed).toMatchObject({ missing: 3, phantom: 0, changed: 0 });
    expect(category).toBe('other');
  });

  it('added rows are phantom (other)', async () => {
    const { report, category } = await seeded(
      'SELECT * FROM t UNION ALL (SELECT * REPLACE (id + 1000000000 AS id) FROM t ORDER BY id, ck LIMIT 2)',
    );
    expect([report.cMinusM, report.mMinusC]).toEqual([0, 2]);
    expect(report.keyed).toMatchObject({ missing: 0, phantom: 2, changed: 0 });
    expect(category).toBe('other');
  });

  it('a changed value is a changed row naming the column (other)', async () => {
    const { report, category } = await seeded(
      `SELECT * REPLACE (CASE WHEN row_number() OVER (ORDER BY id, ck) <= 2 THEN amount + 1 ELSE amount END AS amount) FROM t`,
    );
    expect([report.cMinusM, report.mMinusC]).toEqual([2, 2]);
    expect(report.keyed).toMatchObject({ missing: 0, phantom: 0, changed: 2, changedColumns: { amount: 2 } });
    expect(Object.keys(report.keyed!.samples.changed[0]!.columns)).toEqual(['amount']);
    expect(category).toBe('other');
  });

  it('values equal after normalisation are type-mapping', async () => {
    const { report, category } = await seeded(
      `SELECT * REPLACE (CASE WHEN score <> 0 AND row_number() OVER (ORDER BY id, ck) <= 4 THEN score * (1 + 1e-9) ELSE score END AS score) FROM t`,
    );
    expect(report.keyed).toMatchObject({ missing: 0, phantom: 0, changed: 4, changedColumns: { score: 4 } });
    expect(category).toBe('type-mapping');
    // a real change of a float, or a value gone, is not
    for (const to of ['score * 1.001', 'NULL']) {
      const other = await seeded(
        `SELECT * REPLACE (CASE WHEN score <> 0 AND row_number() OVER (ORDER BY id, ck) <= 4 THEN ${to} ELSE score END AS score) FROM t`,
      );
      expect(other.report.keyed).toMatchObject({ changed: 4, changedColumns: { score: 4 } });
      expect(other.category).toBe('other');
    }
  });

  it('differences confined to partitions whose replicas disagree are consistency-level; elsewhere other', async () => {
    const { files } = await tableLocalFiles(opened.catalog, { namespace: ['lake'], name: 'narrow_new' });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const ids = (
      await conn.runAndReadAll(
        `SELECT DISTINCT id::VARCHAR AS id FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY 1`,
      )
    )
      .getRowObjectsJson()
      .map((r) => ({ id: r.id }));
    conn.closeSync();
    db.closeSync();
    const check = await replicaCheck(REPLICA_SRC, ids);
    expect(check.checked).toBe(ids.length);
    expect(check.partitionKey).toEqual(['id']);
    // the generated node that missed writes makes some partitions disagree; others agree
    expect(check.disagree).toBeGreaterThan(0);
    expect(check.disagree).toBeLessThan(check.checked);
    const bad = check.disagreeKeys.slice(0, 2);
    const good = ids.map((r) => String(r.id)).find((k) => !check.disagreeKeys.includes(k))!;
    const inDisagreeing = await seeded(
      `SELECT * FROM t WHERE id::VARCHAR NOT IN (${bad.map((k) => `'${k}'`).join(', ')})`,
      true,
    );
    expect(inDisagreeing.report.keyed!.missing).toBeGreaterThan(0);
    expect(inDisagreeing.category).toBe('consistency-level');
    const inAgreeing = await seeded(`SELECT * FROM t WHERE id::VARCHAR <> '${good}'`, true);
    expect(inAgreeing.report.keyed!.missing).toBeGreaterThan(0);
    expect(inAgreeing.category).toBe('other');
  }, 60_000);

  it('a later TTL reference time drops expired values: ttl-reference-time (with metadata columns)', async () => {
    await run(job({ name: 'ttl-a', targetTable: 'ttl_a', metadataColumns: true }));
    await run(job({ name: 'ttl-b', targetTable: 'ttl_b', metadataColumns: true, now: iso(NOW + 15 * DAY) }));
    const { report, cat } = await tablesCategorize('lake.ttl_a', 'lake.ttl_b');
    expect(report.cMinusM).toBeGreaterThan(0);
    expect(report.keyed!.phantom).toBe(0);
    expect(report.cMinusM).toBe(report.keyed!.missing + report.keyed!.changed);
    expect(report.mMinusC).toBe(report.keyed!.changed);
    expect(cat?.category).toBe('ttl-reference-time');
    // the other way round: the earlier side is M
    const back = await tablesCategorize('lake.ttl_b', 'lake.ttl_a');
    expect([back.report.cMinusM, back.report.mMinusC]).toEqual([report.mMinusC, report.cMinusM]);
    expect(back.cat?.category).toBe('ttl-reference-time');
    // rows without TTL'd cells dropped between two reference times are not expiry
    const later = { 'datamove.reference-now': iso(NOW + 15 * DAY) };
    const noTtl = 'name__ttl IS NULL AND amount__ttl IS NULL AND score__ttl IS NULL AND tags__ttl IS NULL';
    const dropped = await seeded(
      `SELECT * FROM t QUALIFY NOT (${noTtl} AND row_number() OVER (PARTITION BY ${noTtl} ORDER BY id, ck) <= 2)`,
      false,
      { table: 'ttl_a', mSummary: later },
    );
    expect(dropped.report.keyed).toMatchObject({ missing: 2, phantom: 0, changed: 0 });
    expect(dropped.category).toBe('other');
  }, 60_000);

  it('a later TTL reference time without metadata columns: ttl-reference-time from which side has the rows', async () => {
    await run(job({ name: 'ttl-c', targetTable: 'ttl_c', now: iso(NOW + 15 * DAY) }));
    const { report, cat } = await tablesCategorize('lake.narrow_new', 'lake.ttl_c');
    expect(report.cMinusM).toBeGreaterThan(0);
    expect(report.keyed!.phantom).toBe(0);
    expect(cat?.category).toBe('ttl-reference-time');
  }, 60_000);

  it('two runs reading different backups: backup-selection', async () => {
    const now = iso(NOW + 2 * DAY);
    await run(job({ name: 'b1', source: twoBackups, targetTable: 'b1', now, backupAsOf: iso(NOW + 3600) }));
    await run(
      job({ name: 'b2', source: twoBackups, targetTable: 'b2', now, backupAsOf: iso(NOW + 2 * DAY) }),
    );
    const { report, cat } = await tablesCategorize('lake.b1', 'lake.b2');
    expect(report.c.snapshot!.summary['datamove.source-backup-ids']).toBe('snap1');
    expect(report.m.snapshot!.summary['datamove.source-backup-ids']).toBe('snap2');
    expect(report.cMinusM + report.mMinusC).toBeGreaterThan(0);
    expect(cat?.category).toBe('backup-selection');
  }, 60_000);
});
