/**
 * Writes node backups in one of the layouts datamove reads — `nodetool snapshot` folders, Cassandra Medusa
 * (full or differential, with its index objects) or Scylla Manager — with each tool's manifests, token maps
 * and schema files. The generator writes its clusters through it, and tests build broken copies with it.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { smTagFor } from '../../reader/index.js';
import type { BackupSink } from './backup-sink.js';

export type LayoutName = 'snapshot' | 'medusa' | 'medusa-differential' | 'scylla-manager';
export const LAYOUT_NAMES: readonly LayoutName[] = [
  'snapshot',
  'medusa',
  'medusa-differential',
  'scylla-manager',
];

export interface LayoutNode {
  readonly node: string;
  readonly dc: string;
  readonly rack: string;
  readonly tokens: readonly string[];
}

export interface LayoutTable {
  readonly keyspace: string;
  readonly table: string;
  /** 32 hex digits. */
  readonly tableId: string;
  /** schema.cql of the table. */
  readonly schema: string;
}

export interface LayoutFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface LayoutBackup {
  /** Medusa backup name / snapshot tag; Scylla Manager uses the tag of `time`. */
  readonly id: string;
  readonly time: number;
  /** Nodes whose manifest is never finished (Scylla Manager keeps `.tmp`; others omit it). */
  readonly unfinished?: ReadonlySet<string>;
}

export interface LayoutWriteResult {
  /** Per node: the object keys of its SSTable files. */
  readonly dataKeys: Map<string, string[]>;
  /** Per node: the manifest key. */
  readonly manifestKeys: Map<string, string>;
  /** The backup id as listed (Scylla Manager: its snapshot tag). */
  readonly id: string;
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** Tokens as exact JSON integers, as Python's json and Go's encoding/json write them. */
function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `@@${x}@@` : x)).replace(
    /"@@(-?\d+)@@"/g,
    '$1',
  );
}

/**
 * Writes one backup of `nodes` (every node of the ring unless `members` says otherwise). `files(node,
 * table)` gives a node's SSTable files of a table.
 */
export async function backupLayoutWrite(
  sink: BackupSink,
  layout: LayoutName,
  spec: {
    readonly ring: readonly LayoutNode[];
    readonly members?: readonly string[];
    readonly tables: readonly LayoutTable[];
    readonly backup: LayoutBackup;
    readonly clusterId?: string;
    files(node: string, table: LayoutTable): Promise<readonly LayoutFile[]> | readonly LayoutFile[];
  },
): Promise<LayoutWriteResult> {
  const ring = Object.fromEntries(
    spec.ring.map((n) => [
      n.node,
      { tokens: n.tokens.map((x) => BigInt(x)), is_up: true, rack: n.rack, dc: n.dc },
    ]),
  );
  const b = spec.backup;
  const members = spec.ring.filter((n) => spec.members === undefined || spec.members.includes(n.node));
  const unfinished = b.unfinished ?? new Set<string>();
  const iso = new Date(b.time).toISOString();
  const tag = layout === 'scylla-manager' ? smTagFor(b.time) : b.id;
  const cluster = spec.clusterId ?? '3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc';
  const task = 'f70117d8-c10e-4e90-9606-2587936b3757';
  const dataKeys = new Map<string, string[]>();
  const manifestKeys = new Map<string, string>();
  const schemaAll = spec.tables.map((t) => t.schema.trim()).join('\n');
  const schemaKey = `backup/schema/cluster/${cluster}/task_${task}_tag_${tag}_schema_with_internals.json.gz`;

  if (layout === 'scylla-manager') {
    const rows = [];
    for (const ks of new Set(spec.tables.map((t) => t.keyspace))) {
      rows.push({
        keyspace: ks,
        type: 'keyspace',
        name: ks,
        cql_stmt: `CREATE KEYSPACE ${ks} WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3'}`,
      });
    }
    for (const t of spec.tables)
      rows.push({ keyspace: t.keyspace, type: 'table', name: t.table, cql_stmt: t.schema.trim() });
    await sink.put(schemaKey, gzipSync(JSON.stringify(rows)));
  }

  for (const n of members) {
    const keys: string[] = [];
    if (layout === 'snapshot') {
      for (const t of spec.tables) {
        const folder = `${n.dc}/${n.node}/${t.keyspace}/${t.table}-${t.tableId}/snapshots/${b.id}`;
        const files = await spec.files(n.node, t);
        for (const f of files) {
          await sink.put(`${folder}/${f.name}`, f.bytes);
          keys.push(`${folder}/${f.name}`);
        }
        await sink.put(`${folder}/schema.cql`, t.schema);
        manifestKeys.set(n.node, `${folder}/manifest.json`);
        if (!unfinished.has(n.node)) {
          await sink.put(
            `${folder}/manifest.json`,
            JSON.stringify({ files: files.map((f) => f.name), created_at: iso, expires_at: null }),
          );
        }
      }
      await sink.put(`${n.dc}/${n.node}/tokenmap/${b.id}.json`, json(ring));
    } else if (layout === 'medusa' || layout === 'medusa-differential') {
      const diff = layout === 'medusa-differential';
      const meta = `${n.node}/${b.id}/meta`;
      const entries = [];
      for (const t of spec.tables) {
        const tableDir = `${t.table}-${t.tableId}`;
        const dataDir = diff
          ? `${n.node}/data/${t.keyspace}/${tableDir}`
          : `${n.node}/${b.id}/data/${t.keyspace}/${tableDir}`;
        const objects = [];
        for (const f of await spec.files(n.node, t)) {
          await sink.put(`${dataDir}/${f.name}`, f.bytes);
          keys.push(`${dataDir}/${f.name}`);
          objects.push({ path: `${dataDir}/${f.name}`, MD5: md5(f.bytes), size: f.bytes.length });
        }
        entries.push({ keyspace: t.keyspace, columnfamily: tableDir, objects });
      }
      const manifest = JSON.stringify(entries);
      const started = Math.floor(b.time / 1000);
      const idx = `index/backup_index/${b.id}`;
      await sink.put(`${meta}/schema.cql`, schemaAll);
      await sink.put(`${meta}/tokenmap.json`, json(ring));
      await sink.put(
        `${meta}/server_version.json`,
        JSON.stringify({ server_type: 'cassandra', release_version: '4.1.3' }),
      );
      if (diff) await sink.put(`${meta}/differential`, 'differential');
      await sink.put(`${idx}/tokenmap_${n.node}.json`, json(ring));
      await sink.put(`${idx}/schema_${n.node}.cql`, schemaAll);
      await sink.put(`${idx}/started_${n.node}_${started}.timestamp`, String(started));
      if (diff) await sink.put(`${idx}/differential_${n.node}`, 'differential');
      manifestKeys.set(n.node, `${meta}/manifest.json`);
      if (!unfinished.has(n.node)) {
        await sink.put(`${meta}/manifest.json`, manifest);
        await sink.put(`${idx}/manifest_${n.node}.json`, manifest);
        await sink.put(`${idx}/finished_${n.node}_${started + 60}.timestamp`, String(started + 60));
        await sink.put(`index/latest_backup/${n.node}/backup_name.txt`, b.id);
      }
    } else {
      const nodeDir = `cluster/${cluster}/dc/${n.dc}/node/${n.node}`;
      const index = [];
      let total = 0;
      for (const t of spec.tables) {
        const sstDir = `backup/sst/${nodeDir}/keyspace/${t.keyspace}/table/${t.table}/${t.tableId}`;
        const files = await spec.files(n.node, t);
        for (const f of files) {
          await sink.put(`${sstDir}/${f.name}`, f.bytes);
          keys.push(`${sstDir}/${f.name}`);
        }
        const size = files.reduce((s, f) => s + f.bytes.length, 0);
        total += size;
        index.push({
          keyspace: t.keyspace,
          table: t.table,
          version: t.tableId,
          files: files.map((f) => f.name),
          size,
        });
      }
      const manifest = {
        version: 'v2',
        cluster_name: 'test_cluster',
        ip: '192.0.2.1',
        index,
        size: total,
        tokens: n.tokens.map((x) => BigInt(x)),
        schema: schemaKey,
        rack: n.rack,
        dc: n.dc,
        cluster_id: cluster,
        node_id: n.node,
        task_id: task,
        snapshot_tag: tag,
      };
      const key = `backup/meta/${nodeDir}/task_${task}_tag_${tag}_manifest.json.gz${unfinished.has(n.node) ? '.tmp' : ''}`;
      await sink.put(key, gzipSync(json(manifest)));
      manifestKeys.set(n.node, key);
    }
    dataKeys.set(n.node, keys);
  }
  return { dataKeys, manifestKeys, id: tag };
}
