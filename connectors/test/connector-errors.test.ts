/**
 * Connector failures: a module connector (the `job.connector.module` path) that throws, or that emits a
 * batch not matching its declared schema, fails the task with a message naming the connector (and the
 * column); nothing is committed. Runs the worker code in-process (`pool: 'inline'`, the fixtures are
 * TypeScript). Also: the kv transform skips and reports a chunked item with a missing chunk or a wrong
 * size (count + sample ids), never writing it truncated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrowSchemaFromIceberg, catalogOpen } from '../../iceberg-writer/index.js';
import { GEN, generate, MACHINE } from '../../infra/index.js';
import type { TableModel } from '../../reader/index.js';
import type { ConnectorIssue } from '../connector.js';
import { keyedKey } from '../connector.js';
import { kvConnector, kvIcebergSchema, kvOptionsSchema } from '../kv/kv-connector.js';
import { connectorJobPlan, connectorJobRun } from '../runner/connector-job.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-connector-errors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await generate({ ...GEN, out: join(work, 'kv'), preset: 'kv', partitions: 6, wideBytes: 0 });
}, 60_000);

describe('connector failures', () => {
  for (const [file, message] of [
    ['throwing-connector.ts', /connector throwing: cannot handle item user-0000/],
    ['wrong-type-connector.ts', /connector wrong-type: column size is Utf8 in the batch, Int64 declared/],
  ] as const) {
    it(`${file}: the task fails naming the connector; nothing is committed`, async () => {
      const dir = mkdtempSync(join(work, 'cat-'));
      const opened = await catalogOpen({ catalog: join(dir, 'c.db'), warehouse: join(dir, 'wh') });
      try {
        const plan = await connectorJobPlan(
          {
            source: join(work, 'kv'),
            keyspace: 'gen',
            now: GEN.now,
            replicationFactor: 3,
            tasks: 2,
            retries: 0,
            connector: { module: join(import.meta.dirname, 'fixtures', file), options: { table: 'kv' } },
            target: { table: 'lake.t' },
          },
          { machine: MACHINE },
        );
        const err = await connectorJobRun(plan, {
          catalog: opened.catalog,
          pool: 'inline',
          workers: 1,
        }).catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).toMatch(/nothing committed/);
        const t = await opened.catalog.loadTable({ namespace: ['lake'], name: 't' });
        expect(t.metadata.snapshots).toEqual([]);
      } finally {
        await opened.close();
      }
    });
  }

  it('a bad connector name or option is an error naming the path', async () => {
    await expect(
      connectorJobPlan({
        source: work,
        keyspace: 'gen',
        connector: { name: 'nope' },
        target: { table: 'a.b' },
      }),
    ).rejects.toThrow(/job.connector.name must be one of raw, kv, timeseries/);
    await expect(
      connectorJobPlan({
        source: join(work, 'kv'),
        keyspace: 'gen',
        connector: { name: 'kv', options: { table: 'kv', keyAs: 'hex' } },
        target: { table: 'a.b' },
      }),
    ).rejects.toThrow(/job.connector.options.keyAs/);
  });
});

describe('kv: chunked items that cannot be reassembled are reported and skipped', () => {
  it('a missing chunk and a size mismatch', async () => {
    const options = kvOptionsSchema.parse({ table: 'kv' });
    const enc = new TextEncoder();
    const meta = (m: object): Uint8Array => enc.encode(JSON.stringify(m));
    const ids = ['a', 'b', 'c'];
    const keys = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
    const items = new arrow.Table({
      id: arrow.vectorFromArray(ids, new arrow.Utf8()),
      key: arrow.vectorFromArray(keys, new arrow.Binary()),
      value: arrow.vectorFromArray([null, null, null], new arrow.Binary()),
      value_metadata: arrow.vectorFromArray(
        [
          meta({ compression: 'none', size: 4, chunks: 2, chunk_size: 2 }), // complete
          meta({ compression: 'none', size: 4, chunks: 2, chunk_size: 2 }), // chunk 1 missing
          meta({ compression: 'none', size: 5, chunks: 2, chunk_size: 2 }), // 4 bytes, says 5
        ],
        new arrow.Binary(),
      ),
      _writetime_value: arrow.vectorFromArray([null, null, null], new arrow.Int64()),
      _writetime_value_metadata: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
    });
    const chunkRows: Record<string, [number, Uint8Array][]> = {
      [keyedKey(['a', keys[0]!])]: [
        [0, enc.encode('ab')],
        [1, enc.encode('cd')],
      ],
      [keyedKey(['b', keys[1]!])]: [[0, enc.encode('ab')]],
      [keyedKey(['c', keys[2]!])]: [
        [0, enc.encode('ab')],
        [1, enc.encode('cd')],
      ],
    };
    const issues: ConnectorIssue[] = [];
    const schema = arrowSchemaFromIceberg(kvIcebergSchema(options));
    async function* input(): AsyncIterable<arrow.RecordBatch> {
      yield* items.batches;
    }
    const out: arrow.RecordBatch[] = [];
    for await (const b of kvConnector.transform(input(), {
      connector: 'kv',
      options,
      source: 'items',
      model: {} as TableModel,
      schema,
      now: 0,
      async *lookup(_source, key) {
        const rows = chunkRows[key] ?? [];
        yield new arrow.Table({
          chunk: arrow.vectorFromArray(
            rows.map((r) => r[0]),
            new arrow.Int32(),
          ),
          data: arrow.vectorFromArray(
            rows.map((r) => r[1]),
            new arrow.Binary(),
          ),
        }).batches[0]!;
      },
      report: (i) => issues.push(i),
    }))
      out.push(b);
    const rows = out.flatMap((b) => [...b].map((r) => r!.toJSON()));
    expect(rows.map((r) => [r.id, new TextDecoder().decode(r.value as Uint8Array), Number(r.size)])).toEqual([
      ['a', 'abcd', 4],
    ]);
    expect(issues).toEqual([
      { kind: 'missing-chunk', item: 'b/02' },
      { kind: 'size-mismatch', item: 'c/03' },
    ]);
  });
});
