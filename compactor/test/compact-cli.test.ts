/**
 * `datamove compact` as a user runs it (the built CLI; vitest's global setup builds, or build first with
 * DATAMOVE_SKIP_BUILD=1): --dry-run prints the plan, a run writes the oracle's rows as JSON lines, a folder
 * of SSTables is one replica, and an bad option is one line on stderr with exit code 2.
 * Scenario: narrow preset, 4 nodes, RF 3, one node missing 10% of writes, one with stale ranges; QUORUM.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, canonicalRow, type GenerateResult, generate, jsonlFile, runCli } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-compact-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const out = join(work, 'backup');
let g: GenerateResult;
beforeAll(async () => {
  g = await generate({ ...BASE, out, preset: 'narrow' });
});

const common = [
  '--keyspace',
  'gen',
  '--table',
  'narrow',
  '--now',
  '2026-01-01T00:00:00Z',
  '--replication-factor',
  '3',
];

describe('datamove compact', () => {
  it('--dry-run prints the plan', async () => {
    const r = await runCli(['compact', '--source', out, ...common, '--tasks', '3', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plan: gen\.narrow from .* \(snapshot\)/);
    expect(r.stdout).toMatch(/consistency quorum, simple replication 3/);
    expect(r.stdout).toMatch(/task 0: \(-9223372036854775808, /);
    const json = await runCli(['compact', '--source', out, ...common, '--dry-run', '--json']);
    const plan = JSON.parse(json.stdout);
    expect(plan.consistency).toBe('quorum');
    expect(plan.tasks.length).toBeGreaterThan(0);
  });

  it('runs the plan in workers and writes the live rows', async () => {
    const file = join(work, 'rows.jsonl');
    const r = await runCli([
      'compact',
      '--source',
      out,
      ...common,
      '--tasks',
      '3',
      '--workers',
      '2',
      '--out',
      file,
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ table: 'gen.narrow', tasks: 3, now: '2026-01-01T00:00:00.000Z' });
    expect(jsonlFile(file)).toEqual(jsonlFile(g.tables[0]!.oracleFile));
  });

  it('a folder of SSTables is read as one replica', async () => {
    const node = g.cluster.nodes[0]!;
    const t = g.tables[0]!;
    const folder = join(out, node.dc, node.name, t.keyspace, t.tableDir, 'snapshots', 'snap1');
    const file = join(work, 'node.jsonl');
    const r = await runCli(['compact', '--source', folder, ...common, '--out', file]);
    expect(r.code).toBe(0);
    const dump = await runCli(['sstable', 'dump', folder, '--now', '2026-01-01T00:00:00Z']);
    const rows = (text: string): string[] =>
      text
        .split('\n')
        .filter((l) => l)
        .map((l) => canonicalRow(JSON.parse(l)));
    expect(rows(readFileSync(file, 'utf8'))).toEqual(rows(dump.stdout));
  });

  it('a bad option is one line and exit code 2', async () => {
    const r = await runCli(['compact', '--source', out, ...common, '--consistency', 'two', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^datamove: compact\.consistency /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
