/**
 * Every failure the writer lets out is a typed `DatamoveError` with one line that starts with the module:
 * rejected options (naming the field), local file system errors (a missing file is `NotFound`, any other
 * failure is never taken for "missing"), a SQL catalog's database errors, and a REST catalog that does
 * not answer (`Unexpected` for a load, `CommitStateUnknown` for a commit).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { NARROW_SCHEMA, restCatalogServerStart } from '../../infra/index.js';
import { catalogOpen } from '../catalog/catalog-open.js';
import { catalogOpenOptionsResolve } from '../catalog/catalog-open-options.js';
import { restCatalogOpen } from '../catalog/rest/rest-catalog.js';
import { restCatalogOptionsResolve } from '../catalog/rest/rest-catalog-options.js';
import { SqlCatalog } from '../catalog/sql/sql-catalog.js';
import { sqlCatalogOptionsResolve } from '../catalog/sql/sql-catalog-options.js';
import { sqlDriverTyped } from '../catalog/sql/sql-driver.js';
import { sqliteDriverOpen } from '../catalog/sql/sqlite-driver.js';
import { commitOptionsResolve } from '../commit/commit-options.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { s3FileIOOptionsResolve } from '../io/s3/s3-file-io-options.js';
import { dataWriterOptionsResolve } from '../write/data-writer-options.js';
import { replaced, tempDir } from './helpers.js';

function thrown(f: () => unknown): DatamoveError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatamoveError);
    expect((e as Error).message).not.toContain('\n');
    return e as DatamoveError;
  }
  return expect.fail('nothing was thrown');
}

async function rejected(p: Promise<unknown>): Promise<DatamoveError> {
  const e = await p.then(
    () => expect.fail('nothing was thrown'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DatamoveError);
  expect((e as Error).message).not.toContain('\n');
  return e as DatamoveError;
}

describe('options', () => {
  it.each([
    ['commit', () => commitOptionsResolve({ mode: 'merge', runId: 'r' }), /^commit\.mode: /],
    [
      'commit',
      () => commitOptionsResolve({ mode: 'append', runId: 'r', maxAttempts: 0 }),
      /^commit\.maxAttempts: /,
    ],
    [
      'writer',
      () => dataWriterOptionsResolve({ rowGroupRows: -1 }, 'job.writer'),
      /^job\.writer\.rowGroupRows: /,
    ],
    [
      'sql',
      () => sqlCatalogOptionsResolve({ warehouse: '/w', uri: 'mysql://x' }),
      /^catalog\.uri: must start with/,
    ],
    ['rest', () => restCatalogOptionsResolve({ uri: 'not a url' }), /^catalog\.uri: /],
    ['s3', () => s3FileIOOptionsResolve({ partBytes: 1 }), /^s3\.partBytes: /],
    ['open', () => catalogOpenOptionsResolve({ create: 'yes' }), /^catalog\.create: /],
  ])('%s: an InvalidArgument naming the field', (_name, f, message) => {
    const e = thrown(f);
    expect(e.kind).toBe('InvalidArgument');
    expect(e.message).toMatch(message);
    expect(e.context.field).toBe(e.message.slice(0, e.message.indexOf(':')));
  });

  it('an unknown key at the top is named by the options path alone', () => {
    expect(thrown(() => commitOptionsResolve({ mode: 'append', runId: 'r', extra: 1 })).message).toMatch(
      /^commit: Unrecognized key/,
    );
  });
});

describe('LocalFileIO', () => {
  it('a missing file is NotFound; a folder read as a file is an error, not "missing"', async () => {
    const dir = await tempDir();
    const io = new LocalFileIO();
    expect((await rejected(io.read(`${dir.path}/nope`))).kind).toBe('NotFound');
    await mkdir(`${dir.path}/folder`);
    const e = await rejected(io.read(`${dir.path}/folder`));
    expect(e.kind).toBe('Unexpected');
    expect(e.message).toMatch(new RegExp(`^iceberg: read ${dir.path}/folder: EISDIR`));
    expect(e.context).toMatchObject({ code: 'EISDIR', operation: 'read' });
    expect(e.retryable).toBe(false);
    await dir.cleanup();
  });

  it('exists and list answer "no" and "none" only for paths that are not there', async () => {
    const dir = await tempDir();
    const io = new LocalFileIO();
    await writeFile(`${dir.path}/file`, 'x');
    expect(await io.exists(`${dir.path}/file`)).toBe(true);
    expect(await io.exists(`${dir.path}/nope`)).toBe(false);
    expect(await io.exists(`${dir.path}/file/under-a-file`)).toBe(false);
    expect(await io.list(`${dir.path}/nope/`)).toEqual([]);
    expect(await io.list(`${dir.path}/file/`)).toEqual([]);
    // a write where a file stands in the way of a folder
    const e = await rejected(io.write(`${dir.path}/file/x.json`, new Uint8Array(1)));
    expect(e.kind).toBe('Unexpected');
    expect(e.message).toMatch(new RegExp(`^iceberg: write ${dir.path}/file/x\\.json: E(NOTDIR|EXIST)`));
    await dir.cleanup();
  });
});

describe('SQL catalog', () => {
  it("the database's errors are typed; a failed commit UPDATE leaves the state unknown", async () => {
    const dir = await tempDir();
    const raw = sqliteDriverOpen(`${dir.path}/catalog.db`);
    const failing = replaced(raw, {
      async execute(sql, params) {
        if (sql.includes('UPDATE iceberg_tables')) throw new Error('SQLITE_IOERR: disk I/O error');
        return raw.execute(sql, params);
      },
    });
    const catalog = new SqlCatalog('c', `${dir.path}/wh`, sqlDriverTyped(failing), new LocalFileIO());
    await catalog.initialize();
    const id = { namespace: ['n'], name: 't' };
    const t = await catalog.createTable(id, { schema: NARROW_SCHEMA });
    const commit = await rejected(
      catalog.commitTable(id, [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }], []),
    );
    expect(commit.kind).toBe('CommitStateUnknown');
    expect(commit.message).toMatch(
      /^iceberg: commit of n\.t to \S+\.metadata\.json: the catalog update failed and may or may not have applied \(SQLITE_IOERR: disk I\/O error\)$/,
    );
    await catalog.close();
    const load = await rejected(catalog.loadTable(id));
    expect(load.kind).toBe('Unexpected');
    expect(load.message).toMatch(/^iceberg: sqlite catalog: The database connection is not open/);
    await dir.cleanup();
  });
});

describe('REST catalog that does not answer', () => {
  it('a load is an Unexpected error naming the catalog; a commit is CommitStateUnknown', async () => {
    const dir = await tempDir();
    const io = new LocalFileIO();
    const server = await restCatalogServerStart({ io, warehouse: `${dir.path}/wh` });
    const catalog = await restCatalogOpen({ uri: server.url }, io);
    const id = { namespace: ['n'], name: 't' };
    const t = await catalog.createTable(id, { schema: NARROW_SCHEMA });
    await server.close();
    const origin = server.url.replace(/\/+$/, '');
    const load = await rejected(catalog.loadTable(id));
    expect(load.kind).toBe('Unexpected');
    expect(load.message).toMatch(/^iceberg: REST GET \/v1\/\S+\/tables\/t: no answer from /);
    expect(load.message).toContain(`no answer from ${origin}: fetch failed (`);
    const commit = await rejected(
      catalog.commitTable(id, [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }], []),
    );
    expect(commit.kind).toBe('CommitStateUnknown');
    expect(commit.message).toMatch(
      /^iceberg: commit of n\.t: request failed \(fetch failed \(.*ECONNREFUSED.*\)\); state unknown$/,
    );
    // opening it: the words of catalogOpen, as before
    const open = await rejected(catalogOpen({ catalog: server.url }));
    expect(open.kind).toBe('InvalidArgument');
    expect(open.message).toMatch(
      new RegExp(`^iceberg: cannot open catalog ${origin}/?: fetch failed \\(.*ECONNREFUSED.*\\)$`),
    );
    await dir.cleanup();
  });
});
