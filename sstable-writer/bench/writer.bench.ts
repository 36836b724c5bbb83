/**
 * `npm run bench:sstable-writer`: encode throughput of the SSTable writer on one core. A generated `narrow`
 * table (one node, one SSTable) is decoded into memory once; then its partitions are written again with
 * each compression, timed without the decoding. Prints MB/s of uncompressed Data.db and rows/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../infra/index.js';
import type { PartitionHeader, Row, Unfiltered } from '../../reader/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import { localDirectory, localSinkDirectory } from '../../storage/index.js';
import { SSTableWriter, type WriterCompression } from '../sstable-writer.js';

const sizeMiB = Number(process.env.BENCH_MIB ?? 48);
const work = mkdtempSync(join(tmpdir(), 'datamove-writer-bench-'));
try {
  const now = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);
  const g = await generate({
    out: join(work, 'src'),
    preset: 'narrow',
    nodes: 1,
    dcs: 1,
    replicationFactor: 1,
    numTokens: 4,
    seed: 5,
    bytes: sizeMiB * 2 ** 20,
    wideBytes: 0,
    flushes: 1,
    version: 'nb',
    compression: 'lz4',
    now,
    keyspace: 'bench',
    tag: 't',
    nodeExpectations: false,
    missRate: 0,
  });
  const t = g.tables[0]!;
  const node = g.cluster.nodes[0]!;
  const table = await tableFolderOpen(
    localDirectory(join(work, 'src', node.dc, node.name, t.keyspace, t.tableDir, 'snapshots', 't')),
  );
  const sst = table.sstables[0]!;
  const parts: { header: PartitionHeader; staticRow: Row | null; rows: Unfiltered[] }[] = [];
  let rows = 0;
  const s = sst.scan();
  for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
    const list: Unfiltered[] = [];
    for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) list.push(u);
    rows += list.length;
    parts.push({
      header: { key: p.key.slice(), deletion: p.deletion, position: 0 },
      staticRow: p.staticRow,
      rows: list,
    });
  }
  console.log(`datamove SSTable writer benchmark — node ${process.version}, one core`);
  console.log(
    `input: ${parts.length} partitions, ${rows} rows, ${(sst.dataLength / 2 ** 20).toFixed(1)} MiB uncompressed Data.db`,
  );
  for (const compression of ['none', 'lz4', 'zstd', 'snappy', 'deflate'] as WriterCompression[]) {
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const sink = await localSinkDirectory(join(work, `out-${compression}-${round}`));
      const start = process.hrtime.bigint();
      const w = await SSTableWriter.create(sink, table.model, {
        version: 'nb',
        generation: 1,
        compression,
        stats: table.sstables[0]!.statistics.header.stats,
      });
      for (const p of parts) {
        w.begin(p.header.key, p.header.deletion, p.staticRow);
        for (const u of p.rows) w.add(u);
        await w.end();
      }
      const written = await w.finish();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      best = Math.max(best, written.dataLength / 2 ** 20 / seconds);
      rmSync(join(work, `out-${compression}-${round}`), { recursive: true, force: true });
    }
    const rowsPerSec = (best * 2 ** 20 * rows) / sst.dataLength;
    console.log(
      `${compression.padEnd(8)} ${best.toFixed(1).padStart(7)} MiB/s  ${Math.round(rowsPerSec).toLocaleString('en-US').padStart(10)} rows/s`,
    );
  }
  await table.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
