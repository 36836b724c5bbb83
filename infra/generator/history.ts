/**
 * A backup history of one cluster: several daily backups of one table while its schema and its topology
 * change, with the ground truth of every point in time — what `datamove restore --as-of T` must return.
 *
 * Timeline (S = `start`, one day = D): writes run from S to S + (days + 0.5)·D; backup k (k = 1…days) is
 * taken at S + k·D. Between backups 1 and 2 `ALTER TABLE ADD extra int` (no write to `extra` before it);
 * between backups 2 and 3 a fourth node joins with its own tokens (it streams the data of the ranges it
 * takes over; the old owners keep their copies — no `nodetool cleanup` — and miss every later write to
 * those ranges); between backups 3 and 4 `ALTER TABLE DROP legacy` (no write to `legacy` after it; the
 * SSTables still carry the old cells, and schema.cql records the drop as Cassandra does: the column in
 * CREATE TABLE, then `ALTER TABLE … DROP … USING TIMESTAMP`). A snapshot holds a little more than its
 * recorded time (`lagSeconds`: the flush ends after the backup started), so a restore at the backup's
 * time must drop those writes by timestamp.
 *
 * Each backup is written from scratch per node (every write the node holds up to the snapshot, cut into
 * `flushes` SSTables by write time, plus one of the writes after the recorded time) in any backup layout, through the layout writer the generator uses.
 * Oracles: `oracle/<backup id>/<ks>.<table>.jsonl` per backup (the table at the backup's time), and
 * `historyOracleRows` for any T — both from the write history alone (oracle.ts), never from our reader.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue, TableModel } from '../../reader/index.js';
import { LIVE, Murmur3Token, murmur3Partitioner, murmur3Token } from '../../reader/index.js';
import { SSTableWriter } from '../../sstable-writer/index.js';
import type { ResolvedS3Options } from '../../storage/index.js';
import { isS3Uri, localSinkDirectory } from '../../storage/index.js';
import { backupLayoutWrite, type LayoutName } from '../s3/backup-layout-write.js';
import { backupSinkFor } from '../s3/backup-sink.js';
import { clusterCreate, replicaPlacement } from './cluster.js';
import { clusteringBytes, deletionAt, partitionKeyBytes, rangeMarker, rowFromOps } from './emit.js';
import type { GenContext, RowOp, TableGen } from './model.js';
import { oracleRows } from './oracle.js';
import { type Shape, shapeTable } from './presets.js';

const DAY = 86400;

export interface HistoryOptions {
  /** A folder or an s3:// URI. */
  readonly out: string;
  readonly layout?: LayoutName;
  readonly keyspace?: string;
  /** Partitions of the table (default 200). */
  readonly partitions?: number;
  readonly seed?: number;
  /** Seconds since the epoch: the first write; backup k is taken k days later. */
  readonly start: number;
  /** Backups, one a day (default 4, at least 4: the changes fall between backups 1–2, 2–3 and 3–4). */
  readonly days?: number;
  readonly replicationFactor?: number;
  readonly numTokens?: number;
  /** SSTables per node and backup (default 2). */
  readonly flushes?: number;
  /** Writes after a backup's recorded time that its snapshot still holds (default 600 s). */
  readonly lagSeconds?: number;
  readonly s3?: ResolvedS3Options;
}

export interface HistoryBackup {
  readonly id: string;
  /** Recorded backup time, seconds. */
  readonly time: number;
  /** Nodes of the ring at the backup. */
  readonly nodes: readonly string[];
  /** Columns of the table at the backup (regular columns, schema order). */
  readonly columns: readonly string[];
  readonly schemaCql: string;
  /** `oracle/<id>/<ks>.<table>.jsonl` under `out`. */
  readonly oracleFile: string;
  readonly oracleRows: number;
}

export interface HistoryResult {
  readonly keyspace: string;
  readonly table: string;
  readonly backups: readonly HistoryBackup[];
  /** Seconds: ALTER TABLE ADD extra, node join, ALTER TABLE DROP legacy. */
  readonly events: {
    readonly columnAdded: number;
    readonly nodeJoined: number;
    readonly columnDropped: number;
  };
  /** The node that joins between backups 2 and 3. */
  readonly joinedNode: string;
  readonly lagSeconds: number;
  readonly gen: TableGen;
}

/** The evolving table: `legacy` exists from the start and is dropped; `extra` is added later. */
function historyShape(keyspace: string): Shape {
  return {
    cql: `CREATE TABLE ${keyspace}.events (id bigint, ck int, name text, amount int, score double, legacy text, extra int, PRIMARY KEY (id, ck)) WITH CLUSTERING ORDER BY (ck ASC);`,
    table: 'events',
    rowBytes: 80,
    churn: 1,
    rows: (rng) => 1 + rng.int(8),
    key: (p) => [p * 7919 + 13],
    clustering: (_p, j) => [j * 10],
    // column ids: name 0, amount 1, score 2, legacy 3, extra 4
    values: (rng) => [
      [0, rng.word(6 + rng.int(10))],
      [1, rng.int(1_000_000) - 500_000],
      [2, Math.round(rng.next() * 1e6) / 100],
      [3, rng.word(5)],
      [4, rng.int(1000)],
    ],
    update: (rng) => {
      const c = rng.pick([1, 3, 4]);
      return [[c, c === 3 ? rng.word(5) : rng.int(1_000_000)]];
    },
  };
}

const LEGACY = 3;
const EXTRA = 4;

/** The table's schema.cql at `time`: keyspace, table (columns of that time), and the drop if it happened. */
function schemaAt(
  keyspace: string,
  rf: number,
  tableId: string,
  time: number,
  ev: HistoryResult['events'],
): { cql: string; columns: string[] } {
  const columns = ['name', 'amount', 'score', 'legacy', ...(time >= ev.columnAdded ? ['extra'] : [])];
  const types: Record<string, string> = {
    name: 'text',
    amount: 'int',
    score: 'double',
    legacy: 'text',
    extra: 'int',
  };
  const dropped = time >= ev.columnDropped;
  const cql =
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '${rf}'} AND durable_writes = true;\n` +
    `CREATE TABLE ${keyspace}.events (\n    id bigint,\n    ck int,\n${columns.map((c) => `    ${c} ${types[c]},\n`).join('')}    PRIMARY KEY (id, ck)\n) WITH ID = ${tableId}\n    AND CLUSTERING ORDER BY (ck ASC);\n` +
    (dropped
      ? `ALTER TABLE ${keyspace}.events DROP legacy USING TIMESTAMP ${ev.columnDropped * 1e6};\n`
      : '');
  return { cql, columns: columns.filter((c) => !(dropped && c === 'legacy')) };
}

/** The history's table generator: writes to `extra` only after it is added, to `legacy` only before the drop. */
function historyGen(
  keyspace: string,
  ctx: GenContext,
  partitions: number,
  ev: HistoryResult['events'],
): TableGen {
  const base = shapeTable(historyShape(keyspace), ctx, { keyspace, bytes: 0, wideBytes: 0, partitions }, 4);
  const allowed = (column: number, ts: number): boolean =>
    column === EXTRA ? ts > ev.columnAdded * 1e6 : column === LEGACY ? ts < ev.columnDropped * 1e6 : true;
  return {
    ...base,
    rowOps(p, j) {
      const out: RowOp[] = [];
      for (const op of base.rowOps(p, j)) {
        if (op.kind === 'delete-row') out.push(op);
        else if (op.kind === 'delete-cell') {
          if (allowed(op.column, op.ts)) out.push(op);
        } else {
          const cells = op.cells.filter(([c]) => allowed(c, op.ts));
          if (op.kind === 'insert' || cells.length > 0) out.push({ ...op, cells });
        }
      }
      return out;
    },
  };
}

/** The write history up to `cutoffMicros` (inclusive), seen through the columns of one schema. */
function genAsOf(gen: TableGen, cutoffMicros: number, visible: ReadonlySet<string>): TableGen {
  const model: TableModel = {
    ...gen.model,
    columns: gen.model.columns.map((c) => ({ ...c, hidden: c.hidden || !visible.has(c.name) })),
  };
  return {
    ...gen,
    model,
    rowOps: (p, j) => gen.rowOps(p, j).filter((op) => op.ts <= cutoffMicros),
    partitionHistory(p) {
      const h = gen.partitionHistory(p);
      return {
        ...(h.deletion !== undefined && h.deletion <= cutoffMicros ? { deletion: h.deletion } : {}),
        ranges: h.ranges.filter((r) => r.ts <= cutoffMicros),
        staticOps: h.staticOps.filter((op) => op.ts <= cutoffMicros),
      };
    },
  };
}

/**
 * The rows a restore as of `asOf` (ms) must return: the latest backup at or before it, what that snapshot
 * holds up to `asOf`, through that backup's schema, TTLs judged at `asOf`. Undefined before the first backup.
 */
export function historyOracleRows(h: HistoryResult, asOfMs: number): Record<string, JsonValue>[] | undefined {
  const b = [...h.backups].reverse().find((x) => x.time * 1000 <= asOfMs);
  if (b === undefined) return undefined;
  const cutoff = Math.min(asOfMs * 1000, (b.time + h.lagSeconds) * 1e6);
  const g = genAsOf(h.gen, cutoff, new Set(b.columns));
  const out: Record<string, JsonValue>[] = [];
  const now = Math.floor(asOfMs / 1000);
  for (let p = 0; p < g.partitions; p++) for (const r of oracleRows(g, p, now)) out.push(r);
  return out;
}

export async function generateHistory(o: HistoryOptions): Promise<HistoryResult> {
  const keyspace = o.keyspace ?? 'hist';
  const days = Math.max(4, o.days ?? 4);
  const rf = o.replicationFactor ?? 2;
  const flushes = o.flushes ?? 2;
  const lag = o.lagSeconds ?? 600;
  const seed = o.seed ?? 7;
  const S = o.start;
  const events = {
    columnAdded: S + Math.round(1.5 * DAY),
    nodeJoined: S + Math.round(2.5 * DAY),
    columnDropped: S + Math.round(3.5 * DAY),
  };
  // TTLs run out around S + 2.5 days: some between backups, some never
  const ctx: GenContext = {
    seed,
    now: S + Math.round(2.5 * DAY),
    t0: S * 1e6,
    t1: (S + (days + 0.5) * DAY) * 1e6,
  };
  const gen = historyGen(keyspace, ctx, o.partitions ?? 200, events);
  const model = gen.model;
  const cluster = clusterCreate({
    nodes: 4,
    dcs: 1,
    replicationFactor: rf,
    numTokens: o.numTokens ?? 4,
    seed,
  });
  const before = replicaPlacement(cluster.nodes.slice(0, 3), rf).replicasOf;
  const after = replicaPlacement(cluster.nodes, rf).replicasOf;
  const tableId = '7e57ab1e0000400080001157a11e0000';
  const tableUuid = `${tableId.slice(0, 8)}-${tableId.slice(8, 12)}-${tableId.slice(12, 16)}-${tableId.slice(16, 20)}-${tableId.slice(20)}`;

  // partitions in token order
  const n = gen.partitions;
  const keys = Array.from({ length: n }, (_, p) => partitionKeyBytes(model, gen.partitionKey(p)));
  const tok = new Murmur3Token();
  const tokens = keys.map((k) => {
    murmur3Token(k, tok);
    return tok.toBigInt();
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    tokens[a]! < tokens[b]! ? -1 : tokens[a]! > tokens[b]! ? 1 : 0,
  );

  const sink = backupSinkFor(o.out, o.s3);
  const staging = mkdtempSync(join(tmpdir(), 'datamove-history-'));
  const backups: HistoryBackup[] = [];
  try {
    for (let k = 1; k <= days; k++) {
      const time = S + k * DAY;
      const id = `day${k}`;
      const cutoff = (time + lag) * 1e6;
      const joined = time >= events.nodeJoined;
      const members = joined ? cluster.nodes : cluster.nodes.slice(0, 3);
      const schema = schemaAt(keyspace, rf, tableUuid, time, events);
      /** Whether node `ni` holds a write made at `ts`, as of this backup. */
      const holds = (ni: number, p: number, ts: number): boolean => {
        if (ts > cutoff) return false;
        if (ts >= events.nodeJoined * 1e6) return after(tokens[p]!).includes(ni);
        return before(tokens[p]!).includes(ni) || (joined && after(tokens[p]!).includes(ni));
      };
      // flush windows up to the recorded time, then one more flush of the writes after it (the lag): a
      // memtable keeps only the newest version of a cell, so a flush that mixed both sides of the recorded
      // time could not be cut back to it by timestamp
      const windowOf = (ts: number): number =>
        ts > time * 1e6
          ? flushes
          : Math.min(flushes - 1, Math.max(0, Math.floor(((ts - ctx.t0) / (time * 1e6 - ctx.t0)) * flushes)));
      const headerColumns = [0, 1, 2, LEGACY, ...(time >= events.columnAdded ? [EXTRA] : [])];
      for (const node of members) {
        const dir = await localSinkDirectory(join(staging, id, node.name));
        const writers: SSTableWriter[] = [];
        for (let f = 0; f <= flushes; f++)
          writers.push(
            await SSTableWriter.create(dir, model, {
              version: 'nb',
              generation: k * 10 + f + 1,
              compression: 'lz4',
              partitioner: murmur3Partitioner,
              columns: headerColumns,
              stats: { minTimestamp: ctx.t0, minLocalDeletionTime: S, minTTL: 0 },
              hostId: node.hostId,
            }),
          );
        for (const p of order) {
          const ni = node.index;
          const h = gen.partitionHistory(p);
          const started = new Set<number>();
          const writerFor = (f: number): SSTableWriter => {
            const w = writers[f]!;
            if (!started.has(f)) {
              const del =
                h.deletion !== undefined && holds(ni, p, h.deletion) && windowOf(h.deletion) === f
                  ? deletionAt(h.deletion)
                  : LIVE;
              const statics = h.staticOps.filter((op) => holds(ni, p, op.ts) && windowOf(op.ts) === f);
              w.begin(keys[p]!, del, statics.length > 0 ? rowFromOps(model, [], statics, true) : null);
              started.add(f);
            }
            return w;
          };
          if (h.deletion !== undefined && holds(ni, p, h.deletion)) writerFor(windowOf(h.deletion));
          for (const op of h.staticOps) if (holds(ni, p, op.ts)) writerFor(windowOf(op.ts));
          const rows = gen.rowCount(p);
          for (let j = 0; j <= rows; j++) {
            for (const start of [false, true])
              for (const r of h.ranges) {
                if ((start ? r.from : r.to) !== j || !holds(ni, p, r.ts)) continue;
                writerFor(windowOf(r.ts)).add(
                  rangeMarker(start, clusteringBytes(model, gen.clustering(p, j)), r.ts),
                );
              }
            if (j === rows) break;
            const ops = gen.rowOps(p, j).filter((op) => holds(ni, p, op.ts));
            const clustering = clusteringBytes(model, gen.clustering(p, j));
            for (let f = 0; f <= flushes; f++) {
              const row = rowFromOps(
                model,
                clustering,
                ops.filter((op) => windowOf(op.ts) === f),
              );
              if (row !== null) writerFor(f).add(row);
            }
          }
          for (const f of [...started].sort()) await writers[f]!.end();
        }
        for (const w of writers) {
          if (w.partitionCount === 0) await w.abort();
          else await w.finish();
        }
      }
      await backupLayoutWrite(sink, o.layout ?? 'snapshot', {
        ring: members.map((m) => ({ node: m.name, dc: m.dc, rack: m.rack, tokens: m.tokens.map(String) })),
        tables: [{ keyspace, table: 'events', tableId, schema: schema.cql }],
        backup: { id, time: time * 1000 },
        files(node) {
          const d = join(staging, id, node);
          return readdirSync(d)
            .sort()
            .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(d, f))) }));
        },
      });
      // the oracle: the table at the backup's time
      const lines: string[] = [];
      const rows = historyOracleRows(
        {
          keyspace,
          table: 'events',
          backups: [
            ...backups,
            { id, time, nodes: [], columns: schema.columns, schemaCql: '', oracleFile: '', oracleRows: 0 },
          ],
          events,
          joinedNode: cluster.nodes[3]!.name,
          lagSeconds: lag,
          gen,
        },
        time * 1000,
      )!;
      for (const r of rows) lines.push(JSON.stringify(r));
      const oracleKey = `oracle/${id}/${keyspace}.events.jsonl`;
      await sink.put(oracleKey, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      backups.push({
        id,
        time,
        nodes: members.map((m) => m.name),
        columns: schema.columns,
        schemaCql: schema.cql,
        oracleFile: `${o.out.replace(/\/$/, '')}/${oracleKey}`,
        oracleRows: rows.length,
      });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const result: HistoryResult = {
    keyspace,
    table: 'events',
    backups,
    events,
    joinedNode: cluster.nodes[3]!.name,
    lagSeconds: lag,
    gen,
  };
  if (!isS3Uri(o.out)) {
    mkdirSync(join(o.out, 'oracle'), { recursive: true });
    writeFileSync(
      join(o.out, 'oracle', 'history.json'),
      `${JSON.stringify({ keyspace, table: 'events', events, joinedNode: result.joinedNode, lagSeconds: lag, backups }, null, 2)}\n`,
    );
  }
  return result;
}
