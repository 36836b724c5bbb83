/**
 * `restoreToSSTables`: the table at T as `nb` SSTables, one set per token range of a topology (the
 * history's own tokenmap of backup 3, Medusa-style) or one set. Read back by our reader they equal the
 * Iceberg restore at the same T (and the oracle); every cell keeps its original write time and TTL (the
 * raw connector's metadata columns say what they were); every partition lies in its set's range; and each
 * SSTable passes the writer's byte-level checks: chunk CRCs and Digest.crc32 over a full scan, the digest
 * recomputed from Data.db, Index.db positions equal to the partitions' Data.db positions, Filter.db,
 * Summary.db and the cardinality estimator rebuilt from the keys, Statistics timestamps equal to the
 * cells', TOC.txt listing exactly the files present.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowJsonFormatter, tableLiveRows } from '../../compactor/index.js';
import { catalogOpen, type OpenedCatalog, tableSnapshots } from '../../iceberg-writer/index.js';
import {
  canon,
  embeddedS3Start,
  folderState,
  generateHistory,
  HISTORY_START,
  type HistoryResult,
  historyJob,
  historyOracleRows,
  tableRead,
} from '../../infra/index.js';
import {
  backupSourceOpen,
  crc32,
  murmur3Token,
  NO_TIMESTAMP,
  NO_TTL,
  ROW,
  statisticsFullParse,
  tableFolderOpen,
} from '../../reader/index.js';
import {
  bloomFilterBytes,
  cardinalityBytes,
  IndexSummaryBuilder,
  indexDbEntries,
} from '../../sstable-writer/index.js';
import { localDirectory } from '../../storage/index.js';
import type { Job } from '../job-file.js';
import { restoreFromIceberg } from '../restore/restore-from-iceberg.js';
import { restoreToIceberg, restoreToSSTables } from '../restore/restore-run.js';
import { topologyParse } from '../restore/tokenmap.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-restore-sst-'));
const backups = join(work, 'backups');
let h: HistoryResult;
let job: Job;
let opened: OpenedCatalog;
let asOf: string;
let atSec: number;
let icebergRows: Record<string, unknown>[];

beforeAll(async () => {
  h = await generateHistory({ out: backups, start: HISTORY_START, partitions: 200 });
  job = historyJob(backups, work);
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'warehouse') });
  // between the node's join and the drop, with TTLs that ran out since the backup
  atSec = h.backups[2]!.time + 7 * 3600;
  asOf = new Date(atSec * 1000).toISOString();
  await restoreToIceberg(job, {
    asOf,
    into: 'lake.events_t',
    catalog: opened,
    pool: 'inline',
    historyPath: join(work, 'runs.db'),
  });
  icebergRows = (await tableRead(opened.catalog, { namespace: ['lake'], name: 'events_t' })).rows;
}, 120_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

interface ReadBack {
  rows: Record<string, unknown>[];
  /** `id/ck/column` → [write time µs, ttl or null]. */
  cells: Map<string, [number, number | null]>;
  folders: string[];
}

/** Every SSTable set under `root` (folders holding a TOC.txt), read back with our reader at T. */
async function readBack(root: string): Promise<ReadBack> {
  const folders: string[] = [];
  const walk = (d: string): void => {
    const names = readdirSync(d, { withFileTypes: true });
    if (names.some((e) => e.name.endsWith('-TOC.txt'))) folders.push(d);
    for (const e of names) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(root);
  const rows: Record<string, unknown>[] = [];
  const cells = new Map<string, [number, number | null]>();
  for (const f of folders.sort()) {
    const folder = await tableFolderOpen(localDirectory(f));
    try {
      const fmt = rowJsonFormatter(folder.model);
      for await (const r of tableLiveRows(folder, { now: atSec })) {
        const json = fmt.format(r) as Record<string, unknown>;
        rows.push(json);
        for (const c of folder.model.columns) {
          const v = r.values[c.id];
          if (v === undefined || Array.isArray(v)) continue;
          cells.set(`${json.id}/${json.ck}/${c.name}`, [v.timestamp, v.ttl === NO_TTL ? null : v.ttl]);
        }
      }
    } finally {
      await folder.close();
    }
  }
  return { rows, cells, folders };
}

describe('restore as SSTables', () => {
  it('one set per token range of a Medusa-style token map: equal to the Iceberg restore, original write times and TTLs', async () => {
    const tokenmapFile = join(backups, 'dc1', h.backups[2]!.nodes[0]!, 'tokenmap', 'day3.json');
    const topology = topologyParse(readFileSync(tokenmapFile, 'utf8'), tokenmapFile);
    expect(topology.nodes).toHaveLength(4);
    const out = join(work, 'out-ranges');
    const s = await restoreToSSTables(job, { asOf, out, topology: tokenmapFile });
    expect(s.backupIds).toEqual(['day3']);
    expect(s.sets.length).toBeGreaterThan(4);
    expect(s.sets.every((x) => x.range !== undefined && x.folder.startsWith('range-'))).toBe(true);
    const back = await readBack(out);
    expect(back.folders).toHaveLength(s.sets.length);
    expect(back.rows.length).toBe(icebergRows.length);
    expect(canon(back.rows)).toEqual(canon(icebergRows));
    expect(canon(back.rows)).toEqual(canon(historyOracleRows(h, atSec * 1000)!));
    // original write times and TTLs, as the raw connector's metadata columns recorded them
    let checked = 0;
    let withTtl = 0;
    for (const r of icebergRows) {
      for (const col of ['name', 'amount', 'score', 'legacy', 'extra']) {
        const wt = r[`${col}__writetime`];
        if (wt === null || wt === undefined) continue;
        const got = back.cells.get(`${r.id}/${r.ck}/${col}`);
        expect(got, `${r.id}/${r.ck}/${col}`).toBeDefined();
        expect(got![0]).toBe(Math.round(Number(wt) * 1000));
        expect(got![1]).toBe(r[`${col}__ttl`] ?? null);
        if (got![1] !== null) withTtl++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(withTtl).toBeGreaterThan(0);
    // every partition of a set lies in the set's range
    for (const set of s.sets) {
      const r = set.range!;
      const start = BigInt(r.start);
      const end = BigInt(r.end);
      const folder = await tableFolderOpen(localDirectory(join(out, ...set.folder.split('/'))));
      try {
        const scan = folder.sstables[0]!.scan();
        for (let p = await scan.nextPartition(); p; p = await scan.nextPartition()) {
          const t = murmur3Token(p.key).toBigInt();
          const inside = start < end ? t > start && t <= end : t > start || t <= end;
          expect(inside, `${set.folder}: token ${t} outside (${start}, ${end}]`).toBe(true);
        }
      } finally {
        await folder.close();
      }
    }
    const manifest = JSON.parse(readFileSync(join(out, 'restore.json'), 'utf8'));
    expect(manifest.asOf).toBe(asOf);
    expect(manifest.backupIds).toEqual(['day3']);
  }, 120_000);

  it('one set without a topology, in <keyspace>/<table>-<id>/ with the schema as of T, passing the byte-level checks', async () => {
    const out = join(work, 'out-one');
    const s = await restoreToSSTables(job, { asOf, out });
    expect(s.sets.map((x) => x.folder)).toEqual(['hist/events-7e57ab1e0000400080001157a11e0000']);
    const dir = join(out, 'hist', 'events-7e57ab1e0000400080001157a11e0000');
    expect(readFileSync(join(dir, 'schema.cql'), 'utf8').trim()).toBe(h.backups[2]!.schemaCql.trim());
    const back = await readBack(out);
    expect(canon(back.rows)).toEqual(canon(icebergRows));
    const files = readdirSync(dir).sort();
    const prefix = 'nb-1-big-';
    const read = (c: string) => new Uint8Array(readFileSync(join(dir, prefix + c)));
    // TOC.txt lists exactly the components present
    const toc = readFileSync(join(dir, `${prefix}TOC.txt`), 'utf8')
      .trim()
      .split('\n')
      .sort();
    expect(toc).toEqual(
      files
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice(prefix.length))
        .sort(),
    );
    // Digest.crc32 is the CRC32 of the whole Data.db
    expect(Number(readFileSync(join(dir, `${prefix}Digest.crc32`), 'utf8'))).toBe(
      crc32(read('Data.db')) >>> 0,
    );
    // a full scan verifies every chunk CRC and the digest; Index.db points at each partition's start
    const entries = indexDbEntries(read('Index.db'));
    const folder = await tableFolderOpen(localDirectory(dir));
    let minTs = Number.POSITIVE_INFINITY;
    let maxTs = Number.NEGATIVE_INFINITY;
    try {
      const scan = folder.sstables[0]!.scan();
      let i = 0;
      for (let p = await scan.nextPartition(); p; p = await scan.nextPartition(), i++) {
        expect(Buffer.from(p.key).equals(Buffer.from(entries[i]!.key))).toBe(true);
        expect(p.position).toBe(entries[i]!.dataPosition);
        for (let u = await scan.nextUnfiltered(); u; u = await scan.nextUnfiltered()) {
          if (u.kind !== ROW) continue;
          const stamps = [
            ...u.cells.map((c) => c.timestamp),
            ...(u.timestamp !== NO_TIMESTAMP ? [u.timestamp] : []),
          ];
          for (const t of stamps) {
            minTs = Math.min(minTs, t);
            maxTs = Math.max(maxTs, t);
          }
        }
      }
      expect(i).toBe(entries.length);
      expect(i).toBe(s.partitions);
    } finally {
      await folder.close();
    }
    const keys = entries.map((e) => e.key);
    expect(Buffer.from(read('Filter.db')).equals(Buffer.from(bloomFilterBytes(keys, 0.01, 'nb')))).toBe(true);
    const summary = new IndexSummaryBuilder();
    for (const e of entries) summary.add(e.key, e.indexPosition);
    expect(
      Buffer.from(read('Summary.db')).equals(
        Buffer.from(summary.serialize(keys[0]!, keys[keys.length - 1]!)),
      ),
    ).toBe(true);
    const stats = statisticsFullParse(read('Statistics.db'), 'nb');
    expect(
      Buffer.from(stats.compaction!.cardinalityEstimator).equals(Buffer.from(cardinalityBytes(keys))),
    ).toBe(true);
    expect(Number(stats.stats!.minTimestamp)).toBe(minTs);
    expect(Number(stats.stats!.maxTimestamp)).toBe(maxTs);
    // cells keep their times: nothing written after T, nothing from after the backup's snapshot
    expect(maxTs).toBeLessThanOrEqual(atSec * 1e6);
  }, 120_000);

  it('a list-format token map is validated with zod; bad ones are one-line errors naming the field', () => {
    const t = topologyParse(
      '{"nodes":[{"node":"a","tokens":[-9223372036854775808, 0]},{"node":"b","tokens":["4611686018427387904"]}]}',
      'tm.json',
    );
    expect(t.ranges.map((r) => [r.start.toString(), r.end.toString(), r.node])).toEqual([
      ['4611686018427387904', '-9223372036854775808', 'a'],
      ['-9223372036854775808', '0', 'a'],
      ['0', '4611686018427387904', 'b'],
    ]);
    expect(() => topologyParse('{"nodes":[{"node":"a","tokens":["x1"]}]}', 'tm.json')).toThrow(
      /^restore: tm\.json: nodes\.0\.tokens\.0: must be an integer token$/,
    );
    expect(() =>
      topologyParse('{"nodes":[{"node":"a","tokens":[1]},{"node":"b","tokens":[1]}]}', 'tm.json'),
    ).toThrow(/token 1 is owned by both a and b/);
  });

  it('a non-empty --out is refused before anything is written', async () => {
    const out = join(work, 'busy');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'keep.txt'), 'keep');
    await expect(restoreToSSTables(job, { asOf, out })).rejects.toThrow(
      /--out .* exists and is not an empty folder/,
    );
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(existsSync(join(out, 'restore.json'))).toBe(false);
  });

  it('from an Iceberg snapshot of the raw connector with metadata columns: the same rows, write times and TTLs', async () => {
    const schemaFile = join(work, 'schema.cql');
    writeFileSync(schemaFile, h.backups[2]!.schemaCql);
    const snaps = await tableSnapshots(opened.catalog, { namespace: ['lake'], name: 'events_t' });
    const direct = await readBack(join(work, 'out-one'));
    const out = join(work, 'from-iceberg');
    // small spill buckets: rows cross several temporary files and still reach the writer in token order
    const s = await restoreFromIceberg({
      table: `lake.events_t@${snaps[0]!.snapshotId}`,
      schema: schemaFile,
      out,
      catalog: opened,
      spillRows: 100,
    });
    expect(s.rows).toBe(icebergRows.length);
    const back = await readBack(out);
    expect(canon(back.rows)).toEqual(canon(icebergRows));
    expect([...back.cells.entries()].sort()).toEqual([...direct.cells.entries()].sort());
  }, 120_000);

  it('from an Iceberg table without metadata columns: a one-line error, nothing written', async () => {
    const plain = historyJob(backups, work, { connector: { name: 'raw' } });
    await restoreToIceberg(plain, {
      asOf,
      into: 'lake.events_plain',
      catalog: opened,
      pool: 'inline',
      historyPath: join(work, 'runs.db'),
    });
    const schemaFile = join(work, 'schema.cql');
    writeFileSync(schemaFile, h.backups[2]!.schemaCql);
    const out = join(work, 'never');
    await expect(
      restoreFromIceberg({ table: 'lake.events_plain', schema: schemaFile, out, catalog: opened }),
    ).rejects.toThrow(
      /^restore: lake\.events_plain has no metadata column name__writetime or name__ttl: write times and TTLs are needed/,
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('to an s3:// prefix: the same files as a local restore, uploaded', async () => {
    const s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['restores'] });
    try {
      const s = await restoreToSSTables(job, { asOf, out: 's3://restores/events/t', s3: s3.options });
      expect(s.sets).toHaveLength(1);
      const source = backupSourceOpen('s3://restores/events/t', { s3: s3.options });
      try {
        const objects = (await source.list('')).map((x) => `${x.key} ${x.size}`).sort();
        const local = folderState(join(work, 'out-one'))
          .map((l) => l.split(' '))
          .map(([p, size]) => `${p!.slice(join(work, 'out-one').length + 1)} ${size}`)
          .filter((l) => !l.startsWith('restore.json'))
          .sort();
        expect(objects.filter((l) => !l.startsWith('restore.json'))).toEqual(local);
        expect(objects.some((l) => l.startsWith('restore.json'))).toBe(true);
      } finally {
        await source.close();
      }
    } finally {
      await s3.close();
    }
  }, 60_000);
});
