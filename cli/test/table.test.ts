/**
 * `datamove table …` end to end through the built command: snapshots, history, files at a snapshot id or
 * time, rollback, expire-snapshots and clean (text and --json) on the embedded SQLite catalog; the default
 * catalog `./.datamove/catalog.db`; a REST catalog with a token; a table in an s3:// warehouse (embedded
 * S3); `clean` refusing while a commit state is unknown; and one-line errors with exit code 2.
 */
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, TableIdentifier } from '../../iceberg-writer/index.js';
import {
  catalogOpen,
  DataWriter,
  icebergCommit,
  LocalFileIO,
  metadataSnapshot,
  tableFilesAt,
  tableHistory,
} from '../../iceberg-writer/index.js';
import {
  type CliResult,
  type EmbeddedS3,
  embeddedS3Start,
  NARROW_SCHEMA,
  narrowBatch,
  restCatalogServerStart,
  runCli,
} from '../../infra/index.js';
import { main } from '../main.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-table-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The built CLI with extra environment variables (S3 endpoint and credentials, REST token). */
function runCliEnv(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(args, { env: { PATH: process.env.PATH ?? '', HOME: work, ...env } });
}

/**
 * The same command in this process (`main` with captured streams): for the many variations of options
 * and errors, where a process start per case would cost a second each; the spawned runs above cover the
 * built entry point, its exit codes and its stderr.
 */
async function cliInProcess(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await main([...args], {
    stdout: sink((x) => (stdout += x)),
    stderr: sink((x) => (stderr += x)),
  });
  return { code, stdout, stderr };
}

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

function oneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^datamove: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function commitRows(
  catalog: Catalog,
  id: TableIdentifier,
  start: number,
  n: number,
  runId: string,
  mode: 'append' | 'overwrite' = 'append',
) {
  const t = await catalog.loadTable(id);
  const w = new DataWriter({
    io: catalog.io,
    location: t.metadata.location,
    schema: NARROW_SCHEMA,
    spec: t.metadata['partition-specs'][0]!,
  });
  await w.write(narrowBatch(n, start));
  return icebergCommit(catalog, id, await w.close(), { mode, runId });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const records = async (catalog: Catalog, id: TableIdentifier) =>
  (await tableFilesAt(catalog, id)).files.reduce((a, f) => a + f.recordCount, 0);

describe('datamove table (embedded SQLite catalog)', () => {
  const db = join(work, 'sql', 'catalog.db');
  const wh = join(work, 'sql', 'wh');
  const at = ['--catalog', db, '--warehouse', wh];
  const id = { namespace: ['ks'], name: 'events' };
  /** Each snapshot and when it became current (time travel reads the snapshot log). */
  const snaps: { id: string; ts: number }[] = [];

  beforeAll(async () => {
    const { catalog, close } = await catalogOpen({ catalog: db, warehouse: wh });
    await catalog.createTable(id, { schema: NARROW_SCHEMA });
    for (const [start, n, runId, mode] of [
      [0, 100, 'r1', 'append'],
      [100, 50, 'r2', 'append'],
      [1000, 10, 'r3', 'overwrite'],
    ] as const) {
      await commitRows(catalog, id, start, n, runId, mode);
      await sleep(5);
    }
    for (const h of await tableHistory(catalog, id)) {
      snaps.push({ id: h.snapshotId, ts: Date.parse(h.madeCurrentAt) });
    }
    await catalog.createTable({ namespace: ['ks'], name: 'other' }, { schema: NARROW_SCHEMA });
    await close();
  });

  it('snapshots and history, as text and JSON', async () => {
    const [text, json, hist, histJson] = await Promise.all([
      runCli(['table', 'snapshots', 'ks.events', ...at]),
      runCli(['table', 'snapshots', 'ks.events', ...at, '--json']),
      cliInProcess(['table', 'history', 'ks.events', ...at]),
      cliInProcess(['table', 'history', 'ks.events', ...at, '--json']),
    ]);
    const lines = ok(text).trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^committed-at +snapshot-id +parent-id +seq +operation +records +run-id +current$/,
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(snaps[0]!.id);
    expect(lines[3]).toMatch(new RegExp(`${snaps[2]!.id} +${snaps[1]!.id} +3 +overwrite +10 +r3 +\\*$`));
    const list = JSON.parse(ok(json));
    expect(list.map((s: { runId: string }) => s.runId)).toEqual(['r1', 'r2', 'r3']);
    expect(list.map((s: { snapshotId: string }) => s.snapshotId)).toEqual(snaps.map((s) => s.id));
    expect(list[2]).toMatchObject({ current: true, operation: 'overwrite', totalRecords: 10 });
    expect(ok(hist).trimEnd().split('\n')).toHaveLength(4);
    expect(JSON.parse(ok(histJson))).toEqual(
      snaps.map((s, i) => expect.objectContaining({ snapshotId: s.id, parentId: snaps[i - 1]?.id ?? null })),
    );
  });

  it('files: the read at a snapshot id or a time', async () => {
    const [first, asOf, current] = await Promise.all([
      runCli(['table', 'files', 'ks.events', ...at, '--snapshot', snaps[0]!.id]),
      cliInProcess([
        'table',
        'files',
        'ks.events',
        ...at,
        '--as-of',
        new Date(snaps[1]!.ts).toISOString(),
        '--json',
      ]),
      cliInProcess(['table', 'files', 'ks.events', ...at]),
    ]);
    expect(ok(first)).toMatch(new RegExp(`at snapshot ${snaps[0]!.id} .*: 1 data files, 100 records`));
    const plan = JSON.parse(ok(asOf));
    expect(plan.snapshot.snapshotId).toBe(snaps[1]!.id);
    expect(plan.files.reduce((a: number, f: { records: number }) => a + f.records, 0)).toBe(150);
    expect(plan.files[0].path).toMatch(/\/wh\/ks\/events\/data\/.*\.parquet$/);
    expect(ok(current)).toMatch(/: 1 data files, 10 records/);
  });

  it('rollback to a snapshot id and to a timestamp', async () => {
    const r1 = await runCli(['table', 'rollback', 'ks.events', ...at, '--to-snapshot', snaps[1]!.id]);
    expect(ok(r1)).toBe(`ks.events: main moved from ${snaps[2]!.id} to ${snaps[1]!.id}\n`);
    const r2 = await cliInProcess([
      'table',
      'rollback',
      'ks.events',
      ...at,
      '--to-timestamp',
      new Date(snaps[0]!.ts).toISOString(),
      '--json',
    ]);
    expect(JSON.parse(ok(r2))).toEqual({ table: 'ks.events', from: snaps[1]!.id, to: snaps[0]!.id });
    const { catalog, close } = await catalogOpen({ catalog: db });
    expect(String(metadataSnapshot((await catalog.loadTable(id)).metadata)!['snapshot-id'])).toBe(
      snaps[0]!.id,
    );
    expect(await records(catalog, id)).toBe(100);
    await close();
    ok(await cliInProcess(['table', 'rollback', 'ks.events', ...at, '--to-snapshot', snaps[2]!.id]));
  });

  it('expire-snapshots keeps the current one; clean deletes only old unreferenced files', async () => {
    const exp = await runCli([
      'table',
      'expire-snapshots',
      'ks.events',
      ...at,
      '--older-than',
      '0s',
      '--retain-last',
      '1',
      '--json',
    ]);
    expect(JSON.parse(ok(exp))).toEqual({ table: 'ks.events', expired: [snaps[0]!.id, snaps[1]!.id] });
    expect(
      ok(await cliInProcess(['table', 'snapshots', 'ks.events', ...at]))
        .trimEnd()
        .split('\n'),
    ).toHaveLength(2);
    const again = await cliInProcess(['table', 'expire-snapshots', 'ks.events', ...at, '--older-than', '0s']);
    expect(ok(again)).toMatch(/no snapshot to expire/);

    // an old orphan goes; a fresh one and the expired snapshots' (fresh) files stay under --older-than 1d
    const { catalog, close } = await catalogOpen({ catalog: db });
    const loc = (await catalog.loadTable(id)).metadata.location;
    const io = new LocalFileIO();
    const oldOrphan = `${loc}/data/old-orphan.parquet`;
    const newOrphan = `${loc}/data/new-orphan.parquet`;
    await io.write(oldOrphan, new Uint8Array(16));
    await io.write(newOrphan, new Uint8Array(16));
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(oldOrphan, twoDaysAgo, twoDaysAgo);
    const cleaned = await runCli(['table', 'clean', 'ks.events', ...at, '--older-than', '1d', '--json']);
    const out = JSON.parse(ok(cleaned));
    expect(out.tables).toEqual([expect.objectContaining({ table: 'ks.events', deleted: [oldOrphan] })]);
    expect(existsSync(oldOrphan)).toBe(false);
    expect(existsSync(newOrphan)).toBe(true);

    // --dry-run lists what --older-than 0s would delete (the expired snapshots' files) and deletes nothing
    const dry = ok(
      await cliInProcess(['table', 'clean', 'ks.events', ...at, '--older-than', '0s', '--dry-run']),
    );
    expect(dry).toMatch(/^ks\.events: would delete \d+ unreferenced files older than 0s, kept \d+\n/);
    expect(dry).toContain(`  ${newOrphan}\n`);
    expect(existsSync(newOrphan)).toBe(true);
    expect(await records(catalog, id)).toBe(10);
    await close();
  });

  it('clean refuses while a commit state is unknown, and cleans the other tables', async () => {
    const { catalog, close } = await catalogOpen({ catalog: db });
    const loc = (await catalog.loadTable(id)).metadata.location;
    const marker = `${loc}/metadata/datamove-commit-unknown-test.json`;
    await catalog.io.write(marker, new TextEncoder().encode(JSON.stringify({ runId: 'lost-run' })));
    await close();
    oneLineError(
      await runCli(['table', 'clean', 'ks.events', ...at, '--older-than', '0s']),
      /ks\.events: the commit of run lost-run ended in an unknown state; re-run it/,
    );
    const all = await cliInProcess(['table', 'clean', ...at, '--older-than', '0s']);
    expect(all.code).toBe(2);
    expect(all.stdout).toMatch(/^ks\.events: not cleaned: .*unknown state/m);
    expect(all.stdout).toMatch(/^ks\.other: deleted 0 unreferenced files older than 0s/m);
    expect(all.stderr).toBe('datamove: table clean: 1 of 2 tables not cleaned (ks.events)\n');
    rmSync(marker);
  });

  it('bad input is one line on stderr and exit 2', async () => {
    const results = [
      await runCli(['table', 'snapshots', 'ks.nope', ...at]),
      await cliInProcess(['table', 'snapshots', 'events', ...at]),
      await cliInProcess(['table', 'expire-snapshots', 'ks.events', ...at, '--older-than', 'soon']),
      await cliInProcess([
        'table',
        'rollback',
        'ks.events',
        ...at,
        '--to-snapshot',
        '1',
        '--to-timestamp',
        'x',
      ]),
      await cliInProcess(['table', 'rollback', 'ks.events', ...at]),
      await cliInProcess(['table', 'rollback', 'ks.events', ...at, '--to-snapshot', '12']),
      await cliInProcess(['table', 'files', 'ks.events', ...at, '--as-of', 'yesterday']),
      await cliInProcess(['table', 'history', 'ks.events', '--catalog', join(work, 'missing.db')]),
      await cliInProcess(['table', 'history', 'ks.events', '--catalog', 'ftp://x/y']),
    ];
    const patterns = [
      /table ks\.nope does not exist/,
      /table identifier events must be <namespace>\.<table>/,
      /--older-than: 'soon' is not a duration/,
      /give --to-snapshot or --to-timestamp, not both/,
      /give --to-snapshot <id> or --to-timestamp <time>/,
      /snapshot 12 does not exist/,
      /--as-of: 'yesterday' is not an ISO-8601 time/,
      /catalog .*missing\.db does not exist/,
      /'ftp:\/\/x\/y' is not a catalog/,
    ];
    for (const [i, r] of results.entries()) oneLineError(r, patterns[i]!);
    expect(existsSync(join(work, 'missing.db'))).toBe(false);
  });
});

describe('datamove table: default catalog, REST, S3 warehouse', () => {
  it('uses ./.datamove/catalog.db and ./.datamove/warehouse by default', async () => {
    const cwd = join(work, 'default');
    const opened = await catalogOpen({ cwd });
    const id = { namespace: ['ks'], name: 't' };
    const t = await opened.catalog.createTable(id, { schema: NARROW_SCHEMA });
    expect(t.metadata.location).toBe(join(cwd, '.datamove', 'warehouse', 'ks', 't'));
    await commitRows(opened.catalog, id, 0, 5, 'only');
    await opened.close();
    const r = await runCli(['table', 'snapshots', 'ks.t', '--json'], { cwd });
    expect(JSON.parse(ok(r)).map((s: { runId: string }) => s.runId)).toEqual(['only']);
  });

  it('a REST catalog with a bearer token from DATAMOVE_CATALOG_TOKEN', async () => {
    const io = new LocalFileIO();
    const server = await restCatalogServerStart({ io, warehouse: join(work, 'rest-wh'), staticToken: 'tok' });
    try {
      const opened = await catalogOpen({ catalog: server.url, token: 'tok' });
      const id = { namespace: ['ns'], name: 'r' };
      await opened.catalog.createNamespace(['ns']);
      await opened.catalog.createTable(id, { schema: NARROW_SCHEMA });
      await commitRows(opened.catalog, id, 0, 7, 'rest-1');
      await opened.close();
      const good = await runCliEnv(['table', 'files', 'ns.r', '--catalog', server.url], {
        DATAMOVE_CATALOG_TOKEN: 'tok',
      });
      expect(ok(good)).toMatch(/ns\.r at snapshot \d+ .*: 1 data files, 7 records/);
      // no token: the server's 401 is one line
      oneLineError(await cliInProcess(['table', 'files', 'ns.r', '--catalog', server.url]), /401/);
    } finally {
      await server.close();
    }
  });

  describe('a table in an s3:// warehouse', () => {
    let s3: EmbeddedS3;
    beforeAll(async () => {
      s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['lake'] });
    });
    afterAll(async () => {
      await s3.close();
    });

    it('files and clean reach the objects with the S3 settings of the environment', async () => {
      const db = join(work, 's3-catalog.db');
      const opened = await catalogOpen({ catalog: db, warehouse: 's3://lake/wh', s3: s3.options });
      const id = { namespace: ['ks'], name: 'events' };
      await opened.catalog.createTable(id, { schema: NARROW_SCHEMA });
      await commitRows(opened.catalog, id, 0, 20, 's3-1');
      const orphan = 's3://lake/wh/ks/events/data/orphan.parquet';
      await opened.catalog.io.write(orphan, new Uint8Array(4));
      const env = {
        DATAMOVE_S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      };
      const files = ok(await runCliEnv(['table', 'files', 'ks.events', '--catalog', db], env));
      expect(files).toMatch(/1 data files, 20 records\n {2}s3:\/\/lake\/wh\/ks\/events\/data\/.*\.parquet/);
      await sleep(1100); // S3 LastModified has one-second resolution
      const cleaned = await runCliEnv(
        ['table', 'clean', 'ks.events', '--catalog', db, '--older-than', '1s', '--json'],
        env,
      );
      expect(JSON.parse(ok(cleaned)).tables[0].deleted).toEqual([orphan]);
      expect(await opened.catalog.io.exists(orphan)).toBe(false);
      expect(await records(opened.catalog, id)).toBe(20);
      await opened.close();
    });
  });
});
