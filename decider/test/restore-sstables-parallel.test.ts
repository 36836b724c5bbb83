/**
 * `restoreToSSTables` on the worker pool: a restore cut into several compaction tasks and run on 2 worker
 * threads writes one SSTable generation per task and target range (several generations side by side in a
 * range's folder), and reads back — rows, write times and TTLs — identical to a one-task, one-worker
 * restore and to the Iceberg restore at the same T. Each generation holds a slice of the ring in token
 * order that no other generation of its folder overlaps, lies inside its set's range, and passes the
 * byte-level checks (Digest.crc32, TOC.txt, Index.db positions, Filter.db and Summary.db rebuilt from the
 * keys); restore.json lists every folder with its range, generations and exactly the files present.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowJsonFormatter, tableLiveRows } from '../../compactor/index.js';
import { catalogOpen, type OpenedCatalog } from '../../iceberg-writer/index.js';
import {
  canon,
  generateHistory,
  HISTORY_START,
  type HistoryResult,
  historyJob,
  tableRead,
} from '../../infra/index.js';
import { crc32, murmur3Token, NO_TTL, tableFolderOpen } from '../../reader/index.js';
import { bloomFilterBytes, IndexSummaryBuilder, indexDbEntries } from '../../sstable-writer/index.js';
import { localDirectory } from '../../storage/index.js';
import type { Job } from '../job-file.js';
import { restoreToIceberg, restoreToSSTables } from '../restore/restore-run.js';
import type { WrittenSet } from '../restore/sstable-set-writer.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-restore-par-'));
const backups = join(work, 'backups');
let h: HistoryResult;
let job: Job;
let opened: OpenedCatalog;
let asOf: string;
let atSec: number;
let icebergRows: Record<string, unknown>[];

beforeAll(async () => {
  h = await generateHistory({ out: backups, start: HISTORY_START, partitions: 400 });
  job = historyJob(backups, work);
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'warehouse') });
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

/** Rows (corpus JSON) and cells (`id/ck/column` → write time, TTL) of every set folder under `root`. */
async function readBack(root: string, sets: readonly WrittenSet[]) {
  const rows: Record<string, unknown>[] = [];
  const cells: string[] = [];
  for (const s of sets) {
    const folder = await tableFolderOpen(localDirectory(join(root, ...s.folder.split('/'))));
    try {
      const fmt = rowJsonFormatter(folder.model);
      for await (const r of tableLiveRows(folder, { now: atSec })) {
        const json = fmt.format(r) as Record<string, unknown>;
        rows.push(json);
        for (const c of folder.model.columns) {
          const v = r.values[c.id];
          if (v === undefined || Array.isArray(v)) continue;
          cells.push(`${json.id}/${json.ck}/${c.name} ${v.timestamp} ${v.ttl === NO_TTL ? '-' : v.ttl}`);
        }
      }
    } finally {
      await folder.close();
    }
  }
  return { rows: canon(rows), cells: cells.sort() };
}

/** One SSTable's byte-level checks; returns its partition tokens in file order. */
async function sstableChecks(dir: string, generation: number): Promise<bigint[]> {
  const prefix = `nb-${generation}-big-`;
  const read = (c: string) => new Uint8Array(readFileSync(join(dir, prefix + c)));
  const present = readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length))
    .sort();
  const toc = readFileSync(join(dir, `${prefix}TOC.txt`), 'utf8')
    .trim()
    .split('\n')
    .sort();
  expect(toc).toEqual(present);
  expect(Number(readFileSync(join(dir, `${prefix}Digest.crc32`), 'utf8'))).toBe(crc32(read('Data.db')) >>> 0);
  const entries = indexDbEntries(read('Index.db'));
  const folder = await tableFolderOpen(localDirectory(dir), { onlyFile: `${prefix}Data.db` });
  const tokens: bigint[] = [];
  try {
    // a full scan verifies every chunk CRC; Index.db points at each partition's start
    const scan = folder.sstables[0]!.scan();
    let i = 0;
    for (let p = await scan.nextPartition(); p; p = await scan.nextPartition(), i++) {
      expect(Buffer.from(p.key).equals(Buffer.from(entries[i]!.key))).toBe(true);
      expect(p.position).toBe(entries[i]!.dataPosition);
      tokens.push(murmur3Token(p.key).toBigInt());
      while (await scan.nextUnfiltered());
    }
    expect(i).toBe(entries.length);
  } finally {
    await folder.close();
  }
  const keys = entries.map((e) => e.key);
  expect(Buffer.from(read('Filter.db')).equals(Buffer.from(bloomFilterBytes(keys, 0.01, 'nb')))).toBe(true);
  const summary = new IndexSummaryBuilder();
  for (const e of entries) summary.add(e.key, e.indexPosition);
  expect(
    Buffer.from(read('Summary.db')).equals(Buffer.from(summary.serialize(keys[0]!, keys[keys.length - 1]!))),
  ).toBe(true);
  for (let k = 1; k < tokens.length; k++) expect(tokens[k]! >= tokens[k - 1]!).toBe(true);
  return tokens;
}

/** Checks every set against the files on disk and returns the generations per folder. */
async function setChecks(root: string, sets: readonly WrittenSet[]): Promise<number> {
  const manifest = JSON.parse(readFileSync(join(root, 'restore.json'), 'utf8')) as { sets: WrittenSet[] };
  expect(manifest.sets).toEqual(JSON.parse(JSON.stringify(sets)));
  let generations = 0;
  for (const s of sets) {
    const dir = join(root, ...s.folder.split('/'));
    // restore.json lists exactly the files present, with their sizes
    const present = readdirSync(dir)
      .map((f) => `${f} ${readFileSync(join(dir, f)).length}`)
      .sort();
    expect(s.files.map((f) => `${f.name} ${f.size}`).sort()).toEqual(present);
    expect(new Set(s.generations).size).toBe(s.generations.length);
    let partitions = 0;
    let last: bigint | undefined;
    for (const g of s.generations) {
      const tokens = await sstableChecks(dir, g);
      expect(tokens.length).toBeGreaterThan(0);
      // generations of a folder hold disjoint slices of the ring, in generation (token) order — apart from
      // the wrapping range, whose first task's slice holds the ring's end as well as its start
      const wraps = s.range !== undefined && BigInt(s.range.start) >= BigInt(s.range.end);
      if (last !== undefined && !wraps) expect(tokens[0]! > last).toBe(true);
      last = tokens[tokens.length - 1]!;
      partitions += tokens.length;
      if (s.range !== undefined) {
        const start = BigInt(s.range.start);
        const end = BigInt(s.range.end);
        for (const t of tokens) {
          const inside = start < end ? t > start && t <= end : t > start || t <= end;
          expect(inside, `${s.folder} nb-${g}: token ${t} outside (${start}, ${end}]`).toBe(true);
        }
      }
    }
    expect(partitions).toBe(s.partitions);
    generations += s.generations.length;
  }
  return generations;
}

describe('restore as SSTables on the worker pool', () => {
  it('2 workers, several tasks: one generation per task and range, read back identical to a 1-worker restore', async () => {
    const tokenmapFile = join(backups, 'dc1', h.backups[2]!.nodes[0]!, 'tokenmap', 'day3.json');
    for (const topology of [undefined, tokenmapFile]) {
      const tag = topology === undefined ? 'one' : 'ranges';
      const one = join(work, `${tag}-1w`);
      const par = join(work, `${tag}-2w`);
      const lines: string[] = [];
      const s1 = await restoreToSSTables(job, {
        asOf,
        out: one,
        workers: 1,
        tasks: 1,
        ...(topology === undefined ? {} : { topology }),
      });
      const s2 = await restoreToSSTables(job, {
        asOf,
        out: par,
        workers: 2,
        tasks: 6,
        ...(topology === undefined ? {} : { topology }),
        log: (l) => lines.push(l),
      });
      // the planner cuts at most 6 tasks where the SSTables' index samples allow
      const tasks = Number(/, (\d+) tasks on 2 workers, /.exec(lines[0]!)?.[1]);
      expect(tasks).toBeGreaterThanOrEqual(4);
      expect(s1.sets.every((s) => s.generations.length === 1 && s.generations[0] === 1)).toBe(true);
      // the same folders (the same ranges hold data), more generations
      expect(s2.sets.map((s) => [s.folder, s.range])).toEqual(s1.sets.map((s) => [s.folder, s.range]));
      expect(s2.partitions).toBe(s1.partitions);
      expect(s2.rows).toBe(s1.rows);
      const g1 = await setChecks(one, s1.sets);
      const g2 = await setChecks(par, s2.sets);
      expect(g1).toBe(s1.sets.length);
      expect(g2).toBeGreaterThan(g1);
      const all = Array.from({ length: tasks }, (_, i) => i + 1);
      if (topology === undefined) expect(s2.sets[0]!.generations).toEqual(all);
      // every generation is a task's (id + 1), and every task wrote
      expect([...new Set(s2.sets.flatMap((s) => s.generations))].sort((x, y) => x - y)).toEqual(all);
      // no staging left behind
      expect(readdirSync(par).filter((f) => f.startsWith('.'))).toEqual([]);
      const a = await readBack(one, s1.sets);
      const b = await readBack(par, s2.sets);
      expect(b.rows).toEqual(a.rows);
      expect(b.cells).toEqual(a.cells);
      expect(b.rows).toEqual(canon(icebergRows));
      expect(b.cells.length).toBeGreaterThan(1000);
    }
  }, 180_000);
});
