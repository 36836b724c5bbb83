/**
 * The compactor against the generator's oracle. The scenario (written down, as the issue asks): 4 nodes,
 * RF 3 (SimpleStrategy, 8 vnodes each), 3 overlapping SSTables per node; node 2 misses 10% of its writes
 * (a node that was down, never repaired); node 3 holds stale rows for ranges it does not own (no
 * `nodetool cleanup`), rows the owners deleted and purged long ago.
 * - ALL merges every replica: exactly the oracle.
 * - QUORUM reads 2 of the 3 replicas of each range. Only one node misses writes, so every pair holds at
 *   least one complete replica, and merging a complete replica with a subset of it gives the complete one:
 *   exactly the oracle. Still true with one node's backup missing (2 replicas left, at most one incomplete).
 * - ONE reads one replica: exactly the oracle when no replica missed writes (missRate 0).
 * - Stale ownership never resurrects anything (the stale rows are not in the oracle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE, canonicalRow, generate, jsonlFile, planFor, runToRows } from '../../infra/index.js';
import { compactionRun } from '../execute/compaction-run.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-compact-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PRESETS = [
  { preset: 'narrow' as const },
  { preset: 'skewed' as const, extra: { version: 'mc' as const, compression: 'zstd' as const } },
  { preset: 'wide' as const, extra: { compression: 'snappy' as const, partitions: 3 } },
  { preset: 'alltypes' as const, extra: { compression: 'none' as const, partitions: 30 } },
];

describe('compaction matches the oracle', () => {
  for (const s of PRESETS) {
    it(`${s.preset}: ALL and QUORUM give exactly the oracle`, async () => {
      const out = join(work, s.preset);
      const g = await generate({ ...BASE, ...s.extra, out, preset: s.preset });
      const t = g.tables[0]!;
      const oracle = jsonlFile(t.oracleFile);
      expect(oracle.length).toBeGreaterThan(0);
      for (const consistency of ['all', 'quorum'] as const) {
        const plan = await planFor(out, {
          keyspace: t.keyspace,
          table: t.table,
          consistency,
          replicationFactor: 3,
          tasks: 5,
        });
        expect(plan.tasks.length).toBeGreaterThan(1);
        const { rows, result } = await runToRows(plan, { workers: 2 });
        expect(result.failed).toEqual([]);
        expect(rows).toEqual(oracle);
        expect(result.now).toBe(BASE.now);
      }
    });
  }

  it('ONE gives the oracle when no replica missed a write; stale ranges stay out', async () => {
    const out = join(work, 'narrow-complete');
    const g = await generate({ ...BASE, missRate: 0, out, preset: 'narrow' });
    const t = g.tables[0]!;
    expect(t.staleRows).toBeGreaterThan(0);
    const plan = await planFor(out, {
      keyspace: t.keyspace,
      table: t.table,
      consistency: 'one',
      replicationFactor: 3,
    });
    // ONE owns every token once, ALL three times
    const all = await planFor(out, {
      keyspace: t.keyspace,
      table: t.table,
      consistency: 'all',
      replicationFactor: 3,
    });
    const ownedSpan = (p: typeof plan): bigint =>
      p.tasks.reduce(
        (n, task) =>
          n +
          task.owners.reduce(
            (m, o) => m + o.ranges.reduce((k, r) => k + BigInt(r.end) - BigInt(r.start), 0n),
            0n,
          ),
        0n,
      );
    const ring = 2n ** 64n - 1n;
    expect(ownedSpan(plan)).toBe(ring);
    expect(ownedSpan(all)).toBe(3n * ring);
    const { rows } = await runToRows(plan);
    expect(rows).toEqual(jsonlFile(t.oracleFile));
  });

  it('a missing node: QUORUM falls back to the other replicas, ALL refuses', async () => {
    const out = join(work, 'narrow-missing');
    const g = await generate({ ...BASE, out, preset: 'narrow' });
    const t = g.tables[0]!;
    // node 1 (complete) loses its backup; node 2 still misses writes
    const gone = g.cluster.nodes[0]!;
    rmSync(join(out, gone.dc, gone.name, t.keyspace), { recursive: true, force: true });
    const plan = await planFor(out, {
      keyspace: t.keyspace,
      table: t.table,
      consistency: 'quorum',
      replicationFactor: 3,
    });
    expect(plan.missingNodes).toEqual([gone.name]);
    const { rows } = await runToRows(plan, { workers: 2 });
    expect(rows).toEqual(jsonlFile(t.oracleFile));
    await expect(
      planFor(out, { keyspace: t.keyspace, table: t.table, consistency: 'all', replicationFactor: 3 }),
    ).rejects.toThrow(/consistency all cannot be met/);
  });

  it('--as-of before every write gives nothing, after every write the oracle', async () => {
    const out = join(work, 'narrow');
    const first = await planFor(out, {
      keyspace: 'gen',
      table: 'narrow',
      consistency: 'all',
      replicationFactor: 3,
      asOf: '2025-01-01T00:00:00Z',
    });
    expect((await runToRows(first)).rows).toEqual([]);
    const late = await planFor(out, {
      keyspace: 'gen',
      table: 'narrow',
      consistency: 'all',
      replicationFactor: 3,
      asOf: '2026-01-01T00:00:00Z',
    });
    expect((await runToRows(late)).rows).toEqual(jsonlFile(join(out, 'oracle', 'gen.narrow.jsonl')));
  });

  it('Arrow batches of the raw model carry the oracle rows', async () => {
    const out = join(work, 'narrow');
    const plan = await planFor(out, {
      keyspace: 'gen',
      table: 'narrow',
      consistency: 'quorum',
      replicationFactor: 3,
      tasks: 3,
    });
    const result = await compactionRun(plan, {
      pool: 'inline',
      sink: { kind: 'collect' },
      batch: { batchRows: 100 },
    });
    const rows: string[] = [];
    for (const task of result.tasks) {
      if (task.result?.ipc === undefined) continue;
      const table = arrow.tableFromIPC(task.result.ipc);
      expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'ck', 'name', 'amount', 'score', 'tags']);
      expect(table.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual([
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
      ]);
      for (const r of table) {
        const o = r.toJSON() as Record<string, unknown>;
        rows.push(canonicalRow({ ...o, id: Number(o.id as bigint) }));
      }
    }
    const oracle = jsonlFile(join(out, 'oracle', 'gen.narrow.jsonl'));
    expect(rows).toEqual(oracle);
  });

  it('alltypes: every CQL type lands in the raw Arrow schema (nested types included)', async () => {
    const out = join(work, 'alltypes');
    const plan = await planFor(out, {
      keyspace: 'gen',
      table: 'alltypes',
      consistency: 'all',
      replicationFactor: 3,
      tasks: 2,
    });
    const result = await compactionRun(plan, {
      pool: 'inline',
      sink: { kind: 'collect' },
      batch: { metadataColumns: true },
    });
    expect(result.failed).toEqual([]);
    const oracle = jsonlFile(join(out, 'oracle', 'gen.alltypes.jsonl')).map((l) => JSON.parse(l));
    const got: Record<string, unknown>[] = [];
    for (const task of result.tasks) {
      if (task.result?.ipc === undefined) continue;
      for (const r of arrow.tableFromIPC(task.result.ipc)) got.push(r.toJSON() as Record<string, unknown>);
    }
    expect(got.length).toBe(oracle.length);
    // spot checks against the oracle's conventions
    for (let i = 0; i < got.length; i++) {
      const a = got[i]!;
      const o = oracle[i]!;
      expect(a.pk).toBe(o.pk);
      expect(a.s_text ?? null).toBe(o.s_text);
      expect(a.s_int ?? null).toBe(o.s_int);
      expect(a.s_bool ?? null).toBe(o.s_bool);
      const list = a.l_int as { toArray(): Int32Array } | null;
      expect(list === null ? null : [...list.toArray()]).toEqual(o.l_int);
      expect('_writetime_s_text' in a).toBe(true);
    }
  });
});
