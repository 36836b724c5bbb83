/**
 * The engines users run read what datamove writes: PyIceberg and Spark 3.5 (Iceberg's JdbcCatalog on the
 * same SQLite and PostgreSQL catalogs, and Iceberg's REST catalog client) against Apache Iceberg's own REST
 * catalog server, over every table of corpus.ts (every connector, every transform, every CQL type; append,
 * overwrite, rollback, expire-snapshots, a schema change; an s3:// warehouse on the embedded S3), plus
 * Spark's maintenance (rewrite_data_files, expire_snapshots) on tables datamove keeps writing — in both
 * orders. For every table and snapshot, each engine's rows must equal DuckDB's over datamove's Parquet
 * files, and its schema, spec and sort order datamove's. The matrix of results is printed at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOpen } from '../../iceberg-writer/index.js';
import {
  EMBEDDED_S3_ACCESS_KEY,
  EMBEDDED_S3_SECRET_KEY,
  type EmbeddedS3,
  embeddedS3Start,
  type PostgresServer,
  postgresServerStart,
} from '../../infra/index.js';
import {
  type Backups,
  backupsGenerate,
  type CorpusTable,
  type CorpusTarget,
  corpusWrite,
  jobRun,
} from './corpus.js';
import {
  duckdbRead,
  pyicebergRead,
  sparkRun,
  type TableJob,
  tableJobs,
  tableProblems,
  typeProblems,
} from './engines.js';
import { type JavaRestServer, javaRestServerStart } from './rest-server.js';
import { icebergInteropToolsOrSkip, tempDir } from './tools.js';

const tools = icebergInteropToolsOrSkip('iceberg interop (PyIceberg, Spark, Iceberg REST server)');
const SPARK_NO_TIME = 'Spark does not support time fields';

interface CatalogUnderTest {
  readonly key: string;
  readonly target: CorpusTarget;
  readonly pyiceberg: unknown;
  readonly spark: { name: string; conf: unknown };
  tables: CorpusTable[];
  jobs: TableJob[];
}

describe.skipIf(tools === undefined)('iceberg interop: PyIceberg, Spark, the Iceberg REST server', () => {
  const t = tools!;
  let dir: { path: string; cleanup(): Promise<void> };
  let backups: Backups;
  let rest: JavaRestServer;
  let pg: PostgresServer;
  let s3: EmbeddedS3;
  const cats: CatalogUnderTest[] = [];
  const results = new Map<string, Map<string, string[]>>(); // engine → table → problems
  const started = Date.now();

  beforeAll(async () => {
    dir = await tempDir('dm-interop-iceberg-');
    mkdirSync(join(dir.path, 'py'), { recursive: true });
    [backups, rest, pg, s3] = await Promise.all([
      backupsGenerate(join(dir.path, 'backups')),
      javaRestServerStart(t.restJars, dir.path),
      postgresServerStart('interop'),
      embeddedS3Start({ dir: join(dir.path, 's3'), buckets: ['lake'] }),
    ]);
    const sqlitePath = join(dir.path, 'catalog.db');
    const wh = join(dir.path, 'warehouse');
    const s3Settings = {
      endpoint: s3.endpoint,
      accessKeyId: EMBEDDED_S3_ACCESS_KEY,
      secretAccessKey: EMBEDDED_S3_SECRET_KEY,
      region: 'us-east-1',
    };
    const pgUrl = new URL(pg.url);
    cats.push(
      {
        key: 'sqlite',
        target: { catalog: sqlitePath, warehouse: wh, open: { catalog: sqlitePath, warehouse: wh } },
        pyiceberg: { type: 'sql', uri: `sqlite:///${sqlitePath}`, warehouse: wh, s3: s3Settings },
        spark: {
          name: 'datamove',
          conf: { type: 'jdbc', uri: `jdbc:sqlite:${sqlitePath}`, warehouse: wh, s3: s3Settings },
        },
        tables: [],
        jobs: [],
      },
      {
        key: 's3',
        target: {
          catalog: sqlitePath,
          warehouse: 's3://lake/wh',
          namespace: 'lake_s3',
          only: ['raw_bucket', 'ts', 'xf_multi', 'stats'],
          s3: { endpoint: s3.endpoint, region: 'us-east-1', pathStyle: true },
          env: {
            DATAMOVE_S3_ENDPOINT: s3.endpoint,
            AWS_ACCESS_KEY_ID: EMBEDDED_S3_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_SECRET_KEY,
            AWS_REGION: 'us-east-1',
          },
          open: {
            catalog: sqlitePath,
            warehouse: 's3://lake/wh',
            s3: {
              endpoint: s3.endpoint,
              region: 'us-east-1',
              forcePathStyle: true,
              credentials: { accessKeyId: EMBEDDED_S3_ACCESS_KEY, secretAccessKey: EMBEDDED_S3_SECRET_KEY },
            },
          },
        },
        pyiceberg: { type: 'sql', uri: `sqlite:///${sqlitePath}`, warehouse: wh, s3: s3Settings },
        spark: {
          name: 'datamove',
          conf: { type: 'jdbc', uri: `jdbc:sqlite:${sqlitePath}`, warehouse: wh, s3: s3Settings },
        },
        tables: [],
        jobs: [],
      },
      {
        key: 'postgresql',
        target: {
          catalog: pg.url,
          warehouse: join(dir.path, 'pg-warehouse'),
          open: { catalog: pg.url, warehouse: join(dir.path, 'pg-warehouse') },
        },
        pyiceberg: {
          type: 'sql',
          uri: `postgresql+psycopg2://${pgUrl.username}@${pgUrl.host}${pgUrl.pathname}`,
          warehouse: join(dir.path, 'pg-warehouse'),
        },
        spark: {
          name: 'datamove',
          conf: {
            type: 'jdbc',
            uri: `jdbc:postgresql://${pgUrl.host}${pgUrl.pathname}`,
            user: pgUrl.username,
            warehouse: join(dir.path, 'pg-warehouse'),
          },
        },
        tables: [],
        jobs: [],
      },
      {
        key: 'rest',
        target: { catalog: rest.url, open: { catalog: rest.url } },
        pyiceberg: { type: 'rest', uri: rest.url },
        spark: { name: 'rest', conf: { type: 'rest', uri: rest.url } },
        tables: [],
        jobs: [],
      },
    );
  }, 300_000);

  afterAll(async () => {
    const engines = [...results.keys()];
    const lines = [`iceberg interop matrix (${Math.round((Date.now() - started) / 1000)} s)`];
    for (const e of engines)
      for (const [table, problems] of results.get(e)!)
        lines.push(
          `${e} | ${table} | ${problems.length === 0 ? '✅' : `❌ ${problems.join('; ').slice(0, 600)}`}`,
        );
    console.log(lines.join('\n'));
    // kept beside the checkout for the report (the temporary folder goes)
    mkdirSync('.datamove', { recursive: true });
    writeFileSync('.datamove/iceberg-interop-matrix.txt', `${lines.join('\n')}\n`);
    await Promise.all([rest?.stop(), pg?.stop(), s3?.close()]);
    await dir?.cleanup();
  });

  const record = (engine: string, table: string, problems: string[]) => {
    if (!results.has(engine)) results.set(engine, new Map());
    results.get(engine)!.set(table, problems);
  };

  it('datamove writes the corpus into every catalog', async () => {
    // one catalog per process chain (each its own working folder and run history); the S3 tables share
    // the SQLite catalog file, so they follow its tables
    const write = async (c: CatalogUnderTest) => {
      c.tables = await corpusWrite(join(dir.path, 'work', c.key), c.target, backups);
    };
    await Promise.all([write(cats[0]!).then(() => write(cats[1]!)), write(cats[2]!), write(cats[3]!)]);
    expect(cats.map((c) => c.tables.length)).toEqual([12, 4, 12, 12]);
  }, 600_000);

  it('both writers on one table, in both orders: Spark maintenance between datamove commits', async () => {
    const c = cats[0]!;
    const src = (n: number) => ({ uri: backups.narrow[n]!, keyspace: 'datamove', table: 'narrow' });
    const spec = (table: string, n: number, mode: 'append' | 'overwrite') => ({
      name: `interop-${table}`,
      source: src(n),
      connector: { name: 'raw' },
      consistency: 'all',
      now: '2026-01-01T00:00:00Z',
      target: { catalog: c.target.catalog, warehouse: c.target.warehouse, namespace: 'lake', table, mode },
    });
    const d = join(dir.path, 'backups');
    // datamove first: two commits, then Spark rewrites, inserts and expires
    await jobRun(d, c.target, spec('mixed_dm_first', 0, 'overwrite'));
    await jobRun(d, c.target, spec('mixed_dm_first', 1, 'append'));
    const now = new Date(Date.now() + 1000).toISOString().replace('T', ' ').replace('Z', '');
    const sql = [
      "CALL datamove.system.rewrite_data_files(table => 'lake.mixed_dm_first', options => map('rewrite-all', 'true'))",
      "INSERT INTO datamove.lake.mixed_dm_first VALUES (900001, 1, 'spark', 7, 1.5, 'x')",
      `CALL datamove.system.expire_snapshots(table => 'lake.mixed_dm_first', older_than => TIMESTAMP '${now}', retain_last => 1)`,
      // Spark first: Spark creates and writes the table datamove then appends to
      "CREATE TABLE datamove.lake.mixed_spark_first (id bigint NOT NULL, ck int NOT NULL, name string, amount int, score double, tags string) USING iceberg TBLPROPERTIES ('format-version' = '2')",
      "INSERT INTO datamove.lake.mixed_spark_first VALUES (900001, 1, 'spark', 7, 1.5, 'x'), (900002, 2, NULL, NULL, NULL, NULL)",
      "INSERT INTO datamove.lake.mixed_spark_first VALUES (900003, 3, 'spark', 8, 2.5, NULL)",
      "CALL datamove.system.rewrite_data_files(table => 'lake.mixed_spark_first', options => map('rewrite-all', 'true'))",
    ];
    const ops = await sparkRun(t, { datamove: c.spark.conf }, [], sql, join(dir.path, 'py'), 'ops');
    const failed = ops.sql.filter((s: any) => s.result?.error);
    expect(failed.map((s: any) => `${s.sql}: ${s.result.error}`)).toEqual([]);
    // datamove commits again on top of Spark's snapshots
    await jobRun(d, c.target, spec('mixed_dm_first', 2, 'append'));
    await jobRun(d, c.target, spec('mixed_spark_first', 0, 'append'));
    await jobRun(d, c.target, spec('mixed_spark_first', 2, 'append'));
    c.tables.push(
      { name: 'mixed_dm_first', hasTime: false, filters: [] },
      { name: 'mixed_spark_first', hasTime: false, filters: [] },
    );
  }, 600_000);

  it('datamove lists every snapshot; DuckDB reads its data files', async () => {
    for (const c of cats) {
      const opened = await catalogOpen(c.target.open);
      try {
        const ns = c.target.namespace ?? 'lake';
        c.jobs = await tableJobs(
          opened.catalog,
          c.tables.map((x) => x),
          join(dir.path, 'fetched', c.key),
          ns,
        );
      } finally {
        await opened.close();
      }
      expect(c.jobs.length).toBe(c.tables.length);
      expect(c.jobs.length).toBeGreaterThan(0);
    }
  }, 300_000);

  it("the alltypes table has the README's CQL → Iceberg types", () => {
    const text = (t: any): string =>
      typeof t === 'string'
        ? t.replace(/\s+/g, '')
        : t.type === 'list'
          ? `list<${text(t.element)}${t['element-required'] ? '!' : ''}>`
          : t.type === 'map'
            ? `map<${text(t.key)},${text(t.value)}${t['value-required'] ? '!' : ''}>`
            : `struct<${t.fields.map((f: any) => `${f.name}:${text(f.type)}${f.required ? '!' : ''}`).join(',')}>`;
    const j = cats[0]!.jobs.find((x) => x.id === 'lake.raw_alltypes')!;
    const got = Object.fromEntries(
      j.schemas[String(j.currentSchemaId)]!.fields.map((f) => [f.name, text(f.type)]),
    );
    const addr = 'struct<street:string,zip:int,tags:list<string>>';
    expect(got).toMatchObject({
      pk: 'string',
      ck1: 'int',
      ck2: 'timestamptz',
      s_ascii: 'string',
      s_text: 'string',
      s_blob: 'binary',
      s_bool: 'boolean',
      s_tinyint: 'int',
      s_smallint: 'int',
      s_int: 'int',
      s_bigint: 'long',
      s_varint: 'decimal(38,0)',
      s_float: 'float',
      s_double: 'double',
      s_decimal: 'string',
      s_timestamp: 'timestamptz',
      s_date: 'date',
      s_time: 'time',
      s_duration: 'struct<months:int!,days:int!,nanos:long!>',
      s_uuid: 'uuid',
      s_timeuuid: 'uuid',
      s_inet: 'string',
      l_int: 'list<int>',
      st_text: 'list<string>',
      m_text_int: 'map<string,int>',
      f_list: 'list<int>',
      f_map: 'map<int,string>',
      tup: 'struct<f0:int,f1:string,f2:boolean>',
      addr,
      addr_mc: addr,
      vec: 'list<float!>',
      stat: 'string',
      s_int__writetime: 'timestamptz',
      s_int__ttl: 'int',
      stat__writetime: 'timestamptz',
    });
  });

  it('PyIceberg reads every table of every catalog as DuckDB does', async () => {
    const py = join(dir.path, 'py');
    mkdirSync(py, { recursive: true });
    const unexpected: string[] = [];
    expect(cats.every((c) => c.jobs.length > 0)).toBe(true);
    for (const c of cats) {
      const [duck, got] = await Promise.all([
        duckdbRead(t, c.jobs, py, c.key),
        pyicebergRead(t, c.pyiceberg, c.jobs, py, c.key),
      ]);
      for (const j of c.jobs) {
        const so = duck.sorted[j.id];
        // the default sort order is a write order for engines' own writes; datamove's files do not follow it
        record(
          `datamove files vs declared sort order (${c.key})`,
          j.id,
          so.unsorted === 0
            ? []
            : [`known: ${so.unsorted} of ${so.files} data files not in the declared sort order`],
        );
      }
      const ns = c.target.namespace ?? 'lake';
      const listed = got.listed?.[ns];
      for (const j of c.jobs) {
        const problems = [
          ...tableProblems('pyiceberg', j, got.tables[j.id], duck),
          ...typeProblems('pyiceberg', j, got.tables[j.id]),
        ];
        if (Array.isArray(listed) && !listed.includes(j.id)) problems.push(`not listed in ${ns}`);
        record(`PyIceberg ${got.version} (${c.key})`, j.id, problems);
        unexpected.push(
          ...problems.filter((p) => !p.startsWith('known:')).map((p) => `${c.key} ${j.id}: ${p}`),
        );
      }
    }
    expect(unexpected).toEqual([]);
  }, 600_000);

  it('Spark 3.5 reads every table through JdbcCatalog (SQLite, PostgreSQL) and the REST catalog', async () => {
    const py = join(dir.path, 'py');
    const unexpected: string[] = [];
    expect(cats.every((c) => c.jobs.length > 0)).toBe(true);
    const sessions = [[cats[0]!, cats[1]!, cats[3]!], [cats[2]!]];
    for (const group of sessions) {
      const catalogs = Object.fromEntries(group.map((c) => [c.spark.name, c.spark.conf]));
      const tables = group.flatMap((c) => c.jobs.map((j) => ({ ...j, id: `${c.spark.name}.${j.id}` })));
      const name = group.map((c) => c.key).join('-');
      const [duck, got] = await Promise.all([
        duckdbRead(t, tables, py, `${name}-spark`),
        sparkRun(t, catalogs, tables, [], py, name),
      ]);
      for (const c of group)
        for (const j of c.jobs) {
          const id = `${c.spark.name}.${j.id}`;
          const jj = { ...j, id };
          let problems = [
            ...tableProblems('spark', jj, got.tables[id], duck),
            ...typeProblems('spark', jj, got.tables[id]),
          ];
          if (j.hasTime && problems.length > 0 && problems.every((p) => p.includes(SPARK_NO_TIME))) {
            record(`Spark ${got.version} / Iceberg ${got.iceberg} (${c.key})`, j.id, [
              `known: ${SPARK_NO_TIME}`,
            ]);
            continue;
          }
          if (j.hasTime) problems = [...problems, 'expected Spark to refuse the time column'];
          record(`Spark ${got.version} / Iceberg ${got.iceberg} (${c.key})`, j.id, problems);
          unexpected.push(
            ...problems.filter((p) => !p.startsWith('known:')).map((p) => `${c.key} ${id}: ${p}`),
          );
        }
    }
    expect(unexpected).toEqual([]);
  }, 900_000);
});
