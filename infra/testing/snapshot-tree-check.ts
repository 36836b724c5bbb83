/**
 * Checks shared by the corpus tests and the live interop tests: a one-off `run` to Iceberg read back as
 * corpus JSON, and the checks of a real `nodetool snapshot` tree against Cassandra's own answers per
 * consistency level and replica set.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectStatic, TestAPI } from 'vitest';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { murmur3TokenBigInt, sstableFormatSupported } from '../../reader/index.js';
import { canonicalRow } from '../corpus.js';
import { tableRead } from './connector-helpers.js';
import { runCli } from './run-cli.js';

/**
 * The test API of the calling test file: passed in, not imported, so infra/ (which the CLI loads) never
 * loads vitest.
 */
export interface VitestApi {
  readonly it: TestAPI;
  readonly expect: ExpectStatic;
}

export type Row = Record<string, unknown>;
export const multiset = (rows: readonly Row[]): string[] => rows.map(canonicalRow).sort();

/** An Arrow value read back from Iceberg as plain JSON: bigints as the corpus writes them, lists as arrays. */
export function icebergJson(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v !== null && typeof v === 'object' && typeof (v as { toArray?: unknown }).toArray === 'function')
    return [...(v as Iterable<unknown>)].map(icebergJson);
  return v;
}

export const icebergRows = (rows: Row[]): Row[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, icebergJson(v)])));

/** A one-off `run` (raw connector, new path, no fallback) into a fresh warehouse; the table's rows. */
export async function runToIceberg(
  source: string,
  keyspace: string,
  table: string,
  extra: string[],
  work: string,
  v: VitestApi,
): Promise<Row[]> {
  const wh = mkdtempSync(join(work, 'wh-'));
  const r = await runCli([
    'run',
    '--source',
    source,
    '--keyspace',
    keyspace,
    '--table',
    table,
    '--connector',
    'raw',
    '--path',
    'new',
    '--warehouse',
    wh,
    '--namespace',
    'lake',
    ...extra,
  ]);
  v.expect(r.stderr, r.stdout).not.toMatch(/datamove: |"event":"fallback"/);
  v.expect(r.code).toBe(0);
  const opened = await catalogOpen({ catalog: join(wh, 'catalog.db'), warehouse: wh });
  try {
    return (await tableRead(opened.catalog, { namespace: ['lake'], name: table })).rows;
  } finally {
    await opened.close();
  }
}

interface ClusterExpected {
  format: string;
  sstable_format: string;
  keyspace: string;
  tables: string[];
  nodes: Record<string, { token: string }>;
  snapshots: Record<string, { taken_by: string; answers: Record<string, Record<string, Row[]>> }>;
}

const KEYS: Record<string, { column: string; bytes: (v: unknown) => Uint8Array }> = {
  events: {
    column: 'pk',
    bytes: (v) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(v));
      return b;
    },
  },
  profiles: { column: 'id', bytes: (v) => Buffer.from(String(v), 'utf8') },
};

/** The node whose range holds `token`: a node with token t owns (previous token, t]. */
function ownerOf(token: bigint, ring: readonly { node: string; token: bigint }[]): string {
  return (ring.find((n) => token <= n.token) ?? ring[0]!).node;
}

/**
 * datamove reads each range from `k` of its replicas; whichever it chose, the range's partitions must be
 * exactly what Cassandra answered from one set of `k` replicas (the same set for the whole range).
 */
function expectPerRange(
  got: Row[],
  e: ClusterExpected,
  table: string,
  level: 'ONE' | 'QUORUM',
  v: VitestApi,
): void {
  const ring = Object.entries(e.nodes)
    .map(([node, v]) => ({ node, token: BigInt(v.token) }))
    .sort((a, b) => (a.token < b.token ? -1 : 1));
  const key = KEYS[table]!;
  const rangeOf = (r: Row) => ownerOf(murmur3TokenBigInt(key.bytes(r[key.column])), ring);
  const answers = Object.entries(e.snapshots.after!.answers).filter(([k]) => k.startsWith(`${level} `));
  v.expect(answers.length).toBe(3);
  for (const { node } of ring) {
    const mine = multiset(got.filter((r) => rangeOf(r) === node));
    const match = answers.filter(([, a]) => {
      const theirs = multiset(a[table]!.filter((r) => rangeOf(r) === node));
      return JSON.stringify(theirs) === JSON.stringify(mine);
    });
    v.expect(
      match.map(([k]) => k),
      `${table} range of ${node} at ${level}`,
    ).not.toEqual([]);
  }
}

/**
 * Registers the checks of one real snapshot tree (`dir` with its expected.json): `backups list`,
 * `backups select --as-of`, and per table `run` at ALL, QUORUM and ONE (and ALL as of the first snapshot)
 * against Cassandra's answers. Nothing is registered for a format the reader does not support yet.
 */
export function snapshotTreeChecks(dir: string, name: string, work: string, v: VitestApi): void {
  {
    const cl = { dir };
    const e = JSON.parse(readFileSync(join(cl.dir, 'expected.json'), 'utf8')) as ClusterExpected;
    if (!sstableFormatSupported(e.format, e.sstable_format)) return;

    v.it(`${name}: backups list and backups select --as-of`, async () => {
      const list = await runCli([
        'backups',
        'list',
        '--source',
        cl.dir,
        '--keyspace',
        e.keyspace,
        '--table',
        'events',
      ]);
      v.expect(list.stderr).toBe('');
      v.expect(list.stdout).toMatch(/^before .*COMPLETE {2}3 nodes {2}dc dc1/m);
      v.expect(list.stdout).toMatch(/^after .*COMPLETE {2}3 nodes {2}dc dc1/m);
      const between = new Date(Date.parse(e.snapshots.before!.taken_by) + 1000).toISOString();
      const sel = await runCli(['backups', 'select', '--source', cl.dir, '--as-of', between, '--json']);
      v.expect(sel.stderr).toBe('');
      const set = JSON.parse(sel.stdout) as { backupIds: string[]; nodes: unknown[] };
      v.expect(set.backupIds).toEqual(['before']);
      v.expect(set.nodes).toHaveLength(3);
    });

    for (const table of e.tables) {
      v.it(
        `${name}: ${table} at ALL, QUORUM and ONE equals Cassandra's answers`,
        async () => {
          const at = async (level: string) =>
            icebergRows(await runToIceberg(cl.dir, e.keyspace, table, ['--consistency', level], work, v));
          const after = e.snapshots.after!.answers;
          const allRows = await at('all');
          v.expect(multiset(allRows)).toEqual(multiset(after.ALL![table]!));
          expectPerRange(await at('quorum'), e, table, 'QUORUM', v);
          expectPerRange(await at('one'), e, table, 'ONE', v);
          // the replicas really differ, so the three levels are three different questions
          v.expect(multiset(after['ONE node2']![table]!)).not.toEqual(multiset(after.ALL![table]!));
          // as of a time between the two snapshots: the first one, and nothing written after it
          const between = new Date(Date.parse(e.snapshots.before!.taken_by) + 1000).toISOString();
          const asOf = icebergRows(
            await runToIceberg(
              cl.dir,
              e.keyspace,
              table,
              ['--consistency', 'all', '--as-of', between],
              work,
              v,
            ),
          );
          v.expect(multiset(asOf)).toEqual(multiset(e.snapshots.before!.answers.ALL![table]!));
        },
        180_000,
      );
    }
  }
}
