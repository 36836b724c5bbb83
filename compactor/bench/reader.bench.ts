/**
 * `npm run bench:reader`: decode throughput of the SSTable reader on one core, on the largest tables of the
 * corpus. For each case: the raw decode (every partition, row, marker and cell, as `sstable dump --raw`
 * reads them) and the merged live rows (reconciliation + deletions + TTLs, as `sstable dump` computes them
 * before formatting). Prints MB/s of uncompressed Data.db and rows/s; each figure is the best of several
 * timed rounds of at least `minMs` each. It lives in compactor/ because the live rows are the compactor's
 * (the layer rule keeps reader/ from importing it).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { corpusCases } from '../../infra/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';
import { tableLiveRows } from '../table-rows.js';

const minMs = Number(process.env.BENCH_MS ?? 1500);
const rounds = 3;

async function decodeRaw(dir: string): Promise<{ bytes: number; rows: number }> {
  const table = await tableFolderOpen(localDirectory(dir));
  let bytes = 0;
  let rows = 0;
  try {
    for (const t of table.sstables) {
      bytes += t.dataLength;
      const s = t.scan();
      for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
        if (p.staticRow) rows++;
        for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) rows++;
      }
    }
  } finally {
    await table.close();
  }
  return { bytes, rows };
}

async function decodeLive(dir: string): Promise<{ bytes: number; rows: number }> {
  const table = await tableFolderOpen(localDirectory(dir));
  let rows = 0;
  try {
    for await (const _ of tableLiveRows(table, { now: Math.floor(Date.now() / 1000) })) rows++;
    return { bytes: table.sstables.reduce((n, t) => n + t.dataLength, 0), rows };
  } finally {
    await table.close();
  }
}

async function measure(
  fn: () => Promise<{ bytes: number; rows: number }>,
): Promise<{ mbs: number; rps: number; bytes: number; rows: number }> {
  let best = { mbs: 0, rps: 0, bytes: 0, rows: 0 };
  await fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    let bytes = 0;
    let rows = 0;
    let once = { bytes: 0, rows: 0 };
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < minMs) {
      once = await fn();
      bytes += once.bytes;
      rows += once.rows;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    const mbs = bytes / 1e6 / (elapsed / 1000);
    if (mbs > best.mbs) best = { mbs, rps: rows / (elapsed / 1000), bytes: once.bytes, rows: once.rows };
  }
  return best;
}

function dataFilesSize(dir: string, files: readonly string[]): number {
  return files.filter((f) => f.endsWith('-Data.db')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

const cases = corpusCases()
  .filter((c) => c.spec.expected.error === undefined)
  .map((c) => ({ c, size: dataFilesSize(c.dir, (c.spec as unknown as { files: string[] }).files ?? []) }))
  .sort((a, b) => b.size - a.size)
  .slice(0, Number(process.env.BENCH_CASES ?? 5));

console.log(
  `datamove reader benchmark — node ${process.version}, one core, best of ${rounds} rounds of >= ${minMs} ms`,
);
console.log(
  'case                                                   Data.db  uncompr.  rows/pass | raw MB/s  raw rows/s | live MB/s  live rows/s',
);
for (const { c, size } of cases) {
  const raw = await measure(() => decodeRaw(c.dir));
  const live = await measure(() => decodeLive(c.dir));
  console.log(
    `${c.name.padEnd(54)} ${(size / 1024).toFixed(0).padStart(6)}K ${(raw.bytes / 1024).toFixed(0).padStart(8)}K ${String(raw.rows).padStart(10)} | ${raw.mbs.toFixed(1).padStart(8)} ${Math.round(raw.rps).toLocaleString('en-US').padStart(11)} | ${live.mbs.toFixed(1).padStart(9)} ${Math.round(live.rps).toLocaleString('en-US').padStart(12)}`,
  );
}
