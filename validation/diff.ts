/**
 * The diff of two Iceberg snapshots (or any two sets of Parquet files), in DuckDB, with multiset
 * semantics: |C|, |M|, |C−M|, |M−C| where C−M is `C EXCEPT ALL M` (a row twice in C and once in M is once
 * in C−M). With a key (columns), the differing rows split into missing (key only in C), phantom (key only
 * in M), changed (the key on both sides' differences: the columns that differ are listed) and duplicates
 * (a key on both sides whose multiplicity differs). Every column of the common schema is compared; columns
 * on one side only, or with different types, are reported, and make the two sides differ.
 *
 * Out of core: DuckDB runs with a memory limit (default 1536MB, which keeps the whole process within
 * 2 GiB: the process peaks at DuckDB's limit plus ~200 MiB) and a temp directory of its own (removed at
 * close), `preserve_insertion_order=false`, one thread per core. Local data files are read in place; S3
 * files are downloaded through the catalog's FileIO to the temp area first.
 *
 * Not two `EXCEPT ALL`s, but counts per side: first per row hash (`hash(all columns)`, grouped with a
 * count per side; only hashes whose counts differ are kept — 8-byte groups, so 50 M rows a side fit), then,
 * for just the rows with those hashes, per row (`GROUP BY ALL … HAVING count_c <> count_m`, table
 * `diff_groups`); C−M is each group with count_c > count_m, repeated count_c − count_m times — exactly
 * `EXCEPT ALL`. Two `EXCEPT ALL` queries over 10 M rows a side took 43 s and 1.9 GB RSS on 2 cores, one
 * grouped pass over whole rows 30 s and 1.3 GB, and at 50 M rows a side that pass ran out of a 1.2 GB
 * DuckDB limit (validation/bench/diff.bench.ts). The hash step only narrows the rows compared exactly:
 * a difference escapes only if a row only in C and a row only in M share a 64-bit hash with the same
 * multiplicity (odds about |C−M|·|M−C| / 2^64: 1 in 18 million for a million differing rows each way). The
 * tests check the counts against `EXCEPT ALL` itself.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DatamoveError } from '../core/index.js';
import type { Catalog, TableIdentifier } from '../iceberg-writer/index.js';
import {
  type SnapshotInfo,
  type SnapshotSelector,
  tableFilesAt,
  tableIdentifierParse,
  tableIdentifierString,
} from '../iceberg-writer/index.js';

/** `ns.table`, `ns.table@<snapshot-id>` or `ns.table@<ISO-8601 time>`. */
export interface TableRef {
  readonly table: TableIdentifier;
  readonly selector?: SnapshotSelector;
  readonly text: string;
}

export function tableRefParse(text: string): TableRef {
  const at = text.indexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const sel = at < 0 ? undefined : text.slice(at + 1);
  const table = tableIdentifierParse(name);
  if (sel === undefined) return { table, text };
  if (/^-?\d+$/.test(sel)) return { table, selector: { snapshotId: sel }, text };
  if (!Number.isFinite(Date.parse(sel)))
    throw new DatamoveError(
      'InvalidArgument',
      `diff: ${text}: '${sel}' after @ must be a snapshot id or an ISO-8601 time`,
      { context: { table: text } },
    );
  return { table, selector: { asOf: sel }, text };
}

/** DuckDB's default limit: with ~200 MiB of process overhead on top, a diff stays within 2 GiB. */
export const DIFF_MEMORY_LIMIT = '1536MB';

export interface DiffOptions {
  /** Key columns: splits the differences into missing, phantom, changed and duplicates. */
  readonly key?: readonly string[];
  /** Sample rows per kind (default 10). */
  readonly samples?: number;
  /** DuckDB `memory_limit` (default `1536MB`: the whole process stays within 2 GiB). */
  readonly memoryLimit?: string;
  /** DuckDB threads (default: one per core). */
  readonly threads?: number;
  /** Parent of the temp area (DuckDB spill files, downloaded S3 files); default the OS temp folder. */
  readonly tempDir?: string;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

export interface SchemaComparison {
  readonly equal: boolean;
  /** Compared columns (in C's order). */
  readonly common: readonly ColumnInfo[];
  readonly onlyInC: readonly string[];
  readonly onlyInM: readonly string[];
  /** Common columns whose types differ (compared as text; `common` lists them as VARCHAR). */
  readonly typeDiffers: readonly { name: string; c: string; m: string }[];
}

export type SampleRow = Record<string, unknown>;

export interface ChangedSample {
  readonly key: SampleRow;
  /** Column → [C's value, M's value], only the columns that differ. */
  readonly columns: Record<string, [unknown, unknown]>;
}

export interface KeyedCounts {
  readonly key: readonly string[];
  /** Rows of C−M whose key is not in M. */
  readonly missing: number;
  /** Rows of M−C whose key is not in C. */
  readonly phantom: number;
  /** Keys in both C−M and M−C (same key, different values). */
  readonly changed: number;
  /** Rows of C−M and M−C whose key is on both sides but that are neither missing, phantom nor changed. */
  readonly duplicates: number;
  /** Column → how many changed pairs differ in it. */
  readonly changedColumns: Record<string, number>;
  readonly samples: {
    readonly missing: SampleRow[];
    readonly phantom: SampleRow[];
    readonly changed: ChangedSample[];
  };
}

export interface DiffSideInfo {
  readonly label: string;
  readonly table?: string;
  readonly snapshot?: SnapshotInfo;
  readonly files: number;
}

export interface DiffReport {
  readonly c: DiffSideInfo;
  readonly m: DiffSideInfo;
  readonly schema: SchemaComparison;
  readonly cRows: number;
  readonly mRows: number;
  readonly cMinusM: number;
  readonly mMinusC: number;
  /** Rows on both sides (multiset intersection). */
  readonly matched: number;
  /** matched / max(|C|, |M|), a ratio 0..1 (1 when both are empty); shown as a percentage. */
  readonly similarity: number;
  /** C = M: same schema, no differing row. */
  readonly equal: boolean;
  readonly samples: { readonly cMinusM: SampleRow[]; readonly mMinusC: SampleRow[] };
  readonly keyed?: KeyedCounts;
  readonly elapsedMs: number;
}

/** One side: Parquet files on local disk. */
export interface DiffSide {
  readonly label: string;
  readonly files: readonly string[];
  readonly table?: string;
  readonly snapshot?: SnapshotInfo;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Similarity as defined for shadow runs: matched rows over the larger side, a ratio 0..1 (core/percent.ts). */
export function similarityOf(cRows: number, mRows: number, matched: number): number {
  const n = Math.max(cRows, mRows);
  return n === 0 ? 1 : matched / n;
}

/**
 * An open diff: the DuckDB database with views `c` and `m` over the two sides and, after `report()`,
 * the table `diff_groups` (every differing row group with `__dm_c`/`__dm_m` counts) — categorize.ts asks
 * it further questions. Close it to remove the temp area.
 */
export interface DiffSession {
  readonly connection: DuckDBConnection;
  readonly schema: SchemaComparison;
  /** Compared column names, quoted for SQL. */
  readonly columns: readonly string[];
  report(): Promise<DiffReport>;
  /** Runs a query and returns JSON-safe row objects. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** DuckDB's buffer-managed memory and spilled bytes now (from a second connection). */
  memory(): Promise<{ memoryBytes: number; tempBytes: number }>;
  close(): Promise<void>;
}

async function describe(conn: DuckDBConnection, files: readonly string[]): Promise<ColumnInfo[]> {
  const r = await conn.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet([${files.map(lit).join(', ')}], union_by_name = true)`,
  );
  return r.getRowObjectsJson().map((x) => ({ name: String(x.column_name), type: String(x.column_type) }));
}

function schemaCompare(c: ColumnInfo[] | undefined, m: ColumnInfo[] | undefined): SchemaComparison {
  // an empty side (no data file) takes the other side's schema
  const a = c ?? m ?? [];
  const b = m ?? c ?? [];
  const byName = new Map(b.map((x) => [x.name, x]));
  const names = new Set(a.map((x) => x.name));
  const shared = a.filter((x) => byName.has(x.name));
  const typeDiffers = shared
    .filter((x) => byName.get(x.name)!.type !== x.type)
    .map((x) => ({ name: x.name, c: x.type, m: byName.get(x.name)!.type }));
  const onlyInC = a.filter((x) => !byName.has(x.name)).map((x) => x.name);
  const onlyInM = b.filter((x) => !names.has(x.name)).map((x) => x.name);
  const differs = new Set(typeDiffers.map((t) => t.name));
  const common = shared.map((x) => (differs.has(x.name) ? { name: x.name, type: 'VARCHAR' } : x));
  return {
    equal: onlyInC.length === 0 && onlyInM.length === 0 && typeDiffers.length === 0,
    common,
    onlyInC,
    onlyInM,
    typeDiffers,
  };
}

/** A value for samples: binary as `0x…` hex (nested values keep DuckDB's text form). */
function valueExpr(c: ColumnInfo, alias = ''): string {
  const v = `${alias}${q(c.name)}`;
  return c.type === 'BLOB' ? `CASE WHEN ${v} IS NULL THEN NULL ELSE '0x' || lower(hex(${v})) END` : v;
}

function sampleSelect(cols: readonly ColumnInfo[], alias = ''): string {
  return cols.map((c) => `${valueExpr(c, alias)} AS ${q(c.name)}`).join(', ');
}

/** Opens a diff of two sides of local Parquet files. */
export async function diffSessionOpen(
  c: DiffSide,
  m: DiffSide,
  options: DiffOptions = {},
  cleanup: string[] = [],
): Promise<DiffSession> {
  const started = Date.now();
  const temp = mkdtempSync(join(options.tempDir ?? tmpdir(), 'datamove-diff-'));
  cleanup.push(temp);
  const spill = join(temp, 'spill');
  mkdirSync(spill);
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  let monitor: DuckDBConnection | undefined;
  const close = async (): Promise<void> => {
    monitor?.closeSync();
    conn?.closeSync();
    instance?.closeSync();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  };
  try {
    instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit ?? DIFF_MEMORY_LIMIT,
      temp_directory: spill,
      preserve_insertion_order: 'false',
      threads: String(options.threads ?? Math.max(1, cpus().length)),
    });
    conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'").catch(() => {});
    const cSchema = c.files.length === 0 ? undefined : await describe(conn, c.files);
    const mSchema = m.files.length === 0 ? undefined : await describe(conn, m.files);
    const schema = schemaCompare(cSchema, mSchema);
    const cols = schema.common.map((x) => q(x.name));
    const key = options.key ?? [];
    for (const k of key)
      if (!schema.common.some((x) => x.name === k))
        throw new DatamoveError(
          'InvalidArgument',
          `diff: key column '${k}' is not a column of both sides (${schema.common.map((x) => x.name).join(', ') || 'no common columns'})`,
          { context: { column: k } },
        );
    // a column whose types differ is compared as text (and the schemas already differ)
    const cast = new Set(schema.typeDiffers.map((t) => t.name));
    const projection = schema.common
      .map((x) => (cast.has(x.name) ? `CAST(${q(x.name)} AS VARCHAR) AS ${q(x.name)}` : q(x.name)))
      .join(', ');
    const view = async (name: string, side: DiffSide, other: DiffSide): Promise<void> => {
      const files = side.files.length > 0 ? side.files : other.files;
      if (files.length === 0) {
        await conn!.run(`CREATE VIEW ${name} AS SELECT NULL AS __dm_none WHERE false`);
        return;
      }
      const list = files.map(lit).join(', ');
      await conn!.run(
        `CREATE VIEW ${name} AS SELECT ${cols.length === 0 ? '*' : projection} FROM read_parquet([${list}], union_by_name = true)${side.files.length === 0 ? ' WHERE false' : ''}`,
      );
    };
    await view('c', c, m);
    await view('m', m, c);
    const samples = Math.max(0, options.samples ?? 10);
    const session: DiffSession = {
      connection: conn,
      schema,
      columns: cols,
      async rows(sql) {
        return (await conn!.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      },
      async memory() {
        monitor ??= await instance!.connect();
        const r = (
          await monitor.runAndReadAll(
            'SELECT coalesce(sum(memory_usage_bytes), 0) AS m, coalesce(sum(temporary_storage_bytes), 0) AS t FROM duckdb_memory()',
          )
        ).getRowObjectsJson()[0]!;
        return { memoryBytes: Number(r.m), tempBytes: Number(r.t) };
      },
      async report() {
        return diffReport(session, c, m, schema, key, samples, started);
      },
      close,
    };
    return session;
  } catch (e) {
    await close();
    throw e;
  }
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

async function diffReport(
  s: DiffSession,
  cSide: DiffSide,
  mSide: DiffSide,
  schema: SchemaComparison,
  key: readonly string[],
  samples: number,
  started: number,
): Promise<DiffReport> {
  const cols = s.columns;
  const side = (x: DiffSide): DiffSideInfo => ({
    label: x.label,
    ...(x.table === undefined ? {} : { table: x.table }),
    ...(x.snapshot === undefined ? {} : { snapshot: x.snapshot }),
    files: x.files.length,
  });
  if (cols.length === 0) {
    const counts = (await s.rows('SELECT (SELECT count(*) FROM c) AS c, (SELECT count(*) FROM m) AS m'))[0]!;
    const cRows = num(counts.c);
    const mRows = num(counts.m);
    return {
      c: side(cSide),
      m: side(mSide),
      schema,
      cRows,
      mRows,
      cMinusM: cRows,
      mMinusC: mRows,
      matched: 0,
      similarity: similarityOf(cRows, mRows, 0),
      equal: schema.equal && cRows === 0 && mRows === 0,
      samples: { cMinusM: [], mMinusC: [] },
      elapsedMs: Date.now() - started,
    };
  }
  const list = cols.join(', ');
  // 1: row hashes whose counts differ between the sides (8-byte groups: spills little)
  await s.connection.run(
    `CREATE OR REPLACE TEMP TABLE diff_hashes AS
       SELECT __dm_h FROM (SELECT hash(${list}) AS __dm_h, 1 AS __dm_c, 0 AS __dm_m FROM c
                           UNION ALL SELECT hash(${list}), 0, 1 FROM m)
       GROUP BY __dm_h HAVING sum(__dm_c) <> sum(__dm_m)`,
  );
  // 2: exact multiset comparison of just the rows with those hashes
  await s.connection.run(
    `CREATE OR REPLACE TEMP TABLE diff_groups AS
       SELECT ${list}, sum(__dm_c)::BIGINT AS __dm_c, sum(__dm_m)::BIGINT AS __dm_m
       FROM (SELECT ${list}, 1 AS __dm_c, 0 AS __dm_m FROM c WHERE hash(${list}) IN (SELECT __dm_h FROM diff_hashes)
             UNION ALL SELECT ${list}, 0, 1 FROM m WHERE hash(${list}) IN (SELECT __dm_h FROM diff_hashes))
       GROUP BY ALL HAVING sum(__dm_c) <> sum(__dm_m)`,
  );
  // C−M and M−C with their multiplicities (EXCEPT ALL)
  await s.connection.run(
    `CREATE OR REPLACE TEMP VIEW c_minus_m AS SELECT ${list} FROM diff_groups, range(__dm_c - __dm_m) WHERE __dm_c > __dm_m`,
  );
  await s.connection.run(
    `CREATE OR REPLACE TEMP VIEW m_minus_c AS SELECT ${list} FROM diff_groups, range(__dm_m - __dm_c) WHERE __dm_m > __dm_c`,
  );
  const counts = (
    await s.rows(
      `SELECT (SELECT count(*) FROM c) AS c, (SELECT count(*) FROM m) AS m,
              (SELECT coalesce(sum(__dm_c - __dm_m), 0) FROM diff_groups WHERE __dm_c > __dm_m) AS cm,
              (SELECT coalesce(sum(__dm_m - __dm_c), 0) FROM diff_groups WHERE __dm_m > __dm_c) AS mc`,
    )
  )[0]!;
  const cRows = num(counts.c);
  const mRows = num(counts.m);
  const cMinusM = num(counts.cm);
  const mMinusC = num(counts.mc);
  const matched = cRows - cMinusM;
  const order = key.length > 0 ? ` ORDER BY ${key.map(q).join(', ')}` : '';
  const sampleOf = async (v: string): Promise<SampleRow[]> =>
    samples === 0 ? [] : s.rows(`SELECT ${sampleSelect(schema.common)} FROM ${v}${order} LIMIT ${samples}`);
  const report: DiffReport = {
    c: side(cSide),
    m: side(mSide),
    schema,
    cRows,
    mRows,
    cMinusM,
    mMinusC,
    matched,
    similarity: similarityOf(cRows, mRows, matched),
    equal: schema.equal && cMinusM === 0 && mMinusC === 0,
    samples: { cMinusM: await sampleOf('c_minus_m'), mMinusC: await sampleOf('m_minus_c') },
    ...(key.length === 0 ? {} : { keyed: await keyedCounts(s, schema, key, samples) }),
    elapsedMs: Date.now() - started,
  };
  return report;
}

/** `x.k1 IS NOT DISTINCT FROM y.k1 AND …` */
export function keyJoin(key: readonly string[], x: string, y: string): string {
  return key.map((k) => `${x}.${q(k)} IS NOT DISTINCT FROM ${y}.${q(k)}`).join(' AND ');
}

async function keyedCounts(
  s: DiffSession,
  schema: SchemaComparison,
  key: readonly string[],
  samples: number,
): Promise<KeyedCounts> {
  const keyList = key.map(q).join(', ');
  const others = schema.common.filter((c) => !key.includes(c.name));
  // Which differing keys occur on each side at all: the (small) set of differing keys is the build side of
  // a semi join that streams each side once. A correlated NOT EXISTS against a whole side let DuckDB build
  // its hash table over that side instead.
  await s.connection.run(
    `CREATE OR REPLACE TEMP TABLE diff_keys AS SELECT DISTINCT ${keyList} FROM diff_groups`,
  );
  for (const side of ['c', 'm'])
    await s.connection.run(
      `CREATE OR REPLACE TEMP TABLE diff_keys_${side} AS
         SELECT DISTINCT ${key.map((k) => `x.${q(k)}`).join(', ')} FROM ${side} x SEMI JOIN diff_keys k ON ${keyJoin(key, 'x', 'k')}`,
    );
  // the differing rows, each with whether its key is on the other side at all and in the other side's differences
  await s.connection.run(
    `CREATE OR REPLACE TEMP TABLE diff_keyed AS
       SELECT d.*, CASE WHEN d.__dm_c > d.__dm_m THEN 'c' ELSE 'm' END AS __dm_side,
              (d.__dm_c > d.__dm_m AND NOT EXISTS (SELECT 1 FROM diff_keys_m y WHERE ${keyJoin(key, 'y', 'd')}))
                OR (d.__dm_m > d.__dm_c AND NOT EXISTS (SELECT 1 FROM diff_keys_c y WHERE ${keyJoin(key, 'y', 'd')})) AS __dm_absent,
              EXISTS (SELECT 1 FROM diff_groups y WHERE ${keyJoin(key, 'y', 'd')}
                        AND sign(y.__dm_c - y.__dm_m) <> sign(d.__dm_c - d.__dm_m)) AS __dm_counterpart
       FROM diff_groups d`,
  );
  const r = (
    await s.rows(
      `SELECT coalesce(sum(abs(__dm_c - __dm_m)) FILTER (WHERE __dm_side = 'c' AND __dm_absent), 0) AS missing,
              coalesce(sum(abs(__dm_c - __dm_m)) FILTER (WHERE __dm_side = 'm' AND __dm_absent), 0) AS phantom,
              coalesce(sum(abs(__dm_c - __dm_m)) FILTER (WHERE NOT __dm_absent AND NOT __dm_counterpart), 0) AS duplicates,
              (SELECT count(*) FROM (SELECT DISTINCT ${keyList} FROM diff_keyed WHERE __dm_side = 'c' AND __dm_counterpart)) AS changed
       FROM diff_keyed`,
    )
  )[0]!;
  // changed pairs: one C row and one M row with the same key
  const pairs = `FROM (SELECT * FROM diff_keyed WHERE __dm_side = 'c' AND __dm_counterpart) x
                 JOIN (SELECT * FROM diff_keyed WHERE __dm_side = 'm' AND __dm_counterpart) y ON ${keyJoin(key, 'x', 'y')}`;
  const changedColumns: Record<string, number> = {};
  if (others.length > 0 && num(r.changed) > 0) {
    const perCol = (
      await s.rows(
        `SELECT ${others.map((c, i) => `count(*) FILTER (WHERE x.${q(c.name)} IS DISTINCT FROM y.${q(c.name)}) AS d${i}`).join(', ')} ${pairs}`,
      )
    )[0]!;
    others.forEach((c, i) => {
      const n = num(perCol[`d${i}`]);
      if (n > 0) changedColumns[c.name] = n;
    });
  }
  const keyCols = schema.common.filter((c) => key.includes(c.name));
  const sampleRows = async (side: 'c' | 'm'): Promise<SampleRow[]> =>
    samples === 0
      ? []
      : s.rows(
          `SELECT ${sampleSelect(schema.common)} FROM diff_keyed WHERE __dm_side = '${side}' AND __dm_absent ORDER BY ${keyList} LIMIT ${samples}`,
        );
  const changed: ChangedSample[] = [];
  if (samples > 0 && num(r.changed) > 0) {
    const pick = [
      sampleSelect(keyCols, 'x.'),
      ...others.flatMap((c) => [
        `${valueExpr(c, 'x.')} AS ${q(`c:${c.name}`)}`,
        `${valueExpr(c, 'y.')} AS ${q(`m:${c.name}`)}`,
        `x.${q(c.name)} IS DISTINCT FROM y.${q(c.name)} AS ${q(`d:${c.name}`)}`,
      ]),
    ];
    const rows = await s.rows(
      `SELECT ${pick.join(', ')} ${pairs} ORDER BY ${key.map((k) => `x.${q(k)}`).join(', ')} LIMIT ${samples}`,
    );
    for (const row of rows) {
      const columns: Record<string, [unknown, unknown]> = {};
      for (const c of others)
        if (row[`d:${c.name}`] === true) columns[c.name] = [row[`c:${c.name}`], row[`m:${c.name}`]];
      changed.push({ key: Object.fromEntries(key.map((k) => [k, row[k]])), columns });
    }
  }
  return {
    key,
    missing: num(r.missing),
    phantom: num(r.phantom),
    changed: num(r.changed),
    duplicates: num(r.duplicates),
    changedColumns,
    samples: { missing: await sampleRows('c'), phantom: await sampleRows('m'), changed },
  };
}

/** Diffs two sets of local Parquet files. */
export async function parquetDiff(c: DiffSide, m: DiffSide, options: DiffOptions = {}): Promise<DiffReport> {
  const s = await diffSessionOpen(c, m, options);
  try {
    return await s.report();
  } finally {
    await s.close();
  }
}

/** A data file's local path; S3 (and other remote) files are downloaded to `temp` through the FileIO. */
async function localFiles(catalog: Catalog, uris: readonly string[], temp: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, uri] of uris.entries()) {
    if (uri.startsWith('file:')) out.push(fileURLToPath(uri));
    else if (uri.startsWith('/')) out.push(uri);
    else {
      const path = join(temp, `${i}.parquet`);
      writeFileSync(path, await catalog.io.read(uri));
      out.push(path);
    }
  }
  return out;
}

/** The data files of a table at a snapshot, as a diff side (downloading S3 files into `temp`). */
export async function diffSideOf(
  catalog: Catalog,
  ref: TableRef,
  label: string,
  temp: string,
): Promise<DiffSide> {
  const { snapshot, files } = await tableFilesAt(catalog, ref.table, ref.selector);
  mkdirSync(temp, { recursive: true });
  return {
    label,
    table: tableIdentifierString(ref.table),
    snapshot,
    files: await localFiles(
      catalog,
      files.map((f) => f.filePath),
      temp,
    ),
  };
}

/** Opens a diff of two table snapshots (see the module comment). */
export async function tableDiffOpen(
  catalog: Catalog,
  c: TableRef,
  m: TableRef,
  options: DiffOptions = {},
): Promise<DiffSession> {
  const temp = mkdtempSync(join(options.tempDir ?? tmpdir(), 'datamove-diff-files-'));
  try {
    const a = await diffSideOf(catalog, c, c.text, join(temp, 'c'));
    const b = await diffSideOf(catalog, m, m.text, join(temp, 'm'));
    return await diffSessionOpen(a, b, options, [temp]);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/** The diff report of two table snapshots. */
export async function tableDiff(
  catalog: Catalog,
  c: TableRef,
  m: TableRef,
  options: DiffOptions = {},
): Promise<DiffReport> {
  const s = await tableDiffOpen(catalog, c, m, options);
  try {
    return await s.report();
  } finally {
    await s.close();
  }
}
