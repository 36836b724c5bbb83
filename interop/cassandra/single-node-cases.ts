/**
 * Writes the single-node cases of the corpus: starts one real node (4.1 → `nb`; 5.0 with
 * `selected_format: big` → `oa`, with `bti` → `da`), runs every workload (workloads.ts) in lockstep
 * rounds — each round runs every table's statements up to its next flush/compact mark, then one NodeTool
 * call flushes (or compacts) all tables that asked for it — reads `SELECT *` back as Cassandra answers
 * it, takes `nodetool snapshot` and copies each table's snapshot (SSTables and Cassandra's schema.cql)
 * into `<out>/<format>-<case>/` with its case.json.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { clientFor, nodeSetCreate, withNodes } from './cluster.js';
import { queryJson } from './cql-json.js';
import type { CassandraNode, SSTableFormatName } from './node.js';
import type { CassandraRuntime } from './runtime.js';
import { KEYSPACE, type Step, tableOptions, WORKLOADS, type Workload } from './workloads.js';

export interface CaseWritten {
  readonly name: string;
  readonly format: string;
  readonly rows: number;
}

/** Runs statements `parallel` at a time (the wide partition has thousands). */
export async function executeAll(
  client: cassandra.Client,
  statements: readonly string[],
  parallel = 16,
): Promise<void> {
  for (let i = 0; i < statements.length; i += parallel) {
    await Promise.all(
      statements.slice(i, i + parallel).map((s) => client.execute(s, [], { prepare: false })),
    );
  }
}

/** A table's live folder under the node's data directory (`<table>-<id>`). */
export function tableDataDir(node: CassandraNode, keyspace: string, table: string): string {
  const ks = join(node.dataDir, keyspace);
  const dir = readdirSync(ks).find((d) => d.startsWith(`${table}-`));
  if (!dir) throw new Error(`interop: no folder for ${keyspace}.${table} in ${ks}`);
  return join(ks, dir);
}

/** Runs the workloads' steps in rounds; returns the statements each table ran, flush marks included. */
export async function runWorkloads(
  client: cassandra.Client,
  node: CassandraNode,
  workloads: readonly Workload[],
): Promise<Map<string, string[]>> {
  const log = new Map(workloads.map((w) => [w.table, [] as string[]]));
  const pos = new Map(workloads.map((w) => [w.table, 0]));
  for (;;) {
    const toFlush: string[] = [];
    const toCompact: string[] = [];
    let sleepMs = 0;
    let any = false;
    for (const w of workloads) {
      let i = pos.get(w.table)!;
      const batch: string[] = [];
      let mark: Exclude<Step, string> | undefined;
      while (i < w.steps.length) {
        const s = w.steps[i++]!;
        if (typeof s === 'string') batch.push(s.replace(/\s+/g, ' ').trim());
        else {
          mark = s;
          break;
        }
      }
      pos.set(w.table, i);
      if (batch.length > 0 || mark) any = true;
      await executeAll(client, batch);
      log.get(w.table)!.push(...batch);
      if (mark && 'flush' in mark) toFlush.push(w.table);
      if (mark && 'compact' in mark) toCompact.push(w.table);
      if (mark && 'sleepMs' in mark) sleepMs = Math.max(sleepMs, mark.sleepMs);
    }
    if (!any) break;
    if (toFlush.length > 0) await node.nodetool('flush', KEYSPACE, ...toFlush);
    if (toCompact.length > 0) await node.nodetool('compact', KEYSPACE, ...toCompact);
    for (const t of toFlush) log.get(t)!.push('-- nodetool flush');
    for (const t of toCompact) log.get(t)!.push('-- nodetool compact');
    if (sleepMs > 0) await new Promise((r) => setTimeout(r, sleepMs));
  }
  return log;
}

/** CREATE KEYSPACE, types and tables of the workloads, autocompaction off (compaction only when asked). */
export async function createSchema(
  client: cassandra.Client,
  node: CassandraNode,
  workloads: readonly Workload[],
  replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}",
): Promise<void> {
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = ${replication}`);
  for (const w of workloads) {
    for (const t of w.types ?? []) await client.execute(t);
    await client.execute(
      `${w.create.replace(/\s+/g, ' ').trim()} ${w.create.includes(' WITH ') ? 'AND' : 'WITH'} ${tableOptions(w)}`,
    );
  }
  await node.nodetool('disableautocompaction', KEYSPACE, ...workloads.map((w) => w.table));
}

function sstableFormatOf(files: readonly string[]): string {
  const data = files.find((f) => f.endsWith('-Data.db'));
  return data ? data.split('-')[0]! : 'none';
}

export async function writeSingleNodeCases(
  runtime: CassandraRuntime,
  format: SSTableFormatName,
  workDir: string,
  outDir: string,
): Promise<CaseWritten[]> {
  const workloads = WORKLOADS.filter((w) => !w.only || w.only.includes(runtime.major));
  const set = await nodeSetCreate(runtime, join(workDir, `single-${runtime.major}-${format}`), 1, format);
  const node = set.nodes[0]!;
  return withNodes(set, async () => {
    const client = await clientFor(set);
    try {
      await createSchema(client, node, workloads);
      const statements = await runWorkloads(client, node, workloads);
      const now = new Date();
      const answers = new Map<string, { rows: object[]; meta: object[][] }>();
      for (const w of workloads) {
        const rows = await queryJson(client, `SELECT * FROM ${KEYSPACE}.${w.table}`);
        const meta: object[][] = [];
        for (const m of w.metaQueries ?? []) meta.push(await queryJson(client, m));
        answers.set(w.table, { rows, meta });
      }
      await node.nodetool('snapshot', '-t', 'corpus', KEYSPACE);
      const written: CaseWritten[] = [];
      for (const w of workloads) {
        const snap = join(tableDataDir(node, KEYSPACE, w.table), 'snapshots', 'corpus');
        const files = readdirSync(snap)
          .filter((f) => f !== 'manifest.json')
          .sort();
        const fmt = sstableFormatOf(files);
        const name = `${fmt}-${w.name}`;
        const dest = join(outDir, name);
        rmSync(dest, { recursive: true, force: true });
        mkdirSync(dest, { recursive: true });
        for (const f of files) copyFileSync(join(snap, f), join(dest, f));
        const { rows, meta } = answers.get(w.table)!;
        const sstables = [
          ...new Set(files.filter((f) => f.endsWith('-Data.db')).map((f) => f.replace(/-Data\.db$/, ''))),
        ];
        const spec = {
          name,
          writer: `Apache Cassandra ${runtime.version}`,
          cassandra: runtime.version,
          java: runtime.javaVersion,
          format: fmt,
          sstable_format: format,
          compression: w.compression,
          partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
          keyspace: KEYSPACE,
          table: w.table,
          sstables,
          files: files.filter((f) => f !== 'schema.cql'),
          features: w.features,
          generated_by: 'interop/cassandra (npm run corpus:cassandra)',
          statements: statements.get(w.table),
          now: now.toISOString(),
          expected: {
            rows,
            row_count: rows.length,
            ...(meta.length > 0 ? { metadata: { queries: w.metaQueries, rows: meta } } : {}),
            notes: `SELECT * FROM ${KEYSPACE}.${w.table} as Cassandra ${runtime.version} answered it at 'now'`,
          },
        };
        writeFileSync(join(dest, 'case.json'), `${JSON.stringify(spec, null, 1)}\n`);
        written.push({ name, format: fmt, rows: rows.length });
      }
      return written;
    } finally {
      await client.shutdown();
    }
  });
}
