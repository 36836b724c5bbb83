/**
 * A table whose source changes schema between runs (the generator's backup history: `extra` added after
 * backup 1, `legacy` dropped after backup 3), appended to by the raw connector at backups 1, 2 and 4. The
 * table's schema follows the source with stable field ids — a column keeps its id, a new one gets a fresh
 * id, a dropped one's id is never reused — and every data file carries, for each column name, the id the
 * table's schema of its snapshot gives it. Before, every run numbered the columns from 1 again: after the
 * drop, `extra` was written with `legacy`'s id and engines reading by id showed its values as `legacy`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { afterAll, expect, it } from 'vitest';
import { catalogOpen, tableFilesAt } from '../../iceberg-writer/index.js';
import { generateHistory, MACHINE } from '../../infra/index.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-schema-change-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const START = Date.parse('2026-03-01T00:00:00Z') / 1000;

it('raw appends across a column added and a column dropped keep every column under its own field id', async () => {
  const out = join(work, 'history');
  await generateHistory({
    out,
    start: START,
    partitions: 20,
    replicationFactor: 1,
    numTokens: 2,
    flushes: 1,
  });
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  const id = { namespace: ['lake'], name: 'events' };
  try {
    for (const day of [1, 2, 4]) {
      const at = START + day * 86400 + 1800;
      const plan = await connectorJobPlan(
        {
          source: out,
          keyspace: 'hist',
          now: at,
          backupAsOf: new Date(at * 1000).toISOString(),
          consistency: 'one',
          connector: { name: 'raw', options: { table: 'events' } },
          target: { table: 'lake.events', mode: 'append' },
        },
        { machine: MACHINE },
      );
      await connectorJobRun(plan, { catalog: opened.catalog, workers: 1 });
    }
    const { metadata: m } = await opened.catalog.loadTable(id);
    const names = m.schemas.map((s) => s.fields.map((f) => `${f.id}:${f.name}`).join(' '));
    expect(names).toEqual([
      '1:id 2:ck 3:name 4:amount 5:score 6:legacy',
      '1:id 2:ck 3:name 4:amount 5:score 6:legacy 7:extra',
      '1:id 2:ck 3:name 4:amount 5:score 7:extra',
    ]);
    expect(m['last-column-id']).toBe(7);
    for (const snap of m.snapshots) {
      const schema = m.schemas.find((s) => s['schema-id'] === snap['schema-id'])!;
      const idOf = new Map(schema.fields.map((f) => [f.name, f.id]));
      const { files } = await tableFilesAt(opened.catalog, id, { snapshotId: snap['snapshot-id'] });
      for (const f of files) {
        const t = arrow.tableFromIPC(
          pw.readParquet(await opened.catalog.io.read(f.filePath)).intoIPCStream(),
        );
        for (const field of t.schema.fields) {
          const el = { name: field.name, fieldId: Number(field.metadata.get('PARQUET:field_id')) };
          // a file may hold a column its snapshot's schema dropped later, never one under another's id
          const want = m.schemas.flatMap((s) => s.fields).find((x) => x.name === el.name)?.id;
          expect([el.name, el.fieldId]).toEqual([el.name, want]);
          if (idOf.has(el.name)) expect(el.fieldId).toBe(idOf.get(el.name));
        }
      }
    }
  } finally {
    await opened.close();
  }
}, 120_000);
