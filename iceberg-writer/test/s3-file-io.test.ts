/**
 * The S3 FileIO against the embedded S3 (s3rver): objects in and out, listing, deletes, a multipart
 * upload, retries of throttled requests; then a table in an `s3://` warehouse opened with `catalogOpen`
 * (embedded SQLite catalog), written, committed, read back at two snapshots, and cleaned.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedS3, embeddedS3Start, NARROW_SCHEMA, narrowBatch } from '../../infra/index.js';
import { s3ClientCreate, s3OptionsResolve } from '../../storage/index.js';
import { catalogOpen } from '../catalog/catalog-open.js';
import { icebergCommit } from '../commit/table-commit.js';
import { S3FileIO } from '../io/s3/s3-file-io.js';
import { metadataSnapshot } from '../metadata/table-metadata.js';
import { tableClean, tableFilesAt } from '../table/table-ops.js';
import { DataWriter } from '../write/data-writer.js';
import { duplicates, tableReadIds, tempDir } from './helpers.js';

const BUCKET = 'warehouse';
let dir: { path: string; cleanup: () => Promise<void> };
let s3: EmbeddedS3;

beforeAll(async () => {
  dir = await tempDir('dm-iceberg-s3-');
  s3 = await embeddedS3Start({ dir: join(dir.path, 's3'), buckets: [BUCKET] });
});
afterAll(async () => {
  await s3.close();
  await dir.cleanup();
});

describe('S3FileIO', () => {
  it('writes, reads, lists and deletes objects; a missing object is NotFound', async () => {
    const io = new S3FileIO(s3.options);
    const a = `s3://${BUCKET}/t/metadata/a.json`;
    await io.write(a, new TextEncoder().encode('{"a":1}'));
    await io.write(`s3://${BUCKET}/t/data/x=1/b.parquet`, new Uint8Array([1, 2, 3]));
    await io.write(`s3://${BUCKET}/t2/c`, new Uint8Array(0));
    expect(new TextDecoder().decode(await io.read(a))).toBe('{"a":1}');
    expect(await io.exists(a)).toBe(true);
    expect(await io.exists(`s3://${BUCKET}/t/metadata/nope`)).toBe(false);
    const listed = await io.list(`s3://${BUCKET}/t/`);
    expect(listed.map((f) => [f.uri, f.size])).toEqual([
      [`s3://${BUCKET}/t/data/x=1/b.parquet`, 3],
      [a, 7],
    ]);
    expect(listed[0]!.lastModified).toBeGreaterThan(Date.now() - 60_000);
    // s3a:// (Hadoop engines) reaches the same objects
    expect((await io.list(`s3a://${BUCKET}/t/meta`)).map((f) => f.uri)).toEqual([
      `s3a://${BUCKET}/t/metadata/a.json`,
    ]);
    await io.delete(a);
    await io.delete(a); // deleting a missing object is fine
    await expect(io.read(a)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(io.read(`s3://no-such-bucket/x`)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(io.write('s3://B_ad/x', new Uint8Array(1))).rejects.toMatchObject({
      kind: 'InvalidArgument',
    });
    await io.close();
  });

  it('uploads a large object in parts', async () => {
    const io = new S3FileIO({ ...s3.options, partBytes: 5 * 1024 * 1024 });
    const big = new Uint8Array(12 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    const uri = `s3://${BUCKET}/big/data.parquet`;
    await io.write(uri, big);
    const back = await io.read(uri);
    const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
    expect(back.length).toBe(big.length);
    expect(md5(back)).toBe(md5(big));
    await io.close();
  });

  it('retries throttled requests with the S3 retry policy, and gives up on non-retryable ones', async () => {
    const real = s3ClientCreate(s3OptionsResolve(s3.options));
    let failures = 2;
    let calls = 0;
    const io = new S3FileIO(s3.options, {
      sleep: async () => {},
      client: {
        async send(command: unknown) {
          calls++;
          if (failures-- > 0) {
            throw Object.assign(new Error('Please reduce your request rate.'), {
              name: 'SlowDown',
              $metadata: { httpStatusCode: 503 },
            });
          }
          return real.send(command as never);
        },
      },
    });
    await io.write(`s3://${BUCKET}/retry/x`, new Uint8Array([9]));
    expect(calls).toBe(3);
    expect(await io.read(`s3://${BUCKET}/retry/x`)).toEqual(new Uint8Array([9]));
    const denied = new S3FileIO(s3.options, {
      sleep: async () => {},
      client: {
        async send() {
          throw Object.assign(new Error('Access Denied'), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
        },
      },
    });
    await expect(denied.read(`s3://${BUCKET}/retry/x`)).rejects.toThrow(/access denied/);
    real.destroy();
  });
});

describe('a table in an s3:// warehouse', () => {
  it('is written, committed, read back at each snapshot and cleaned', async () => {
    const opened = await catalogOpen({
      catalog: join(dir.path, 'catalog.db'),
      warehouse: `s3://${BUCKET}/wh/`,
      s3: s3.options,
    });
    const { catalog } = opened;
    const id = { namespace: ['ks'], name: 'events' };
    const created = await catalog.createTable(id, { schema: NARROW_SCHEMA });
    expect(created.metadata.location).toBe(`s3://${BUCKET}/wh/ks/events`);
    expect(created.metadataLocation).toMatch(/^s3:\/\/warehouse\/wh\/ks\/events\/metadata\/00000-/);
    const run = async (start: number, n: number, runId: string, mode: 'append' | 'overwrite') => {
      const w = new DataWriter({
        io: catalog.io,
        location: created.metadata.location,
        schema: NARROW_SCHEMA,
        spec: created.metadata['partition-specs'][0]!,
      });
      await w.write(narrowBatch(n, start));
      return icebergCommit(catalog, id, await w.close(), { mode, runId });
    };
    const r1 = await run(0, 1000, 'r1', 'append');
    await run(1000, 500, 'r2', 'append');
    const ids = await tableReadIds(catalog, id);
    expect(ids).toHaveLength(1500);
    expect(duplicates(ids)).toEqual([]);
    expect(await tableReadIds(catalog, id, { snapshotId: r1.snapshotId })).toHaveLength(1000);
    await run(5000, 10, 'r3', 'overwrite');
    expect((await tableReadIds(catalog, id)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 5000 + i),
    );
    // nothing reached the local disk: every file is in the bucket
    expect(existsSync(join(dir.path, 'wh'))).toBe(false);
    const plan = await tableFilesAt(catalog, id);
    expect(plan.files[0]!.filePath).toMatch(/^s3:\/\/warehouse\/wh\/ks\/events\/data\//);
    const loaded = await catalog.loadTable(id);
    expect(await catalog.io.exists(metadataSnapshot(loaded.metadata)!['manifest-list'])).toBe(true);
    expect(await catalog.io.exists(`${loaded.metadata.location}/metadata/version-hint.text`)).toBe(true);

    // an orphan is removed; every file a snapshot references stays
    const orphan = `${loaded.metadata.location}/data/orphan.parquet`;
    await catalog.io.write(orphan, new Uint8Array(8));
    const cleaned = await tableClean(catalog, id, { olderThanMs: 0, now: Date.now() + 5000 });
    expect(cleaned.deleted).toContain(orphan);
    expect(await tableReadIds(catalog, id, { snapshotId: r1.snapshotId })).toHaveLength(1000);
    expect(await tableReadIds(catalog, id)).toHaveLength(10);
    await opened.close();
  });
});
