/**
 * `datamove run` end to end for the `kv` connector: the built CLI (spawned) over a generated kv backup in
 * the embedded S3, one job file run with `--connector new` and then `--connector legacy`; both runs write
 * the job's one target table, and the two snapshots hold the same rows (reassembled chunked items,
 * decompressed values, deleted items absent) with the same schema.
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
  runCli,
  tableRead,
} from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-run-kv-'));
let s3: EmbeddedS3;
const env = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};
const cli = (args: readonly string[]) => runCli(args, { cwd: work, env });

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['backups'] });
  await generate({
    ...GEN,
    out: 's3://backups/kvcluster',
    preset: 'kv',
    s3: s3OptionsResolve(s3.options),
  });
  writeFileSync(
    join(work, 'kv.yaml'),
    `name: gen-kv
source:
  uri: s3://backups/kvcluster
  s3: { endpoint: "${s3.endpoint}", pathStyle: true }
  keyspace: gen
  table: kv
connector: { name: kv }
consistency: all
now: "2026-01-01T00:00:00Z"
target: { catalog: ${join(work, 'catalog.db')}, warehouse: ${join(work, 'wh')}, namespace: lake, table: kv_items }
`,
  );
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The table's current snapshot: rows as comparable text, and its schema. */
async function current(): Promise<{ rows: string[]; schema: string[] }> {
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  try {
    const t = await tableRead(opened.catalog, { namespace: ['lake'], name: 'kv_items' });
    const rows = t.rows
      .map((r: Json) =>
        JSON.stringify(r, (_k, v) =>
          typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? digest(v) : (v as unknown),
        ),
      )
      .sort();
    return { rows, schema: (t.schema?.fields ?? []).map((f) => `${f.name}:${f.type}`) };
  } finally {
    await opened.close();
  }
}

it('a kv job file: --connector new and --connector legacy write the same table contents', async () => {
  const fresh = await cli(['run', 'kv.yaml', '--connector', 'new', '--json']);
  expect(fresh.stderr).not.toMatch(/datamove: /);
  expect(fresh.code).toBe(0);
  const a = JSON.parse(fresh.stdout) as { connectorUsed: string; rows: number; snapshotId: string };
  expect(a.connectorUsed).toBe('new');
  const afterNew = await current();

  const legacy = await cli(['run', 'kv.yaml', '--connector', 'legacy', '--json']);
  expect(legacy.stderr).not.toMatch(/datamove: /);
  expect(legacy.code).toBe(0);
  const b = JSON.parse(legacy.stdout) as { connectorUsed: string; rows: number; snapshotId: string };
  expect(b.connectorUsed).toBe('legacy');
  const afterLegacy = await current();

  expect(b.snapshotId).not.toBe(a.snapshotId);
  expect(a.rows).toBeGreaterThan(100);
  expect(b.rows).toBe(a.rows);
  expect(afterNew.rows).toHaveLength(a.rows);
  expect(afterLegacy.schema).toEqual(afterNew.schema);
  expect(afterLegacy.schema).toEqual([
    'id:Utf8',
    'key:Binary',
    'value:Binary',
    'content_type:Utf8',
    'size:Int64',
    'write_time:Timestamp<MICROSECOND, UTC>',
  ]);
  expect(afterLegacy.rows).toEqual(afterNew.rows);
  // the 3 MiB item, reassembled from its chunks, is in both
  expect(afterLegacy.rows.some((r) => (JSON.parse(r) as Json).size === String(GEN.wideBytes))).toBe(true);

  const h = runHistoryOpen(join(work, 'runs.db'));
  try {
    expect(h.runs('gen-kv').map((x) => [x.connectorUsed, x.status, x.fallback])).toEqual([
      ['new', 'succeeded', false],
      ['legacy', 'succeeded', false],
    ]);
  } finally {
    h.close();
  }
}, 120_000);
