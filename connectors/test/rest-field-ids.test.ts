/**
 * A new table created through a REST catalog whose server renumbers the columns (the REST spec lets the
 * server assign field ids; Apache Iceberg's server reassigns them): the run writes its data files with the
 * ids of the table the server returned, not its own numbering. Before, the files kept the connector's ids
 * 1…n while the table said otherwise, and engines reading by id found no column.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { afterAll, expect, it } from 'vitest';
import { LocalFileIO, restCatalogOpen, tableFilesAt } from '../../iceberg-writer/index.js';
import { GEN, generate, MACHINE, restCatalogServerStart } from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-rest-ids-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('raw into a REST catalog that renumbers columns: files carry the served ids', async () => {
  const out = join(work, 'narrow');
  await generate({ ...GEN, out, preset: 'narrow', partitions: 8 });
  const io = new LocalFileIO();
  const server = await restCatalogServerStart({ io, warehouse: join(work, 'wh'), idOffset: 100 });
  const catalog = await restCatalogOpen({ uri: server.url }, io);
  try {
    const plan = await connectorJobPlan(
      {
        source: out,
        keyspace: 'gen',
        now: GEN.now,
        consistency: 'all',
        replicationFactor: 3,
        connector: { name: 'raw', options: { table: 'narrow', partitioning: { bucket: 4 } } },
        target: { table: 'lake.narrow' },
      },
      { machine: MACHINE },
    );
    await connectorJobRun(plan, { catalog, workers: 1 });
    const id = { namespace: ['lake'], name: 'narrow' };
    const { metadata } = await catalog.loadTable(id);
    const served = metadata.schemas[0]!.fields.map((f) => `${f.name}:${f.id}`);
    expect(served[0]).toBe('id:101');
    const { files } = await tableFilesAt(catalog, id);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.specId).toBe(metadata['default-spec-id']);
      const t = arrow.tableFromIPC(pw.readParquet(await io.read(f.filePath)).intoIPCStream());
      expect(t.schema.fields.map((x) => `${x.name}:${x.metadata.get('PARQUET:field_id')}`)).toEqual(served);
    }
  } finally {
    await catalog.close();
    await server.close();
  }
}, 60_000);
