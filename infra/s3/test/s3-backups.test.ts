/**
 * Backups in the embedded S3, in every layout, including deliberately broken copies: each is reported
 * by `backupCatalog` (what `datamove backups list` prints) with the right reason.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupProblemKind } from '../../../reader/index.js';
import { backupCatalog, backupLayoutResolve, s3BackupSource } from '../../../reader/index.js';
import { corpusRoot } from '../../corpus.js';
import {
  backupFixtureWrite,
  FIXTURE_NODES,
  type FixtureBackup,
  type FixtureLayout,
  fixtureKey,
} from '../backup-fixture.js';
import { type BackupSink, s3Sink } from '../backup-sink.js';
import { type EmbeddedS3, embeddedS3Start } from '../embedded-s3.js';

const BUCKET = 'backups';
const caseDir = join(corpusRoot(), 'mc-lz4-primitive-types');
const T0 = Date.parse('2024-05-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'datamove-s3-'));
let s3: EmbeddedS3;

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir, buckets: [BUCKET] });
});
afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function getObject(key: string): Promise<Uint8Array> {
  const out = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToByteArray();
}

interface Scenario {
  readonly name: string;
  readonly backups?: readonly FixtureBackup[];
  readonly breakIt?: (
    sink: BackupSink,
    r: Awaited<ReturnType<typeof backupFixtureWrite>>,
    prefix: string,
  ) => Promise<void>;
  /** Expected problem kinds of the last set, by layout (undefined = same for all). */
  readonly expect: Partial<Record<FixtureLayout, readonly BackupProblemKind[]>> & {
    all?: readonly BackupProblemKind[];
  };
}

const dataKey = (r: Awaited<ReturnType<typeof backupFixtureWrite>>, node: string, suffix: string): string =>
  r.dataKeys.get(fixtureKey(r.ids[0]!, node))!.find((k) => k.endsWith(suffix))!;

const SCENARIOS: readonly Scenario[] = [
  { name: 'complete', expect: { all: [] } },
  {
    name: 'file-missing',
    breakIt: (sink, r) => sink.delete(dataKey(r, 'node2.example.com', '-Data.db')),
    expect: { all: ['file-missing'] },
  },
  {
    name: 'wrong-size',
    breakIt: async (sink, r, prefix) => {
      const key = dataKey(r, 'node1.example.com', '-Data.db');
      const bytes = await getObject(`${prefix}/${key}`);
      await sink.put(key, bytes.subarray(0, bytes.length - 10));
    },
    // nodetool's manifest records no sizes: a truncated file is found by the reader, not the listing
    expect: { snapshot: [], all: ['size-mismatch'] },
  },
  {
    name: 'etag-mismatch',
    breakIt: async (sink, r, prefix) => {
      const key = dataKey(r, 'node3.example.com', '-Digest.crc32');
      const bytes = new Uint8Array(await getObject(`${prefix}/${key}`));
      bytes[0] = bytes[0] === 0x31 ? 0x32 : 0x31;
      await sink.put(key, bytes);
    },
    expect: { medusa: ['checksum-mismatch'], 'medusa-differential': ['checksum-mismatch'], all: [] },
  },
  {
    name: 'unfinished',
    backups: [{ id: 'b1', time: T0, unfinished: ['node3.example.com'] }],
    expect: {
      'scylla-manager': ['upload-in-progress'],
      all: ['manifest-missing'],
    },
  },
  {
    name: 'node-missing',
    backups: [
      { id: 'b0', time: T0 - 3600_000 },
      { id: 'b1', time: T0, nodes: ['node1.example.com', 'node2.example.com'] },
    ],
    expect: { all: ['node-missing'] },
  },
];

const LAYOUTS: readonly FixtureLayout[] = ['snapshot', 'medusa', 'medusa-differential', 'scylla-manager'];

describe('backups in the embedded S3', () => {
  for (const layout of LAYOUTS) {
    for (const sc of SCENARIOS) {
      it(`${layout}: ${sc.name}`, async () => {
        const prefix = `${layout}-${sc.name}`;
        const sink = s3Sink(s3.client(), BUCKET, prefix);
        const r = await backupFixtureWrite(sink, {
          caseDir,
          layout,
          nodes: FIXTURE_NODES,
          backups: sc.backups ?? [{ id: 'b1', time: T0 }],
        });
        await sc.breakIt?.(sink, r, prefix);
        const source = s3BackupSource(`s3://${BUCKET}/${prefix}`, s3.options);
        const l = await backupLayoutResolve(source, 'auto');
        const cat = await backupCatalog(source, l, { keyspace: r.keyspace, table: r.table });
        const last = cat.sets.at(-1)!;
        const want = sc.expect[layout] ?? sc.expect.all!;
        expect([...new Set(last.problems.map((p) => p.kind))]).toEqual(want);
        expect(last.status).toBe(want.length === 0 ? 'COMPLETE' : 'INCOMPLETE');
        for (const p of last.problems) expect(p.message).not.toContain('\n');
        await source.close();
      });
    }
  }

  it('schema changed between two backups: two schema versions, both complete', async () => {
    const prefix = 'medusa-schema-change';
    const schema2 = readFileSync(join(caseDir, 'schema.cql'), 'utf8').replace(
      'text_val TEXT,',
      'text_val TEXT, extra_val TEXT,',
    );
    const r = await backupFixtureWrite(s3Sink(s3.client(), BUCKET, prefix), {
      caseDir,
      layout: 'medusa',
      nodes: FIXTURE_NODES,
      backups: [
        { id: 'b1', time: T0 },
        { id: 'b2', time: T0 + 3600_000, schemaText: schema2 },
      ],
    });
    const source = s3BackupSource(`s3://${BUCKET}/${prefix}`, s3.options);
    const cat = await backupCatalog(source, await backupLayoutResolve(source), {
      keyspace: r.keyspace,
      table: r.table,
    });
    expect(cat.sets.map((s) => s.status)).toEqual(['COMPLETE', 'COMPLETE']);
    expect(cat.sets[0]!.schemaVersions).toHaveLength(1);
    expect(cat.sets[1]!.schemaVersions).toHaveLength(1);
    expect(cat.sets[0]!.schemaVersions[0]).not.toBe(cat.sets[1]!.schemaVersions[0]);
  });

  it('bad input: a manifest that is not JSON, and keys escaping the prefix, are one-line errors', async () => {
    const sink = s3Sink(s3.client(), BUCKET, 'medusa-bad');
    const r = await backupFixtureWrite(sink, {
      caseDir,
      layout: 'medusa',
      nodes: FIXTURE_NODES,
      backups: [{ id: 'b1', time: T0 }],
    });
    const manifestKey = r.manifestKeys.get(fixtureKey('b1', 'node1.example.com'))!;
    const source = s3BackupSource(`s3://${BUCKET}/medusa-bad`, s3.options);
    await sink.put(manifestKey, '[{"keyspace": "ks", ');
    await expect(backupCatalog(source, await backupLayoutResolve(source))).rejects.toThrow(
      /^medusa: node1\.example\.com\/b1\/meta\/manifest\.json: not valid JSON/,
    );
    for (const bad of ['../other-cluster/node1.example.com/data/x-Data.db', '/etc/passwd']) {
      await sink.put(
        manifestKey,
        JSON.stringify([{ keyspace: 'ks', columnfamily: 't', objects: [{ path: bad, MD5: 'x', size: 1 }] }]),
      );
      await expect(backupCatalog(source, await backupLayoutResolve(source))).rejects.toThrow(
        /^medusa: node1\.example\.com\/b1\/meta\/manifest\.json: object key '.*' (has a '\.' or '\.\.' segment|is an absolute path)$/,
      );
    }
  });
});
