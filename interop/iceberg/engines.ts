/**
 * Drives the engines over a catalog's tables and checks what they return: the job each Python script reads
 * (schemas, snapshots, history times, filters — from datamove's own metadata), the ground truth (DuckDB over
 * the Parquet files datamove lists for each snapshot, s3:// files fetched through datamove's FileIO first),
 * and the comparison, which yields one list of problems per table and engine (empty = ✅).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Catalog, type IcebergSchema, isS3Location, tableFilesAt } from '../../iceberg-writer/index.js';
import { type CorpusTable, NAMESPACE } from './corpus.js';
import type { IcebergInteropTools } from './tools.js';

const run = promisify(execFile);

/** One table as datamove sees it, and what each engine is asked. */
export interface TableJob {
  readonly id: string;
  readonly schemas: Record<string, IcebergSchema>;
  readonly currentSchemaId: number;
  readonly currentSnapshotId: string | null;
  readonly snapshots: { id: string; schemaId: number }[];
  readonly history: { timestampMs: number; snapshotId: string; schemaId: number }[];
  readonly filters: CorpusTable['filters'];
  readonly spec: unknown;
  readonly sortOrder: unknown;
  readonly hasTime: boolean;
  /** Live data files per snapshot id (local paths DuckDB can read). */
  readonly files: Record<string, string[]>;
  readonly partitions: number;
}

/** Reads datamove's view of every table (and fetches s3:// data files to `dir`). */
export async function tableJobs(
  catalog: Catalog,
  tables: readonly CorpusTable[],
  dir: string,
  namespace = NAMESPACE,
): Promise<TableJob[]> {
  const out: TableJob[] = [];
  mkdirSync(dir, { recursive: true });
  let fetched = 0;
  for (const t of tables) {
    const id = { namespace: [namespace], name: t.name };
    const { metadata: m } = await catalog.loadTable(id);
    const schemas: Record<string, IcebergSchema> = {};
    for (const s of m.schemas) schemas[String(s['schema-id'])] = s;
    const files: Record<string, string[]> = {};
    let partitions = 0;
    for (const s of m.snapshots) {
      const plan = await tableFilesAt(catalog, id, { snapshotId: s['snapshot-id'] });
      const local: string[] = [];
      for (const f of plan.files) {
        if (!isS3Location(f.filePath)) {
          local.push(f.filePath.startsWith('file:') ? new URL(f.filePath).pathname : f.filePath);
          continue;
        }
        const p = join(dir, `f${fetched++}.parquet`);
        writeFileSync(p, await catalog.io.read(f.filePath));
        local.push(p);
      }
      files[String(s['snapshot-id'])] = local;
      if (s['snapshot-id'] === m['current-snapshot-id'])
        partitions = new Set(
          plan.files.map((f) =>
            JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
          ),
        ).size;
    }
    const exists = new Set(m.snapshots.map((s) => String(s['snapshot-id'])));
    const schemaOf = (sid: string) =>
      m.snapshots.find((s) => String(s['snapshot-id']) === sid)?.['schema-id'] ?? m['current-schema-id'];
    out.push({
      id: `${namespace}.${t.name}`,
      schemas,
      currentSchemaId: m['current-schema-id'],
      currentSnapshotId: m['current-snapshot-id'] === -1n ? null : String(m['current-snapshot-id']),
      snapshots: m.snapshots.map((s) => ({
        id: String(s['snapshot-id']),
        schemaId: s['schema-id'] ?? m['current-schema-id'],
      })),
      history: m['snapshot-log']
        .filter((e) => exists.has(String(e['snapshot-id'])))
        .map((e) => ({
          timestampMs: e['timestamp-ms'],
          snapshotId: String(e['snapshot-id']),
          schemaId: schemaOf(String(e['snapshot-id'])),
        })),
      filters: t.filters,
      spec: m['partition-specs'].find((s) => s['spec-id'] === m['default-spec-id']),
      sortOrder: m['sort-orders'].find((s) => s['order-id'] === m['default-sort-order-id']),
      hasTime: t.hasTime,
      files,
      partitions,
    });
  }
  return out;
}

async function python(
  tools: IcebergInteropTools,
  script: string,
  input: unknown,
  dir: string,
  name: string,
): Promise<any> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(input));
  try {
    const { stdout } = await run(tools.python, [join(tools.scripts, script), file], {
      maxBuffer: 256 << 20,
      env: { ...process.env, TZ: 'UTC', PYTHONPATH: tools.scripts, PYSPARK_PYTHON: tools.python },
      timeout: 600_000,
    });
    return JSON.parse(stdout);
  } catch (e) {
    const x = e as { stderr?: string; message: string };
    throw new Error(`${script} failed: ${x.message.split('\n')[0]}\n${(x.stderr ?? '').slice(-4000)}`);
  }
}

/** DuckDB's rows for every snapshot and filter: `reads[<table>@<snapshot>]`, `reads[<table>#<filter>]`. */
export function duckdbRead(tools: IcebergInteropTools, jobs: readonly TableJob[], dir: string, name: string) {
  const reads: unknown[] = [];
  for (const j of jobs) {
    for (const s of j.snapshots)
      reads.push({ key: `${j.id}@${s.id}`, schema: j.schemas[String(s.schemaId)], files: j.files[s.id] });
    const current = j.currentSnapshotId === null ? [] : j.files[j.currentSnapshotId]!;
    for (const f of j.filters)
      reads.push({
        key: `${j.id}#${f.name}`,
        schema: j.schemas[String(j.currentSchemaId)],
        files: current,
        where: f.where,
      });
  }
  const sorted = jobs.map((j) => {
    const schema = j.schemas[String(j.currentSchemaId)]!;
    const keys = ((j.sortOrder as any)?.fields ?? []).map((f: any) => ({
      name: schema.fields.find((x) => x.id === f['source-id'])?.name,
      direction: f.direction === 'desc' ? 'DESC' : 'ASC',
      nulls: f['null-order'] === 'nulls-last' ? 'NULLS LAST' : 'NULLS FIRST',
    }));
    const ok =
      keys.every((k: any) => k.name !== undefined) &&
      ((j.sortOrder as any)?.fields ?? []).every((f: any) => f.transform === 'identity');
    return {
      key: j.id,
      files: j.currentSnapshotId === null ? [] : j.files[j.currentSnapshotId],
      keys: ok ? keys : [],
    };
  });
  return python(tools, 'duckdb_rows.py', { reads, sorted }, dir, `${name}-duckdb`);
}

export function pyicebergRead(
  tools: IcebergInteropTools,
  catalog: unknown,
  jobs: readonly TableJob[],
  dir: string,
  name: string,
) {
  return python(tools, 'pyiceberg_check.py', { catalog, tables: jobs }, dir, `${name}-pyiceberg`);
}

export function sparkRun(
  tools: IcebergInteropTools,
  catalogs: Record<string, unknown>,
  tables: readonly (TableJob & { id: string })[],
  sql: readonly string[],
  dir: string,
  name: string,
) {
  return python(
    tools,
    'spark_check.py',
    { jars: tools.sparkJars, catalogs, tables, sql },
    dir,
    `${name}-spark`,
  );
}

/** The fields of a schema as both engines print them: id, name, required, type (nested alike). */
function fieldsOf(s: any): unknown {
  const t = (x: any): unknown => {
    if (typeof x === 'string') return x.replace(/\s+/g, '');
    if (x.type === 'struct')
      return { struct: x.fields.map((f: any) => [f.id, f.name, f.required, t(f.type)]) };
    if (x.type === 'list') return { list: [x['element-id'], x['element-required'], t(x.element)] };
    if (x.type === 'map')
      return { map: [x['key-id'], t(x.key), x['value-id'], x['value-required'], t(x.value)] };
    return x;
  };
  return {
    fields: t({ type: 'struct', fields: s.fields }),
    ids: [...(s['identifier-field-ids'] ?? [])].sort(),
  };
}

const rowsDiff = (what: string, got: string[] | undefined, want: string[]): string[] => {
  if (got === undefined) return [`${what}: no rows`];
  if (got.length === want.length && got.every((r, i) => r === want[i])) return [];
  const g = new Set(got);
  const w = new Set(want);
  const missing = want.filter((r) => !g.has(r));
  const extra = got.filter((r) => !w.has(r));
  return [
    `${what}: ${got.length} rows, DuckDB ${want.length}; missing ${missing.length} (e.g. ${missing[0]?.slice(0, 300)}), extra ${extra.length} (e.g. ${extra[0]?.slice(0, 300)})`,
  ];
};

const err = (what: string, x: any): string[] => (x?.error ? [`${what}: ${x.error}`] : []);

/**
 * Problems of one engine's reading of one table, against DuckDB and datamove's metadata. Limitations of an
 * engine itself (not of the table) are reported with a `known:` prefix.
 */
export function tableProblems(engine: 'pyiceberg' | 'spark', j: TableJob, got: any, duck: any): string[] {
  if (got === undefined) return ['not read'];
  if (got.error) return [got.error];
  const p: string[] = [];
  const want = (key: string) => duck.reads[key].rows as string[];
  const schemaWant = JSON.stringify(fieldsOf(j.schemas[String(j.currentSchemaId)]));
  if (JSON.stringify(fieldsOf(got.schema)) !== schemaWant)
    p.push(
      `schema differs: ${JSON.stringify(fieldsOf(got.schema)).slice(0, 400)} vs ours ${schemaWant.slice(0, 400)}`,
    );
  const specFields = (s: any) =>
    JSON.stringify((s?.fields ?? []).map((f: any) => [f['source-id'], f['field-id'], f.name, f.transform]));
  if (specFields(got.spec) !== specFields(j.spec))
    p.push(`partition spec ${specFields(got.spec)} vs ours ${specFields(j.spec)}`);
  const orderFields = (s: any) =>
    JSON.stringify(
      (s?.fields ?? []).map((f: any) => [f['source-id'], f.transform, f.direction, f['null-order']]),
    );
  if (orderFields(got.sortOrder ?? got['sort-order']) !== orderFields(j.sortOrder))
    p.push(`sort order ${orderFields(got.sortOrder)} vs ours ${orderFields(j.sortOrder)}`);
  if (got.currentSnapshotId !== j.currentSnapshotId)
    p.push(`current snapshot ${got.currentSnapshotId} vs ours ${j.currentSnapshotId}`);
  if (engine === 'spark') {
    p.push(...err('current', got.current));
    if (!got.current?.error) {
      const cur = j.currentSnapshotId === null ? [] : want(`${j.id}@${j.currentSnapshotId}`);
      p.push(...rowsDiff('current rows', got.current.rows, cur));
      if (got.current.count !== cur.length) p.push(`count(*) ${got.current.count} vs DuckDB ${cur.length}`);
    }
  }
  for (const s of j.snapshots) {
    const x = got.snapshots?.[s.id];
    p.push(...err(`snapshot ${s.id}`, x));
    if (x && !x.error) p.push(...rowsDiff(`snapshot ${s.id}`, x.rows, want(`${j.id}@${s.id}`)));
  }
  for (const h of j.history) {
    const x = got.asOfTimestamp?.[String(h.timestampMs)];
    p.push(...err(`as of ${h.timestampMs}`, x));
    if (!x || x.error) continue;
    if (engine === 'pyiceberg' && x.snapshotId !== h.snapshotId)
      p.push(`as of ${h.timestampMs}: snapshot ${x.snapshotId}, ours ${h.snapshotId}`);
    if (engine === 'spark')
      p.push(...rowsDiff(`TIMESTAMP AS OF ${h.timestampMs}`, x.rows, want(`${j.id}@${h.snapshotId}`)));
  }
  const all = typeof got.allFiles === 'number' ? got.allFiles : undefined;
  p.push(...err('all files', got.allFiles));
  const liveFiles = j.currentSnapshotId === null ? 0 : j.files[j.currentSnapshotId]!.length;
  if (all !== undefined && all !== liveFiles)
    p.push(`a full scan planned ${all} files, the snapshot has ${liveFiles}`);
  for (const f of j.filters) {
    const x = got.filters?.[f.name];
    p.push(...err(`filter ${f.name}`, x));
    if (!x || x.error) continue;
    const d = duck.reads[`${j.id}#${f.name}`];
    p.push(...rowsDiff(`filter ${f.name}`, x.rows, d.rows));
    if (typeof x.files !== 'number') p.push(`filter ${f.name}: no planned-files count`);
    else {
      if (x.files < d.files)
        p.push(`filter ${f.name}: planned ${x.files} files, ${d.files} hold matching rows`);
      if (f.prunes && x.files >= liveFiles)
        p.push(`filter ${f.name}: planned ${x.files} of ${liveFiles} files (no pruning)`);
    }
  }
  const meta = engine === 'pyiceberg' ? got.inspect : got.metadataTables;
  const counts: Record<string, number> = { snapshots: j.snapshots.length, files: liveFiles };
  if (j.spec && (j.spec as any).fields.length > 0) counts.partitions = j.partitions;
  const hasUuid = JSON.stringify(j.schemas[String(j.currentSchemaId)]).includes('"uuid"');
  for (const [name, x] of Object.entries<any>(meta ?? {})) {
    if (
      engine === 'pyiceberg' &&
      hasUuid &&
      String(x?.error ?? '').includes('ArrowNotImplementedError: extension')
    ) {
      // PyIceberg builds readable_metrics with pa.Table.from_pylist, which cannot fill pa.uuid() columns
      p.push(`known: PyIceberg inspect.${name}() fails on any table with a uuid column (${x.error})`);
      continue;
    }
    p.push(...err(`${engine === 'pyiceberg' ? 'inspect' : 'metadata table'} ${name}`, x));
    if (x && !x.error && counts[name] !== undefined && x.rows !== counts[name])
      p.push(`${name}: ${x.rows} rows, ours ${counts[name]}`);
  }
  return p;
}

/** The Spark SQL type Iceberg's Spark runtime gives an Iceberg type (`simpleString` form). */
export function sparkTypeOf(t: any): string {
  if (typeof t === 'string') {
    const d = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
    if (d) return `decimal(${d[1]},${d[2]})`;
    const m: Record<string, string> = {
      boolean: 'boolean',
      int: 'int',
      long: 'bigint',
      float: 'float',
      double: 'double',
      date: 'date',
      timestamp: 'timestamp_ntz',
      timestamptz: 'timestamp',
      string: 'string',
      uuid: 'string',
      binary: 'binary',
    };
    return m[t] ?? (t.startsWith('fixed') ? 'binary' : `unsupported ${t}`);
  }
  if (t.type === 'list') return `array<${sparkTypeOf(t.element)}>`;
  if (t.type === 'map') return `map<${sparkTypeOf(t.key)},${sparkTypeOf(t.value)}>`;
  return `struct<${t.fields.map((f: any) => `${f.name}:${sparkTypeOf(f.type)}`).join(',')}>`;
}

/** The Arrow type PyIceberg scans an Iceberg primitive to (`str(pyarrow type)`), for the types that vary. */
const ARROW_OF: Record<string, readonly string[]> = {
  timestamptz: ['timestamp[us, tz=UTC]', 'timestamp[us, tz=+00:00]'],
  timestamp: ['timestamp[us]'],
  date: ['date32[day]'],
  time: ['time64[us]'],
  uuid: ['extension<arrow.uuid>', 'fixed_size_binary[16]'],
  binary: ['binary', 'large_binary'],
  string: ['string', 'large_string'],
  long: ['int64'],
  int: ['int32'],
};

/** Each engine's column types against the Iceberg types of datamove's schema. */
export function typeProblems(engine: 'pyiceberg' | 'spark', j: TableJob, got: any): string[] {
  if (got === undefined || got.error) return [];
  const p: string[] = [];
  for (const f of j.schemas[String(j.currentSchemaId)]!.fields) {
    if (engine === 'spark') {
      const have = got.current?.sparkTypes?.[f.name];
      if (have !== undefined && have !== sparkTypeOf(f.type))
        p.push(`Spark type of ${f.name}: ${have}, expected ${sparkTypeOf(f.type)}`);
    } else if (typeof f.type === 'string') {
      const have = got.arrowTypes?.[f.name];
      const d = /^decimal\((\d+),\s*(\d+)\)$/.exec(f.type);
      const want = d ? [`decimal128(${d[1]}, ${d[2]})`] : ARROW_OF[f.type];
      if (want !== undefined && !want.includes(have))
        p.push(`Arrow type of ${f.name}: ${have}, expected ${want.join(' or ')}`);
    }
  }
  return p;
}
