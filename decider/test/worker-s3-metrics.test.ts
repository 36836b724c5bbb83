/**
 * S3 request failures inside compaction worker threads reach the metrics: a backup in the embedded S3 is
 * planned, one of its Data.db objects is then deleted, and the compaction runs in real worker threads.
 * Every attempt of the tasks reading that SSTable fails in its worker with a 404; the workers forward
 * those failures to the main thread, where `datamove_s3_request_failures_total{kind="not-found"}` counts
 * them (before, only the main thread's own requests were counted, and this run made none that failed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compactionRun } from '../../compactor/index.js';
import { type EmbeddedS3, embeddedS3Start, GEN, generate, planFor } from '../../infra/index.js';
import { s3FailureListen, s3OptionsResolve } from '../../storage/index.js';
import { metricsCreate } from '../metrics.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-worker-s3-metrics-'));
let s3: EmbeddedS3;

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['backups'] });
  await generate({
    ...GEN,
    out: 's3://backups/cluster',
    preset: 'narrow',
    partitions: 40,
    s3: s3OptionsResolve(s3.options),
  });
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

it("a worker thread's failed S3 read is counted by the main thread's metrics", async () => {
  const sourceOptions = { s3: s3.options };
  const plan = await planFor(
    's3://backups/cluster',
    { keyspace: 'gen', table: 'narrow', consistency: 'all', replicationFactor: 3, tasks: 4 },
    sourceOptions,
  );
  // one SSTable disappears after planning
  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'cluster/' }));
  const victim = (listed.Contents ?? []).map((o) => o.Key!).find((k) => k.endsWith('-Data.db'));
  expect(victim).toBeDefined();
  await client.send(new DeleteObjectCommand({ Bucket: 'backups', Key: victim! }));
  const readers = plan.tasks.filter((t) => t.reads.some((r) => victim!.endsWith(`/${r.sstable}`)));
  expect(readers.length).toBeGreaterThan(0);

  const metrics = metricsCreate({ historyPaths: () => [] });
  const heard: string[] = [];
  const unlisten = s3FailureListen((kind, operation) => heard.push(`${kind} ${operation}`));
  try {
    const res = await compactionRun(plan, {
      pool: 'threads',
      workers: 2,
      retries: 1,
      sink: { kind: 'count' },
      sourceOptions,
    });
    // every task reading the deleted SSTable failed on every attempt, in its worker
    expect(res.failed.map((f) => f.taskId).sort()).toEqual(readers.map((t) => t.id).sort());
    expect(res.failed[0]!.error!.message).toMatch(/no such object/);
    const attempts = res.failed.reduce((n, f) => n + f.attempts, 0);
    const notFound = heard.filter((h) => h.startsWith('not-found ')).length;
    expect(notFound).toBeGreaterThanOrEqual(attempts);

    const text = await metrics.text();
    const counted = text
      .split('\n')
      .filter((l) => l.startsWith('datamove_s3_request_failures_total{kind="not-found"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(counted).toBe(notFound);
  } finally {
    unlisten();
    metrics.close();
    client.destroy();
  }
}, 60_000);
