/**
 * Fallback for a `kv` job: an injected new-path failure → the run succeeds on the legacy path (both kv
 * tables staged in DuckDB), the fallback and its cause are recorded, and the table holds the generator's
 * oracle by the kv rules (chunked items reassembled, values decompressed, deleted items absent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogOpen } from '../../iceberg-writer/index.js';
import { GEN, generate, kvActual, kvExpected, oracleRows, tableRead } from '../../infra/index.js';
import { controllerParse } from '../controller.js';
import { jobParse } from '../job-file.js';
import { jobRun } from '../job-run.js';
import { runHistoryOpen } from '../run-history.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-fallback-kv-'));
const backup = join(work, 'backup');

beforeAll(async () => {
  await generate({ ...GEN, out: backup, preset: 'kv' });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a kv job whose new path fails runs the legacy path and writes the kv model', async () => {
  const job = jobParse(
    {
      name: 'kv-fb',
      source: { uri: backup, keyspace: 'gen', table: 'kv' },
      connector: { name: 'kv' },
      consistency: 'all',
      now: GEN.now,
      target: {
        catalog: join(work, 'catalog.db'),
        warehouse: join(work, 'wh'),
        namespace: 'lake',
        table: 'kv_fb',
      },
    },
    'kv-fb.yaml',
  );
  const lines: string[] = [];
  const s = await jobRun(job, {
    controller: controllerParse({}, undefined),
    injectNewPathFailure: 'worker exited with code 134',
    log: (l) => lines.push(l),
  });
  expect(s.decision.connector).toBe('new');
  expect(s.connectorUsed).toBe('legacy');
  expect(s.fallback).toEqual({ kind: 'worker-crash', message: 'injected: worker exited with code 134' });
  expect(lines.some((l) => /legacy: .*kv_chunks.* cells of \d+ SSTables staged/.test(l))).toBe(true);

  const expected = kvExpected(
    oracleRows(join(backup, 'oracle', 'gen.kv.jsonl')),
    oracleRows(join(backup, 'oracle', 'gen.kv_chunks.jsonl')),
  );
  expect(s.rows).toBe(expected.rows.length);
  const opened = await catalogOpen({ catalog: join(work, 'catalog.db'), warehouse: join(work, 'wh') });
  try {
    const id = { namespace: ['lake'], name: 'kv_fb' };
    expect(kvActual((await tableRead(opened.catalog, id)).rows)).toEqual(expected.rows);
    const t = await opened.catalog.loadTable(id);
    expect(t.metadata.snapshots).toHaveLength(1);
    expect(t.metadata.snapshots[0]!.summary['datamove.connector']).toBe('kv');
    expect(t.metadata.snapshots[0]!.summary['datamove.run-id']).toBe(s.runId);
  } finally {
    await opened.close();
  }
  const h = runHistoryOpen(join(work, 'runs.db'));
  try {
    expect(h.runs('kv-fb')[0]).toMatchObject({
      runId: s.runId,
      status: 'succeeded',
      decided: 'new',
      connectorUsed: 'legacy',
      fallback: true,
      fallbackCause: 'worker-crash: injected: worker exited with code 134',
      rows: s.rows,
    });
  } finally {
    h.close();
  }
}, 120_000);
