/**
 * Connector memory and throughput: `node dist/connectors/bench/connectors.bench.js [kv|wide|all]` (after a
 * build). Each measurement runs in a fresh child process so its peak RSS (getrusage maxrss, all worker
 * threads included) is its own, and prints the compactor's memory budget of the plan beside it.
 * - `kv`: a kv backup (1 node) whose first item is BENCH_KV_WIDE_BYTES (default 64 MiB) stored uncompressed,
 *   i.e. 64 chunks of 1 MiB in `kv_chunks`, through the `kv` connector (chunk store, reassembly, Parquet).
 * - `timeseries`: a time-series backup whose hot series has one partition of BENCH_TS_HOT_BYTES (default
 *   2 GiB, the generator's `--hot-partition`), 1 node, through the `timeseries` connector (slice selection,
 *   value decompression, one row per event item).
 * - `wide`: one partition of BENCH_WIDE_BYTES (default 2 GiB) — the generator's `wide` preset, 1 node —
 *   through the `raw` connector.
 * BENCH_DIR keeps the generated backups between runs (generation dominates the first run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { generate } from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const MiB = 1024 ** 2;
const NOW = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);

interface Measure {
  readonly connector: string;
  readonly rows: number;
  readonly files: number;
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly budgetBytes: number;
  readonly tasks: number;
  readonly issues: unknown;
}

async function child(dir: string, connector: string, options: unknown, workers: number): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'datamove-connector-bench-'));
  const opened = await catalogOpen({ catalog: join(out, 'c.db'), warehouse: join(out, 'wh') });
  try {
    const plan = await connectorJobPlan(
      {
        source: dir,
        keyspace: 'bench',
        now: NOW,
        consistency: 'one',
        workers,
        connector: { name: connector, options },
        target: { table: `lake.${connector}` },
      },
      { machine: { cores: availableParallelism(), memoryBytes: totalmem() } },
    );
    const started = performance.now();
    const r = await connectorJobRun(plan, { catalog: opened.catalog, workers });
    const m: Measure = {
      connector,
      rows: r.rowsWritten,
      files: r.files,
      ms: performance.now() - started,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      budgetBytes: plan.passes[0]!.plan.sizing.memoryBudgetBytes,
      tasks: plan.passes.reduce((n, p) => n + p.plan.tasks.length, 0),
      issues: r.issues,
    };
    process.stdout.write(`${JSON.stringify(m)}\n`);
  } finally {
    await opened.close();
    rmSync(out, { recursive: true, force: true });
  }
}

async function ensure(
  dir: string,
  preset: 'kv' | 'wide' | 'timeseries',
  wideBytes: number,
  partitions: number,
  hotPartitionBytes = 0,
): Promise<void> {
  if (existsSync(join(dir, 'oracle'))) return;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  await generate({
    out: dir,
    preset,
    nodes: 1,
    dcs: 1,
    replicationFactor: 1,
    numTokens: 8,
    // seed 2: the wide kv item is stored uncompressed (chunks = size / 1 MiB)
    seed: 2,
    bytes: 0,
    wideBytes,
    hotPartitionBytes,
    partitions,
    flushes: 2,
    version: 'nb',
    compression: 'lz4',
    now: NOW,
    keyspace: 'bench',
    tag: 'bench',
    nodeExpectations: false,
    missRate: 0,
  });
  console.log(`generated ${preset} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${dir}`);
}

function run(dir: string, connector: string, options: unknown, workers: number): Measure {
  const self = fileURLToPath(import.meta.url);
  const line = execFileSync(
    process.execPath,
    [self, '--child', dir, connector, JSON.stringify(options), String(workers)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(line.trim().split('\n').pop()!) as Measure;
}

function show(label: string, m: Measure): void {
  console.log(
    `${label}: ${m.rows} rows, ${m.files} files, ${m.tasks} tasks, ${(m.ms / 1000).toFixed(1)} s, peak RSS ${(m.maxRssBytes / MiB).toFixed(0)} MiB (plan budget ${(m.budgetBytes / MiB).toFixed(0)} MiB), issues ${JSON.stringify(m.issues)}`,
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await child(argv[1]!, argv[2]!, JSON.parse(argv[3]!), Number(argv[4]));
    return;
  }
  const which = argv[0] ?? 'all';
  const base = process.env.BENCH_DIR ?? join(tmpdir(), 'datamove-connector-bench');
  if (which === 'kv' || which === 'all') {
    const bytes = Number(process.env.BENCH_KV_WIDE_BYTES ?? 64 * MiB);
    const dir = join(base, `kv-${bytes}`);
    await ensure(dir, 'kv', bytes, 20);
    for (const w of [1, 2])
      show(`kv, ${bytes / MiB} MiB item, ${w} worker(s)`, run(dir, 'kv', { table: 'kv' }, w));
  }
  if (which === 'timeseries' || which === 'all') {
    const bytes = Number(process.env.BENCH_TS_HOT_BYTES ?? 2048 * MiB);
    const dir = join(base, `timeseries-${bytes}`);
    await ensure(dir, 'timeseries', 0, 1, bytes);
    const window = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
    show(`timeseries, ${bytes / MiB} MiB partition, 1 worker`, run(dir, 'timeseries', window, 1));
  }
  if (which === 'wide' || which === 'all') {
    const bytes = Number(process.env.BENCH_WIDE_BYTES ?? 2048 * MiB);
    const dir = join(base, `wide-${bytes}`);
    await ensure(dir, 'wide', bytes, 3);
    show(`raw, ${bytes / MiB} MiB partition, 1 worker`, run(dir, 'raw', { table: 'wide' }, 1));
  }
}

await main();
