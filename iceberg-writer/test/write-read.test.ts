import { DuckDBInstance } from '@duckdb/node-api';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLTYPES_SCHEMA, alltypesBatch, NARROW_SCHEMA, narrowBatch } from '../../infra/index.js';
import type { SqlCatalog } from '../catalog/sql/sql-catalog.js';
import { sqlCatalogOpen } from '../catalog/sql/sql-catalog.js';
import { icebergCommit } from '../commit/table-commit.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { manifestListRead, manifestRead } from '../manifest/manifest-file.js';
import { metadataSnapshot } from '../metadata/table-metadata.js';
import { DataWriter } from '../write/data-writer.js';
import { staticServer, tempDir } from './helpers.js';

describe('write, commit and read back with icebird', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: { url: string; close: () => Promise<void> };
  let catalog: SqlCatalog;

  beforeAll(async () => {
    dir = await tempDir();
    server = await staticServer(dir.path);
    const io = new LocalFileIO({ prefix: { uri: server.url, path: dir.path } });
    catalog = await sqlCatalogOpen(
      { uri: `sqlite:${dir.path}/catalog.db`, warehouse: `${server.url}wh` },
      io,
    );
  });
  afterAll(async () => {
    await catalog.close();
    await server.close();
    await dir.cleanup();
  });

  it('alltypes, partitioned by day(ts) and bucket[4](id), two appends and an overwrite', async () => {
    const id = { namespace: ['ks'], name: 'alltypes' };
    const table = await catalog.createTable(id, {
      schema: ALLTYPES_SCHEMA,
      partitionSpec: {
        'spec-id': 0,
        fields: [
          { 'source-id': 9, 'field-id': 1000, name: 'ts_day', transform: 'day' },
          { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[4]' },
        ],
      },
    });
    const writeRun = async (start: number, n: number, runId: string, mode: 'append' | 'overwrite') => {
      const w = new DataWriter({
        io: catalog.io,
        location: table.metadata.location,
        schema: ALLTYPES_SCHEMA,
        spec: table.metadata['partition-specs'][0]!,
      });
      await w.write(alltypesBatch(n, start));
      const files = await w.close();
      return icebergCommit(catalog, id, files, { mode, runId, jobName: 'test', rowCounts: { written: n } });
    };
    const r1 = await writeRun(0, 3000, 'run-1', 'append');
    expect(r1.alreadyCommitted).toBe(false);
    await writeRun(3000, 1000, 'run-2', 'append');
    const again = await writeRun(3000, 1000, 'run-2', 'append');
    expect(again.alreadyCommitted).toBe(true);

    const loaded = await catalog.loadTable(id);
    expect(loaded.metadata.snapshots).toHaveLength(2);
    const snap = metadataSnapshot(loaded.metadata)!;
    expect(snap.summary['total-records']).toBe('4000');
    expect(snap.summary['datamove.run-id']).toBe('run-2');

    const rows = await icebergRead({ tableUrl: loaded.metadata.location });
    expect(rows).toHaveLength(4000);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const k of [0, 6, 7, 1234, 3999]) {
      const r = byId.get(k)!;
      expect(r).toBeDefined();
      if (k % 7 === 6) {
        expect(r.i).toBeNull();
        continue;
      }
      expect(r.i).toBe((k * 7919) % 100_000);
      expect(r.d).toBe(k * 1.5);
      expect(r.s).toBe(`row-${k}-${'x'.repeat(k % 20)}`);
      expect(r.b).toBe(k % 2 === 0);
      expect(r.tags).toHaveLength(k % 3);
    }

    // statistics in the manifest
    const lists = await manifestListRead(catalog.io, snap['manifest-list']);
    const entries = (
      await Promise.all(
        lists.map((m) =>
          manifestRead(catalog.io, m.manifestPath, ALLTYPES_SCHEMA, loaded.metadata['partition-specs'][0]!),
        ),
      )
    ).flat();
    const total = entries.reduce((a, e) => a + e.dataFile.recordCount, 0);
    expect(total).toBe(4000);
    const f = entries[0]!.dataFile;
    expect(f.valueCounts.get(1)).toBe(f.recordCount);
    expect(f.nullValueCounts.get(1)).toBe(0);
    expect(f.lowerBounds.get(1)?.length).toBe(8);
    expect(f.upperBounds.get(6)).toBeDefined();
    expect(f.lowerBounds.has(16)).toBe(false); // inside a list: no bounds
    expect(f.columnSizes.get(16)).toBeGreaterThan(0);

    const r3 = await writeRun(10_000, 500, 'run-3', 'overwrite');
    const after = await catalog.loadTable(id);
    const s3 = after.metadata.snapshots.find((s) => s['snapshot-id'] === r3.snapshotId)!;
    expect(s3.summary.operation).toBe('overwrite');
    expect(s3.summary['total-records']).toBe('500');
    expect(s3.summary['deleted-records']).toBe('4000');
    const rows3 = await icebergRead({ tableUrl: after.metadata.location });
    expect(rows3).toHaveLength(500);
    expect(Math.min(...rows3.map((r) => Number(r.id)))).toBe(10_000);
  });

  it('narrow unpartitioned table reads in DuckDB with field ids', async () => {
    const id = { namespace: ['ks'], name: 'narrow' };
    const table = await catalog.createTable(id, { schema: NARROW_SCHEMA });
    const w = new DataWriter({
      io: catalog.io,
      location: table.metadata.location,
      schema: NARROW_SCHEMA,
      spec: table.metadata['partition-specs'][0]!,
    });
    await w.write(narrowBatch(1000));
    await w.write(narrowBatch(1000, 1000));
    const files = await w.close();
    expect(files).toHaveLength(1);
    await icebergCommit(catalog, id, files, { mode: 'append', runId: 'n1' });
    const path = (catalog.io as LocalFileIO).pathOf(files[0]!.filePath);
    const db = await DuckDBInstance.create();
    const c = await db.connect();
    const schema = (
      await c.runAndReadAll(`SELECT name, field_id FROM parquet_schema('${path}') WHERE field_id IS NOT NULL`)
    ).getRowObjectsJson();
    expect(schema.map((r) => [r.name, Number(r.field_id)])).toEqual([
      ['id', 1],
      ['ts', 2],
      ['value', 3],
    ]);
    const sum = (
      await c.runAndReadAll(`SELECT count(*)::INT AS n, sum(id)::BIGINT AS s FROM '${path}'`)
    ).getRowObjectsJson();
    expect(sum[0]).toEqual({ n: 2000, s: String((1999 * 2000) / 2) });
    c.closeSync();
    const rows = await icebergRead({ tableUrl: table.metadata.location });
    expect(rows).toHaveLength(2000);
  });
});
