/**
 * A job whose target warehouse is `s3://` on an S3-compatible store: the table is written with the job's
 * S3 settings (`source.s3`, as its backups are read), on both paths — before, the target catalog was opened
 * without them and every PUT went to AWS's own endpoint (getaddrinfo ENOTFOUND <bucket>.s3.…amazonaws.com).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogOpen, tableFilesAt } from '../../iceberg-writer/index.js';
import { type EmbeddedS3, embeddedS3Start, GEN, generate, runCli } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-run-s3wh-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};
let s3: EmbeddedS3;

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['lake'] });
  await generate({ ...GEN, preset: 'narrow', partitions: 8, out: join(work, 'backup') });
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

for (const path of ['new', 'legacy'] as const) {
  it(`${path} path: the table lands in the s3:// warehouse of the job's S3 endpoint`, async () => {
    const job = join(work, `${path}.json`);
    writeFileSync(
      job,
      JSON.stringify({
        name: `s3wh-${path}`,
        source: {
          uri: join(work, 'backup'),
          keyspace: 'gen',
          table: 'narrow',
          s3: { endpoint: s3.endpoint, region: 'us-east-1', pathStyle: true },
        },
        connector: { name: 'raw' },
        consistency: 'all',
        now: '2026-01-01T00:00:00Z',
        target: {
          catalog: join(work, 'catalog.db'),
          warehouse: 's3://lake/wh',
          namespace: 'lake',
          table: path,
        },
      }),
    );
    const r = await runCli(['run', job, '--connector', path, '--json'], { cwd: work, env });
    expect(r.stderr.split('\n').filter((l) => l.startsWith('datamove:'))).toEqual([]);
    expect(r.code).toBe(0);
    const opened = await catalogOpen({
      catalog: join(work, 'catalog.db'),
      s3: {
        ...s3.options,
        region: 'us-east-1',
      },
    });
    try {
      const { files } = await tableFilesAt(opened.catalog, { namespace: ['lake'], name: path });
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(f.filePath.startsWith(`s3://lake/wh/lake/${path}/data/`)).toBe(true);
      expect(files.reduce((n, f) => n + f.recordCount, 0)).toBe(
        JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).rows,
      );
    } finally {
      await opened.close();
    }
  }, 60_000);
}
