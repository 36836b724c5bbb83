/**
 * `shadow` end to end on a generated backup in the embedded S3: in process, a job whose paths agree
 * (consistency ALL: C = M, recorded with similarity 1) and one whose new path reads one replica
 * (consistency ONE: differences where the replicas disagree — an investigation, a discrepancy alert to a
 * local webhook, the shadow run recorded); a table in an S3 warehouse diffed through downloads; then the
 * built CLI: `shadow` exit codes 0/3/2, `diff` 0/3, `investigations list|show|resolve`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerParse, jobRun, runHistoryOpen } from '../../decider/index.js';
import { catalogOpen, type OpenedCatalog, tableIdentifierParse } from '../../iceberg-writer/index.js';
import { type EmbeddedS3, embeddedS3Start, GEN, generate, runCli } from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';
import { tableDiff, tableRefParse } from '../diff.js';
import { validationStoreOpen } from '../investigations.js';
import { shadowRun } from '../shadow.js';
import { testJob } from './validation-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-shadow-'));
const catalogPath = join(work, 'catalog.db');
const runsPath = join(work, 'runs.db');
let s3: EmbeddedS3;
let opened: OpenedCatalog;
let server: Server;
let hook: string;
const received: Record<string, unknown>[] = [];
const ALL_NEW = controllerParse({}, undefined);

const job = (name: string, consistency: 'all' | 'one', targetTable: string) =>
  testJob({
    name,
    source: 's3://backups/cluster',
    s3: { endpoint: s3.endpoint, pathStyle: true },
    targetTable,
    consistency,
    catalog: catalogPath,
    warehouse: join(work, 'wh'),
    webhook: `${hook}/alerts`,
  });

const jobYaml = (name: string, consistency: string, table: string) => `name: ${name}
source:
  uri: s3://backups/cluster
  s3: { endpoint: "${s3.endpoint}", pathStyle: true }
  keyspace: gen
  table: narrow
connector: { name: raw }
consistency: ${consistency}
now: "2026-01-01T00:00:00Z"
target: { catalog: "${catalogPath}", warehouse: "${join(work, 'wh')}", namespace: lake, table: ${table} }
`;

const env = () => ({
  PATH: process.env.PATH ?? '',
  HOME: work,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
});
const cli = (args: string[]) => runCli(args, { cwd: work, env: env() });

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['backups', 'lake'] });
  await generate({
    ...GEN,
    out: 's3://backups/cluster',
    preset: 'narrow',
    partitions: 30,
    s3: s3OptionsResolve(s3.options),
  });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  opened = await catalogOpen({ catalog: catalogPath, warehouse: join(work, 'wh'), s3: s3.options });
  writeFileSync(join(work, 'all.yaml'), jobYaml('cli-all', 'all', 'cli_all'));
  writeFileSync(join(work, 'one.yaml'), jobYaml('cli-one', 'one', 'cli_one'));
}, 60_000);
afterAll(async () => {
  await opened?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const common = () => ({
  catalog: opened,
  historyPath: runsPath,
  controller: ALL_NEW,
  sourceOptions: { s3: s3.options },
  pool: 'inline' as const,
  workers: 1,
});

describe('shadow', () => {
  it('C = M when both paths read every replica: recorded with similarity 1, no investigation', async () => {
    const r = await shadowRun(job('shadow-all', 'all', 'narrow'), common());
    expect(r.productionPath).toBe('new');
    expect(r.shadowPath).toBe('legacy');
    expect(r.shadowTable).toBe('lake.narrow__shadow_legacy');
    expect(r.report.cRows).toBeGreaterThan(50);
    expect(r.report).toMatchObject({ cMinusM: 0, mMinusC: 0, equal: true, similarity: 1 });
    expect(r.report.keyed?.key).toEqual(['id', 'ck']);
    expect(r.investigationId).toBeUndefined();
    // the same reference time for both runs
    expect(r.report.c.snapshot!.summary['datamove.reference-now']).toBe('2026-01-01T00:00:00.000Z');
    expect(r.report.m.snapshot!.summary['datamove.reference-now']).toBe('2026-01-01T00:00:00.000Z');
    const store = validationStoreOpen(runsPath);
    const runs = store.shadowRuns('shadow-all');
    store.close();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'equal',
      similarity: 1,
      matched: r.report.cRows,
      cMinusM: 0,
      mMinusC: 0,
      cRunId: r.shadow.runId,
      mRunId: r.production.runId,
      productionPath: 'new',
    });
    const history = runHistoryOpen(runsPath);
    const recorded = history.runs('shadow-all');
    history.close();
    expect(recorded.map((x) => [x.purpose, x.connectorUsed, x.table])).toEqual([
      ['run', 'new', 'lake.narrow'],
      ['shadow', 'legacy', 'lake.narrow__shadow_legacy'],
    ]);
  }, 120_000);

  it('a new path that reads one replica differs where replicas disagree: investigation, alert, record', async () => {
    const r = await shadowRun(job('shadow-one', 'one', 'narrow_one'), common());
    expect(r.report.equal).toBe(false);
    // the legacy path reads every replica: what one replica lacks is missing or changed in M
    expect(r.report.cMinusM).toBeGreaterThan(0);
    expect(r.report.matched).toBe(r.report.cRows - r.report.cMinusM);
    expect(r.categorization?.category).toBe('consistency-level');
    expect(r.investigationId).toBeGreaterThan(0);
    const store = validationStoreOpen(runsPath);
    const inv = store.investigation(r.investigationId!);
    const runs = store.shadowRuns('shadow-one');
    store.close();
    expect(inv).toMatchObject({
      job: 'shadow-one',
      category: 'consistency-level',
      status: 'open',
      cMinusM: r.report.cMinusM,
      mMinusC: r.report.mMinusC,
      cSnapshotId: r.shadow.snapshotId,
      mSnapshotId: r.production.snapshotId,
    });
    expect((inv.samples as { cMinusM: unknown[] }).cMinusM.length).toBeGreaterThan(0);
    expect(runs[0]).toMatchObject({ status: 'different', investigationId: r.investigationId });
    expect(runs[0]!.similarity).toBeCloseTo(r.report.similarity, 9);
    expect(runs[0]!.similarity).toBeLessThan(1);
    expect(runs[0]!.matched).toBe(r.report.matched);
    const alert = received.find((a) => a.kind === 'discrepancy' && a.job === 'shadow-one');
    expect(alert).toMatchObject({ runId: r.production.runId });
    expect((alert!.details as { investigationId: number }).investigationId).toBe(r.investigationId);
    expect(r.alertsDelivered).toBe(1);
  }, 120_000);

  it('a controller that picks the legacy path: legacy is production, the new path writes the shadow table', async () => {
    const controller = controllerParse(
      { rules: [{ match: { job: 'shadow-legacy' }, connector: 'legacy' }] },
      undefined,
    );
    const r = await shadowRun(job('shadow-legacy', 'all', 'narrow_l'), { ...common(), controller });
    expect([r.productionPath, r.shadowPath, r.shadowTable]).toEqual([
      'legacy',
      'new',
      'lake.narrow_l__shadow_new',
    ]);
    expect(r.report.c.table).toBe('lake.narrow_l');
    expect(r.report.m.table).toBe('lake.narrow_l__shadow_new');
    expect(r.report).toMatchObject({ cMinusM: 0, mMinusC: 0, equal: true });
    // snapshots by id and by time: the earlier shadow run's tables
    const byId = await tableDiff(
      opened.catalog,
      tableRefParse(`lake.narrow_l@${r.production.snapshotId}`),
      tableRefParse(`lake.narrow@${new Date().toISOString()}`),
      { key: ['id', 'ck'] },
    );
    expect(byId.c.snapshot?.snapshotId).toBe(r.production.snapshotId);
    expect(byId).toMatchObject({ cMinusM: 0, mMinusC: 0, equal: true });
    await expect(
      tableDiff(
        opened.catalog,
        tableRefParse('lake.narrow@1999-01-01T00:00:00Z'),
        tableRefParse('lake.narrow'),
      ),
    ).rejects.toThrow(/no snapshot was current at 1999-01-01/);
  }, 120_000);

  it('diffs tables in an S3 warehouse (files fetched through the FileIO)', async () => {
    const inS3 = await catalogOpen({ catalog: catalogPath, warehouse: 's3://lake/wh', s3: s3.options });
    try {
      await jobRun(job('s3-copy', 'all', 'narrow_s3'), {
        catalog: inS3,
        historyPath: runsPath,
        override: 'legacy',
        sourceOptions: { s3: s3.options },
      });
      const t = await inS3.catalog.loadTable(tableIdentifierParse('lake.narrow_s3'));
      expect(t.metadata.location).toBe('s3://lake/wh/lake/narrow_s3');
      const r = await tableDiff(inS3.catalog, tableRefParse('lake.narrow_s3'), tableRefParse('lake.narrow'), {
        key: ['id', 'ck'],
      });
      expect(r.cRows).toBeGreaterThan(50);
      expect(r).toMatchObject({ cMinusM: 0, mMinusC: 0, equal: true });
    } finally {
      await inS3.close();
    }
  }, 120_000);
});

describe('the CLI', () => {
  it('shadow exits 0 when equal, 3 when different, 2 on error', async () => {
    const ok = await cli(['shadow', 'all.yaml']);
    expect(ok.stderr).not.toMatch(/datamove: /);
    expect(ok.stdout).toMatch(/C = M/);
    expect(ok.code).toBe(0);
    const diff = await cli(['shadow', 'one.yaml', '--samples', '2']);
    expect(diff.stdout).toMatch(/\|C−M\| = [1-9]/);
    expect(diff.stdout).toMatch(/investigation \d+: consistency-level/);
    expect(diff.code).toBe(3);
    const bad = await cli(['shadow', 'missing.yaml']);
    expect(bad.stderr).toMatch(/^datamove: missing.yaml: cannot read the job file/);
    expect(bad.code).toBe(2);
    // every shadow run is recorded, errors too
    const db = new Database(join(work, 'runs.db'), { readonly: true });
    const rows = db
      .prepare(
        'SELECT job, status, c_rows, similarity, investigation_id FROM datamove_shadow_runs ORDER BY id',
      )
      .all() as { job: string; status: string; investigation_id: number | null }[];
    db.close();
    expect(rows.map((r) => [r.job, r.status])).toEqual(
      expect.arrayContaining([
        ['cli-all', 'equal'],
        ['cli-one', 'different'],
      ]),
    );
  }, 180_000);

  it('diff exits 0 for equal snapshots and 3 for different ones, with --json', async () => {
    const eq = await cli([
      'diff',
      'lake.cli_all',
      'lake.cli_all__shadow_legacy',
      '--key',
      'id,ck',
      '--catalog',
      catalogPath,
    ]);
    expect(eq.stdout).toMatch(/\|C−M\| = 0 {2}\|M−C\| = 0/);
    expect(eq.code).toBe(0);
    const ne = await cli([
      'diff',
      'lake.cli_one__shadow_legacy',
      'lake.cli_one',
      '--key',
      'id,ck',
      '--catalog',
      catalogPath,
      '--json',
    ]);
    expect(ne.code).toBe(3);
    const report = JSON.parse(ne.stdout) as { cMinusM: number; keyed: { missing: number } };
    expect(report.cMinusM).toBeGreaterThan(0);
    const err = await cli(['diff', 'lake.cli_one', 'lake.nope', '--catalog', catalogPath]);
    expect(err.stderr).toMatch(/^datamove: iceberg: table lake.nope does not exist/);
    expect(err.code).toBe(2);
  }, 60_000);

  it('investigations list, show, resolve by id and by category', async () => {
    const inv = (args: string[]) => cli(['investigations', ...args, '--catalog', catalogPath]);
    const list = await inv(['list', '--status', 'open', '--json']);
    expect(list.code).toBe(0);
    const open = JSON.parse(list.stdout) as { id: number; category: string; job: string }[];
    expect(open.length).toBeGreaterThanOrEqual(2);
    const by = await inv(['list', '--by-category']);
    expect(by.stdout).toMatch(/consistency-level\s+open \d+\s+resolved 0\s+jobs cli-one, shadow-one/);
    const show = await inv(['show', String(open[0]!.id)]);
    expect(show.stdout).toMatch(new RegExp(`investigation ${open[0]!.id} \\(open\\)`));
    const one = await inv(['resolve', String(open[0]!.id), '--note', 'replica missed writes']);
    expect(one.stderr + one.stdout).toMatch(/^investigation \d+ resolved/);
    const rest = await inv([
      'resolve',
      '--category',
      'consistency-level',
      '--note',
      'node 2 missed writes; the new path reads one replica',
    ]);
    expect(rest.stdout).toMatch(
      new RegExp(`^${open.length - 1} open consistency-level investigations? resolved`),
    );
    const none = await inv(['list', '--status', 'open']);
    expect(none.stdout).toBe('no investigations\n');
    const missing = await inv(['show', '9999']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no investigation 9999/);
  }, 60_000);
});
