/**
 * `datamove generate`: a whole cluster backup with known contents. For each table of the preset, partitions
 * are produced in token order; each goes to the replicas that own it (one node misses some writes, as a node
 * that was down would), split over several SSTables per node by write time (so SSTables overlap and later
 * ones overwrite earlier ones), and one node keeps data for ranges it no longer owns (left over before
 * `nodetool cleanup`). The oracle — the table at the reference time with consistency ALL — is written next
 * to the backup from the write history alone.
 *
 * Memory stays bounded: keys and tokens of all partitions (to sort them), plus one row at a time.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '../../reader/index.js';
import { LIVE, Murmur3Token, murmur3Partitioner, murmur3Token, type Row } from '../../reader/index.js';
import {
  type SSTableWriter,
  SSTableWriter as Writer,
  type WriterCompression,
} from '../../sstable-writer/index.js';
import type { ResolvedS3Options } from '../../storage/index.js';
import { isS3Uri, localSinkDirectory } from '../../storage/index.js';
import { backupLayoutWrite, type LayoutName } from '../s3/backup-layout-write.js';
import { backupSinkFor } from '../s3/backup-sink.js';
import { type Cluster, clusterCreate } from './cluster.js';
import { clusteringBytes, deletionAt, partitionKeyBytes, rangeMarker, rowFromOps } from './emit.js';
import type { GenContext, RowOp, TableGen } from './model.js';
import { oracleRows } from './oracle.js';
import { type PresetName, presetTables } from './presets.js';
import { hash32 } from './prng.js';

export interface GenerateOptions {
  readonly out: string;
  readonly preset: PresetName;
  readonly nodes: number;
  readonly dcs: number;
  readonly replicationFactor: number;
  readonly numTokens: number;
  readonly seed: number;
  /** Approximate uncompressed Data.db bytes of the whole backup (all nodes, all tables). */
  readonly bytes: number;
  readonly wideBytes: number;
  /** The timeseries preset's one huge partition (default none). */
  readonly hotPartitionBytes?: number;
  readonly partitions?: number;
  /** SSTables per node (flush windows). */
  readonly flushes: number;
  readonly version: 'nb' | 'mc';
  readonly compression: WriterCompression;
  /** Reference time in seconds. */
  readonly now: number;
  readonly keyspace: string;
  /** Snapshot tag. */
  readonly tag: string;
  /** Write each node's own expected rows too (for tests). */
  readonly nodeExpectations: boolean;
  /** Fraction of writes one node misses. */
  readonly missRate: number;
  /** Backup layout to write (default snapshot). */
  readonly layout?: LayoutName;
  /** S3 settings when `out` is an s3:// URI. */
  readonly s3?: ResolvedS3Options;
  readonly onProgress?: (done: number, total: number, table: string) => void;
}

export interface GeneratedTable {
  readonly keyspace: string;
  readonly table: string;
  readonly tableDir: string;
  readonly partitions: number;
  readonly oracleRows: number;
  readonly oracleFile: string;
  /** Rows only the stale node holds, for ranges it no longer owns (never part of the table). */
  readonly staleRows: number;
}

export interface GenerateResult {
  readonly cluster: Cluster;
  readonly tables: readonly GeneratedTable[];
  /** Uncompressed Data.db bytes written, all nodes. */
  readonly dataBytes: number;
  /** The node that missed writes and the node holding stale ranges. */
  readonly missNode: string;
  readonly staleNode: string;
  readonly context: GenContext;
}

export async function generate(o: GenerateOptions): Promise<GenerateResult> {
  const cluster = clusterCreate({
    nodes: o.nodes,
    dcs: o.dcs,
    replicationFactor: o.replicationFactor,
    numTokens: o.numTokens,
    seed: o.seed,
  });
  const ctx: GenContext = {
    seed: o.seed,
    now: o.now,
    t0: (o.now - 30 * 86400) * 1e6,
    t1: (o.now - 3600) * 1e6,
  };
  const missNode = cluster.nodes.length > 1 ? 1 : -1;
  const staleNode = cluster.nodes.length > 2 ? 2 : -1;
  const layout = o.layout ?? 'snapshot';
  // SSTables are written straight into a local snapshot layout; any other layout or an S3 target is
  // written from a staging copy through the layout writer
  const direct = layout === 'snapshot' && !isS3Uri(o.out);
  const staging = direct ? o.out : mkdtempSync(join(tmpdir(), 'datamove-generate-'));
  try {
    // RF 3 writes each row about 3 times; overlapping flushes add a little (measured: 2.4x at RF 3)
    const replicas = Math.min(o.replicationFactor, Math.ceil(o.nodes / o.dcs)) * o.dcs;
    const tables = presetTables(o.preset, ctx, {
      keyspace: o.keyspace,
      bytes: o.bytes / (replicas * 0.8),
      wideBytes: o.wideBytes,
      ...(o.hotPartitionBytes === undefined ? {} : { hotPartitionBytes: o.hotPartitionBytes }),
      ...(o.partitions === undefined ? {} : { partitions: o.partitions }),
    });
    const generated: GeneratedTable[] = [];
    let dataBytes = 0;
    for (const gen of tables) {
      const r = await generateTable({ ...o, out: staging }, cluster, ctx, gen, missNode, staleNode);
      generated.push(r.table);
      dataBytes += r.dataBytes;
    }
    if (!direct) await publish(o, layout, staging, cluster, generated);
    return {
      cluster,
      tables: direct
        ? generated
        : generated.map((t) => ({
            ...t,
            oracleFile: `${o.out.replace(/\/$/, '')}/oracle/${t.keyspace}.${t.table}.jsonl`,
          })),
      dataBytes,
      missNode: missNode >= 0 ? cluster.nodes[missNode]!.name : '',
      staleNode: staleNode >= 0 ? cluster.nodes[staleNode]!.name : '',
      context: ctx,
    };
  } finally {
    if (!direct) rmSync(staging, { recursive: true, force: true });
  }
}

/** Copies the staged backup into `o.out` in the chosen layout, with the oracle files beside it. */
async function publish(
  o: GenerateOptions,
  layout: LayoutName,
  staging: string,
  cluster: Cluster,
  tables: readonly GeneratedTable[],
): Promise<void> {
  const sink = backupSinkFor(o.out, o.s3);
  const ring = cluster.nodes.map((n) => ({
    node: n.name,
    dc: n.dc,
    rack: n.rack,
    tokens: n.tokens.map(String),
  }));
  const layoutTables = tables.map((t) => ({
    keyspace: t.keyspace,
    table: t.table,
    tableId: t.tableDir.slice(t.table.length + 1),
    schema: readFileSync(
      join(
        staging,
        cluster.nodes[0]!.dc,
        cluster.nodes[0]!.name,
        t.keyspace,
        t.tableDir,
        'snapshots',
        o.tag,
        'schema.cql',
      ),
      'utf8',
    ),
  }));
  await backupLayoutWrite(sink, layout, {
    ring,
    tables: layoutTables,
    backup: { id: o.tag, time: o.now * 1000 },
    files(node, table) {
      const n = cluster.nodes.find((x) => x.name === node)!;
      const t = tables.find((x) => x.table === table.table)!;
      const dir = join(staging, n.dc, n.name, t.keyspace, t.tableDir, 'snapshots', o.tag);
      return readdirSync(dir)
        .filter((f) => f !== 'manifest.json' && f !== 'schema.cql')
        .sort()
        .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
    },
  });
  const oracleDir = join(staging, 'oracle');
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else pending.push([`oracle/${rel}${e.name}`, join(dir, e.name)]);
    }
  };
  const pending: [string, string][] = [];
  walk(oracleDir, '');
  for (const [key, path] of pending) await sink.put(key, new Uint8Array(readFileSync(path)));
}

/** A deterministic table id (a UUID) from the seed and the table name. */
export function tableId(seed: number, keyspace: string, table: string): string {
  const name = `${keyspace}.${table}`;
  const codes = Array.from(name, (c) => c.charCodeAt(0));
  const h = [0, 1, 2, 3]
    .map((i) =>
      hash32(seed, 0x7ab1e, i, ...codes)
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-1${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function generateTable(
  o: GenerateOptions,
  cluster: Cluster,
  ctx: GenContext,
  gen: TableGen,
  missNode: number,
  staleNode: number,
): Promise<{ table: GeneratedTable; dataBytes: number }> {
  const { model } = gen;
  const id = tableId(o.seed, model.keyspace, model.name);
  const tableDir = `${model.name}-${id.replace(/-/g, '')}`;

  // every partition's key and token, sorted by token
  const n = gen.partitions;
  const keys: Uint8Array[] = new Array(n);
  const his = new Int32Array(n);
  const los = new Uint32Array(n);
  const tok = new Murmur3Token();
  for (let p = 0; p < n; p++) {
    keys[p] = partitionKeyBytes(model, gen.partitionKey(p));
    murmur3Token(keys[p]!, tok);
    his[p] = tok.hi;
    los[p] = tok.lo;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => his[a]! - his[b]! || los[a]! - los[b]! || compareBytes(keys[a]!, keys[b]!),
  );

  // one SSTable per node and flush window, in the snapshot layout
  const statements = gen.cql.trim().replace(/;$/, '');
  const last = statements.slice(statements.lastIndexOf('CREATE TABLE'));
  const schemaCql = `${statements} ${/\)\s*WITH\s/i.test(last) ? 'AND' : 'WITH'} ID = ${id};\n`;
  const writers: SSTableWriter[][] = [];
  for (const node of cluster.nodes) {
    const dir = join(o.out, node.dc, node.name, model.keyspace, tableDir, 'snapshots', o.tag);
    const sink = await localSinkDirectory(dir);
    const perFlush: SSTableWriter[] = [];
    for (let f = 0; f < o.flushes; f++) {
      perFlush.push(
        await Writer.create(sink, model, {
          version: o.version,
          generation: f + 1,
          compression: o.compression,
          partitioner: murmur3Partitioner,
          stats: { minTimestamp: ctx.t0, minLocalDeletionTime: Math.floor(ctx.t0 / 1e6), minTTL: 0 },
          hostId: node.hostId,
        }),
      );
    }
    writers.push(perFlush);
  }
  const windowOf = (ts: number): number =>
    Math.min(o.flushes - 1, Math.max(0, Math.floor(((ts - ctx.t0) / (ctx.t1 - ctx.t0)) * o.flushes)));
  const missed = (node: number, p: number, j: number, k: number, replicas: readonly number[]): boolean =>
    node === missNode && replicas.length > 1 && hash32(o.seed, 0x5ee, p, j, k) / 4294967296 < o.missRate;

  mkdirSync(join(o.out, 'oracle'), { recursive: true });
  const oracleFile = join(o.out, 'oracle', `${model.keyspace}.${model.name}.jsonl`);
  const oracle = new JsonLines(oracleFile);
  const nodeOracles = o.nodeExpectations
    ? cluster.nodes.map((node) => {
        mkdirSync(join(o.out, 'oracle', 'nodes', node.name), { recursive: true });
        return new JsonLines(
          join(o.out, 'oracle', 'nodes', node.name, `${model.keyspace}.${model.name}.jsonl`),
        );
      })
    : [];
  let oracleCount = 0;
  let staleRows = 0;

  for (let i = 0; i < n; i++) {
    const p = order[i]!;
    const key = keys[p]!;
    const token = (BigInt(his[p]!) << 32n) + BigInt(los[p]!);
    const replicas = cluster.replicasOf(token);
    const holders = [...replicas];
    // stale ownership: a node outside the replica set still holds an old, since-deleted row
    const stale = staleNode >= 0 && !replicas.includes(staleNode) && hash32(o.seed, 0x57a1e, p) % 8 === 0;
    if (stale) holders.push(staleNode);
    const history = gen.partitionHistory(p);
    const rows = gen.rowCount(p);

    // writers of this partition are started on first use, with the window's partition deletion and static row
    const started = new Set<SSTableWriter>();
    const writerFor = (node: number, f: number): SSTableWriter => {
      const w = writers[node]![f]!;
      if (!started.has(w)) {
        const copy = stale && node === staleNode;
        const partDel =
          !copy && history.deletion !== undefined && windowOf(history.deletion) === f
            ? deletionAt(history.deletion)
            : LIVE;
        const staticOps = copy
          ? []
          : history.staticOps.filter((op, k) => windowOf(op.ts) === f && !missed(node, p, -1, k, replicas));
        w.begin(key, partDel, staticOps.length > 0 ? rowFromOps(model, [], staticOps, true) : null);
        started.add(w);
      }
      return w;
    };
    if (history.deletion !== undefined)
      for (const node of replicas) writerFor(node, windowOf(history.deletion));
    history.staticOps.forEach((op, k) => {
      for (const node of replicas) if (!missed(node, p, -1, k, replicas)) writerFor(node, windowOf(op.ts));
    });
    for (let j = 0; j <= rows; j++) {
      for (const start of [false, true]) {
        for (const r of history.ranges) {
          if ((start ? r.from : r.to) !== j) continue;
          const marker = rangeMarker(start, clusteringBytes(model, gen.clustering(p, j)), r.ts);
          for (const node of replicas) writerFor(node, windowOf(r.ts)).add(marker);
        }
      }
      if (j === rows) break;
      const ops = gen.rowOps(p, j);
      const clustering = clusteringBytes(model, gen.clustering(p, j));
      for (let f = 0; f < o.flushes; f++) {
        const inWindow: number[] = [];
        ops.forEach((op, k) => {
          if (windowOf(op.ts) === f) inWindow.push(k);
        });
        if (inWindow.length === 0) continue;
        const full = rowFromOps(
          model,
          clustering,
          inWindow.map((k) => ops[k]!),
        );
        for (const node of replicas) {
          const kept = inWindow.filter((k) => !missed(node, p, j, k, replicas));
          const row =
            kept.length === inWindow.length
              ? full
              : rowFromOps(
                  model,
                  clustering,
                  kept.map((k) => ops[k]!),
                );
          if (row !== null) writerFor(node, f).add(row);
        }
      }
      if ((j & 1023) === 1023) for (const w of started) await w.flush();
    }
    if (stale) {
      staleRows++;
      // a row the owners deleted long ago and have since purged: it must never come back
      writerFor(staleNode, 0).add(
        rowFromOps(
          model,
          clusteringBytes(model, gen.clustering(p, rows + 7)),
          ghostOps(gen, p, rows + 7, ctx),
        ) as Row,
      );
    }
    for (const w of started) await w.end();

    for (const r of oracleRows(gen, p, o.now)) {
      await oracle.write(r);
      oracleCount++;
    }
    for (const node of holders) {
      if (!o.nodeExpectations) break;
      const isStaleCopy = stale && node === staleNode;
      const nodeOps = (j: number): readonly RowOp[] =>
        isStaleCopy
          ? j === rows + 7
            ? ghostOps(gen, p, j, ctx)
            : []
          : gen.rowOps(p, j).filter((_, k) => !missed(node, p, j, k, replicas));
      const nodeGen: TableGen = isStaleCopy
        ? { ...gen, rowCount: () => rows + 8, partitionHistory: () => ({ ranges: [], staticOps: [] }) }
        : {
            ...gen,
            partitionHistory: () => ({
              ...history,
              staticOps: history.staticOps.filter((_, k) => !missed(node, p, -1, k, replicas)),
            }),
          };
      for (const r of oracleRows(nodeGen, p, o.now, nodeOps)) await nodeOracles[node]!.write(r);
    }
    o.onProgress?.(i + 1, n, model.name);
  }

  let dataBytes = 0;
  for (const [ni, perFlush] of writers.entries()) {
    const node = cluster.nodes[ni]!;
    const files: string[] = [];
    for (const w of perFlush) {
      // Cassandra never flushes an empty SSTable
      if (w.partitionCount === 0) {
        await w.abort();
        continue;
      }
      const written = await w.finish();
      dataBytes += written.dataLength;
      files.push(...written.files.map((f) => f.name));
    }
    const dir = join(o.out, node.dc, node.name, model.keyspace, tableDir, 'snapshots', o.tag);
    const sink = await localSinkDirectory(dir);
    await sink.writeAll('schema.cql', new TextEncoder().encode(schemaCql));
    await sink.writeAll(
      'manifest.json',
      new TextEncoder().encode(
        `${JSON.stringify({ files, created_at: new Date(o.now * 1000).toISOString(), expires_at: null }, null, 2)}\n`,
      ),
    );
    const tokenmap: Record<string, JsonValue> = {};
    for (const nn of cluster.nodes)
      tokenmap[nn.name] = { tokens: nn.tokens.map(String), is_up: true, rack: nn.rack, dc: nn.dc };
    const tm = await localSinkDirectory(join(o.out, node.dc, node.name, 'tokenmap'));
    await tm.writeAll(`${o.tag}.json`, new TextEncoder().encode(`${JSON.stringify(tokenmap)}\n`));
  }
  await oracle.close();
  for (const x of nodeOracles) await x.close();
  return {
    table: {
      keyspace: model.keyspace,
      table: model.name,
      tableDir,
      partitions: n,
      oracleRows: oracleCount,
      staleRows,
      oracleFile,
    },
    dataBytes,
  };
}

/** The stale row: written long before the reference window, never deleted on the stale node. */
function ghostOps(gen: TableGen, p: number, j: number, ctx: GenContext): RowOp[] {
  const columns = gen.model.columns.filter((c) => c.kind === 'regular' && !c.hidden && !c.complex);
  const col = columns[0];
  return [
    {
      kind: 'insert',
      ts: ctx.t0 + 2 * ((p % 1000) + j),
      ttl: 0,
      cells: col ? [[col.id, ghostValue(col.type)]] : [],
    },
  ];
}

function ghostValue(t: TableGen['model']['columns'][number]['type']): JsonValue {
  if (t.kind === 'native') {
    if (t.name === 'text' || t.name === 'ascii') return 'ghost';
    if (t.name === 'blob') return '0x0600570d';
    if (['int', 'bigint', 'smallint', 'tinyint', 'varint'].includes(t.name)) return 7;
    if (t.name === 'double' || t.name === 'float') return 7.5;
  }
  return null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** JSON lines to a file, respecting back-pressure. */
class JsonLines {
  private readonly stream;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  async write(v: unknown): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(v)}\n`))
      await new Promise<void>((r) => this.stream.once('drain', r));
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.stream.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
  }
}
