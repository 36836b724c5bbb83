/**
 * The raw connector over a table with a static column (the generator's alltypes preset): a partition that
 * holds only its static row reads in Cassandra as one row with null clustering columns, so those columns
 * must be optional in the Iceberg schema (a required column with nulls fails the Parquet encoder and the
 * whole run). Every row of the oracle, static-only ones included, lands in the table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { GEN, generate, MACHINE, oracleRows, tableRead } from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-raw-static-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('raw: static-only partitions keep their row (clustering columns optional, no identifier fields)', async () => {
  const out = join(work, 'alltypes');
  await generate({ ...GEN, out, preset: 'alltypes', partitions: 40 });
  const oracle = oracleRows(join(out, 'oracle', 'gen.alltypes.jsonl'));
  const key = (r: Record<string, unknown>) => JSON.stringify([r.pk, r.ck1, r.ck2 ?? null, r.stat ?? null]);
  const staticOnly = oracle.filter((r) => r.ck2 === null);
  expect(staticOnly.length).toBeGreaterThan(0);
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  try {
    const plan = await connectorJobPlan(
      {
        source: out,
        keyspace: 'gen',
        now: GEN.now,
        consistency: 'all',
        replicationFactor: 3,
        connector: { name: 'raw', options: { table: 'alltypes' } },
        target: { table: 'lake.alltypes' },
      },
      { machine: MACHINE },
    );
    const ck2 = plan.target.schema.fields.find((f) => f.name === 'ck2')!;
    expect([ck2.required, plan.target.schema['identifier-field-ids']]).toEqual([false, undefined]);
    await connectorJobRun(plan, { catalog: opened.catalog, workers: 1 });
    const { rows } = await tableRead(opened.catalog, { namespace: ['lake'], name: 'alltypes' });
    const ms = (v: unknown) => (v === null ? null : new Date(Number(v)).toISOString());
    const got = rows.map((r) => key({ ...r, ck2: ms(r.ck2) })).sort();
    expect(got).toEqual(oracle.map(key).sort());
  } finally {
    await opened.close();
  }
}, 120_000);
