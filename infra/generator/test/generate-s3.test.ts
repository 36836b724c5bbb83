/**
 * Generated cluster backups in the embedded S3, in every layout: `backups list` sees one complete set,
 * selection as of the backup time returns every node with its tokens, and reading each node's table
 * straight from S3 — restricted to the ranges the node owns by the backup's own topology — and merging
 * gives exactly the generator's oracle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergedLiveRows, partitionsWhere, rowJsonFormatter } from '../../../compactor/index.js';
import {
  backupCatalog,
  backupLayoutResolve,
  backupSelect,
  backupTableDirectory,
  murmur3TokenBigInt,
  s3BackupSource,
  type TableFolder,
  tableFolderOpen,
} from '../../../reader/index.js';
import { s3OptionsResolve } from '../../../storage/index.js';
import { canonicalRow } from '../../corpus.js';
import { LAYOUT_NAMES } from '../../s3/backup-layout-write.js';
import { type EmbeddedS3, embeddedS3Start } from '../../s3/embedded-s3.js';
import { generate } from '../generate.js';

const BUCKET = 'generated';
const dir = mkdtempSync(join(tmpdir(), 'datamove-gen-s3-'));
let s3: EmbeddedS3;
beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(dir, 's3'), buckets: [BUCKET] });
});
afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);

/** Owned token ranges from the ring: a token belongs to the first node token at or after it, and RF-1 more. */
function owners(
  ring: readonly { node: string; tokens: readonly string[] }[],
  rf: number,
): (token: bigint) => string[] {
  const all = ring
    .flatMap((n) => n.tokens.map((t) => ({ t: BigInt(t), node: n.node })))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return (token) => {
    let i = all.findIndex((x) => x.t >= token);
    if (i < 0) i = 0;
    const out: string[] = [];
    for (let k = 0; k < all.length && out.length < rf; k++) {
      const n = all[(i + k) % all.length]!.node;
      if (!out.includes(n)) out.push(n);
    }
    return out;
  };
}

describe('generated backups in S3', () => {
  for (const layout of LAYOUT_NAMES) {
    it(layout, async () => {
      const prefix = `cluster-${layout}`;
      const result = await generate({
        out: `s3://${BUCKET}/${prefix}`,
        s3: s3OptionsResolve(s3.options),
        layout,
        preset: 'narrow',
        nodes: 4,
        dcs: 1,
        replicationFactor: 3,
        numTokens: 4,
        seed: 7,
        bytes: 0,
        wideBytes: 0,
        partitions: 30,
        flushes: 2,
        version: 'nb',
        compression: 'lz4',
        now: NOW,
        keyspace: 'gen',
        tag: 'snap-2026',
        nodeExpectations: false,
        missRate: 0.1,
      });
      const t = result.tables[0]!;
      const source = s3BackupSource(`s3://${BUCKET}/${prefix}`, s3.options);
      const resolved = await backupLayoutResolve(source, 'auto');
      expect(resolved.name).toBe(layout.startsWith('medusa') ? 'medusa' : layout);
      const catalog = await backupCatalog(source, resolved, {});
      expect(catalog.sets).toHaveLength(1);
      expect(catalog.sets[0]!.status).toBe('COMPLETE');
      const set = await backupSelect(source, resolved, {
        asOf: NOW * 1000 + 1000,
        filter: { keyspace: 'gen', table: t.table },
      });
      expect(set.nodes.map((n) => n.node).sort()).toEqual(result.cluster.nodes.map((n) => n.name).sort());
      const ownersOf = owners(set.nodes, 3);
      const tables: { node: string; table: TableFolder }[] = [];
      try {
        for (const n of set.nodes) {
          tables.push({
            node: n.node,
            table: await tableFolderOpen(backupTableDirectory(source, set, n.node, 'gen', t.table)),
          });
        }
        const first = tables[0]!.table;
        const streams = tables.flatMap(({ node, table }) =>
          table.sstables.map((sst) =>
            partitionsWhere(sst.scan(), (key) => ownersOf(murmur3TokenBigInt(key)).includes(node)),
          ),
        );
        const fmt = rowJsonFormatter(first.model);
        const rows: string[] = [];
        for await (const r of mergedLiveRows(
          streams,
          first.sstables[0]!.partitioner,
          first.sstables[0]!.layout.clusteringTypes,
          first.model,
          { now: NOW },
        )) {
          rows.push(canonicalRow(fmt.format(r)));
        }
        const oracle = await s3
          .client()
          .send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}/oracle/gen.${t.table}.jsonl` }));
        const expected = (await oracle.Body!.transformToString())
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => canonicalRow(JSON.parse(l)));
        expect(rows).toEqual(expected);
        expect(rows.length).toBe(t.oracleRows);
      } finally {
        for (const x of tables) await x.table.close();
        await source.close?.();
      }
    });
  }
});
