/**
 * The shadow results table across formats: a runs.db written before the `matched` column held the
 * similarity in percent; opening it for writing converts it once (matched from the counts, similarity as a
 * ratio), and opening it again leaves it as it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { validationStoreOpen } from '../investigations.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('converts a table of the first format once: matched from the counts, similarity as a ratio', () => {
  const path = join(work, 'runs.db');
  const db = new Database(path);
  // the first format's columns, as an earlier datamove wrote them
  db.exec(`CREATE TABLE datamove_shadow_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, job TEXT NOT NULL,
    c_rows INTEGER, m_rows INTEGER, c_minus_m INTEGER, m_minus_c INTEGER, similarity REAL,
    investigation_id INTEGER NULL, status TEXT NOT NULL, production_path TEXT,
    c_run_id TEXT, m_run_id TEXT, c_snapshot_id TEXT, m_snapshot_id TEXT, c_table TEXT, m_table TEXT,
    missing INTEGER, phantom INTEGER, changed INTEGER, duration_ms INTEGER, error TEXT)`);
  const ins = db.prepare(
    `INSERT INTO datamove_shadow_runs (time, job, c_rows, m_rows, c_minus_m, m_minus_c, similarity, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  ins.run('2026-01-01T00:00:00Z', 'a', 1000, 1000, 0, 0, 100, 'equal');
  ins.run('2026-01-02T00:00:00Z', 'a', 1000, 999, 7, 6, 99.3, 'different');
  ins.run('2026-01-03T00:00:00Z', 'b', null, null, null, null, null, 'error');
  db.close();

  for (let open = 0; open < 2; open++) {
    const store = validationStoreOpen(path);
    const runs = store.shadowRuns();
    store.close();
    expect(runs.map((r) => [r.job, r.matched, r.similarity])).toEqual([
      ['a', 1000, 1],
      ['a', 993, 0.993],
      ['b', undefined, undefined],
    ]);
  }
  // new rows carry their own matched count
  const store = validationStoreOpen(path);
  store.shadowRunRecord({
    time: '2026-01-04T00:00:00Z',
    job: 'a',
    status: 'equal',
    matched: 5,
    similarity: 1,
  });
  expect(store.shadowRuns('a').at(-1)).toMatchObject({ matched: 5, similarity: 1 });
  store.close();
});
