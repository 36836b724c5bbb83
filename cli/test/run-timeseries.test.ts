/**
 * `datamove run` end to end for the `timeseries` connector: the built CLI (spawned) over a generated
 * timeseries backup in the embedded S3 (the control table `time_slices` too is read through the job's S3
 * settings), one job file (a window over two of the three daily slices, the hot
 * one with its split table) run with `--connector new` and then `--connector legacy`; both runs write the
 * job's one target table, and the two snapshots hold the same rows (each event item once, values
 * decompressed, the window applied) with the same schema — the oracle by the timeseries rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runHistoryOpen } from '../../decider/index.js';
import { catalogOpen } from '../../iceberg-writer/index.js';
import {
  digest,
  type EmbeddedS3,
  embeddedS3Start,
  GEN,
  generate,
  type Json,
  oracleRows,
  runCli,
  tableRead,
  timeseriesActual,
  timeseriesExpected,
} from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-run-ts-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};
let s3: EmbeddedS3;
const cli = (args: readonly string[]) => runCli(args, { cwd: work, env });
// the generator's three daily slices end two days before its reference time
const day0 = (Math.floor(GEN.now / 86400) - 4) * 86400 * 1000;
const from = new Date(day0 + 12 * 3600 * 1000).toISOString();
const to = new Date(day0 + 48 * 3600 * 1000).toISOString();
// the same backup (same seed) twice: in the embedded S3 for the job, in a folder for its oracle files
const local = join(work, 'backup');

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['backups'] });
  await generate({ ...GEN, preset: 'timeseries', partitions: 4, out: local });
  await generate({
    ...GEN,
    preset: 'timeseries',
    partitions: 4,
    out: 's3://backups/tscluster',
    s3: s3OptionsResolve(s3.options),
  });
  writeFileSync(
    join(work, 'ts.yaml'),
    `name: gen-ts
source:
  uri: s3://backups/tscluster
  s3: { endpoint: "${s3.endpoint}", pathStyle: true }
  keyspace: gen
connector: { name: timeseries, options: { from: "${from}", to: "${to}" } }
consistency: quorum
now: "2026-01-01T00:00:00Z"
target: { catalog: ${join(work, 'catalog.db')}, warehouse: ${join(work, 'wh')}, namespace: lake, table: events }
`,
  );
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The table's current snapshot: rows (comparable text and as read), and its schema. */
async function current(): Promise<{ text: string[]; rows: Json[]; schema: string[] }> {
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  try {
    const t = await opened.catalog.loadTable({ namespace: ['lake'], name: 'events' });
    expect(t.metadata['partition-specs'].at(-1)!.fields.map((f) => f.transform)).toEqual(['day']);
    const r = await tableRead(opened.catalog, { namespace: ['lake'], name: 'events' });
    const text = r.rows
      .map((x: Json) =>
        JSON.stringify(x, (_k, v) =>
          typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? digest(v) : (v as unknown),
        ),
      )
      .sort();
    return { text, rows: r.rows, schema: (r.schema?.fields ?? []).map((f) => `${f.name}:${f.type}`) };
  } finally {
    await opened.close();
  }
}

it('a timeseries job file: --connector new and --connector legacy write the same table contents', async () => {
  const fresh = await cli(['run', 'ts.yaml', '--connector', 'new', '--json']);
  expect(fresh.stderr).not.toMatch(/datamove: /);
  expect(fresh.code).toBe(0);
  const a = JSON.parse(fresh.stdout) as { connectorUsed: string; rows: number; snapshotId: string };
  expect(a.connectorUsed).toBe('new');
  const afterNew = await current();

  const legacy = await cli(['run', 'ts.yaml', '--connector', 'legacy', '--json']);
  expect(legacy.stderr).not.toMatch(/datamove: /);
  expect(legacy.code).toBe(0);
  const b = JSON.parse(legacy.stdout) as { connectorUsed: string; rows: number; snapshotId: string };
  expect(b.connectorUsed).toBe('legacy');
  const afterLegacy = await current();

  expect(b.snapshotId).not.toBe(a.snapshotId);
  expect(b.rows).toBe(a.rows);
  expect(afterLegacy.schema).toEqual(afterNew.schema);
  expect(afterLegacy.schema).toEqual([
    'time_series_id:Utf8',
    'event_time:Timestamp<MICROSECOND, UTC>',
    'event_id:Utf8',
    'event_item_key:Utf8',
    'event_item_value:Binary',
    'write_time:Timestamp<MICROSECOND, UTC>',
  ]);
  expect(afterLegacy.text).toEqual(afterNew.text);
  // = the oracle by the timeseries rules (the split day's copies once)
  expect(oracleRows(join(local, 'oracle', 'gen.time_slices.jsonl'))).toHaveLength(3);
  const expected = timeseriesExpected(local, from, to);
  expect(expected.length).toBeGreaterThan(100);
  expect(timeseriesActual(afterLegacy.rows)).toEqual(expected);
  expect(a.rows).toBe(expected.length);

  const h = runHistoryOpen(join(work, 'runs.db'));
  try {
    expect(h.runs('gen-ts').map((x) => [x.connectorUsed, x.status, x.fallback])).toEqual([
      ['new', 'succeeded', false],
      ['legacy', 'succeeded', false],
    ]);
  } finally {
    h.close();
  }
}, 120_000);
