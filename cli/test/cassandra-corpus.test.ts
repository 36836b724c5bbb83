/**
 * The corpus real Cassandra 4.1 and 5.0 wrote (test-data/cassandra, `npm run corpus:cassandra`), read
 * with no Java: every case whose SSTable format the reader supports through `sstable dump` (rows equal
 * to Cassandra's own `SELECT *` at the case's `now`) and through a one-off `run` to Iceberg; every real
 * 3-node `nodetool snapshot` tree through `backups list`, `backups select --as-of` and `run` at ONE,
 * QUORUM and ALL, against Cassandra's answers per consistency level and replica set. Cases are found by
 * listing folders. Formats committed but not yet readable are listed in PENDING_FORMATS: the check
 * below fails as soon as the reader supports one, so it is then removed from the list and its cases run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CorpusCase,
  cassandraClusterCases,
  cassandraCorpusCases,
  corpusCaseReadable,
  corpusCaseSnapshotTree,
  icebergJson,
  multiset,
  type Row,
  runToIceberg,
  snapshotTreeChecks,
} from '../../infra/index.js';
import { parseSchemaCql, sstableFormatSupported } from '../../reader/index.js';
import { sstableDump } from '../commands/sstable-dump.js';

/** Committed SSTable formats the reader does not read yet: BTI (`da`) waits for the BTI reader. */
const PENDING_FORMATS = ['da'];

const work = mkdtempSync(join(tmpdir(), 'datamove-cassandra-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const all = cassandraCorpusCases();
const readable = all.filter(corpusCaseReadable);

async function dumpRows(dir: string, now: string | undefined): Promise<Row[]> {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  await sstableDump(dir, now === undefined ? {} : { now }, out);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Row);
}

describe('the Cassandra-written corpus', () => {
  it('has cases of every format it was written in, and only PENDING_FORMATS are unreadable', () => {
    const formats = [...new Set(all.map((c) => c.spec.format))].sort();
    expect(formats).toEqual(expect.arrayContaining(['da', 'nb', 'oa']));
    const unreadable = [
      ...new Set(all.filter((c) => !corpusCaseReadable(c)).map((c) => c.spec.format)),
    ].sort();
    expect(unreadable).toEqual(PENDING_FORMATS);
    expect(sstableFormatSupported('nb', 'big') && sstableFormatSupported('oa', 'big')).toBe(true);
  });

  for (const c of readable) {
    it(`sstable dump ${c.origin}/${c.name} gives Cassandra's rows`, async () => {
      const rows = await dumpRows(c.dir, c.spec.now);
      expect(rows.length).toBe(c.spec.expected.row_count);
      expect(multiset(rows)).toEqual(multiset(c.spec.expected.rows ?? []));
    });
  }
});

/** CQL types whose Iceberg value reads back in the corpus's JSON form as it is. */
const PLAIN = new Set(['int', 'smallint', 'tinyint', 'bigint', 'counter', 'text', 'ascii', 'boolean']);

function plainColumns(c: CorpusCase): string[] {
  const t = parseSchemaCql(readFileSync(join(c.dir, 'schema.cql'), 'utf8')).tables[0]!;
  return t.columns
    .filter((col) => {
      const ty = col.type.kind === 'reversed' ? col.type.inner : col.type;
      return ty.kind === 'native' && PLAIN.has(ty.name);
    })
    .map((col) => col.name);
}

const singleNodeTree = (c: CorpusCase): string =>
  corpusCaseSnapshotTree(c, join(work, `tree-${c.origin}-${c.name}`));

describe('the Cassandra-written corpus through run to Iceberg', () => {
  for (const c of readable) {
    it(`${c.origin}/${c.name}`, async () => {
      const rows = await runToIceberg(
        singleNodeTree(c),
        c.spec.keyspace!,
        c.spec.table!,
        ['--consistency', 'one', ...(c.spec.now === undefined ? [] : ['--now', c.spec.now])],
        work,
        { it, expect },
      );
      expect(rows.length).toBe(c.spec.expected.row_count);
      const cols = plainColumns(c);
      expect(cols.length).toBeGreaterThan(0);
      const pick = (r: Row, f: (v: unknown) => unknown) =>
        Object.fromEntries(cols.map((k) => [k, f(r[k] ?? null)]));
      expect(multiset(rows.map((r) => pick(r, icebergJson)))).toEqual(
        multiset((c.spec.expected.rows ?? []).map((r) => pick(r, (v) => v))),
      );
    }, 60_000);
  }
});

describe('real 3-node nodetool snapshot trees', () => {
  for (const cl of cassandraClusterCases())
    snapshotTreeChecks(cl.dir, `${cl.version}/${cl.name}`, work, { it, expect });
});
