/**
 * `datamove restore` end to end: the built CLI (spawned with run-cli.ts) over a generated backup history
 * with a job file — a restore into the default `<table>__asof_…` table (JSON summary), the same restore
 * again (the table exists: exit 2, one line, nothing changed), a malformed time, and `--to sstables`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  folderState,
  generateHistory,
  HISTORY_START,
  type HistoryResult,
  runCli,
} from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-restore-cli-'));
const backups = join(work, 'backups');
const jobFile = join(work, 'events.yaml');
let h: HistoryResult;

beforeAll(async () => {
  h = await generateHistory({ out: backups, start: HISTORY_START, partitions: 60 });
  writeFileSync(
    jobFile,
    `name: hist-events
source: { uri: "${backups}", keyspace: hist, table: events }
connector: { name: raw, options: { metadataColumns: true } }
consistency: quorum
target: { namespace: lake, table: events, catalog: "${join(work, 'catalog.db')}", warehouse: "${join(work, 'warehouse')}" }
`,
  );
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('restores into a new table, refuses to overwrite it, rejects a malformed time, writes SSTables, and SSTables from the Iceberg table', async () => {
  const at = new Date((h.backups[2]!.time + 3600) * 1000).toISOString();
  const r = await runCli(['restore', jobFile, '--as-of', at, '--json'], { cwd: work });
  expect(r.stderr).toMatch(/restore: as of .*: backups day3/);
  expect(r.code).toBe(0);
  const s = JSON.parse(r.stdout);
  expect(s.table).toBe('lake.events__asof_20260304T010000');
  expect(s.backupIds).toEqual(['day3']);
  expect(s.mode).toBe('new-table');
  expect(s.run.rows).toBeGreaterThan(0);

  const before = folderState(join(work, 'warehouse'));
  const again = await runCli(['restore', jobFile, '--as-of', at], { cwd: work });
  expect(again.code).toBe(2);
  expect(again.stderr.trim().split('\n').pop()).toBe(
    'datamove: restore: table lake.events__asof_20260304T010000 already exists; add --force to overwrite it, or choose another with --into',
  );
  const bad = await runCli(['restore', jobFile, '--as-of', 'last tuesday'], { cwd: work });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(
    "datamove: restore: --as-of 'last tuesday' is not an ISO-8601 time (e.g. 2026-03-02T12:00:00Z)\n",
  );
  expect(folderState(join(work, 'warehouse'))).toEqual(before);

  const out = join(work, 'sstables');
  const sst = await runCli(['restore', jobFile, '--as-of', at, '--to', 'sstables', '--out', out], {
    cwd: work,
  });
  expect(sst.code).toBe(0);
  expect(sst.stdout).toMatch(
    new RegExp(
      `^restored hist\\.events as of ${at.replace(/\./g, '\\.')} from day3: \\d+ partitions, ${s.run.rows} rows in 1 SSTable set under`,
    ),
  );
  const dir = join(out, 'hist', 'events-7e57ab1e0000400080001157a11e0000');
  expect(readdirSync(dir)).toContain('nb-1-big-Data.db');
  expect(existsSync(join(dir, 'schema.cql'))).toBe(true);

  // back from the Iceberg table (it has the raw connector's metadata columns)
  const schemaFile = join(work, 'schema.cql');
  writeFileSync(schemaFile, h.backups[2]!.schemaCql);
  const fromIceberg = await runCli(
    [
      'restore',
      '--from-iceberg',
      s.table,
      '--schema',
      schemaFile,
      '--to',
      'sstables',
      '--out',
      join(work, 'from-iceberg'),
      '--catalog',
      join(work, 'catalog.db'),
      '--warehouse',
      join(work, 'warehouse'),
    ],
    { cwd: work },
  );
  expect(fromIceberg.stderr).toBe('');
  expect(fromIceberg.code).toBe(0);
  expect(fromIceberg.stdout).toMatch(
    new RegExp(
      `^restored ${s.table.replace(/\./g, '\\.')} snapshot \\d+: \\d+ partitions, ${s.run.rows} rows in 1 SSTable set`,
    ),
  );
}, 120_000);
