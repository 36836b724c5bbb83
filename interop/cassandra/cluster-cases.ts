/**
 * The multi-replica cases: a real 3-node cluster (127.0.0.1-3, dc1, RF 3, hints off, read repair off)
 * whose replicas are made to differ — node3 is stopped during writes at QUORUM, then node2 and node3
 * during writes at ONE — and two `nodetool snapshot` tags on every node (`before`, after the first
 * writes at ALL; `after`, at the end). The snapshot trees are copied as Cassandra wrote them into
 * `<out>/clusters/<name>/dc1/nodeN/<ks>/<table>-<id>/snapshots/<tag>/`, with the ring beside each node
 * (`dc1/nodeN/tokenmap/<tag>.json`, Medusa's tokenmap shape: the one file nodetool does not write).
 * Cassandra's own answers are recorded per consistency level: ALL with every node up, QUORUM with each
 * pair of nodes (the third stopped), ONE with each node alone.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { clientFor, type NodeSet, nodeSetCreate, nodeSetStop } from './cluster.js';
import { queryJson } from './cql-json.js';
import type { CassandraNode, SSTableFormatName } from './node.js';
import type { CassandraRuntime } from './runtime.js';

export const CLUSTER_KEYSPACE = 'dmc';
const TABLES = ['events', 'profiles'] as const;
const CL = cassandra.types.consistencies;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function write(
  set: NodeSet,
  live: readonly CassandraNode[],
  consistency: number,
  statements: string[],
) {
  const client = await clientFor(set, live);
  try {
    for (let i = 0; i < statements.length; i += 16) {
      await Promise.all(
        statements.slice(i, i + 16).map((s) => client.execute(s, [], { prepare: false, consistency })),
      );
    }
  } finally {
    await client.shutdown();
  }
}

async function answers(set: NodeSet, live: readonly CassandraNode[], consistency: number) {
  const client = await clientFor(set, live);
  try {
    const out: Record<string, object[]> = {};
    for (const t of TABLES)
      out[t] = await queryJson(client, `SELECT * FROM ${CLUSTER_KEYSPACE}.${t}`, { consistency });
    return out;
  } finally {
    await client.shutdown();
  }
}

const flushAll = (nodes: readonly CassandraNode[]) =>
  Promise.all(nodes.map((n) => n.nodetool('flush', CLUSTER_KEYSPACE)));

export interface ClusterWritten {
  readonly name: string;
  readonly format: string;
  readonly answers: Record<string, Record<string, number>>;
}

export async function writeClusterCase(
  runtime: CassandraRuntime,
  format: SSTableFormatName,
  workDir: string,
  outDir: string,
  name: string,
): Promise<ClusterWritten> {
  const set = await nodeSetCreate(runtime, join(workDir, `cluster-${runtime.major}-${format}`), 3, format);
  const [n1, n2, n3] = set.nodes as [CassandraNode, CassandraNode, CassandraNode];
  const all = [n1, n2, n3];
  const statements: string[] = [];
  const log = (phase: string, s: string[]) => statements.push(`-- ${phase}`, ...s);
  try {
    for (const n of all) await n.start();
    const setup = await clientFor(set);
    await setup.execute(
      `CREATE KEYSPACE ${CLUSTER_KEYSPACE} WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}`,
    );
    await setup.execute(
      `CREATE TABLE ${CLUSTER_KEYSPACE}.events (pk int, ck int, v text, n int, PRIMARY KEY (pk, ck)) WITH read_repair = 'NONE'`,
    );
    await setup.execute(
      `CREATE TABLE ${CLUSTER_KEYSPACE}.profiles (id text PRIMARY KEY, name text, tags set<text>, score int) WITH read_repair = 'NONE'`,
    );
    await setup.shutdown();
    for (const n of all) await n.nodetool('disableautocompaction', CLUSTER_KEYSPACE);

    const a = [
      ...range(12).flatMap((p) =>
        range(4).map(
          (c) =>
            `INSERT INTO ${CLUSTER_KEYSPACE}.events (pk, ck, v, n) VALUES (${p}, ${c}, 'A', ${p * 10 + c})`,
        ),
      ),
      ...range(10).map(
        (i) =>
          `INSERT INTO ${CLUSTER_KEYSPACE}.profiles (id, name, tags, score) VALUES ('u${i}', 'name ${i}', {'a', 't${i}'}, ${i})`,
      ),
    ];
    await write(set, all, CL.all, a);
    log('all nodes up, written at ALL', a);
    await flushAll(all);
    const before = await answers(set, all, CL.all);
    for (const n of all) await n.nodetool('snapshot', '-t', 'before', CLUSTER_KEYSPACE);
    const beforeTime = new Date().toISOString();

    await n3.stop();
    const b = [
      ...range(6).map((p) => `UPDATE ${CLUSTER_KEYSPACE}.events SET v = 'B' WHERE pk = ${p} AND ck = 1`),
      `DELETE FROM ${CLUSTER_KEYSPACE}.events WHERE pk = 6 AND ck = 0`,
      `DELETE FROM ${CLUSTER_KEYSPACE}.events WHERE pk = 7`,
      `DELETE FROM ${CLUSTER_KEYSPACE}.events WHERE pk = 8 AND ck >= 2`,
      ...range(5).map(
        (i) =>
          `UPDATE ${CLUSTER_KEYSPACE}.profiles SET tags = tags + {'b'}, score = ${100 + i} WHERE id = 'u${i}'`,
      ),
      `DELETE FROM ${CLUSTER_KEYSPACE}.profiles WHERE id = 'u9'`,
    ];
    await write(set, [n1, n2], CL.quorum, b);
    log('node3 stopped, written at QUORUM', b);
    await flushAll([n1, n2]);

    await n2.stop();
    const c = [
      ...range(12).map((p) => `INSERT INTO ${CLUSTER_KEYSPACE}.events (pk, ck, v) VALUES (${p}, 9, 'C')`),
      `UPDATE ${CLUSTER_KEYSPACE}.events SET v = 'C', n = -1 WHERE pk = 0 AND ck = 0`,
      `DELETE FROM ${CLUSTER_KEYSPACE}.events WHERE pk = 9 AND ck = 3`,
      `UPDATE ${CLUSTER_KEYSPACE}.profiles SET name = 'C', tags = tags - {'a'} WHERE id = 'u1'`,
      `INSERT INTO ${CLUSTER_KEYSPACE}.profiles (id, name) VALUES ('u-one', 'only on node1')`,
    ];
    await write(set, [n1], CL.one, c);
    log('node2 and node3 stopped, written at ONE', c);
    await flushAll([n1]);

    await n2.start();
    await n3.start();
    const d = [
      `INSERT INTO ${CLUSTER_KEYSPACE}.events (pk, ck, v) VALUES (100, 0, 'D')`,
      `INSERT INTO ${CLUSTER_KEYSPACE}.profiles (id, name, score) VALUES ('u-all', 'D', 1)`,
    ];
    await write(set, all, CL.all, d);
    log('all nodes up again, written at ALL', d);
    await flushAll(all);
    for (const n of all) await n.nodetool('snapshot', '-t', 'after', CLUSTER_KEYSPACE);
    const afterTime = new Date().toISOString();

    // Cassandra's answers per consistency level and replica set (read repair is off, so reads change nothing)
    const at: Record<string, Record<string, object[]>> = { ALL: await answers(set, all, CL.all) };
    await n3.stop();
    at['QUORUM node1+node2'] = await answers(set, [n1, n2], CL.quorum);
    await n2.stop();
    at['ONE node1'] = await answers(set, [n1], CL.one);
    await n3.start();
    at['QUORUM node1+node3'] = await answers(set, [n1, n3], CL.quorum);
    await n1.stop();
    at['ONE node3'] = await answers(set, [n3], CL.one);
    await n2.start();
    at['QUORUM node2+node3'] = await answers(set, [n2, n3], CL.quorum);
    await n3.stop();
    at['ONE node2'] = await answers(set, [n2], CL.one);
    const tokens = await ringTokens(set, n2);
    await nodeSetStop(set);

    const dest = join(outDir, 'clusters', name);
    rmSync(dest, { recursive: true, force: true });
    let sstableFormat = '';
    for (const [i, node] of all.entries()) {
      const nodeName = `node${i + 1}`;
      const ks = join(node.dataDir, CLUSTER_KEYSPACE);
      for (const dir of readdirSync(ks)) {
        for (const tag of ['before', 'after']) {
          const snap = join(ks, dir, 'snapshots', tag);
          const to = join(dest, 'dc1', nodeName, CLUSTER_KEYSPACE, dir, 'snapshots', tag);
          mkdirSync(to, { recursive: true });
          cpSync(snap, to, { recursive: true });
          sstableFormat ||=
            readdirSync(snap)
              .find((f) => f.endsWith('-Data.db'))
              ?.split('-')[0] ?? '';
        }
      }
      mkdirSync(join(dest, 'dc1', nodeName, 'tokenmap'), { recursive: true });
      const ring = Object.fromEntries(
        all.map((n, j) => [
          `node${j + 1}`,
          { tokens: [tokens.get(n.address)!], is_up: true, rack: 'rack1', dc: 'dc1' },
        ]),
      );
      for (const tag of ['before', 'after'])
        writeFileSync(
          join(dest, 'dc1', nodeName, 'tokenmap', `${tag}.json`),
          `${JSON.stringify(ring, null, 1)}\n`,
        );
    }
    const count = (x: Record<string, object[]>) =>
      Object.fromEntries(Object.entries(x).map(([t, r]) => [t, r.length]));
    const expected = {
      name,
      writer: `Apache Cassandra ${runtime.version}`,
      cassandra: runtime.version,
      format: sstableFormat,
      sstable_format: format,
      keyspace: CLUSTER_KEYSPACE,
      tables: TABLES,
      replication: { class: 'NetworkTopologyStrategy', dc1: 3 },
      nodes: Object.fromEntries(
        all.map((n, j) => [`node${j + 1}`, { address: n.address, token: tokens.get(n.address) }]),
      ),
      generated_by: 'interop/cassandra (npm run corpus:cassandra)',
      statements,
      snapshots: {
        before: { taken_by: beforeTime, answers: { ALL: before } },
        after: { taken_by: afterTime, answers: at },
      },
    };
    writeFileSync(join(dest, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
    return {
      name,
      format: sstableFormat,
      answers: Object.fromEntries(Object.entries(at).map(([k, v]) => [k, count(v)])),
    };
  } finally {
    await nodeSetStop(set);
  }
}

async function ringTokens(set: NodeSet, live: CassandraNode): Promise<Map<string, string>> {
  const client = await clientFor(set, [live]);
  try {
    const out = new Map<string, string>();
    const local = await client.execute('SELECT broadcast_address, tokens FROM system.local');
    const peers = await client.execute('SELECT peer, tokens FROM system.peers');
    for (const r of local.rows)
      out.set(r.get('broadcast_address').toString(), [...r.get('tokens')][0] as string);
    for (const r of peers.rows) out.set(r.get('peer').toString(), [...r.get('tokens')][0] as string);
    return out;
  } finally {
    await client.shutdown();
  }
}
