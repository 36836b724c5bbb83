/**
 * Test backups built from a corpus case: the case's SSTables copied to several nodes and backups in one
 * of the three layouts (snapshot, medusa full or differential, scylla-manager), with the manifests,
 * token maps, schema files and index objects each tool writes. Tests then break copies on purpose
 * (delete a file, truncate one, leave a manifest `.tmp`, leave a node out, change the schema). Written
 * to be reused by the synthetic cluster-backup generator.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { smTagFor } from '../../reader/backup/scylla-manager/scylla-manager-layout.js';
import { parseSchemaCql } from '../../reader/cql/schema-cql.js';
import type { BackupSink } from './backup-sink.js';

export type FixtureLayout = 'snapshot' | 'medusa' | 'medusa-differential' | 'scylla-manager';

export interface FixtureNode {
  readonly node: string;
  readonly dc: string;
  readonly rack: string;
  readonly tokens: readonly string[];
}

export interface FixtureBackup {
  /** Medusa backup name / snapshot tag; Scylla Manager uses the tag of `time`. */
  readonly id: string;
  readonly time: number;
  /** Nodes that take part (default: all). */
  readonly nodes?: readonly string[];
  /** schema.cql text (default: the case's, with the table id). */
  readonly schemaText?: string;
  /** Scylla Manager: nodes whose manifest keeps its `.tmp` suffix; Medusa: nodes that never finish. */
  readonly unfinished?: readonly string[];
}

export interface FixtureSpec {
  readonly caseDir: string;
  readonly layout: FixtureLayout;
  readonly nodes: readonly FixtureNode[];
  readonly backups: readonly FixtureBackup[];
  readonly tableId?: string;
  readonly clusterId?: string;
}

export interface FixtureResult {
  readonly keyspace: string;
  readonly table: string;
  readonly tableDir: string;
  /** Per backup id and node: the object keys of the table's SSTable files (for breaking them). */
  readonly dataKeys: ReadonlyMap<string, readonly string[]>;
  /** Per backup id and node: the manifest key. */
  readonly manifestKeys: ReadonlyMap<string, string>;
  /** The backup id as listed (Scylla Manager: its snapshot tag). */
  readonly ids: readonly string[];
}

/** Three nodes in one DC with one token each — enough for selection and node-missing tests. */
export const FIXTURE_NODES: readonly FixtureNode[] = [
  { node: 'node1.example.com', dc: 'dc1', rack: 'r1', tokens: ['-9223372036854775808'] },
  { node: 'node2.example.com', dc: 'dc1', rack: 'r2', tokens: ['-3074457345618258603'] },
  { node: 'node3.example.com', dc: 'dc1', rack: 'r3', tokens: ['3074457345618258602'] },
];

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const fk = (id: string, node: string): string => `${id}\u0000${node}`;

/** The key `fixtureKey(id, node)` of `FixtureResult` maps. */
export function fixtureKey(id: string, node: string): string {
  return fk(id, node);
}

/** Writes the fixture's backups to `sink`. */
export async function backupFixtureWrite(sink: BackupSink, spec: FixtureSpec): Promise<FixtureResult> {
  const caseSchema = readFileSync(join(spec.caseDir, 'schema.cql'), 'utf8');
  const t = parseSchemaCql(caseSchema).tables[0]!;
  const tableId = spec.tableId ?? '5a1c0ffee0ddf00d5a1c0ffee0ddf00d';
  const tableDir = `${t.name}-${tableId}`;
  const files = readdirSync(spec.caseDir)
    .filter((f) => f !== 'case.json' && f !== 'schema.cql')
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(spec.caseDir, f))) }));
  const ring = Object.fromEntries(
    spec.nodes.map((n) => [
      n.node,
      { tokens: n.tokens.map((x) => BigInt(x)), is_up: true, rack: n.rack, dc: n.dc },
    ]),
  );
  // tokens as exact JSON integers, as Python's json and Go's encoding/json write them
  const json = (v: unknown): string =>
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `@@${x}@@` : x)).replace(/"@@(-?\d+)@@"/g, '$1');
  const dataKeys = new Map<string, string[]>();
  const manifestKeys = new Map<string, string>();
  const ids: string[] = [];
  const cluster = spec.clusterId ?? '3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc';
  const task = 'f70117d8-c10e-4e90-9606-2587936b3757';

  for (const b of spec.backups) {
    const schema = b.schemaText ?? caseSchema;
    const members = spec.nodes.filter((n) => b.nodes === undefined || b.nodes.includes(n.node));
    const unfinished = new Set(b.unfinished ?? []);
    const iso = new Date(b.time).toISOString();
    const tag = spec.layout === 'scylla-manager' ? smTagFor(b.time) : b.id;
    ids.push(tag);
    if (spec.layout === 'scylla-manager') {
      const rows = [
        {
          keyspace: t.keyspace,
          type: 'keyspace',
          name: t.keyspace,
          cql_stmt: `CREATE KEYSPACE ${t.keyspace} WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3'}`,
        },
        { keyspace: t.keyspace, type: 'table', name: t.name, cql_stmt: schema.trim() },
      ];
      await sink.put(
        `backup/schema/cluster/${cluster}/task_${task}_tag_${tag}_schema_with_internals.json.gz`,
        gzipSync(JSON.stringify(rows)),
      );
    }
    for (const n of members) {
      const keys: string[] = [];
      if (spec.layout === 'snapshot') {
        const folder = `${n.dc}/${n.node}/${t.keyspace}/${tableDir}/snapshots/${b.id}`;
        for (const f of files) {
          await sink.put(`${folder}/${f.name}`, f.bytes);
          keys.push(`${folder}/${f.name}`);
        }
        await sink.put(`${folder}/schema.cql`, schema);
        await sink.put(`${n.dc}/${n.node}/tokenmap/${b.id}.json`, json(ring));
        manifestKeys.set(fk(tag, n.node), `${folder}/manifest.json`);
        if (!unfinished.has(n.node)) {
          await sink.put(
            `${folder}/manifest.json`,
            JSON.stringify({ files: files.map((f) => f.name), created_at: iso, expires_at: null }),
          );
        }
      } else if (spec.layout === 'medusa' || spec.layout === 'medusa-differential') {
        const diff = spec.layout === 'medusa-differential';
        const dataDir = diff
          ? `${n.node}/data/${t.keyspace}/${tableDir}`
          : `${n.node}/${b.id}/data/${t.keyspace}/${tableDir}`;
        const meta = `${n.node}/${b.id}/meta`;
        const objects = [];
        for (const f of files) {
          await sink.put(`${dataDir}/${f.name}`, f.bytes);
          keys.push(`${dataDir}/${f.name}`);
          objects.push({ path: `${dataDir}/${f.name}`, MD5: md5(f.bytes), size: f.bytes.length });
        }
        const manifest = JSON.stringify([{ keyspace: t.keyspace, columnfamily: tableDir, objects }]);
        const started = Math.floor(b.time / 1000);
        const idx = `index/backup_index/${b.id}`;
        await sink.put(`${meta}/schema.cql`, schema);
        await sink.put(`${meta}/tokenmap.json`, json(ring));
        await sink.put(
          `${meta}/server_version.json`,
          JSON.stringify({ server_type: 'cassandra', release_version: '4.1.3' }),
        );
        if (diff) await sink.put(`${meta}/differential`, 'differential');
        await sink.put(`${idx}/tokenmap_${n.node}.json`, json(ring));
        await sink.put(`${idx}/schema_${n.node}.cql`, schema);
        await sink.put(`${idx}/started_${n.node}_${started}.timestamp`, String(started));
        if (diff) await sink.put(`${idx}/differential_${n.node}`, 'differential');
        manifestKeys.set(fk(tag, n.node), `${meta}/manifest.json`);
        if (!unfinished.has(n.node)) {
          await sink.put(`${meta}/manifest.json`, manifest);
          await sink.put(`${idx}/manifest_${n.node}.json`, manifest);
          await sink.put(`${idx}/finished_${n.node}_${started + 60}.timestamp`, String(started + 60));
          await sink.put(`index/latest_backup/${n.node}/backup_name.txt`, b.id);
        }
      } else {
        const nodeDir = `cluster/${cluster}/dc/${n.dc}/node/${n.node}`;
        const sstDir = `backup/sst/${nodeDir}/keyspace/${t.keyspace}/table/${t.name}/${tableId}`;
        for (const f of files) {
          await sink.put(`${sstDir}/${f.name}`, f.bytes);
          keys.push(`${sstDir}/${f.name}`);
        }
        const size = files.reduce((s, f) => s + f.bytes.length, 0);
        const manifest = {
          version: 'v2',
          cluster_name: 'test_cluster',
          ip: '192.0.2.1',
          index: [
            { keyspace: t.keyspace, table: t.name, version: tableId, files: files.map((f) => f.name), size },
          ],
          size,
          tokens: n.tokens.map((x) => BigInt(x)),
          schema: `backup/schema/cluster/${cluster}/task_${task}_tag_${tag}_schema_with_internals.json.gz`,
          rack: n.rack,
          dc: n.dc,
          cluster_id: cluster,
          node_id: n.node,
          task_id: task,
          snapshot_tag: tag,
        };
        const key = `backup/meta/${nodeDir}/task_${task}_tag_${tag}_manifest.json.gz${unfinished.has(n.node) ? '.tmp' : ''}`;
        await sink.put(key, gzipSync(json(manifest)));
        manifestKeys.set(fk(tag, n.node), key);
      }
      dataKeys.set(fk(tag, n.node), keys);
    }
  }
  return { keyspace: t.keyspace, table: t.name, tableDir, dataKeys, manifestKeys, ids };
}
