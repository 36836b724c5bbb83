/**
 * The tables the engines read, all written by datamove itself into one catalog (SQLite, PostgreSQL, the
 * REST server, or a SQLite catalog over an s3:// warehouse):
 *
 * - through the CLI (`node bin/datamove.js run <job>` over generated backups): `raw_alltypes` (every CQL
 *   type, metadata columns), `raw_identity` (identity partitions; append, overwrite, rollback and
 *   expire-snapshots), `raw_bucket` (bucket[8]), `kv` (bucket[16]), `ts` (day), `hist` (a backup history:
 *   a column added, then one dropped — the schema changes under appends);
 * - through the library (iceberg-writer's DataWriter and icebergCommit), for the transforms no connector
 *   chooses: `xf_truncate`, `xf_year`, `xf_month`, `xf_hour`, `xf_multi` (truncate on a string, bucket on
 *   a uuid), and `stats` (four appends of disjoint id ranges: column statistics must prune files).
 *
 * Each table comes with the filters the engines run (with the SQL and PyIceberg spelling of each).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import {
  arrowSchemaFromIceberg,
  type CatalogOpenOptions,
  catalogOpen,
  DataWriter,
  type IcebergSchema,
  icebergCommit,
  metadataSchema,
  metadataSpec,
  type PartitionField,
} from '../../iceberg-writer/index.js';
import { ALLTYPES_SCHEMA, alltypesBatch, BASE_TS_US, NARROW_SCHEMA } from '../../infra/index.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/datamove.js', import.meta.url).pathname;
export const NAMESPACE = 'lake';
const NOW = '2026-01-01T00:00:00Z';

/** Where the tables go. */
export interface CorpusTarget {
  /** Job file `target.catalog`. */
  readonly catalog: string;
  readonly warehouse?: string;
  /** Extra environment of the CLI (S3 credentials). */
  readonly env?: Readonly<Record<string, string>>;
  /** The job file's `source.s3` (the settings that also reach an s3:// warehouse). */
  readonly s3?: Readonly<Record<string, unknown>>;
  /** The same catalog for the library. */
  readonly open: CatalogOpenOptions;
  /** Target namespace (default `lake`). */
  readonly namespace?: string;
  /** Only these tables (default: all). */
  readonly only?: readonly string[];
}

/** A filter as each engine spells it; `where` is DuckDB's over the data files. */
export interface TableFilter {
  readonly name: string;
  readonly sql: string;
  readonly pyiceberg: string;
  readonly where: string;
  /** True when the filter must plan fewer files than the whole table. */
  readonly prunes: boolean;
}

export interface CorpusTable {
  readonly name: string;
  readonly filters: readonly TableFilter[];
  /** A column of type time: Spark 3.5 cannot load the table. */
  readonly hasTime: boolean;
}

export interface Backups {
  readonly narrow: readonly string[];
  readonly alltypes: string;
  readonly kv: string;
  readonly ts: string;
  readonly hist: string;
}

async function cli(args: string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<string> {
  mkdirSync(cwd, { recursive: true });
  try {
    const { stdout } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 << 20,
    });
    return stdout;
  } catch (e) {
    const x = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`datamove ${args.join(' ')} failed: ${x.message}\n${(x.stderr ?? '').slice(-3000)}`);
  }
}

/** Small generated backups (same seeds, same bytes every time). */
export async function backupsGenerate(dir: string): Promise<Backups> {
  const small = ['--nodes', '3', '--rf', '2', '--num-tokens', '4', '--flushes', '2'];
  const gen = (name: string, preset: string, partitions: number, seed: number, more: string[] = []) =>
    cli(
      [
        'generate',
        '--out',
        join(dir, name),
        '--preset',
        preset,
        '--partitions',
        String(partitions),
        '--seed',
        String(seed),
        ...small,
        ...more,
      ],
      dir,
    ).then(() => join(dir, name));
  const [n1, n2, n3, alltypes, kv, ts] = await Promise.all([
    gen('narrow1', 'narrow', 24, 1),
    gen('narrow2', 'narrow', 16, 2),
    gen('narrow3', 'narrow', 20, 3),
    gen('alltypes', 'alltypes', 40, 4),
    gen('kv', 'kv', 12, 5, ['--wide-partition', '2MiB']), // one item in several chunks, not 64 MiB
    gen('ts', 'timeseries', 6, 6),
  ]);
  const hist = join(dir, 'hist');
  await cli(
    [
      'generate',
      '--history',
      '4',
      '--out',
      hist,
      '--partitions',
      '20',
      '--rf',
      '1',
      '--num-tokens',
      '2',
      '--flushes',
      '1',
    ],
    dir,
  );
  return { narrow: [n1!, n2!, n3!], alltypes: alltypes!, kv: kv!, ts: ts!, hist };
}

function job(
  target: CorpusTarget,
  name: string,
  source: Record<string, unknown>,
  connector: Record<string, unknown>,
  mode: 'append' | 'overwrite',
): Record<string, unknown> {
  return {
    name: `interop-${name}`,
    source: target.s3 === undefined ? source : { ...source, s3: target.s3 },
    connector,
    consistency: 'all',
    now: NOW,
    target: {
      catalog: target.catalog,
      ...(target.warehouse === undefined ? {} : { warehouse: target.warehouse }),
      namespace: target.namespace ?? NAMESPACE,
      table: name,
      mode,
    },
  };
}

/** Runs one job through the CLI; returns the snapshot id it committed. */
export async function jobRun(
  dir: string,
  target: CorpusTarget,
  spec: Record<string, unknown>,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `job-${spec.name as string}-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const out = await cli(['run', file, '--json', '--connector', 'new'], dir, target.env);
  const summary = JSON.parse(out.slice(out.indexOf('{'))) as { snapshotId: string };
  return summary.snapshotId;
}

function catalogFlags(target: CorpusTarget): string[] {
  return [
    '--catalog',
    target.catalog,
    ...(target.warehouse === undefined ? [] : ['--warehouse', target.warehouse]),
  ];
}

/** id, ts (one row per `strideUs` from 2024-01-01), value — the narrow preset's schema. */
function spreadBatch(n: number, start: number, strideUs: bigint): arrow.RecordBatch {
  const schema = arrowSchemaFromIceberg(NARROW_SCHEMA);
  const id = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(start + i);
    ts[i] = BASE_TS_US + BigInt(start + i) * strideUs;
    value[i] = (start + i) * 0.25;
  }
  const t = schema.fields.map((f) => f.type);
  const children = [
    arrow.makeData({ type: t[0] as arrow.Int64, length: n, data: id }),
    arrow.makeData({ type: t[1] as arrow.TimestampMicrosecond, length: n, data: ts }),
    arrow.makeData({ type: t[2] as arrow.Float64, length: n, data: value }),
  ];
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children }),
  );
}

/** The alltypes preset without its `time` column (field 11), which Spark 3.5 cannot load. */
const NO_TIME_SCHEMA: IcebergSchema = {
  ...ALLTYPES_SCHEMA,
  fields: ALLTYPES_SCHEMA.fields.filter((f) => f.id !== 11),
};
function noTimeBatch(n: number): arrow.RecordBatch {
  const b = alltypesBatch(n);
  const schema = arrowSchemaFromIceberg(NO_TIME_SCHEMA);
  const children = b.data.children.filter((_, i) => i !== 10);
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }),
  );
}

async function libraryTable(
  target: CorpusTarget,
  name: string,
  schema: IcebergSchema,
  fields: readonly Omit<PartitionField, 'field-id'>[],
  commits: readonly arrow.RecordBatch[],
): Promise<void> {
  const opened = await catalogOpen(target.open);
  try {
    const id = { namespace: [target.namespace ?? NAMESPACE], name };
    if (!(await opened.catalog.namespaceExists(id.namespace)))
      await opened.catalog.createNamespace(id.namespace);
    const spec = { 'spec-id': 0, fields: fields.map((f, i) => ({ ...f, 'field-id': 1000 + i })) };
    const table = await opened.catalog.createTable(id, { schema, partitionSpec: spec });
    // the table as the catalog made it: a REST server renumbers field ids
    const served = { schema: metadataSchema(table.metadata), spec: metadataSpec(table.metadata) };
    for (const [i, batch] of commits.entries()) {
      const w = new DataWriter({ io: opened.catalog.io, location: table.metadata.location, ...served });
      await w.write(batch);
      await icebergCommit(opened.catalog, id, await w.close(), { mode: 'append', runId: `${name}-${i}` });
    }
  } finally {
    await opened.close();
  }
}

const ts = (iso: string) => ({
  sql: `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`,
  py: `'${iso.replace('Z', '+00:00')}'`,
  duck: `TIMESTAMPTZ '${iso.replace('T', ' ').replace('Z', '+00')}'`,
});

function filter(name: string, sql: string, prunes: boolean, pyiceberg = sql, where = sql): TableFilter {
  return { name, sql, pyiceberg, where, prunes };
}

/** Writes every table into `target`; returns them with their filters. */
export async function corpusWrite(dir: string, target: CorpusTarget, b: Backups): Promise<CorpusTable[]> {
  const tables: CorpusTable[] = [];
  const day3 = 86_400_000_000n * 3n;
  const src = (uri: string, table: string) => ({ uri, keyspace: 'datamove', table });
  const want = (name: string) => target.only === undefined || target.only.includes(name);
  if (want('raw_alltypes')) {
    // every CQL type, with the write-time / TTL metadata columns
    await jobRun(
      dir,
      target,
      job(
        target,
        'raw_alltypes',
        src(b.alltypes, 'alltypes'),
        { name: 'raw', options: { metadataColumns: true } },
        'overwrite',
      ),
    );
    tables.push({ name: 'raw_alltypes', hasTime: true, filters: [filter('ck1', 'ck1 = 1', false)] });
  }
  if (want('raw_identity')) {
    // identity partitions; append, overwrite, rollback, expire-snapshots
    const identity = { name: 'raw', options: { partitioning: 'identity' } };
    await jobRun(
      dir,
      target,
      job(target, 'raw_identity', src(b.narrow[0]!, 'narrow'), identity, 'overwrite'),
    );
    const second = await jobRun(
      dir,
      target,
      job(target, 'raw_identity', src(b.narrow[1]!, 'narrow'), identity, 'append'),
    );
    await jobRun(
      dir,
      target,
      job(target, 'raw_identity', src(b.narrow[2]!, 'narrow'), identity, 'overwrite'),
    );
    await cli(
      [
        'table',
        'rollback',
        `${target.namespace ?? NAMESPACE}.raw_identity`,
        '--to-snapshot',
        second,
        ...catalogFlags(target),
      ],
      dir,
      target.env,
    );
    await cli(
      [
        'table',
        'expire-snapshots',
        `${target.namespace ?? NAMESPACE}.raw_identity`,
        '--older-than',
        '1ms',
        '--retain-last',
        '2',
        ...catalogFlags(target),
      ],
      dir,
      target.env,
    );
    tables.push({ name: 'raw_identity', hasTime: false, filters: [filter('id', 'id = 3', true)] });
  }
  if (want('raw_bucket')) {
    await jobRun(
      dir,
      target,
      job(
        target,
        'raw_bucket',
        src(b.narrow[0]!, 'narrow'),
        { name: 'raw', options: { partitioning: { bucket: 8 } } },
        'overwrite',
      ),
    );
    tables.push({ name: 'raw_bucket', hasTime: false, filters: [filter('id', 'id = 5', true)] });
  }
  if (want('kv')) {
    await jobRun(
      dir,
      target,
      job(target, 'kv', src(b.kv, 'kv'), { name: 'kv', options: { table: 'kv' } }, 'overwrite'),
    );
    tables.push({ name: 'kv', hasTime: false, filters: [] });
  }
  if (want('ts')) {
    const window = { from: '2025-12-28T00:00:00Z', to: '2025-12-31T00:00:00Z', namespace: 'datamove' };
    await jobRun(
      dir,
      target,
      job(target, 'ts', src(b.ts, 'time_slices'), { name: 'timeseries', options: window }, 'overwrite'),
    );
    const day = ts('2025-12-29T00:00:00Z');
    const day2 = ts('2025-12-30T00:00:00Z');
    tables.push({
      name: 'ts',
      hasTime: false,
      filters: [
        filter(
          'one-day',
          `event_time >= ${day.sql} AND event_time < ${day2.sql}`,
          true,
          `event_time >= ${day.py} and event_time < ${day2.py}`,
          `event_time >= ${day.duck} AND event_time < ${day2.duck}`,
        ),
      ],
    });
  }
  if (want('hist')) {
    // a schema change: the history's column `extra` appears at day 2, `legacy` goes at day 4
    for (const asOf of ['2026-03-02T00:30:00Z', '2026-03-03T00:30:00Z', '2026-03-05T00:30:00Z']) {
      const j = job(
        target,
        'hist',
        { uri: b.hist, keyspace: 'hist', table: 'events', backupAsOf: asOf },
        { name: 'raw' },
        'append',
      );
      await jobRun(dir, target, { ...j, consistency: 'one', now: asOf });
    }
    tables.push({ name: 'hist', hasTime: false, filters: [] });
  }
  if (want('xf_truncate')) {
    // transforms no connector chooses
    await libraryTable(
      target,
      'xf_truncate',
      NARROW_SCHEMA,
      [{ 'source-id': 1, name: 'id_trunc', transform: 'truncate[100]' }],
      [spreadBatch(1000, 0, 60_000_000n)],
    );
    tables.push({
      name: 'xf_truncate',
      hasTime: false,
      filters: [filter('id', 'id >= 250 AND id < 300', true, 'id >= 250 and id < 300')],
    });
  }
  if (want('xf_year')) {
    await libraryTable(
      target,
      'xf_year',
      NARROW_SCHEMA,
      [{ 'source-id': 2, name: 'ts_year', transform: 'year' }],
      [spreadBatch(400, 0, day3)],
    );
    const y25 = ts('2025-01-01T00:00:00Z');
    const y26 = ts('2026-01-01T00:00:00Z');
    tables.push({
      name: 'xf_year',
      hasTime: false,
      filters: [
        filter(
          '2025',
          `ts >= ${y25.sql} AND ts < ${y26.sql}`,
          true,
          `ts >= ${y25.py} and ts < ${y26.py}`,
          `ts >= ${y25.duck} AND ts < ${y26.duck}`,
        ),
      ],
    });
  }
  if (want('xf_month')) {
    await libraryTable(
      target,
      'xf_month',
      NARROW_SCHEMA,
      [{ 'source-id': 2, name: 'ts_month', transform: 'month' }],
      [spreadBatch(300, 0, day3 / 3n)],
    );
    const m1 = ts('2024-03-01T00:00:00Z');
    const m2 = ts('2024-04-01T00:00:00Z');
    tables.push({
      name: 'xf_month',
      hasTime: false,
      filters: [
        filter(
          'march',
          `ts >= ${m1.sql} AND ts < ${m2.sql}`,
          true,
          `ts >= ${m1.py} and ts < ${m2.py}`,
          `ts >= ${m1.duck} AND ts < ${m2.duck}`,
        ),
      ],
    });
  }
  if (want('xf_hour')) {
    await libraryTable(
      target,
      'xf_hour',
      NARROW_SCHEMA,
      [{ 'source-id': 2, name: 'ts_hour', transform: 'hour' }],
      [spreadBatch(240, 0, 600_000_000n)],
    );
    const h1 = ts('2024-01-01T05:00:00Z');
    const h2 = ts('2024-01-01T06:00:00Z');
    tables.push({
      name: 'xf_hour',
      hasTime: false,
      filters: [
        filter(
          '5h',
          `ts >= ${h1.sql} AND ts < ${h2.sql}`,
          true,
          `ts >= ${h1.py} and ts < ${h2.py}`,
          `ts >= ${h1.duck} AND ts < ${h2.duck}`,
        ),
      ],
    });
  }
  if (want('xf_multi')) {
    await libraryTable(
      target,
      'xf_multi',
      NO_TIME_SCHEMA,
      [
        { 'source-id': 6, name: 's_trunc', transform: 'truncate[5]' },
        { 'source-id': 8, name: 'u_bucket', transform: 'bucket[4]' },
      ],
      [noTimeBatch(400)],
    );
    tables.push({
      name: 'xf_multi',
      hasTime: false,
      filters: [
        filter('s-prefix', `s >= 'row-3' AND s < 'row-4'`, true, `s >= 'row-3' and s < 'row-4'`),
        filter(
          'uuid',
          `u = '00000000-0000-4000-8000-00000000000a'`,
          true,
          `u == '00000000-0000-4000-8000-00000000000a'`,
          `u = '00000000-0000-4000-8000-00000000000a'::UUID`,
        ),
      ],
    });
  }
  if (want('stats')) {
    // column statistics: four files of disjoint id ranges, unpartitioned
    await libraryTable(
      target,
      'stats',
      NARROW_SCHEMA,
      [],
      [0, 1, 2, 3].map((k) => spreadBatch(100, k * 100, 1_000_000n)),
    );
    tables.push({
      name: 'stats',
      hasTime: false,
      filters: [
        filter('id', 'id >= 120 AND id < 130', true, 'id >= 120 and id < 130'),
        filter('value', 'value > 90', true),
      ],
    });
  }
  return tables;
}
