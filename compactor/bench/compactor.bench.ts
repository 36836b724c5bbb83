/**
 * Compactor throughput and memory: `node dist/compactor/bench/compactor.bench.js` (after a build; `npm run
 * bench:compactor`). Generates two local backups — a narrow table (3 nodes, RF 3, merged with ALL) and one
 * single huge partition (the wide preset, 1 node) — then compacts each with 1 and 2 worker threads into
 * Arrow batches (counting sink) and prints rows/s, MB/s of uncompressed Data.db read and the peak RSS.
 * Each measurement runs in a fresh child process so its peak RSS (getrusage maxrss) is its own.
 *
 * Sizes: BENCH_NARROW_BYTES (default 2 GiB of Data.db across all replicas), BENCH_WIDE_BYTES (default 4 GiB);
 * BENCH_DIR keeps the generated backups between runs (generation dominates the first run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../infra/index.js';
import { backupSourceOpen } from '../../reader/index.js';
import { compactionRun } from '../execute/compaction-run.js';
import { compactOptionsResolve } from '../plan/compact-options.js';
import { compactionPlan } from '../plan/compaction-plan.js';

const GiB = 1024 ** 3;
const NOW = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);

interface Measure {
  readonly rows: number;
  readonly bytes: number;
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly tasks: number;
}

/** Child mode: plan and run one backup with N workers, print one JSON line. */
async function child(dir: string, table: string, workers: number): Promise<void> {
  const source = backupSourceOpen(dir);
  const plan = await compactionPlan(
    source,
    compactOptionsResolve(
      { keyspace: 'bench', table, now: NOW, consistency: 'all', workers },
      { cores: availableParallelism(), memoryBytes: totalmem() },
    ),
  );
  await source.close();
  const started = performance.now();
  const r = await compactionRun(plan, { sink: { kind: 'count' } });
  const ms = performance.now() - started;
  if (r.failed.length > 0)
    throw new Error(`bench: ${r.failed.length} tasks failed: ${r.failed[0]!.error?.message}`);
  const m: Measure = {
    rows: r.rows,
    bytes: r.bytesRead,
    ms,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    tasks: plan.tasks.length,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function dataBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('-Data.db')) n += statSync(join(e.parentPath, e.name)).size;
  }
  return n;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child') return child(rest[0]!, rest[1]!, Number(rest[2]));
  if (mode === '--generate') {
    await generate(JSON.parse(rest[0]!));
    return;
  }
  const narrowBytes = Number(process.env.BENCH_NARROW_BYTES ?? 2 * GiB);
  const wideBytes = Number(process.env.BENCH_WIDE_BYTES ?? 4 * GiB);
  const root = process.env.BENCH_DIR ?? join(tmpdir(), 'datamove-compactor-bench');
  mkdirSync(root, { recursive: true });
  const common = {
    dcs: 1,
    numTokens: 16,
    seed: 7,
    flushes: 3,
    version: 'nb' as const,
    compression: 'lz4' as const,
    now: NOW,
    keyspace: 'bench',
    tag: 'bench',
    nodeExpectations: false,
    missRate: 0.05,
  };
  const cases = [
    {
      name: `narrow ${(narrowBytes / GiB).toFixed(2)} GiB (3 replicas, ALL)`,
      dir: join(root, `narrow-${narrowBytes}`),
      table: 'narrow',
      gen: {
        ...common,
        preset: 'narrow' as const,
        nodes: 3,
        replicationFactor: 3,
        bytes: narrowBytes,
        wideBytes: 0,
      },
    },
    {
      name: `one ${(wideBytes / GiB).toFixed(2)} GiB partition`,
      dir: join(root, `wide-${wideBytes}`),
      table: 'wide',
      gen: {
        ...common,
        preset: 'wide' as const,
        nodes: 1,
        replicationFactor: 1,
        bytes: 0,
        wideBytes,
        partitions: 1,
        flushes: 1,
      },
    },
  ];
  const self = fileURLToPath(import.meta.url);
  process.stdout.write(
    `compactor bench: ${availableParallelism()} cores, ${(totalmem() / GiB).toFixed(1)} GiB RAM, node ${process.version}\n`,
  );
  for (const c of cases) {
    if (!existsSync(join(c.dir, 'oracle'))) {
      // generated in a child of its own: a child's peak RSS (getrusage) starts from its parent's high-water
      // mark, so the parent must stay small for the measurements below to be the compactor's own
      const t0 = performance.now();
      execFileSync(process.execPath, [self, '--generate', JSON.stringify({ ...c.gen, out: c.dir })], {
        stdio: 'inherit',
      });
      process.stdout.write(`  generated ${c.name} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    const onDisk = dataBytes(c.dir);
    for (const workers of [1, 2]) {
      const line = execFileSync(process.execPath, [self, '--child', c.dir, c.table, String(workers)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const m = JSON.parse(line.trim().split('\n').at(-1)!) as Measure;
      const s = m.ms / 1000;
      process.stdout.write(
        `  ${c.name.padEnd(36)} ${workers} worker${workers === 1 ? ' ' : 's'}  ${m.tasks} tasks  ${m.rows} rows in ${s.toFixed(1)} s  ${Math.round(m.rows / s)} rows/s  ${(m.bytes / 1e6 / s).toFixed(1)} MB/s (Data.db uncompressed, ${(m.bytes / GiB).toFixed(2)} GiB; ${(onDisk / GiB).toFixed(2)} GiB on disk)  peak RSS ${(m.maxRssBytes / 1024 ** 2).toFixed(0)} MiB\n`,
      );
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
