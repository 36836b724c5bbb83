/**
 * `datamove restore --to sstables` loaded back into real Cassandra. For 4.1 and 5.0: one real node
 * (started from the jar), and for every corpus case of that version (`nb` for 4.1, `oa` for 5.0) and the
 * real 3-node snapshot trees: the case's own SSTables `nodetool import`ed into one table, datamove's
 * restore (`nb`, read from the case as a snapshot backup, as of the case's time) imported into an empty
 * twin table. Then `SELECT *` must give the same rows in both, and WRITETIME()/TTL() of every simple
 * column must be equal cell for cell (TTLs within the second between the two reads); Cassandra's offline
 * verifier (`StandaloneVerifier --extended`) checks the imported restore once the node is stopped.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CorpusCase,
  canonicalRow,
  cassandraClusterCases,
  cassandraCorpusCases,
  corpusCaseSnapshotTree,
  runCli,
} from '../../../infra/index.js';
import { parseSchemaCql, type TableSchema } from '../../../reader/index.js';
import { clientFor, type NodeSet, nodeSetCreate, nodeSetStop } from '../cluster.js';
import { queryJson } from '../cql-json.js';
import type { CassandraNode } from '../node.js';
import { cassandraRuntime, type Major } from '../runtime.js';

const FORMAT: Record<Major, string> = { '4.1': 'nb', '5.0': 'oa' };

interface Subject {
  readonly name: string;
  readonly keyspace: string;
  readonly table: string;
  /** A folder datamove reads as a backup. */
  readonly source: string;
  readonly asOf: string;
  readonly consistency: string;
  /** Folders of SSTables as Cassandra wrote them (one per node for a cluster tree). */
  readonly originals: readonly string[];
  readonly schemaCql: string;
  /** Cassandra's own answer at the case's time. */
  readonly expected: readonly Record<string, unknown>[];
}

const multiset = (rows: readonly Record<string, unknown>[]) => rows.map(canonicalRow).sort();

function sstableFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^[a-z]{2}-\d+-(big|bti)-/.test(f));
}

function caseSubject(c: CorpusCase, work: string): Subject {
  return {
    name: c.name,
    keyspace: c.spec.keyspace!,
    table: c.spec.table!,
    source: corpusCaseSnapshotTree(c, join(work, 'trees', c.name)),
    asOf: c.spec.now!,
    consistency: 'one',
    originals: [c.dir],
    schemaCql: readFileSync(join(c.dir, 'schema.cql'), 'utf8'),
    expected: c.spec.expected.rows ?? [],
  };
}

function clusterSubjects(dir: string, name: string): Subject[] {
  const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  return (e.tables as string[]).map((table) => {
    const folders = ['node1', 'node2', 'node3'].map((n) => {
      const ks = join(dir, 'dc1', n, e.keyspace);
      return join(ks, readdirSync(ks).find((d) => d.startsWith(`${table}-`))!, 'snapshots', 'after');
    });
    return {
      name: `${name}/${table}`,
      keyspace: e.keyspace,
      table,
      source: dir,
      asOf: new Date(Date.parse(e.snapshots.after.taken_by) + 1000).toISOString(),
      consistency: 'all',
      // the replicas merged are what ALL answers; importing all three nodes' SSTables gives the same
      originals: folders,
      schemaCql: readFileSync(join(folders[0]!, 'schema.cql'), 'utf8'),
      expected: e.snapshots.after.answers.ALL[table],
    };
  });
}

/** CREATE TYPE and CREATE TABLE of a snapshot's schema.cql, for keyspace `ks` and table name `as`. */
function createStatements(schemaCql: string, keyspace: string, table: string, as: string): string[] {
  const out: string[] = [];
  for (const stmt of schemaCql.split(';').map((s) => s.trim())) {
    if (stmt.length === 0) continue;
    let s = stmt.replace(/\bWITH ID = [0-9a-f-]+\s*AND\b/i, 'WITH').replace(/\bAND ID = [0-9a-f-]+/i, '');
    if (/^CREATE TABLE/i.test(s))
      s = s.replace(new RegExp(`\\b${keyspace}\\.${table}\\b`), `${keyspace}.${as}`);
    out.push(s.replace(/^CREATE (TABLE|TYPE) (?!IF NOT EXISTS)/i, 'CREATE $1 IF NOT EXISTS '));
  }
  return out;
}

/** Simple regular and static columns: the ones WRITETIME() and TTL() apply to. */
function simpleColumns(t: TableSchema): string[] {
  return t.columns
    .filter((c) => c.kind === 'regular' || c.kind === 'static')
    .filter((c) => {
      const ty = c.type;
      if (ty.kind === 'native') return ty.name !== 'counter';
      return !('frozen' in ty) || (ty as { frozen?: boolean }).frozen === true;
    })
    .map((c) => c.name);
}

async function metadataRows(client: cassandra.Client, ks: string, table: string, t: TableSchema) {
  const keys = [...t.partitionKey, ...t.clustering];
  const cols = simpleColumns(t);
  if (cols.length === 0) return [];
  const sel = [...keys, ...cols.flatMap((c) => [`writetime(${c}) AS w_${c}`, `ttl(${c}) AS t_${c}`])].join(
    ', ',
  );
  return queryJson(client, `SELECT ${sel} FROM ${ks}.${table}`);
}

/** Per cell: key columns, the write time exactly, the TTL to the second. */
function expectSameMetadata(a: Record<string, unknown>[], b: Record<string, unknown>[], what: string): void {
  const strip = (r: Record<string, unknown>) =>
    canonicalRow(Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('t_'))));
  expect(a.map(strip).sort(), `${what}: write times`).toEqual(b.map(strip).sort());
  const ttls = (rows: Record<string, unknown>[]) =>
    new Map(rows.map((r) => [strip(r), Object.entries(r).filter(([k]) => k.startsWith('t_'))]));
  const ta = ttls(a);
  for (const [k, tb] of ttls(b)) {
    const mine = new Map(ta.get(k) ?? []);
    for (const [col, v] of tb) {
      const x = mine.get(col);
      if (v === null || x === null) expect(x, `${what} ${k} ${col}`).toBe(v);
      else expect(Math.abs(Number(x) - Number(v)), `${what} ${k} ${col}`).toBeLessThanOrEqual(1);
    }
  }
}

for (const major of Object.keys(FORMAT) as Major[]) {
  describe(`restore --to sstables into Cassandra ${major}`, () => {
    const work = mkdtempSync(join(tmpdir(), `datamove-restore-interop-${major}-`));
    const subjects: Subject[] = [
      ...cassandraCorpusCases()
        .filter((c) => c.origin === major && c.spec.format === FORMAT[major])
        .map((c) => caseSubject(c, work)),
      ...cassandraClusterCases()
        .filter((c) => c.version === major && c.name.endsWith('-big'))
        .flatMap((c) => clusterSubjects(c.dir, c.name)),
    ];
    let set: NodeSet;
    let node: CassandraNode;
    let client: cassandra.Client;
    const restoredTables: string[] = [];
    const verifierLog: string[] = [];

    beforeAll(async () => {
      set = await nodeSetCreate(cassandraRuntime(major), join(work, 'node'), 1);
      node = set.nodes[0]!;
      await node.start();
      client = await clientFor(set);
    });
    afterAll(async () => {
      await client?.shutdown();
      await nodeSetStop(set);
      writeFileSync(join(tmpdir(), `datamove-interop-verifier-${major}.log`), verifierLog.join('\n'));
      if (process.env.DATAMOVE_INTEROP_KEEP !== '1') rmSync(work, { recursive: true, force: true });
    });

    it('has subjects', () => {
      expect(subjects.length).toBeGreaterThan(10);
    });

    for (const s of subjects) {
      it(`${s.name}: Cassandra reads the restore as it reads the original, cell for cell`, async () => {
        const table = parseSchemaCql(s.schemaCql).tables.find((t) => t.name === s.table)!;
        const twin = `${s.table}_restored`;
        const ks = s.keyspace;
        await client.execute(
          `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
        );
        for (const stmt of [
          ...createStatements(s.schemaCql, ks, s.table, s.table),
          ...createStatements(s.schemaCql, ks, s.table, twin),
        ])
          await client.execute(stmt);
        // both tables are new (no TRUNCATE: 5.0 then hides imported SSTables older than the truncation)

        // the originals, as Cassandra wrote them
        for (const [i, dir] of s.originals.entries()) {
          // 5.0 takes keyspace and table from the folder names: <…>/<keyspace>/<table>/
          const copy = join(work, 'originals', s.name.replace(/\//g, '_'), String(i), ks, s.table);
          mkdirSync(copy, { recursive: true });
          for (const f of sstableFiles(dir)) cpSync(join(dir, f), join(copy, f));
          await node.nodetool('import', ks, s.table, copy);
        }
        // datamove's restore, written as nb
        const job = join(work, `${s.name.replace(/\//g, '_')}.yaml`);
        writeFileSync(
          job,
          `name: restore-${s.table}
source: { uri: "${s.source}", keyspace: ${ks}, table: ${s.table} }
connector: { name: raw }
consistency: ${s.consistency}
target: { namespace: lake, table: ${s.table}, catalog: "${join(work, 'catalog.db')}", warehouse: "${join(work, 'wh')}" }
`,
        );
        const out = join(work, 'restored', s.name.replace(/\//g, '_'));
        const r = await runCli(['restore', job, '--as-of', s.asOf, '--to', 'sstables', '--out', out]);
        expect(r.stderr.split('\n').filter((l) => l.startsWith('datamove: '))).toEqual([]);
        expect(r.code).toBe(0);
        const restoredDir = join(out, ks, readdirSync(join(out, ks))[0]!);
        expect(sstableFiles(restoredDir).every((f) => f.startsWith('nb-'))).toBe(true);
        const imported = join(work, 'imported', s.name.replace(/\//g, '_'), ks, twin);
        cpSync(restoredDir, imported, { recursive: true });
        await node.nodetool('import', ks, twin, imported);
        restoredTables.push(`${ks}.${twin}`);

        const original = await queryJson(client, `SELECT * FROM ${ks}.${s.table}`);
        const restored = await queryJson(client, `SELECT * FROM ${ks}.${twin}`);
        expect(multiset(original)).toEqual(multiset(s.expected));
        expect(multiset(restored)).toEqual(multiset(original));
        expectSameMetadata(
          await metadataRows(client, ks, twin, table),
          await metadataRows(client, ks, s.table, table),
          s.name,
        );
      });
    }

    it('StandaloneVerifier --extended passes on every imported restore', async () => {
      expect(restoredTables.length).toBe(subjects.length);
      await client.shutdown();
      await nodeSetStop(set);
      for (const t of restoredTables) {
        const [ks, name] = t.split('.') as [string, string];
        const text = await node.offlineTool(
          'org.apache.cassandra.tools.StandaloneVerifier',
          '--force',
          '--extended',
          '--verbose',
          ks,
          name,
        );
        verifierLog.push(`${t}:\n${text}`);
        // exit 0 (offlineTool throws otherwise), every SSTable of the table verified, none failed
        const verified = text.match(/Verify of .* succeeded/g) ?? [];
        expect(verified.length, text).toBeGreaterThan(0);
        expect(text, t).not.toMatch(/Corrupt|failed|Error verifying/i);
      }
    });
  });
}
