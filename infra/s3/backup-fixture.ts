/**
 * Test backups built from a corpus case: the case's SSTables copied to several nodes and backups in one
 * of the three layouts (snapshot, medusa full or differential, scylla-manager), with the manifests,
 * token maps, schema files and index objects each tool writes. Tests then break copies on purpose
 * (delete a file, truncate one, leave a manifest `.tmp`, leave a node out, change the schema). Written
 * to be reused by the synthetic cluster-backup generator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSchemaCql } from '../../reader/index.js';
import { backupLayoutWrite, type LayoutName } from './backup-layout-write.js';
import type { BackupSink } from './backup-sink.js';

export type FixtureLayout = LayoutName;

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
  const dataKeys = new Map<string, string[]>();
  const manifestKeys = new Map<string, string>();
  const ids: string[] = [];
  for (const b of spec.backups) {
    const written = await backupLayoutWrite(sink, spec.layout, {
      ring: spec.nodes,
      ...(b.nodes === undefined ? {} : { members: b.nodes }),
      tables: [{ keyspace: t.keyspace, table: t.name, tableId, schema: b.schemaText ?? caseSchema }],
      backup: { id: b.id, time: b.time, unfinished: new Set(b.unfinished ?? []) },
      ...(spec.clusterId === undefined ? {} : { clusterId: spec.clusterId }),
      files: () => files,
    });
    ids.push(written.id);
    for (const [node, keys] of written.dataKeys) dataKeys.set(fk(written.id, node), keys);
    for (const [node, key] of written.manifestKeys) manifestKeys.set(fk(written.id, node), key);
  }
  return { keyspace: t.keyspace, table: t.name, tableDir, dataKeys, manifestKeys, ids };
}
