/**
 * Diff throughput and memory: `node dist/validation/bench/diff.bench.js` (after a build; `npm run
 * bench:diff`). Writes BENCH_DIFF_ROWS (default 10 million) rows per side as Parquet with DuckDB (4 files
 * a side, like a table's data files; in a child process, so its memory is not the diff's) with seeded
 * differences — rows dropped, added, changed, duplicated — then diffs the two sides on the key (id, ck)
 * under DuckDB's memory limit (BENCH_DIFF_MEMORY, default the diff's own 1536MB) and prints rows/s (both sides' rows over
 * the wall time), the peak process RSS (sampled every 50 ms, and getrusage's high-water mark), DuckDB's
 * peak buffer memory and spilled bytes (sampled from a second connection), and checks every count.
 * BENCH_DIR keeps the Parquet files between runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DIFF_MEMORY_LIMIT, diffSessionOpen } from '../diff.js';

const FILES = 4;
/** Seeded differences: every Nth row of a side. */
const DROP_EVERY = 1_000_003;
const CHANGE_EVERY = 700_001;
const ADD = 7;
const DUP_EVERY = 2_500_009;

/** The counts the seeded differences must give, row by row (the seeded sets may overlap). */
function expected(rows: number) {
  const e = {
    cRows: rows,
    mRows: ADD,
    cMinusM: 0,
    mMinusC: ADD,
    missing: 0,
    phantom: ADD,
    changed: 0,
    duplicates: 0,
  };
  for (let i = 0; i < rows; i++) {
    const dropped = i % DROP_EVERY === 11;
    const changed = !dropped && i % CHANGE_EVERY === 5;
    const dup = i % DUP_EVERY === 3;
    // copies of row i in M (unchanged), and M's changed version
    const same = (dropped || changed ? 0 : 1) + (dup ? 1 : 0);
    const cm = Math.max(0, 1 - same);
    const mc = Math.max(0, same - 1) + (changed ? 1 : 0);
    e.mRows += (dropped ? 0 : 1) + (dup ? 1 : 0);
    e.cMinusM += cm;
    e.mMinusC += mc;
    if (cm > 0 && dropped && !dup) e.missing += cm;
    else if (cm > 0 && mc > 0) e.changed++;
    else e.duplicates += cm + mc;
  }
  return e;
}

const row = `i::BIGINT AS id, (i % 16)::INTEGER AS ck, 'name-' || (i * 7 % 100003) AS name,
  ((i * 13) % 1000000)::INTEGER AS amount, i / 3.0 AS score,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 'tag' || (i % 17) END AS tags, encode('p' || (i % 251)) AS payload`;

/** Child mode: writes both sides' files. */
async function generateSides(dir: string, rows: number): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: String(availableParallelism()) });
  const c = await db.connect();
  const per = Math.ceil(rows / FILES);
  for (let f = 0; f < FILES; f++) {
    const lo = f * per;
    const hi = Math.min(rows, lo + per);
    await c.run(
      `COPY (SELECT ${row} FROM range(${lo}, ${hi}) t(i)) TO '${join(dir, `c-${f}.parquet`)}' (FORMAT parquet)`,
    );
    await c.run(
      `COPY (SELECT * REPLACE (CASE WHEN id % ${CHANGE_EVERY} = 5 THEN -amount - 1 ELSE amount END AS amount)
             FROM (SELECT ${row} FROM range(${lo}, ${hi}) t(i)) WHERE id % ${DROP_EVERY} <> 11
             UNION ALL SELECT ${row} FROM range(${lo}, ${hi}) t(i) WHERE i % ${DUP_EVERY} = 3
             ${f === 0 ? `UNION ALL SELECT * REPLACE (id + ${rows} AS id) FROM (SELECT ${row} FROM range(0, ${ADD}) t(i))` : ''})
       TO '${join(dir, `m-${f}.parquet`)}' (FORMAT parquet)`,
    );
  }
  c.closeSync();
  db.closeSync();
}

async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_DIFF_ROWS ?? 10_000_000);
  const memoryLimit = process.env.BENCH_DIFF_MEMORY ?? DIFF_MEMORY_LIMIT;
  if (process.argv[2] === '--generate') return generateSides(process.argv[3]!, rows);
  const keep = process.env.BENCH_DIR !== undefined;
  const dir = process.env.BENCH_DIR ?? join(tmpdir(), `datamove-bench-diff-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const files = (side: string) => Array.from({ length: FILES }, (_, f) => join(dir, `${side}-${f}.parquet`));
  try {
    if (!files('c').every(existsSync) || !files('m').every(existsSync) || !keep) {
      const t0 = performance.now();
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--generate', dir], {
        stdio: 'inherit',
        env: { ...process.env, BENCH_DIFF_ROWS: String(rows) },
      });
      console.log(
        `generated ${rows.toLocaleString('en-US')} rows per side in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    const s = await diffSessionOpen(
      { label: 'C', files: files('c') },
      { label: 'M', files: files('m') },
      { key: ['id', 'ck'], samples: 3, memoryLimit },
    );
    let peakDuck = 0;
    let peakTemp = 0;
    let sampling = true;
    const duckSampler = (async () => {
      while (sampling) {
        const m = await s.memory().catch(() => ({ memoryBytes: 0, tempBytes: 0 }));
        peakDuck = Math.max(peakDuck, m.memoryBytes);
        peakTemp = Math.max(peakTemp, m.tempBytes);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    let report: Awaited<ReturnType<typeof s.report>>;
    try {
      report = await s.report();
    } finally {
      sampling = false;
      await duckSampler;
      await s.close();
      clearInterval(rssTimer);
    }
    const seconds = (performance.now() - started) / 1000;
    const want = expected(rows);
    const got = {
      cRows: report.cRows,
      mRows: report.mRows,
      cMinusM: report.cMinusM,
      mMinusC: report.mMinusC,
      missing: report.keyed!.missing,
      phantom: report.keyed!.phantom,
      changed: report.keyed!.changed,
      duplicates: report.keyed!.duplicates,
    };
    const MiB = 2 ** 20;
    console.log(
      `diff: ${(report.cRows + report.mRows).toLocaleString('en-US')} rows (both sides) in ${seconds.toFixed(1)} s = ` +
        `${Math.round((report.cRows + report.mRows) / seconds).toLocaleString('en-US')} rows/s on ${availableParallelism()} cores, memory limit ${memoryLimit}`,
    );
    console.log(
      `peak RSS ${(peakRss / MiB).toFixed(0)} MiB sampled, ${((process.resourceUsage().maxRSS * 1024) / MiB).toFixed(0)} MiB high-water; ` +
        `DuckDB peak ${(peakDuck / MiB).toFixed(0)} MiB buffer memory, ${(peakTemp / MiB).toFixed(0)} MiB spilled`,
    );
    console.log(`counts ${JSON.stringify(got)}`);
    const bad = Object.entries(want).filter(([k, v]) => got[k as keyof typeof got] !== v);
    if (bad.length > 0) {
      console.error(
        `bench: counts differ from the seeded ones: ${bad.map(([k, v]) => `${k} ${got[k as keyof typeof got]} ≠ ${v}`).join(', ')}`,
      );
      process.exitCode = 1;
    } else console.log('counts match the seeded differences');
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
