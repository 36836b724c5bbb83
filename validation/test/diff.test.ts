/**
 * The diff over Parquet files written by DuckDB: counts against `EXCEPT ALL` itself, multiset semantics
 * (duplicates), keyed splits (missing, phantom, changed with the differing columns), binary and bigint
 * samples, schema differences, empty sides, and equal inputs reporting zero both ways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSessionOpen, parquetDiff, tableRefParse } from '../diff.js';
import { diffReportFormat } from '../diff-format.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-diff-'));
const f = (name: string) => join(work, `${name}.parquet`);

async function write(name: string, select: string): Promise<string> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (${select}) TO '${f(name)}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  return f(name);
}

const BASE = `SELECT i::BIGINT * 1000000007 AS id, (i % 3)::INTEGER AS ck, 'n' || i AS name, (i * 7 % 100)::INTEGER AS amount,
  i / 4.0 AS score, ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS payload FROM range(1000) t(i)`;

beforeAll(async () => {
  await write('base', BASE);
  await write('same', `${BASE} ORDER BY random()`);
  // drop 5 rows, add 3, change a value in 2, duplicate 1
  await write(
    'seeded',
    `SELECT id, ck, name, CASE WHEN id IN (10::BIGINT * 1000000007, 20::BIGINT * 1000000007) THEN -1 ELSE amount END AS amount, score, payload
     FROM (${BASE}) WHERE id NOT IN (SELECT i * 1000000007 FROM range(100, 105) t(i))
     UNION ALL SELECT i::BIGINT * 1000000007, 0, 'new' || i, 1, 0.5, '\\xFF'::BLOB FROM range(5000, 5003) t(i)
     UNION ALL SELECT * FROM (${BASE}) WHERE id = 7::BIGINT * 1000000007`,
  );
  await write('extra-col', `SELECT *, 1 AS extra FROM (${BASE})`);
  await write('int-amount', `SELECT id, ck, name, amount::BIGINT AS amount, score, payload FROM (${BASE})`);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('parquetDiff', () => {
  it('reports zero both ways for equal inputs in another order', async () => {
    const r = await parquetDiff(
      { label: 'a', files: [f('base')] },
      { label: 'b', files: [f('same')] },
      { key: ['id', 'ck'] },
    );
    expect(r).toMatchObject({
      cRows: 1000,
      mRows: 1000,
      cMinusM: 0,
      mMinusC: 0,
      matched: 1000,
      equal: true,
      similarity: 1,
    });
    expect(r.keyed).toMatchObject({ missing: 0, phantom: 0, changed: 0, duplicates: 0 });
    expect(diffReportFormat(r)).toMatch(/C = M/);
  });

  it('counts seeded differences (multiset) and agrees with EXCEPT ALL', async () => {
    const c = { label: 'base', files: [f('base')] };
    const m = { label: 'seeded', files: [f('seeded')] };
    const s = await diffSessionOpen(c, m, {
      key: ['id', 'ck'],
      samples: 3,
      memoryLimit: '256MB',
      threads: 1,
    });
    try {
      const r = await s.report();
      // C−M: 5 dropped + 2 changed (old values); M−C: 3 added + 2 changed (new values) + 1 duplicate
      expect([r.cRows, r.mRows, r.cMinusM, r.mMinusC]).toEqual([1000, 999, 7, 6]);
      const except = await s.rows(
        `SELECT (SELECT count(*) FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM m)) AS cm,
                (SELECT count(*) FROM (SELECT * FROM m EXCEPT ALL SELECT * FROM c)) AS mc`,
      );
      expect([Number(except[0]!.cm), Number(except[0]!.mc)]).toEqual([r.cMinusM, r.mMinusC]);
      expect(r.keyed).toMatchObject({ missing: 5, phantom: 3, changed: 2, duplicates: 1 });
      expect(r.keyed!.changedColumns).toEqual({ amount: 2 });
      expect(r.keyed!.samples.missing).toHaveLength(3);
      // bigints as strings, binary as hex
      expect(r.keyed!.samples.missing[0]).toMatchObject({ id: String(100n * 1000000007n), payload: '0x64' });
      expect(r.keyed!.samples.phantom[0]).toMatchObject({ name: 'new5000', payload: '0xff' });
      expect(r.keyed!.samples.changed[0]).toEqual({
        key: { id: String(10n * 1000000007n), ck: 1 },
        columns: { amount: [70, -1] },
      });
      expect(r.equal).toBe(false);
      expect(r.similarity).toBeCloseTo(993 / 1000, 9);
      const text = diffReportFormat(r);
      expect(text).toMatch(/missing 5 .*phantom 3 .*changed 2 .*duplicates 1/);
      expect(text).toMatch(/amount 70 → -1/);
      expect(text).toMatch(/matched 993 {2}similarity 99\.3000%/);
    } finally {
      await s.close();
    }
  });

  it('without a key reports the counts and samples of each side', async () => {
    const r = await parquetDiff(
      { label: 'a', files: [f('seeded')] },
      { label: 'b', files: [f('base')] },
      { samples: 2 },
    );
    expect([r.cMinusM, r.mMinusC]).toEqual([6, 7]);
    expect(r.keyed).toBeUndefined();
    expect(r.samples.cMinusM).toHaveLength(2);
  });

  it('reports schema differences and compares the common columns', async () => {
    const r = await parquetDiff({ label: 'a', files: [f('base')] }, { label: 'b', files: [f('extra-col')] });
    expect(r.schema).toMatchObject({ equal: false, onlyInC: [], onlyInM: ['extra'] });
    expect([r.cMinusM, r.mMinusC]).toEqual([0, 0]);
    expect(r.equal).toBe(false);
    const t = await parquetDiff({ label: 'a', files: [f('base')] }, { label: 'b', files: [f('int-amount')] });
    expect(t.schema.typeDiffers).toEqual([{ name: 'amount', c: 'INTEGER', m: 'BIGINT' }]);
    expect([t.cMinusM, t.mMinusC]).toEqual([0, 0]);
    expect(diffReportFormat(t)).toMatch(/amount: INTEGER in C, BIGINT in M/);
  });

  it('handles an empty side', async () => {
    const r = await parquetDiff(
      { label: 'a', files: [f('base')] },
      { label: 'b', files: [] },
      { key: ['id', 'ck'] },
    );
    expect(r).toMatchObject({
      cRows: 1000,
      mRows: 0,
      cMinusM: 1000,
      mMinusC: 0,
      similarity: 0,
      equal: false,
    });
    expect(r.keyed).toMatchObject({ missing: 1000, phantom: 0 });
    const e = await parquetDiff({ label: 'a', files: [] }, { label: 'b', files: [] });
    expect(e).toMatchObject({ cRows: 0, mRows: 0, equal: true, similarity: 1 });
  });

  it('parses table references with a snapshot id or a time', () => {
    expect(tableRefParse('lake.t')).toEqual({ table: { namespace: ['lake'], name: 't' }, text: 'lake.t' });
    expect(tableRefParse('a.b.t@123').selector).toEqual({ snapshotId: '123' });
    expect(tableRefParse('lake.t@2026-01-01T00:00:00Z').selector).toEqual({ asOf: '2026-01-01T00:00:00Z' });
    expect(() => tableRefParse('lake.t@yesterday')).toThrow(
      /diff: lake.t@yesterday: 'yesterday' after @ must be a snapshot id or an ISO-8601 time/,
    );
    expect(() => tableRefParse('t')).toThrow(/must be <namespace>.<table>/);
  });

  it('rejects a key column that is not on both sides', async () => {
    await expect(
      parquetDiff(
        { label: 'a', files: [f('base')] },
        { label: 'b', files: [f('extra-col')] },
        { key: ['extra'] },
      ),
    ).rejects.toThrow(/diff: key column 'extra' is not a column of both sides/);
  });
});
