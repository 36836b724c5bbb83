/**
 * Test helpers: temporary warehouses, a static HTTP server over a folder (for icebird, which reads by
 * URL), a SQLite catalog holding one empty table, writing a table's data files, reading a table's ids at a snapshot, and catalogs and FileIOs with
 * some calls replaced (fault injection).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { NARROW_SCHEMA, narrowBatch } from '../../infra/index.js';
import type { Catalog, TableIdentifier } from '../catalog/catalog.js';
import { type SqlCatalog, sqlCatalogOpen } from '../catalog/sql/sql-catalog.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import type { DataFile } from '../manifest/data-file.js';
import { type SnapshotSelector, tableFilesAt } from '../table/table-ops.js';
import { DataWriter } from '../write/data-writer.js';

export async function tempDir(
  prefix = 'dm-iceberg-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Serves `root` read-only on 127.0.0.1; returns the base URL (with trailing slash). */
export async function staticServer(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = join(root, (req.url ?? '/').split('?')[0]!);
    try {
      const s = await stat(path);
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Number(range[2]) : s.size - 1;
        res.writeHead(206, {
          'content-length': end - start + 1,
          'content-range': `bytes ${start}-${end}/${s.size}`,
          'accept-ranges': 'bytes',
        });
        createReadStream(path, { start, end }).pipe(res);
      } else if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': s.size, 'accept-ranges': 'bytes' }).end();
      } else {
        res.writeHead(200, { 'content-length': s.size });
        createReadStream(path).pipe(res);
      }
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Reads the `id` column of every live data file of a table at a snapshot (default: the current one) —
 * a read at a snapshot id or time through the table's own FileIO, decoded with parquet-wasm.
 */
export async function tableReadIds(
  catalog: Catalog,
  id: TableIdentifier,
  sel?: SnapshotSelector,
): Promise<number[]> {
  const { files } = await tableFilesAt(catalog, id, sel);
  const out: number[] = [];
  for (const f of files) {
    const table = arrow.tableFromIPC(pw.readParquet(await catalog.io.read(f.filePath)).intoIPCStream());
    expectRecordCount(table.numRows, f.recordCount, f.filePath);
    const col = table.getChild('id')!;
    for (const v of col) out.push(Number(v as bigint));
  }
  return out;
}

function expectRecordCount(actual: number, expected: number, file: string): void {
  if (actual !== expected) throw new Error(`${file}: ${actual} rows, the manifest says ${expected}`);
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly number[]): number[] {
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const i of ids) (seen.has(i) ? dup : seen).add(i);
  return [...dup];
}

/** A SQLite catalog in a new temporary folder holding one empty table `id` of the narrow preset. */
export async function sqliteTableOpen(
  id: TableIdentifier,
  prefix: string,
): Promise<{ catalog: SqlCatalog; close(): Promise<void> }> {
  const dir = await tempDir(prefix);
  const catalog = await sqlCatalogOpen(
    { uri: `sqlite:${dir.path}/catalog.db`, warehouse: `${dir.path}/wh` },
    new LocalFileIO(),
  );
  await catalog.createTable(id, { schema: NARROW_SCHEMA });
  return {
    catalog,
    async close() {
      await catalog.close();
      await dir.cleanup();
    },
  };
}

/** Writes `n` rows of the narrow preset (ids from `start`) into a table's location; the files to commit. */
export async function filesWrite(
  catalog: Catalog,
  id: TableIdentifier,
  start: number,
  n: number,
): Promise<DataFile[]> {
  const t = await catalog.loadTable(id);
  const w = new DataWriter({
    io: catalog.io,
    location: t.metadata.location,
    schema: NARROW_SCHEMA,
    spec: t.metadata['partition-specs'][0]!,
  });
  await w.write(narrowBatch(n, start));
  return w.close();
}

/** `inner` (a catalog, a FileIO) with the members in `over` replaced; the others still reach `inner`. */
export function replaced<T extends object>(inner: T, over: Partial<T>): T {
  return new Proxy(inner, {
    get(target, key) {
      if (key in over) return over[key as keyof T];
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
