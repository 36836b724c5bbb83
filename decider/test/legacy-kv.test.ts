/**
 * The legacy path for the `kv` connector (both tables staged in DuckDB, reconciled with SQL, items joined
 * with their chunks in SQL, reassembled in JS) against the new path (compactor + kv connector), on a
 * generated kv backup: a 3-chunk item, compressed values, row/range/partition deletions, TTLs, a node that
 * missed writes. Both give the same rows and the same schema — the kv connector's declared one — and both
 * equal the generator's oracle by the kv rules. The key/value-as-string options give the same on both
 * paths, and on a copy of the backup whose chunks were damaged (a chunk row lost, a chunk cut short) both
 * paths skip and count the same items. Consistency ALL on the new path: the legacy path reads every replica.
 */
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorJobPlan, connectorJobRun, valueMetadataParse } from '../../connectors/index.js';
import {
  arrowSchemaFromIceberg,
  catalogOpen,
  type OpenedCatalog,
  type TableIdentifier,
  tableIdentifierParse,
} from '../../iceberg-writer/index.js';
import {
  digest,
  GEN,
  generate,
  hexBytes,
  type Json,
  kvActual,
  kvExpected,
  MACHINE,
  oracleRows,
  tableRead,
} from '../../infra/index.js';
import {
  boundIsStart,
  CELL_DELETED,
  CELL_EXPIRING,
  type Cell,
  deletionIsLive,
  MARKER,
  type Row,
  tableFolderOpen,
} from '../../reader/index.js';
import { SSTableWriter } from '../../sstable-writer/index.js';
import { localDirectory, localSinkDirectory } from '../../storage/index.js';
import { legacyJobRun } from '../legacy/legacy-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-legacy-kv-'));
const out = join(work, 'backup');
const damaged = join(work, 'damaged');
let opened: OpenedCatalog;

/** The snapshot folders of one table on every node of a local backup. */
function tableDirs(backup: string, table: string): string[] {
  const dirs: string[] = [];
  for (const dc of readdirSync(backup).filter((d) => d.startsWith('dc')))
    for (const node of readdirSync(join(backup, dc)))
      for (const t of readdirSync(join(backup, dc, node, 'gen')).filter((x) => x.startsWith(`${table}-`)))
        dirs.push(join(backup, dc, node, 'gen', t, 'snapshots', GEN.tag));
  return dirs;
}

/** `(id, key)` of a chunk partition key (CompositeType: u16 length, bytes, 0x00 per component). */
function chunkItem(pk: Uint8Array): string {
  const parts: string[] = [];
  for (let at = 0; at < pk.length; ) {
    const n = (pk[at]! << 8) | pk[at + 1]!;
    parts.push(Buffer.from(pk.subarray(at + 2, at + 2 + n)).toString(parts.length === 0 ? 'utf8' : 'hex'));
    at += n + 3;
  }
  return `${parts[0]}/0x${parts[1]}`;
}

/**
 * Rewrites every node's chunk SSTables in place (same names, so the snapshot manifests stay right) with
 * `damage` applied to each chunk row: `null` drops the row, else the row keeps the returned data.
 */
async function chunksDamage(
  backup: string,
  damage: (item: string, chunk: number, data: Uint8Array) => Uint8Array | null,
): Promise<number> {
  let changed = 0;
  for (const dir of tableDirs(backup, 'kv_chunks')) {
    const folder = await tableFolderOpen(localDirectory(dir));
    const tmp = `${dir}.rewrite`;
    try {
      for (const t of folder.sstables) {
        const w = await SSTableWriter.create(await localSinkDirectory(tmp), folder.model, {
          version: 'nb',
          generation: t.descriptor.generation,
          compression: GEN.compression,
          partitioner: t.partitioner,
          stats: t.statistics.header.stats,
          columns: [...t.layout.staticColumns, ...t.layout.regularColumns].map((c) => c.id),
        });
        const s = t.scan();
        for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
          const item = chunkItem(p.key);
          const rows: Row[] = [];
          for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) {
            if (u.kind === MARKER) throw new Error('the kv preset writes no range tombstone into chunks');
            const chunk = Buffer.from(u.clustering[0]!).readInt32BE(0);
            const cells: Cell[] = [];
            let drop = false;
            for (const c of u.cells) {
              const data = damage(item, chunk, c.value);
              if (data === null) drop = true;
              else cells.push(data === c.value ? c : { ...c, value: data });
              if (data !== c.value) changed++;
            }
            if (!drop) rows.push({ ...u, cells });
          }
          if (rows.length === 0) continue;
          w.begin(p.key, p.deletion, p.staticRow);
          for (const r of rows) w.add(r);
          await w.end();
        }
        await w.finish();
      }
    } finally {
      await folder.close();
    }
    for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(dir, f));
    rmSync(tmp, { recursive: true });
  }
  return changed;
}

/** What the kv backup holds, read from its SSTables (every node): the cases the rules must handle. */
async function kvCensus(backup: string) {
  const n = {
    partitionDeletions: 0,
    rowDeletions: 0,
    rangeTombstones: 0,
    cellTombstones: 0,
    expired: 0,
    expiring: 0,
  };
  for (const dir of tableDirs(backup, 'kv')) {
    const folder = await tableFolderOpen(localDirectory(dir));
    try {
      for (const t of folder.sstables) {
        const s = t.scan();
        for (let p = await s.nextPartition(); p; p = await s.nextPartition()) {
          if (!deletionIsLive(p.deletion)) n.partitionDeletions++;
          for (let u = await s.nextUnfiltered(); u; u = await s.nextUnfiltered()) {
            if (u.kind === MARKER) {
              if (boundIsStart(u.boundKind)) n.rangeTombstones++;
              continue;
            }
            if (!deletionIsLive(u.deletion)) n.rowDeletions++;
            for (const c of u.cells) {
              if ((c.flags & CELL_DELETED) !== 0) n.cellTombstones++;
              else if ((c.flags & CELL_EXPIRING) !== 0) {
                n.expiring++;
                if (c.localDeletionTime <= GEN.now) n.expired++;
              }
            }
          }
        }
      }
    } finally {
      await folder.close();
    }
  }
  return n;
}

beforeAll(async () => {
  await generate({ ...GEN, out, preset: 'kv' });
  cpSync(out, damaged, { recursive: true });
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

const oracle = (table: string): Json[] => oracleRows(join(out, 'oracle', `gen.${table}.jsonl`));

/** A row as comparable text: bytes by digest and length, 64-bit numbers as strings. */
const canon = (rows: Json[]): string[] =>
  rows
    .map((r) =>
      JSON.stringify(r, (_k, v) =>
        typeof v === 'bigint'
          ? v.toString()
          : v instanceof Uint8Array
            ? `${digest(v)}:${v.length}`
            : (v as unknown),
      ),
    )
    .sort();

const fields = (
  s: { fields: { name: string; type: unknown; metadata: Map<string, string> }[] } | undefined,
) => s?.fields.map((f) => [f.name, String(f.type), f.metadata.get('PARQUET:field_id')]);

async function bothPaths(backup: string, name: string, options: Record<string, unknown>) {
  const plan = await connectorJobPlan(
    {
      source: backup,
      keyspace: 'gen',
      consistency: 'all',
      now: GEN.now,
      connector: { name: 'kv', options },
      target: { table: `lake.${name}_new`, mode: 'overwrite' },
    },
    { machine: MACHINE },
  );
  const t0 = Date.now();
  const fresh = await connectorJobRun(plan, { catalog: opened.catalog, workers: 2 });
  const newMs = Date.now() - t0;
  const legacyId: TableIdentifier = tableIdentifierParse(`lake.${name}_legacy`);
  const legacy = await legacyJobRun(
    {
      source: backup,
      keyspace: 'gen',
      connector: 'kv',
      connectorOptions: options,
      target: { table: legacyId, mode: 'overwrite' },
      runId: `legacy-${name}`,
      now: GEN.now,
    },
    { catalog: opened.catalog },
  );
  console.log(
    `kv ${name}: new path ${newMs} ms, legacy path ${legacy.elapsedMs} ms ` +
      `(${legacy.cellsStaged} cells of ${legacy.sstables} SSTables staged), ${legacy.rowsWritten} rows`,
  );
  const a = await tableRead(opened.catalog, tableIdentifierParse(`lake.${name}_new`));
  const b = await tableRead(opened.catalog, legacyId);
  const snapshot = (await opened.catalog.loadTable(legacyId)).metadata.snapshots;
  return { plan, fresh, legacy, a, b, snapshot };
}

describe('legacy path, kv connector', () => {
  it('the backup exercises what the suite claims', async () => {
    const chunks = oracle('kv_chunks');
    const perItem = new Map<string, number>();
    for (const c of chunks) perItem.set(`${c.id}/${c.key}`, (perItem.get(`${c.id}/${c.key}`) ?? 0) + 1);
    expect(Math.max(...perItem.values())).toBeGreaterThanOrEqual(3);
    const codecs = new Set(
      oracle('kv').map((r) => valueMetadataParse(hexBytes(r.value_metadata)).compression),
    );
    expect([...codecs].filter((c) => c !== 'none').length).toBeGreaterThanOrEqual(2);
    const n = await kvCensus(out);
    expect(n.rowDeletions + n.rangeTombstones + n.partitionDeletions).toBeGreaterThan(0);
    expect(n.rangeTombstones).toBeGreaterThan(0);
    expect(n.expired).toBeGreaterThan(0);
    expect(n.expiring).toBeGreaterThan(n.expired);
  }, 60_000);

  it('legacy and new paths: same rows, same declared schema, both = the oracle by the kv rules', async () => {
    const { plan, fresh, legacy, a, b, snapshot } = await bothPaths(out, 'kv', { table: 'kv' });
    const declared = arrowSchemaFromIceberg(plan.target.schema);
    expect(fields(b.schema)).toEqual(fields(declared));
    expect(fields(b.schema)).toEqual(fields(a.schema));
    expect(b.rows.length).toBeGreaterThan(0);
    expect(canon(b.rows)).toEqual(canon(a.rows));
    const expected = kvExpected(oracle('kv'), oracle('kv_chunks'));
    expect(expected.skipped).toBe(0);
    expect(kvActual(b.rows)).toEqual(expected.rows);
    expect(kvActual(a.rows)).toEqual(expected.rows);
    for (const r of b.rows) expect(r.write_time).not.toBeNull();
    expect([legacy.rowsWritten, legacy.issues]).toEqual([fresh.rowsWritten, fresh.issues]);
    expect(legacy.issues).toEqual({});
    // one snapshot, recorded as the kv connector's, with the staged cells as rows read
    expect(snapshot).toHaveLength(1);
    expect(snapshot[0]!.summary['datamove.connector']).toBe('kv');
    expect(snapshot[0]!.summary['datamove.rows.read']).toBe(String(legacy.cellsStaged));
  }, 180_000);

  it('value as a string: the same UTF-8 column on both paths; a key that is not UTF-8 fails both', async () => {
    const options = { table: 'kv', valueAs: 'string', batchRows: 50 };
    const { plan, a, b } = await bothPaths(out, 'kv_text', options);
    expect(fields(b.schema)).toEqual(fields(arrowSchemaFromIceberg(plan.target.schema)));
    const types = Object.fromEntries((b.schema?.fields ?? []).map((f) => [f.name, String(f.type)]));
    expect([types.key, types.value]).toEqual(['Binary', 'Utf8']);
    expect(canon(b.rows)).toEqual(canon(a.rows));
    expect(b.rows.length).toBe(kvExpected(oracle('kv'), oracle('kv_chunks')).rows.length);
    expect(b.rows.every((r) => typeof r.value === 'string')).toBe(true);
    // the generator's keys are random bytes: as strings they are invalid UTF-8 on either path
    await expect(bothPaths(out, 'kv_keytext', { table: 'kv', keyAs: 'string' })).rejects.toThrow(
      /Invalid UTF8/,
    );
    await expect(
      legacyJobRun(
        {
          source: out,
          keyspace: 'gen',
          connector: 'kv',
          connectorOptions: { table: 'kv', keyAs: 'string' },
          target: { table: tableIdentifierParse('lake.kv_keytext_legacy'), mode: 'overwrite' },
          runId: 'legacy-keytext',
          now: GEN.now,
        },
        { catalog: opened.catalog },
      ),
    ).rejects.toThrow(/Invalid UTF8/);
  }, 180_000);

  it('damaged chunks: both paths skip and count the same items, and write the rest', async () => {
    const chunked = [...new Set(oracle('kv_chunks').map((c) => `${c.id}/${c.key}`))];
    const meta = new Map(
      oracle('kv').map((r) => [`${r.id}/${r.key}`, valueMetadataParse(hexBytes(r.value_metadata))]),
    );
    const wide = chunked.find((k) => (meta.get(k)?.chunks ?? 0) >= 3)!;
    const compressed = chunked.find((k) => k !== wide && meta.get(k)?.compression !== 'none')!;
    expect(meta.get(wide)?.compression).toBe('none');
    expect(compressed).toBeDefined();
    // the wide item loses its middle chunk; the compressed one's only chunk is cut short
    const changed = await chunksDamage(damaged, (item, chunk, data) => {
      if (item === wide && chunk === 1) return null;
      if (item === compressed && chunk === 0) return data.subarray(0, data.length - 7);
      return data;
    });
    expect(changed).toBeGreaterThanOrEqual(2);
    const { fresh, legacy, a, b } = await bothPaths(damaged, 'kv_damaged', { table: 'kv' });
    const sampleSets = (i: typeof legacy.issues) =>
      Object.fromEntries(Object.entries(i).map(([k, v]) => [k, [v.count, [...v.samples].sort()]]));
    expect(sampleSets(legacy.issues)).toEqual(sampleSets(fresh.issues));
    const { 'missing-chunk': missing, ...others } = legacy.issues;
    expect(missing).toEqual({ count: 1, samples: [wide.replace('/0x', '/')] });
    // a cut-short compressed value either fails to decompress or decompresses to the wrong size
    expect(Object.keys(others)).toHaveLength(1);
    expect(Object.keys(others)[0]).toMatch(/^(corrupt-value|size-mismatch)$/);
    expect(Object.values(others)[0]!.samples).toEqual([compressed.replace('/0x', '/')]);
    expect(Object.values(legacy.issues).reduce((n, s) => n + s.count, 0)).toBe(2);
    expect(canon(b.rows)).toEqual(canon(a.rows));
    const rest = kvExpected(oracle('kv'), oracle('kv_chunks')).rows.filter((r) => {
      const [id, key] = JSON.parse(r) as [string, string];
      return `${id}/${key}` !== wide && `${id}/${key}` !== compressed;
    });
    expect(kvActual(b.rows)).toEqual(rest);
  }, 180_000);
});
