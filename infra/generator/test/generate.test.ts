/**
 * The generator against its own oracle, through the real reader and merge: each node's folder, read on its
 * own, gives exactly that node's expected rows (missed writes and stale ranges included), and all nodes
 * merged — each restricted to the token ranges it owns — give exactly the oracle. The scenario: 4 nodes,
 * RF 3, 3 SSTables per node with overlapping writes, one node missing 10% of its writes, one node holding
 * a stale row for ranges it does not own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  mergedLiveRows,
  partitionsWhere,
  rowJsonFormatter,
  tableLiveRows,
} from '../../../compactor/index.js';
import { murmur3TokenBigInt, tableFolderOpen } from '../../../reader/index.js';
import { localDirectory } from '../../../storage/index.js';
import { canonicalRow } from '../../corpus.js';
import { type GenerateOptions, generate } from '../generate.js';
import type { PresetName } from '../presets.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-gen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function jsonl(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => canonicalRow(JSON.parse(l)));
}

const base: Omit<GenerateOptions, 'out' | 'preset'> = {
  nodes: 4,
  dcs: 1,
  replicationFactor: 3,
  numTokens: 8,
  seed: 42,
  bytes: 0,
  wideBytes: 2 << 20,
  partitions: 40,
  flushes: 3,
  version: 'nb',
  compression: 'lz4',
  now: Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000),
  keyspace: 'gen',
  tag: 'snap1',
  nodeExpectations: true,
  missRate: 0.1,
};

const SCENARIOS: { preset: PresetName; label?: string; extra?: Partial<GenerateOptions> }[] = [
  { preset: 'narrow' },
  { preset: 'skewed', extra: { version: 'mc', compression: 'zstd' } },
  { preset: 'alltypes', extra: { compression: 'none' } },
  { preset: 'wide', extra: { compression: 'snappy', partitions: 3 } },
  { preset: 'kv', extra: { partitions: 30, wideBytes: 3 << 20 } },
  { preset: 'timeseries', extra: { partitions: 2, compression: 'deflate' } },
  {
    preset: 'timeseries',
    label: 'timeseries with a huge partition',
    extra: { partitions: 1, hotPartitionBytes: 1 << 20, seed: 7 },
  },
];

describe('generate', () => {
  it('narrow scenario includes stale rows and missed writes', async () => {
    const out = join(work, 'check');
    const result = await generate({ ...base, out, preset: 'narrow' });
    expect(result.tables[0]!.staleRows).toBeGreaterThan(0);
    const miss = result.cluster.nodes.find((n) => n.name === result.missNode)!;
    const peer = result.cluster.nodes.find((n) => n.name !== result.missNode && n.name !== result.staleNode)!;
    const rowsOf = (node: string): number =>
      jsonl(join(out, 'oracle', 'nodes', node, 'gen.narrow.jsonl')).length;
    expect(rowsOf(miss.name)).toBeGreaterThan(0);
    expect(rowsOf(peer.name)).toBeGreaterThan(0);
  });

  for (const s of SCENARIOS) {
    it(`${s.label ?? s.preset}: each node matches its expectation, all nodes merged match the oracle`, async () => {
      const out = join(work, (s.label ?? s.preset).replace(/ /g, '-'));
      const result = await generate({ ...base, ...s.extra, out, preset: s.preset });
      const hotBytes = s.extra?.hotPartitionBytes;
      if (hotBytes !== undefined) {
        // the huge partition is there, about as big as asked (a few rows deleted by the scenario)
        let hot = 0;
        for (const t of result.tables)
          for (const line of readFileSync(t.oracleFile, 'utf8').split('\n')) {
            if (line === '') continue;
            const r = JSON.parse(line) as Record<string, unknown>;
            if (r.time_series_id === 'series-0' && r.time_bucket === 0 && r.event_bucket === 0) hot++;
          }
        expect(hot).toBeGreaterThan((hotBytes / 420) * 0.8);
      }
      for (const t of result.tables) {
        expect(t.oracleRows).toBeGreaterThan(0);
        const opened = [];
        try {
          for (const node of result.cluster.nodes) {
            const dir = join(out, node.dc, node.name, t.keyspace, t.tableDir, 'snapshots', 'snap1');
            const expected = jsonl(join(out, 'oracle', 'nodes', node.name, `${t.keyspace}.${t.table}.jsonl`));
            // a node that holds no data of a small table has no SSTable of it
            if (!readdirSync(dir).some((f) => f.endsWith('-Data.db'))) {
              expect(expected).toEqual([]);
              continue;
            }
            const table = await tableFolderOpen(localDirectory(dir));
            opened.push({ node, table });
            const fmt = rowJsonFormatter(table.model);
            const rows: string[] = [];
            for await (const r of tableLiveRows(table, { now: base.now }))
              rows.push(canonicalRow(fmt.format(r)));
            expect(rows).toEqual(expected);
          }
          const model = opened[0]!.table.model;
          const first = opened[0]!.table.sstables[0]!;
          const streams = opened.flatMap(({ node, table }) =>
            table.sstables.map((sst) =>
              partitionsWhere(sst.scan(), (key) =>
                result.cluster.replicasOf(murmur3TokenBigInt(key)).includes(node.index),
              ),
            ),
          );
          const fmt = rowJsonFormatter(model);
          const merged: string[] = [];
          for await (const r of mergedLiveRows(
            streams,
            first.partitioner,
            first.layout.clusteringTypes,
            model,
            { now: base.now },
          )) {
            merged.push(canonicalRow(fmt.format(r)));
          }
          expect(merged).toEqual(jsonl(t.oracleFile));
          // without the ownership filter the stale node's leftovers come back: the scenario is real
          if (t.staleRows > 0) {
            const all = opened.flatMap(({ table }) => table.sstables.map((sst) => sst.scan()));
            let n = 0;
            for await (const _ of mergedLiveRows(
              all,
              first.partitioner,
              first.layout.clusteringTypes,
              model,
              {
                now: base.now,
              },
            ))
              n++;
            expect(n).toBe(merged.length + t.staleRows);
          }
        } finally {
          for (const o of opened) await o.table.close();
        }
      }
    });
  }
});

describe('generate through the CLI', () => {
  it('writes a backup whose node folders `datamove sstable dump` reads back as the node expectations', async () => {
    const out = join(work, 'cli');
    const { runCli } = await import('../../testing/run-cli.js');
    const gen = await runCli([
      'generate',
      '--out',
      out,
      '--preset',
      'narrow',
      '--partitions',
      '25',
      '--nodes',
      '3',
      '--rf',
      '2',
      '--num-tokens',
      '4',
      '--flushes',
      '2',
      '--seed',
      '9',
      '--keyspace',
      'cli',
      '--tag',
      't1',
      '--node-expectations',
    ]);
    expect(gen.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('generate: '))).toEqual([]);
    expect(gen.code).toBe(0);
    expect(gen.stdout).toMatch(/cli\.narrow: 25 partitions, \d+ rows in the oracle/);
    const manifest = readdirSync(join(out, 'dc1'));
    expect(manifest).toHaveLength(3);
    const node = manifest[0]!;
    const tableDir = readdirSync(join(out, 'dc1', node, 'cli'))[0]!;
    const dump = await runCli([
      'sstable',
      'dump',
      join(out, 'dc1', node, 'cli', tableDir, 'snapshots', 't1'),
      '--now',
      '2026-01-01T00:00:00Z',
    ]);
    expect(dump.code).toBe(0);
    const rows = dump.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => canonicalRow(JSON.parse(l)));
    expect(rows).toEqual(jsonl(join(out, 'oracle', 'nodes', node, 'cli.narrow.jsonl')));
    const bad = await runCli(['generate', '--out', out, '--size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("datamove: --size: 'lots' is not a size (e.g. 2GiB, 512MiB, 100000)");
    const stray = await runCli(['generate', '--out', out, '--start', '2026-01-01T00:00:00Z']);
    expect(stray.code).toBe(2);
    expect(stray.stderr.trim()).toBe(
      'datamove: --start: only with --history (the first write of a backup history)',
    );
  });
});
