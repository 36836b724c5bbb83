/**
 * The legacy path for the `timeseries` connector (`time_slices` staged and the overlapping slices selected
 * in SQL; each slice staged with its `wide_` split tables and reconciled as one, one slice at a time) against
 * the new path (compactor + timeseries connector), on a generated timeseries backup: three daily slices, the
 * hot day's hot series copied into `wide_data_YYYYMMDD_1`, compressed values, rows churned by deletes. Both
 * give the same rows and the same schema — the connector's declared one — and both equal the generator's
 * oracle by the timeseries rules (the window applied, each event item once), for a window over two of the
 * three slices and one inside the hot day. On a copy whose split table and slice table were each rewritten
 * with newer values for different events, both paths agree: the newer write wins per cell, whichever table
 * holds it, and each item comes out once. A window no slice overlaps fails both paths. Consistency ALL on
 * the new path: the legacy path reads every replica.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorJobPlan, connectorJobRun } from '../../connectors/index.js';
import { isCancelled } from '../../core/index.js';
import {
  arrowSchemaFromIceberg,
  catalogOpen,
  type OpenedCatalog,
  tableIdentifierParse,
} from '../../iceberg-writer/index.js';
import {
  digest,
  GEN,
  generate,
  type Json,
  MACHINE,
  oracleRows,
  tableRead,
  timeseriesActual,
  timeseriesExpected,
} from '../../infra/index.js';
import { CELL_DELETED, MARKER, type Row, tableFolderOpen } from '../../reader/index.js';
import { SSTableWriter } from '../../sstable-writer/index.js';
import { localDirectory, localSinkDirectory } from '../../storage/index.js';
import { legacyJobRun } from '../legacy/legacy-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-legacy-ts-'));
const out = join(work, 'backup');
const edited = join(work, 'edited');
let opened: OpenedCatalog;

beforeAll(async () => {
  await generate({ ...GEN, out, preset: 'timeseries', partitions: 6 });
  cpSync(out, edited, { recursive: true });
  opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  rmSync(work, { recursive: true, force: true });
});

// the generator's three daily slices end two days before its reference time
const day0 = (Math.floor(GEN.now / 86400) - 4) * 86400 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();
const H = 3600 * 1000;
const slices = (): Json[] => oracleRows(join(out, 'oracle', 'gen.time_slices.jsonl'));
const hotSlice = (): string => slices()[1]!.slice_table as string;

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

function legacyRun(name: string, options: Record<string, unknown>, source = out) {
  return legacyJobRun(
    {
      source,
      keyspace: 'gen',
      connector: 'timeseries',
      connectorOptions: options,
      target: { table: tableIdentifierParse(`lake.${name}_legacy`), mode: 'overwrite' },
      runId: `legacy-${name}`,
      now: GEN.now,
    },
    { catalog: opened.catalog, onPhase: (l) => phases.push(l) },
  );
}
const phases: string[] = [];

async function bothPaths(name: string, options: Record<string, unknown>, source = out) {
  const plan = await connectorJobPlan(
    {
      source,
      keyspace: 'gen',
      // ALL cannot be met: a replica of time_slices' one partition has no SSTable of it (the contract suite's
      // setting); the legacy path reads every replica regardless
      consistency: 'quorum',
      replicationFactor: 3,
      now: GEN.now,
      connector: { name: 'timeseries', options },
      target: { table: `lake.${name}_new`, mode: 'overwrite' },
    },
    { machine: MACHINE },
  );
  const t0 = Date.now();
  const fresh = await connectorJobRun(plan, { catalog: opened.catalog, workers: 2 });
  const newMs = Date.now() - t0;
  phases.length = 0;
  const legacy = await legacyRun(name, options, source);
  console.log(
    `timeseries ${name}: new path ${newMs} ms, legacy path ${legacy.elapsedMs} ms ` +
      `(${legacy.cellsStaged} cells of ${legacy.sstables} SSTables staged), ${legacy.rowsWritten} rows`,
  );
  const a = await tableRead(opened.catalog, tableIdentifierParse(`lake.${name}_new`));
  const b = await tableRead(opened.catalog, tableIdentifierParse(`lake.${name}_legacy`));
  const snapshots = (await opened.catalog.loadTable(tableIdentifierParse(`lake.${name}_legacy`))).metadata
    .snapshots;
  return { plan, fresh, legacy, a, b, snapshots };
}

/** The data files of a table of the warehouse. */
const parquetOf = (table: string): string[] =>
  (readdirSync(join(work, 'wh'), { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.parquet') && f.includes(table),
  );

/** The snapshot folders of one table on every node of a local backup (those holding SSTables). */
function tableDirs(backup: string, table: string): string[] {
  const dirs: string[] = [];
  for (const dc of readdirSync(backup).filter((d) => d.startsWith('dc')))
    for (const node of readdirSync(join(backup, dc)))
      for (const t of readdirSync(join(backup, dc, node, 'gen')).filter((x) => x.startsWith(`${table}-`))) {
        const dir = join(backup, dc, node, 'gen', t, 'snapshots', GEN.tag);
        if (readdirSync(dir).some((f) => f.endsWith('-Data.db'))) dirs.push(dir);
      }
  return dirs;
}

/**
 * Rewrites every node's SSTables of `table` in place (same names): each row whose event id `pick`s gets
 * `event_item_value` = `<label>-<event id>/<item>` uncompressed, written 1 µs after its value was.
 */
async function valuesOverride(
  backup: string,
  table: string,
  label: string,
  pick: (eventId: string) => boolean,
): Promise<number> {
  let changed = 0;
  for (const dir of tableDirs(backup, table)) {
    const folder = await tableFolderOpen(localDirectory(dir));
    const m = folder.model;
    const valueCol = m.columns.findIndex((c) => c.name === 'event_item_value');
    const metaCol = m.columns.findIndex((c) => c.name === 'value_metadata');
    const tmp = `${dir}.rewrite`;
    try {
      for (const t of folder.sstables) {
        const w = await SSTableWriter.create(await localSinkDirectory(tmp), m, {
          version: 'nb',
          generation: t.descriptor.generation,
          compression: GEN.compression,
          partitioner: t.partitioner,
          stats: t.statistics.header.stats,
          columns: [...t.layout.staticColumns, ...t.layout.regularColumns].map((c) => c.id),
        });
        const sc = t.scan();
        for (let p = await sc.nextPartition(); p; p = await sc.nextPartition()) {
          w.begin(p.key, p.deletion, p.staticRow);
          for (let u = await sc.nextUnfiltered(); u; u = await sc.nextUnfiltered()) {
            if (u.kind === MARKER) {
              w.add(u);
              continue;
            }
            const eventId = Buffer.from(u.clustering[1]!).toString('utf8');
            const item = Buffer.from(u.clustering[2]!).toString('utf8');
            const v = u.cells.find((c) => c.column === valueCol && (c.flags & CELL_DELETED) === 0);
            if (v === undefined || !pick(eventId)) {
              w.add(u);
              continue;
            }
            const bytes = new TextEncoder().encode(`${label}-${eventId}/${item}`);
            const meta = new TextEncoder().encode(
              JSON.stringify({ compression: 'none', size: bytes.length }),
            );
            const cells = u.cells
              .filter((c) => c.column !== valueCol && c.column !== metaCol)
              .concat([
                { ...v, timestamp: v.timestamp + 1, value: bytes },
                { ...v, column: metaCol, timestamp: v.timestamp + 1, value: meta },
              ])
              .sort((a, b) => a.column - b.column);
            w.add({ ...u, cells } as Row);
            changed++;
          }
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

describe('legacy path, timeseries connector', () => {
  it('two of three slices, the hot one with its split table: same rows and schema, = the oracle', async () => {
    const from = iso(day0 + 12 * H);
    const to = iso(day0 + 48 * H);
    const { plan, fresh, legacy, a, b, snapshots } = await bothPaths('ts', { from, to });
    const declared = arrowSchemaFromIceberg(plan.target.schema);
    expect(fields(b.schema)).toEqual(fields(declared));
    expect(fields(b.schema)).toEqual(fields(a.schema));
    expect(canon(b.rows)).toEqual(canon(a.rows));
    const expected = timeseriesExpected(out, from, to);
    expect(expected.length).toBeGreaterThan(100);
    expect(timeseriesActual(b.rows)).toEqual(expected);
    expect(timeseriesActual(a.rows)).toEqual(expected);
    // every event item once: the split table's copies did not come out twice
    const hot = hotSlice();
    const copies = oracleRows(join(out, 'oracle', `gen.wide_${hot}_1.jsonl`)).length;
    expect(copies).toBeGreaterThan(100);
    expect(b.rows.length).toBe(expected.length);
    // a value cell deleted under a live row: no value and no write time, on both paths
    for (const r of b.rows) expect(r.write_time === null).toBe(r.event_item_value === null);
    expect([legacy.rowsWritten, legacy.issues]).toEqual([fresh.rowsWritten, fresh.issues]);
    expect(legacy.issues).toEqual({});
    // the slices staged: the first two with the hot day's split table, never the third day
    const [s0, s1, s2] = slices().map((s) => s.slice_table as string);
    const staged = phases.filter((l) => /loading every cell of/.test(l)).map((l) => l.split('gen.')[1]);
    expect(staged).toEqual([
      'time_slices into the DuckDB staging table',
      `${s0} into the DuckDB staging table`,
      `${s1} into the DuckDB staging table`,
      `wide_${s1}_1 into the DuckDB staging table`,
    ]);
    expect(staged.join()).not.toContain(s2);
    // one snapshot, recorded as the timeseries connector's, with the staged cells as rows read
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.summary['datamove.connector']).toBe('timeseries');
    expect(snapshots[0]!.summary['datamove.rows.read']).toBe(String(legacy.cellsStaged));
  }, 180_000);

  it('a window inside the hot day: only that slice and its split, rows outside the window dropped', async () => {
    const from = iso(day0 + 24 * H + 5 * H);
    const to = iso(day0 + 24 * H + 17 * H);
    const { a, b } = await bothPaths('ts_part', { from, to, batchRows: 100 });
    const expected = timeseriesExpected(out, from, to);
    expect(expected.length).toBeGreaterThan(0);
    expect(timeseriesActual(b.rows)).toEqual(expected);
    expect(canon(b.rows)).toEqual(canon(a.rows));
    const ms = (v: unknown) => v as number;
    for (const r of b.rows) {
      expect(ms(r.event_time)).toBeGreaterThanOrEqual(Date.parse(from));
      expect(ms(r.event_time)).toBeLessThan(Date.parse(to));
    }
    const staged = phases.filter((l) => /loading every cell of/.test(l)).map((l) => l.split(' ')[5]);
    expect(staged).toEqual(['gen.time_slices', `gen.${hotSlice()}`, `gen.wide_${hotSlice()}_1`]);
  }, 180_000);

  it('a copy and its original that differ: the newer write wins per cell on both paths, each item once', async () => {
    const hot = hotSlice();
    const hash = (id: string) => createHash('sha1').update(id).digest()[0]! % 4;
    // a quarter of the events rewritten later in the split table, another quarter in the slice itself
    const inWide = await valuesOverride(edited, `wide_${hot}_1`, 'wide', (id) => hash(id) === 0);
    const inSlice = await valuesOverride(edited, hot, 'slice', (id) => hash(id) === 1);
    expect(inWide).toBeGreaterThan(10);
    expect(inSlice).toBeGreaterThan(10);
    const from = iso(day0 + 24 * H);
    const to = iso(day0 + 48 * H);
    const { fresh, legacy, a, b } = await bothPaths('ts_edit', { from, to }, edited);
    expect(canon(b.rows)).toEqual(canon(a.rows));
    expect([legacy.rowsWritten, legacy.issues]).toEqual([fresh.rowsWritten, fresh.issues]);
    // each item once: as many rows as the unedited backup has in the window
    expect(b.rows.length).toBe(timeseriesExpected(out, from, to).length);
    const text = (r: Json) =>
      r.event_item_value === null ? '' : Buffer.from(r.event_item_value as Uint8Array).toString('latin1');
    const wide = b.rows.filter((r) => text(r).startsWith('wide-'));
    const slice = b.rows.filter((r) => text(r).startsWith('slice-'));
    expect(wide.length).toBeGreaterThan(10);
    expect(slice.length).toBeGreaterThan(10);
    for (const r of wide) expect(hash(r.event_id as string)).toBe(0);
    for (const r of slice) expect(hash(r.event_id as string)).toBe(1);
    // the hot series' events of hash 0 all carry the split table's newer value
    const hotRows = b.rows.filter((r) => r.time_series_id === 'series-0' && hash(r.event_id as string) === 0);
    expect(hotRows.length).toBeGreaterThan(10);
    expect(hotRows.every((r) => r.event_item_value === null || text(r).startsWith('wide-'))).toBe(true);
    expect(hotRows.filter((r) => text(r).startsWith('wide-')).length).toBeGreaterThan(10);
  }, 180_000);

  it('cancelled while staging its second slice (the first one written): rejects, commits and leaves nothing', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    let writtenBefore = 0;
    const hot = hotSlice();
    const error = await legacyJobRun(
      {
        source: out,
        keyspace: 'gen',
        connector: 'timeseries',
        connectorOptions: { from: iso(day0), to: iso(day0 + 48 * H), batchRows: 50 },
        target: { table: tableIdentifierParse('lake.ts_cancel'), mode: 'overwrite' },
        runId: 'legacy-ts-cancel',
        now: GEN.now,
        // small files: the first slice's rows are on disk before the abort
        writer: { targetFileSizeBytes: 1024 },
      },
      {
        catalog: opened.catalog,
        signal: ac.signal,
        onPhase: (l) => {
          seen.push(l);
          if (l.includes(`loading every cell of gen.${hot} `)) {
            writtenBefore = parquetOf('ts_cancel').length;
            ac.abort(new Error('test: stop'));
          }
        },
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error)?.message).toBe('legacy: run cancelled: test: stop');
    expect(isCancelled(error)).toBe(true);
    // the first slice was staged and its rows written to data files before the abort
    expect(writtenBefore).toBeGreaterThan(0);
    expect(seen.some((l) => l.includes(`wide_${hot}_1`))).toBe(false);
    const id = tableIdentifierParse('lake.ts_cancel');
    if (await opened.catalog.tableExists(id))
      expect((await opened.catalog.loadTable(id)).metadata.snapshots).toHaveLength(0);
    expect(parquetOf('ts_cancel')).toEqual([]);
  }, 60_000);

  it('a namespace or a window no slice matches: both paths fail, nothing committed', async () => {
    await expect(legacyRun('ts_none', { from: iso(day0 - 48 * H), to: iso(day0) })).rejects.toThrow(
      /time_slices lists no slice table overlapping \[/,
    );
    await expect(
      legacyRun('ts_ns', { from: iso(day0), to: iso(day0 + 72 * H), namespace: 'other' }),
    ).rejects.toThrow(/lists no slice table overlapping .* in namespace other$/);
    await expect(
      connectorJobPlan(
        {
          source: out,
          keyspace: 'gen',
          now: GEN.now,
          connector: { name: 'timeseries', options: { from: iso(day0 - 48 * H), to: iso(day0) } },
          target: { table: 'lake.ts_none_new' },
        },
        { machine: MACHINE },
      ),
    ).rejects.toThrow(/declared no main source/);
    await expect(legacyRun('ts_bad', { from: 'yesterday', to: iso(day0) })).rejects.toThrow(
      /job\.connector\.options\.from: must be an ISO-8601 time/,
    );
    const tables = (await opened.catalog.listTables(['lake'])).map((t) => t.name);
    expect(tables.filter((t) => /^ts_(none|ns|bad)/.test(t))).toEqual([]);
  }, 60_000);
});
