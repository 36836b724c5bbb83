/**
 * `datamove restore --from-iceberg <ns.table>[@snapshot-id|@time] --schema schema.cql --to sstables`: an
 * Iceberg snapshot written by the raw connector with `metadataColumns: true` back into `nb` SSTables. Each
 * non-null simple column value becomes a cell with the write time of `<col>__writetime` and the TTL of
 * `<col>__ttl` (its local expiration time = write time in seconds + TTL, as Cassandra sets it for a write
 * without a client timestamp). What the snapshot does not hold is documented, not guessed: a row whose
 * regular columns are all null existed by its row marker, which is rebuilt with the snapshot's as-of (else
 * reference) time; rows with values get no marker. The CQL types come from the table's schema.cql (an
 * Iceberg schema cannot tell text from ascii or timestamp from a timeuuid); the Iceberg schema must carry
 * every key and column of it plus both metadata columns of every simple column, else a one-line error.
 * Multi-cell collections and UDTs (no write time per element) and the rarer native types are refused.
 *
 * Rows must reach the writer in token order while Iceberg files are in no such order: rows are encoded once
 * and spilled to temporary files by token bucket (each about `spillRows` rows), then each bucket is sorted
 * in memory and written — memory is bounded by one bucket, not the table.
 */
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { LiveRow } from '../../compactor/index.js';
import { DatamoveError } from '../../core/index.js';
import type { OpenedCatalog } from '../../iceberg-writer/index.js';
import {
  type SnapshotSelector,
  tableFilesAt,
  tableIdentifierParse,
  tableIdentifierString,
} from '../../iceberg-writer/index.js';
import type { CqlType, JsonValue } from '../../reader/index.js';
import {
  CELL_EXPIRING,
  type Cell,
  compositeJoin,
  cqlCompare,
  murmur3Token,
  NO_DELETION_TIME,
  NO_TTL,
  parseSchemaCql,
  type Row,
  type TableModel,
  tableModelFromSchema,
} from '../../reader/index.js';
import { cqlValueFromJson } from '../../sstable-writer/index.js';
import { SSTableSetWriter, type WrittenSet } from './sstable-set-writer.js';
import { topologyLoad } from './tokenmap.js';

export interface RestoreFromIcebergOptions {
  /** `namespace.table`, optionally `@<snapshot id>` or `@<ISO time>`. */
  readonly table: string;
  /** The table's schema.cql (from the backup the table was moved from). */
  readonly schema: string;
  readonly out: string;
  readonly topology?: string;
  readonly catalog: OpenedCatalog;
  /** Rows per spill bucket (default 200 000). */
  readonly spillRows?: number;
  readonly tempDir?: string;
}

export interface RestoreFromIcebergSummary {
  readonly table: string;
  readonly snapshotId: string;
  readonly out: string;
  readonly sets: readonly WrittenSet[];
  readonly partitions: number;
  readonly rows: number;
}

const SUPPORTED = new Set([
  'text',
  'ascii',
  'int',
  'smallint',
  'tinyint',
  'bigint',
  'float',
  'double',
  'boolean',
  'blob',
  'timestamp',
  'date',
  'uuid',
  'timeuuid',
]);

function fail(message: string, context: Record<string, string> = {}): DatamoveError {
  return new DatamoveError('InvalidArgument', `restore: ${message}`, { context });
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

function uuidText(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An Arrow value (as the raw connector wrote it) → the JSON value conventions of cql-encode. */
function jsonOf(t: CqlType, v: unknown, micros: bigint | undefined): JsonValue {
  const name = t.kind === 'reversed' ? (t.inner as { name: string }).name : (t as { name: string }).name;
  switch (name) {
    case 'bigint':
      return String(v);
    case 'blob':
      return `0x${hex(v as Uint8Array)}`;
    case 'timestamp':
      return Number((micros ?? BigInt(Math.round(Number(v) * 1000))) / 1000n);
    case 'date':
      return new Date(Number(v)).toISOString().slice(0, 10);
    case 'uuid':
    case 'timeuuid':
      return typeof v === 'string' ? v : uuidText(v as Uint8Array);
    default:
      return v as JsonValue;
  }
}

/** The raw int64 at row `i` of a column (timestamps read exactly, not through a float). */
function int64At(vec: arrow.Vector, i: number): bigint {
  const d = vec.data[0]!;
  return (d.values as BigInt64Array)[d.offset + i]!;
}

/** One encoded row of the spill files. */
interface Encoded {
  /** token, key hex, clustering hex (null: a static-only row), cells [column, value hex, write µs, ttl], marker µs. */
  readonly t: string;
  readonly k: string;
  readonly c: string[] | null;
  readonly v: [number, string, number, number][];
  readonly m: number | null;
}

export async function restoreFromIceberg(o: RestoreFromIcebergOptions): Promise<RestoreFromIcebergSummary> {
  const at = o.table.indexOf('@');
  const id = tableIdentifierParse(at < 0 ? o.table : o.table.slice(0, at));
  const name = tableIdentifierString(id);
  const selText = at < 0 ? undefined : o.table.slice(at + 1);
  const sel: SnapshotSelector | undefined =
    selText === undefined ? undefined : /^-?\d+$/.test(selText) ? { snapshotId: selText } : { asOf: selText };
  if (existsSync(o.out) && (!statSync(o.out).isDirectory() || readdirSync(o.out).length > 0))
    throw fail(`--out ${o.out} exists and is not an empty folder`, { out: o.out });
  const topology = o.topology === undefined ? undefined : topologyLoad(o.topology);
  let schemaText: string;
  try {
    schemaText = readFileSync(o.schema, 'utf8');
  } catch (e) {
    throw fail(`${o.schema}: cannot read the schema (${(e as Error).message})`, { file: o.schema });
  }
  const parsed = parseSchemaCql(schemaText);
  const ts =
    parsed.tables.find((t) => t.name === id.name) ??
    (parsed.tables.length === 1 ? parsed.tables[0] : undefined);
  if (ts === undefined)
    throw fail(
      `${o.schema} defines no table ${id.name} (it defines ${parsed.tables.map((t) => t.name).join(', ') || 'none'})`,
    );
  const model = tableModelFromSchema(ts);
  const catalog = o.catalog.catalog;
  const loaded = await catalog.loadTable(id);
  const schema = loaded.metadata.schemas.find((s) => s['schema-id'] === loaded.metadata['current-schema-id']);
  const fields = new Set((schema?.fields ?? []).map((f) => f.name));
  const columns = model.columns.filter((c) => !c.hidden);
  for (const k of [...model.partitionKey, ...model.clustering])
    if (!fields.has(k.name))
      throw fail(`${name} has no column ${k.name} (a key of ${ts.keyspace}.${ts.name} in ${o.schema})`);
  for (const c of columns) {
    const base = c.type.kind === 'reversed' ? c.type.inner : c.type;
    if (c.complex || base.kind !== 'native' || !SUPPORTED.has(base.name))
      throw new DatamoveError(
        'FeatureUnsupported',
        `restore: ${name}: column ${c.name} (${base.kind === 'native' ? base.name : base.kind}) cannot be rebuilt from Iceberg (supported: simple columns of ${[...SUPPORTED].join(', ')})`,
        { context: { column: c.name } },
      );
    if (!fields.has(c.name)) throw fail(`${name} has no column ${c.name} (in ${o.schema})`);
    const missing = [`${c.name}__writetime`, `${c.name}__ttl`].filter((f) => !fields.has(f));
    if (missing.length > 0)
      throw fail(
        `${name} has no metadata column ${missing.join(' or ')}: write times and TTLs are needed to rebuild cells (move the table with the raw connector and metadataColumns: true)`,
        { column: c.name },
      );
  }
  for (const k of [...model.partitionKey, ...model.clustering]) {
    const base = k.type.kind === 'reversed' ? k.type.inner : k.type;
    if (base.kind !== 'native' || !SUPPORTED.has(base.name))
      throw new DatamoveError(
        'FeatureUnsupported',
        `restore: ${name}: key column ${k.name} type cannot be rebuilt from Iceberg`,
        {
          context: { column: k.name },
        },
      );
  }
  const { snapshot, files } = await tableFilesAt(catalog, id, sel);
  const markerIso =
    snapshot.summary['datamove.as-of'] ?? snapshot.summary['datamove.reference-now'] ?? snapshot.timestamp;
  const markerMicros = Date.parse(markerIso) * 1000;
  const total = files.reduce((n, f) => n + f.recordCount, 0);
  const buckets = Math.max(1, Math.ceil(total / (o.spillRows ?? 200_000)));
  const spill = mkdtempSync(join(o.tempDir ?? tmpdir(), 'datamove-from-iceberg-'));
  const root = o.out;
  try {
    // 1. encode and spill by token bucket
    const streams = Array.from({ length: buckets }, (_, b) => createWriteStream(join(spill, `b${b}.jsonl`)));
    const write = async (b: number, line: string): Promise<void> => {
      if (!streams[b]!.write(line)) await new Promise<void>((r) => streams[b]!.once('drain', () => r()));
    };
    const span = 2n ** 64n;
    for (const f of files) {
      const table = arrow.tableFromIPC(pw.readParquet(await catalog.io.read(f.filePath)).intoIPCStream());
      for (const batch of table.batches) {
        const col = (n: string) => batch.getChild(n)!;
        const keyCols = model.partitionKey.map((k) => col(k.name));
        const ckCols = model.clustering.map((k) => col(k.name));
        const cellCols = columns.map((c) => ({
          c,
          v: col(c.name),
          w: col(`${c.name}__writetime`),
          t: col(`${c.name}__ttl`),
        }));
        for (let i = 0; i < batch.numRows; i++) {
          const parts = model.partitionKey.map((k, j) =>
            cqlValueFromJson(k.type, jsonOf(k.type, keyCols[j]!.get(i), undefined)),
          );
          const key = parts.length === 1 ? parts[0]! : compositeJoin(parts);
          const staticOnly = ckCols.length > 0 && !ckCols[0]!.isValid(i);
          const clustering = staticOnly
            ? null
            : model.clustering.map((k, j) =>
                hex(
                  cqlValueFromJson(
                    k.type,
                    jsonOf(
                      k.type,
                      ckCols[j]!.get(i),
                      k.type.kind === 'native' && k.type.name === 'timestamp'
                        ? int64At(ckCols[j]!, i)
                        : undefined,
                    ),
                  ),
                ),
              );
          const cells: [number, string, number, number][] = [];
          let regular = false;
          for (const { c, v, w, t } of cellCols) {
            if (!v.isValid(i)) continue;
            const base = c.type;
            const raw = base.kind === 'native' && base.name === 'timestamp' ? int64At(v, i) : undefined;
            const value = cqlValueFromJson(c.type, jsonOf(c.type, v.get(i), raw));
            const ttl = t.isValid(i) ? Number(t.get(i)) : NO_TTL;
            cells.push([c.id, hex(value), Number(int64At(w, i)), ttl]);
            if (c.kind === 'regular') regular = true;
          }
          const token = murmur3Token(key).toBigInt();
          const bucket = Number(((token + 2n ** 63n) * BigInt(buckets)) / span);
          const e: Encoded = {
            t: token.toString(),
            k: hex(key),
            c: clustering,
            v: cells,
            m: regular || staticOnly ? null : markerMicros,
          };
          await write(bucket, `${JSON.stringify(e)}\n`);
        }
      }
    }
    await Promise.all(
      streams.map((s) => new Promise<void>((r, j) => s.end((e?: Error | null) => (e ? j(e) : r())))),
    );
    // 2. each bucket in token, key and clustering order, into the writers
    const tableId = ts.id?.replace(/-/g, '') ?? '00000000000000000000000000000000';
    const writer = new SSTableSetWriter(root, model, `${ts.name}-${tableId}`, schemaText, topology);
    const ckTypes = model.clustering.map((k) => k.type);
    const compare = (a: Encoded, b: Encoded): number => {
      const ta = BigInt(a.t);
      const tb = BigInt(b.t);
      if (ta !== tb) return ta < tb ? -1 : 1;
      if (a.k !== b.k) return a.k < b.k ? -1 : 1;
      if (a.c === null || b.c === null) return a.c === b.c ? 0 : a.c === null ? -1 : 1;
      for (let j = 0; j < ckTypes.length; j++) {
        const c = cqlCompare(ckTypes[j]!, unhex(a.c[j]!), unhex(b.c[j]!));
        if (c !== 0) return c;
      }
      return 0;
    };
    let sets: WrittenSet[];
    try {
      for (let b = 0; b < buckets; b++) {
        const rows = readFileSync(join(spill, `b${b}.jsonl`), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as Encoded)
          .sort(compare);
        for (const e of rows) await writer.add(liveRowOf(e, model));
      }
      sets = await writer.finish();
    } catch (e) {
      await writer.abort();
      rmSync(root, { recursive: true, force: true });
      throw e;
    }
    writeFileSync(
      join(root, 'restore.json'),
      `${JSON.stringify({ from: name, snapshotId: snapshot.snapshotId, markerTime: new Date(markerMicros / 1000).toISOString(), sets }, null, 2)}\n`,
    );
    return {
      table: name,
      snapshotId: snapshot.snapshotId,
      out: o.out,
      sets,
      partitions: sets.reduce((n, s) => n + s.partitions, 0),
      rows: sets.reduce((n, s) => n + s.rows, 0),
    };
  } finally {
    rmSync(spill, { recursive: true, force: true });
  }
}

function liveRowOf(e: Encoded, model: TableModel): LiveRow {
  const values = new Array<Cell | undefined>(model.columns.length);
  for (const [column, value, ts, ttl] of e.v)
    values[column] =
      ttl === NO_TTL
        ? {
            column,
            flags: 0,
            timestamp: ts,
            localDeletionTime: NO_DELETION_TIME,
            ttl: NO_TTL,
            path: null,
            value: unhex(value),
          }
        : {
            column,
            flags: CELL_EXPIRING,
            timestamp: ts,
            localDeletionTime: Math.floor(ts / 1e6) + ttl,
            ttl,
            path: null,
            value: unhex(value),
          };
  const marker =
    e.m === null
      ? undefined
      : ({ timestamp: e.m, ttl: NO_TTL, localExpirationTime: NO_DELETION_TIME } as unknown as Row);
  return { key: unhex(e.k), clustering: e.c === null ? null : e.c.map(unhex), values, marker };
}
