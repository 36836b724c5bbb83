/**
 * One contract suite over every catalog member: SQLite, the REST client (against the test server, with
 * OAuth2; and against a real REST server in DATAMOVE_TEST_REST_URI), and PostgreSQL — a real server:
 * DATAMOVE_TEST_PG (a connection string) or a throwaway cluster started from the installed Debian packages
 * (infra/testing/postgres-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NARROW_SCHEMA,
  postgresAvailable,
  postgresServerStart,
  type RestServer,
  restCatalogServerStart,
} from '../../infra/index.js';
import type { Catalog } from '../catalog/catalog.js';
import { catalogOpen } from '../catalog/catalog-open.js';
import { restCatalogOpen } from '../catalog/rest/rest-catalog.js';
import { sqlCatalogOpen } from '../catalog/sql/sql-catalog.js';
import { icebergCommit } from '../commit/table-commit.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { metadataSnapshot } from '../metadata/table-metadata.js';
import {
  tableClean,
  tableExpireSnapshots,
  tableFilesAt,
  tableHistory,
  tableRollback,
  tableSnapshots,
} from '../table/table-ops.js';
import { filesWrite, tempDir } from './helpers.js';

interface Member {
  readonly name: string;
  open(dir: string): Promise<{ catalog: Catalog; server?: RestServer; close(): Promise<void> }>;
}

const MEMBERS: Member[] = [
  {
    name: 'sql (sqlite)',
    async open(dir) {
      const catalog = await sqlCatalogOpen(
        { uri: `sqlite:${dir}/catalog.db`, warehouse: `${dir}/wh` },
        new LocalFileIO(),
      );
      return { catalog, close: () => catalog.close() };
    },
  },
  {
    name: 'rest (oauth2, namespace-separator %2E)',
    async open(dir) {
      const io = new LocalFileIO();
      // the namespace separator Apache Iceberg's own server advertises (it refuses %1F in paths)
      const server = await restCatalogServerStart({
        io,
        warehouse: `${dir}/wh`,
        clientId: 'dm',
        clientSecret: 's3cret',
        namespaceSeparator: '%2E',
      });
      const catalog = await restCatalogOpen(
        { uri: server.url, credential: 'dm:s3cret', warehouse: 'wh' },
        io,
      );
      return {
        catalog,
        server,
        close: async () => {
          await catalog.close();
          await server.close();
        },
      };
    },
  },
];
// a real REST catalog server (interop/iceberg/rest-contract.test.ts runs this suite against Apache
// Iceberg's own server): its base URI in DATAMOVE_TEST_REST_URI; it places tables in its own warehouse
const restUri = process.env.DATAMOVE_TEST_REST_URI;
if (restUri) {
  MEMBERS.push({
    name: 'rest (external server)',
    async open() {
      const catalog = await restCatalogOpen({ uri: restUri }, new LocalFileIO());
      return { catalog, close: () => catalog.close() };
    },
  });
}
// PostgreSQL: the server in DATAMOVE_TEST_PG, else a throwaway cluster when the Debian packages are
// installed (.ci/run installs them and requires every optional tool, so CI never skips this member)
const pgUrl = process.env.DATAMOVE_TEST_PG;
if (
  postgresAvailable(
    'the PostgreSQL member of the catalog contract suite (iceberg-writer/test/catalog-contract.test.ts)',
  )
) {
  MEMBERS.push({
    name: 'sql (postgresql)',
    async open(dir) {
      const server = pgUrl ? undefined : await postgresServerStart();
      // through catalogOpen, the way the CLI and jobs open a postgresql:// catalog
      const opened = await catalogOpen({
        catalog: pgUrl ?? server!.url,
        warehouse: `${dir}/wh`,
        name: `t${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      });
      return {
        catalog: opened.catalog,
        close: async () => {
          await opened.close();
          await server?.stop();
        },
      };
    },
  });
}

for (const member of MEMBERS) {
  describe(`catalog contract: ${member.name}`, () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let h: Awaited<ReturnType<Member['open']>>;
    const id = { namespace: ['db', 'sub'], name: 'events' };
    beforeAll(async () => {
      dir = await tempDir();
      h = await member.open(dir.path);
    });
    afterAll(async () => {
      await h.close();
      await dir.cleanup();
    });

    it('namespaces and tables', async () => {
      const { catalog } = h;
      await catalog.createNamespace(['db', 'sub']);
      await catalog.createNamespace(['db', 'sub']); // idempotent
      expect(await catalog.namespaceExists(['db', 'sub'])).toBe(true);
      expect(await catalog.namespaceExists(['nope'])).toBe(false);
      const t = await catalog.createTable(id, { schema: NARROW_SCHEMA });
      expect(t.metadata['format-version']).toBe(2);
      expect(t.metadata['current-snapshot-id']).toBe(-1n);
      await expect(catalog.createTable(id, { schema: NARROW_SCHEMA })).rejects.toMatchObject({
        kind: 'CommitConflict',
      });
      expect((await catalog.listTables(['db', 'sub'])).map((x) => x.name)).toEqual(['events']);
      await expect(catalog.loadTable({ namespace: ['db', 'sub'], name: 'missing' })).rejects.toMatchObject({
        kind: 'NotFound',
      });
    });

    it('a stale requirement is a retryable CommitConflict', async () => {
      const { catalog } = h;
      const t = await catalog.loadTable(id);
      await expect(
        catalog.commitTable(
          id,
          [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
          [{ action: 'set-properties', updates: { a: 'b' } }],
        ),
      ).rejects.toMatchObject({ kind: 'CommitConflict', retryable: true });
      const r = await catalog.commitTable(
        id,
        [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }],
        [{ action: 'set-properties', updates: { a: 'b' } }],
      );
      expect(r.metadata.properties.a).toBe('b');
      expect(r.metadata['metadata-log'].at(-1)?.['metadata-file']).toBe(t.metadataLocation);
    });

    it('concurrent commits all land (optimistic retries), idempotent per run id', async () => {
      const { catalog } = h;
      const files = await Promise.all(
        Array.from({ length: 6 }, (_, i) => filesWrite(catalog, id, i * 100, 100)),
      );
      const results = await Promise.all(
        files.map((f, i) =>
          icebergCommit(
            catalog,
            id,
            f,
            { mode: 'append', runId: `run-${i}`, maxAttempts: 50 },
            { sleep: async () => {} }, // the other commits' I/O is what moves the table on
          ),
        ),
      );
      expect(new Set(results.map((r) => r.snapshotId)).size).toBe(6);
      const again = await icebergCommit(catalog, id, files[0]!, { mode: 'append', runId: 'run-0' });
      expect(again.alreadyCommitted).toBe(true);
      const plan = await tableFilesAt(catalog, id);
      expect(plan.files.reduce((a, f) => a + f.recordCount, 0)).toBe(600);
      expect(await tableSnapshots(catalog, id)).toHaveLength(6);
    });

    it('history, time travel, rollback, expire and clean', async () => {
      const { catalog } = h;
      const before = await catalog.loadTable(id);
      const cur = metadataSnapshot(before.metadata)!;
      const f = await filesWrite(catalog, id, 10_000, 50);
      await icebergCommit(catalog, id, f, { mode: 'overwrite', runId: 'ow-1' });
      expect((await tableFilesAt(catalog, id)).files.reduce((a, x) => a + x.recordCount, 0)).toBe(50);
      const old = await tableFilesAt(catalog, id, { snapshotId: cur['snapshot-id'] });
      expect(old.files.reduce((a, x) => a + x.recordCount, 0)).toBe(600);
      const hist = await tableHistory(catalog, id);
      expect(hist).toHaveLength(7);
      const rb = await tableRollback(catalog, id, { snapshotId: cur['snapshot-id'] });
      expect(rb.to).toBe(String(cur['snapshot-id']));
      expect((await tableFilesAt(catalog, id)).files.reduce((a, x) => a + x.recordCount, 0)).toBe(600);
      // orphan: a file no snapshot references
      const orphan = `${before.metadata.location}/data/orphan.parquet`;
      await catalog.io.write(orphan, new Uint8Array(4));
      const cleaned = await tableClean(catalog, id, { olderThanMs: 0, now: Date.now() + 1000 });
      expect(cleaned.deleted).toContain(orphan);
      expect((await tableFilesAt(catalog, id)).files.reduce((a, x) => a + x.recordCount, 0)).toBe(600);
      // expiry by the snapshots' own times: everything older than the newest, but main's and the newest
      const snaps = await tableSnapshots(catalog, id);
      const newest = snaps.at(-1)!;
      const exp = await tableExpireSnapshots(catalog, id, {
        olderThanMs: 0,
        now: Date.parse(newest.timestamp) + 1,
        retainLast: 1,
      });
      const kept = [String(cur['snapshot-id']), newest.snapshotId];
      expect(exp.expired.sort()).toEqual(
        snaps
          .map((s) => s.snapshotId)
          .filter((s) => !kept.includes(s))
          .sort(),
      );
      expect(exp.expired).toHaveLength(5);
      expect((await tableFilesAt(catalog, id)).files.reduce((a, x) => a + x.recordCount, 0)).toBe(600);
    });
  });
}

describe('rest: commit state unknown', () => {
  it('500 after the server committed resolves through the run id; 500 before is reported', async () => {
    const dir = await tempDir();
    const io = new LocalFileIO();
    const server = await restCatalogServerStart({ io, warehouse: `${dir.path}/wh`, staticToken: 'tok' });
    const catalog = await restCatalogOpen({ uri: server.url, token: 'tok' }, io);
    const id = { namespace: ['n'], name: 't' };
    await catalog.createTable(id, { schema: NARROW_SCHEMA });
    server.faults.push({ when: 'after', status: 500 });
    const r = await icebergCommit(catalog, id, await filesWrite(catalog, id, 0, 10), {
      mode: 'append',
      runId: 'a',
    });
    expect(r.alreadyCommitted).toBe(false);
    server.faults.push({ when: 'before', status: 502 });
    await expect(
      icebergCommit(catalog, id, await filesWrite(catalog, id, 10, 10), { mode: 'append', runId: 'b' }),
    ).rejects.toMatchObject({ kind: 'CommitStateUnknown' });
    expect(server.commits).toBe(1);
    await expect(tableClean(catalog, id, { olderThanMs: 0 })).rejects.toMatchObject({
      kind: 'CommitStateUnknown',
    });
    // re-running run b commits it and unblocks clean
    await icebergCommit(catalog, id, await filesWrite(catalog, id, 10, 10), { mode: 'append', runId: 'b' });
    await tableClean(catalog, id, { olderThanMs: 0, now: Date.now() + 1000 });
    expect((await tableFilesAt(catalog, id)).files.reduce((a, x) => a + x.recordCount, 0)).toBe(20);
    await server.close();
    await dir.cleanup();
  });
});
