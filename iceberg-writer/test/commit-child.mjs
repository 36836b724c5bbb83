/**
 * A committing process for the multi-process tests (commit-concurrency.test.ts, commit-kill.test.ts):
 * writes each run's rows as a Parquet data file and commits it, printing one JSON line per event. It runs
 * the built code (dist/, public entry points only), as a job would, so `npx tsc -p tsconfig.build.json`
 * must have run. Plain JavaScript because tests spawn it with `node` directly (test files are not built).
 *
 * argv[2] is a JSON job:
 *   { catalog: <catalogOpen options>, table: "ns.t", mode?: "append", maxAttempts?: 10,
 *     runs: [{ runId, start, rows }], crashAt?: <point>, waitForGo?: true }
 * With `waitForGo`, it prints {"event":"ready"} once the catalog is open and waits for a line on stdin.
 * With `crashAt`, the catalog is opened by hand (SQLite only) around a FileIO and a SQL driver that stop at
 * that point of the first commit: the process prints {"event":"crash-point"} and waits to be killed.
 *   before-swap       the manifest list is written; the catalog has not been asked to swap
 *   metadata-written  the next metadata.json is written; the compare-and-set UPDATE has not run
 *   swap-applied      the UPDATE changed the pointer; the committer has not seen its result
 *   after-swap        the commit returned; version-hint.text is not written yet
 */
import { isAbsolute, resolve } from 'node:path';

const dist = new URL('../../dist/iceberg-writer/', import.meta.url);
const { DataWriter, LocalFileIO, SqlCatalog, catalogOpen, icebergCommit, tableIdentifierParse } =
  await import(new URL('index.js', dist).href);
const { sqliteDriverOpen } = await import(new URL('catalog/sql/sqlite-driver.js', dist).href);
const { NARROW_SCHEMA, narrowBatch } = await import(new URL('../infra/index.js', dist).href);

const job = JSON.parse(process.argv[2]);
const out = (event) =>
  process.stdout.write(`${JSON.stringify(event, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);

/** Announces the crash point and blocks until the parent's SIGKILL (or gives up after 60 s). */
async function stopHere(point) {
  out({ event: 'crash-point', point });
  await new Promise((r) => setTimeout(r, 60_000));
  process.exit(3);
}

async function openCatalog() {
  if (job.crashAt === undefined) return catalogOpen(job.catalog);
  let armed = true;
  const at = async (point) => {
    if (armed && job.crashAt === point) {
      armed = false;
      await stopHere(point);
    }
  };
  const local = new LocalFileIO();
  const io = {
    read: (u) => local.read(u),
    exists: (u) => local.exists(u),
    list: (u) => local.list(u),
    delete: (u) => local.delete(u),
    async write(u, bytes) {
      if (/\/metadata\/v\d+\.metadata\.json$/.test(u)) await at('after-swap');
      await local.write(u, bytes);
      if (/\/metadata\/snap-[^/]+\.avro$/.test(u)) await at('before-swap');
      if (/\/metadata\/\d{5,}-[0-9a-f-]{36}\.metadata\.json$/.test(u)) await at('metadata-written');
    },
  };
  const file = job.catalog.catalog.replace(/^sqlite:/, '');
  const driver = sqliteDriverOpen(isAbsolute(file) ? file : resolve(file));
  const hooked = {
    dialect: driver.dialect,
    query: (sql, params) => driver.query(sql, params),
    close: () => driver.close(),
    async execute(sql, params) {
      const n = await driver.execute(sql, params);
      if (/^\s*UPDATE iceberg_tables/.test(sql) && n > 0) await at('swap-applied');
      return n;
    },
  };
  const catalog = new SqlCatalog(job.catalog.name ?? 'datamove', job.catalog.warehouse, hooked, io);
  await catalog.initialize();
  return { catalog, close: () => catalog.close() };
}

const opened = await openCatalog();
const { catalog } = opened;
if (job.waitForGo) {
  // a start barrier, so that concurrent children really commit at the same time
  out({ event: 'ready' });
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
}
const id = tableIdentifierParse(job.table);
for (const run of job.runs) {
  const table = await catalog.loadTable(id);
  const writer = new DataWriter({
    io: catalog.io,
    location: table.metadata.location,
    schema: NARROW_SCHEMA,
    spec: table.metadata['partition-specs'][0],
  });
  await writer.write(narrowBatch(run.rows, run.start));
  const files = await writer.close();
  const r = await icebergCommit(catalog, id, files, {
    mode: job.mode ?? 'append',
    runId: run.runId,
    maxAttempts: job.maxAttempts ?? 10,
    baseBackoffMs: 10,
    maxBackoffMs: 200,
  });
  out({
    event: 'committed',
    runId: run.runId,
    snapshotId: r.snapshotId,
    alreadyCommitted: r.alreadyCommitted,
    attempts: r.attempts,
    files: r.alreadyCommitted ? [] : files.map((f) => f.filePath),
  });
}
await opened.close();
