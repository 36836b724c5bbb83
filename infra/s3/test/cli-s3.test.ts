/**
 * The built `datamove` against the embedded S3: `backups list`, `backups select`, `sstable dump
 * s3://…` giving the same rows as on the local folder, and one-line errors for a missing bucket and
 * rejected credentials. Credentials reach the child process through its own environment only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRow, corpusRoot } from '../../corpus.js';
import { type CliResult, runCli } from '../../testing/run-cli.js';
import { backupFixtureWrite, FIXTURE_NODES } from '../backup-fixture.js';
import { s3Sink } from '../backup-sink.js';
import { type EmbeddedS3, embeddedS3Start } from '../embedded-s3.js';

const CASE = 'mc-lz4-primitive-types';
const caseDir = join(corpusRoot(), CASE);
const dir = mkdtempSync(join(tmpdir(), 'datamove-cli-s3-'));
let s3: EmbeddedS3;

function run(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DATAMOVE_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      ...env,
    },
  });
}

function oneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^datamove: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toContain('S3RVER');
}

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(dir, 's3'), buckets: ['cluster1'] });
  await backupFixtureWrite(s3Sink(s3.client(), 'cluster1', 'sm'), {
    caseDir,
    layout: 'scylla-manager',
    nodes: FIXTURE_NODES,
    backups: [
      { id: 'b1', time: Date.parse('2024-05-01T00:00:00Z') },
      { id: 'b2', time: Date.parse('2024-05-01T06:00:00Z'), nodes: ['node1.example.com'] },
    ],
  });
});
afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('datamove with S3 sources', () => {
  it('backups list reports each set with its status and reasons', async () => {
    const r = await run([
      'backups',
      'list',
      '--source',
      's3://cluster1/sm',
      '--keyspace',
      'test_ks',
      '--table',
      'test_table',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^sm_20240501000000UTC {2}2024-05-01T00:00:00\.000Z {2}COMPLETE {2}3 nodes {2}dc dc1/m,
    );
    expect(r.stdout).toMatch(/^sm_20240501060000UTC .*INCOMPLETE {2}1 node /m);
    expect(r.stdout).toMatch(/node-missing: node node2\.example\.com missing/);
    const json = JSON.parse(
      (await run(['backups', 'list', '--source', 's3://cluster1/sm', '--json'])).stdout,
    );
    expect(json.sets.map((s: { status: string }) => s.status)).toEqual(['COMPLETE', 'INCOMPLETE']);
  });

  it('backups select picks per node the latest complete backup', async () => {
    const r = await run([
      'backups',
      'select',
      '--source',
      's3://cluster1/sm',
      '--as-of',
      '2024-05-01T07:00:00Z',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const set = JSON.parse(r.stdout);
    expect(set.nodes.map((n: { backupId: string }) => n.backupId)).toEqual([
      'sm_20240501060000UTC',
      'sm_20240501000000UTC',
      'sm_20240501000000UTC',
    ]);
  });

  it('sstable dump s3://… prints the same rows as on the local folder', async () => {
    const folder =
      's3://cluster1/sm/backup/sst/cluster/3e99d4a8-67d2-45fe-87fb-87b1b90ea2dc/dc/dc1/node/node1.example.com/keyspace/test_ks/table/test_table/5a1c0ffee0ddf00d5a1c0ffee0ddf00d';
    const now = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')).now;
    const nowArgs = now ? ['--now', now] : [];
    const remote = await run([
      'sstable',
      'dump',
      folder,
      '--schema',
      join(caseDir, 'schema.cql'),
      ...nowArgs,
    ]);
    const local = await run(['sstable', 'dump', caseDir, ...nowArgs]);
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    const rows = (s: string) =>
      s
        .trimEnd()
        .split('\n')
        .map((l) => canonicalRow(JSON.parse(l)))
        .sort();
    expect(rows(remote.stdout)).toEqual(rows(local.stdout));
    const one = await run([
      'sstable',
      'dump',
      `${folder}/mc-1-big-Data.db`,
      '--schema',
      join(caseDir, 'schema.cql'),
      ...nowArgs,
    ]);
    expect(rows(one.stdout)).toEqual(rows(local.stdout));
  });

  it('a bucket that does not exist and rejected credentials are one-line errors', async () => {
    oneLineError(
      await run(['backups', 'list', '--source', 's3://no-such-bucket/x']),
      /bucket 'no-such-bucket' does not exist/,
    );
    oneLineError(
      await run(['sstable', 'dump', 's3://no-such-bucket/x']),
      /bucket 'no-such-bucket' does not exist/,
    );
    oneLineError(
      await run(['backups', 'list', '--source', 's3://cluster1/sm'], { AWS_ACCESS_KEY_ID: 'WRONG' }),
      /the credentials were rejected \(InvalidAccessKeyId\)/,
    );
  });
});
