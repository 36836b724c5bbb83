/**
 * The connector contract suite: every connector runs against the same generated backups (the kv and
 * timeseries presets: 30 kv ids with one 3 MiB item in 3 chunks; 30 time series over 3 daily slices, one
 * hot series split into a `wide_` table) through the real worker pool, and each case checks
 * - the committed table's Parquet schema = the connector's declared schema (names, types, field ids);
 * - the rows = the generator's oracle transformed by the model's rules (chunked items reassembled, split
 *   events once, deleted items absent, the time window applied);
 * - ONE table in the catalog's namespace and ONE snapshot per run (no intermediate table).
 * Needs `dist` (the workers load the compiled sink): vitest's global setup builds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrowSchemaFromIceberg, catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import {
  digest,
  GEN,
  generate,
  hex,
  hexBytes,
  type Json,
  kvActual,
  kvExpected,
  MACHINE,
  oracleRows,
  tableRead,
  timeseriesActual,
  timeseriesExpected,
} from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-connectors-'));
const kvOut = join(work, 'kv');
const tsOut = join(work, 'ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  await generate({ ...GEN, out: kvOut, preset: 'kv' });
  await generate({ ...GEN, out: tsOut, preset: 'timeseries', partitions: 6 });
}, 60_000);

const oracle = (out: string, table: string): Json[] => oracleRows(join(out, 'oracle', `gen.${table}.jsonl`));

interface Case {
  readonly name: string;
  readonly backup: () => string;
  readonly connector: { name: string; options: unknown };
  readonly expected: () => string[];
  readonly actual: (rows: Json[]) => string[];
  readonly skipped?: number;
}

// the window: the second half of day 0 and all of day 1 (the hot day with its split table); day 2 is out
// (the generator's three daily slices end two days before its reference time)
const day0 = (Math.floor(GEN.now / 86400) - 4) * 86400 * 1000;
const from = new Date(day0 + 12 * 3600 * 1000).toISOString();
const to = new Date(day0 + 2 * 86400 * 1000).toISOString();

const tsExpected = (): string[] => timeseriesExpected(tsOut, from, to);

const CASES: Case[] = [
  {
    name: 'raw',
    backup: () => kvOut,
    connector: { name: 'raw', options: { table: 'kv', metadataColumns: true, partitioning: { bucket: 4 } } },
    expected: () =>
      oracle(kvOut, 'kv')
        .map((r) => JSON.stringify([r.id, r.key, digest(hexBytes(r.value)), r.value_metadata ?? null]))
        .sort(),
    actual: (rows) =>
      rows
        .map((r) => {
          // a value has a write time, a missing one has none
          if ((r.value === null) !== (r.value__writetime === null)) throw new Error(`write time of ${r.id}`);
          return JSON.stringify([
            r.id,
            hex(r.key as Uint8Array),
            digest(r.value as Uint8Array),
            hex(r.value_metadata as Uint8Array),
          ]);
        })
        .sort(),
  },
  {
    name: 'kv',
    backup: () => kvOut,
    connector: { name: 'kv', options: { table: 'kv' } },
    expected: () => kvExpected(oracle(kvOut, 'kv'), oracle(kvOut, 'kv_chunks')).rows,
    actual: (rows) => {
      for (const r of rows) if (r.write_time === null) throw new Error(`no write time for ${r.id}`);
      return kvActual(rows);
    },
    skipped: 0,
  },
  {
    name: 'timeseries',
    backup: () => tsOut,
    connector: { name: 'timeseries', options: { from, to } },
    expected: tsExpected,
    actual: timeseriesActual,
    skipped: 0,
  },
];

describe('connector contract', () => {
  it('the backups exercise what the suite claims: a multi-chunk item, events stored twice', () => {
    const chunks = oracle(kvOut, 'kv_chunks');
    const perItem = new Map<string, number>();
    for (const c of chunks) perItem.set(`${c.id}/${c.key}`, (perItem.get(`${c.id}/${c.key}`) ?? 0) + 1);
    expect(Math.max(...perItem.values())).toBeGreaterThanOrEqual(3);
    const slices = oracle(tsOut, 'time_slices').map((s) => s.slice_table as string);
    const split = slices.find((t) => {
      try {
        return oracle(tsOut, `wide_${t}_1`).length > 0;
      } catch {
        return false;
      }
    })!;
    const key = (r: Json): string =>
      JSON.stringify([r.time_series_id, r.event_time, r.event_id, r.event_item_key]);
    const original = new Set(oracle(tsOut, split).map(key));
    const copies = oracle(tsOut, `wide_${split}_1`).filter((r) => original.has(key(r)));
    expect(copies.length).toBeGreaterThan(100);
    // the window keeps the split day and excludes the last slice
    expect(Date.parse(from)).toBeLessThan(
      Date.parse(`${split.slice(5, 9)}-${split.slice(9, 11)}-${split.slice(11)}T00:00:00Z`),
    );
  });

  for (const c of CASES) {
    it(`${c.name}: declared schema, the oracle by the model's rules, one table, one snapshot`, async () => {
      const dir = mkdtempSync(join(work, `${c.name}-`));
      const opened: OpenedCatalog = await catalogOpen({
        catalog: join(dir, 'catalog.db'),
        warehouse: join(dir, 'warehouse'),
      });
      try {
        const plan = await connectorJobPlan(
          {
            source: c.backup(),
            keyspace: 'gen',
            now: GEN.now,
            consistency: 'quorum',
            replicationFactor: 3,
            tasks: 3,
            connector: c.connector,
            target: { table: `lake.${c.name}` },
          },
          { machine: MACHINE },
        );
        const result = await connectorJobRun(plan, { catalog: opened.catalog, workers: 2 });
        const id = { namespace: ['lake'], name: c.name };
        const { rows, schema } = await tableRead(opened.catalog, id);
        // schema: exactly the declared one (names, types, field ids)
        const declared = arrowSchemaFromIceberg(plan.target.schema);
        expect(
          schema?.fields.map((f) => [f.name, String(f.type), f.metadata.get('PARQUET:field_id')]),
        ).toEqual(declared.fields.map((f) => [f.name, String(f.type), f.metadata.get('PARQUET:field_id')]));
        const expected = c.expected();
        expect(expected.length).toBeGreaterThan(0);
        expect(c.actual(rows)).toEqual(expected);
        expect(result.rowsWritten).toBe(expected.length);
        if (c.skipped !== undefined)
          expect([Object.values(result.issues).reduce((n, s) => n + s.count, 0), result.issues]).toEqual([
            c.skipped,
            {},
          ]);
        // no intermediate table: one table, one snapshot
        expect(await opened.catalog.listTables(['lake'])).toEqual([id]);
        const t = await opened.catalog.loadTable(id);
        expect(t.metadata.snapshots.length).toBe(1);
        expect(t.metadata.snapshots[0]!.summary['datamove.connector']).toBe(c.name);
      } finally {
        await opened.close();
      }
    }, 120_000);
  }
});
