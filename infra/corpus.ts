/**
 * Locates the SSTable corpora the tests read. The Cassandra-written corpus in the repository
 * (`test-data/cassandra/<version>/<case>/`, written by real Cassandra 4.1 and 5.0 through
 * `npm run corpus:cassandra`) is always there, so a fresh clone tests on it; the shared corpus
 * (`../shared/corpus` beside the repository, or $DATAMOVE_CORPUS) adds its cases when present.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sstableFormatSupported } from '../reader/index.js';
import { snapshotManifestText } from './s3/backup-layout-write.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root, from the source tree (infra/) or from the build (dist/infra/). */
export const REPO_ROOT = existsSync(resolve(HERE, '../package.json'))
  ? resolve(HERE, '..')
  : resolve(HERE, '../..');

/** The Cassandra-written corpus in the repository: one folder per Cassandra version. */
export const CASSANDRA_CORPUS = join(REPO_ROOT, 'test-data', 'cassandra');

/** The shared corpus folder when it exists ($DATAMOVE_CORPUS, else ../shared/corpus), else undefined. */
export function sharedCorpusRoot(): string | undefined {
  const root = process.env.DATAMOVE_CORPUS ?? resolve(REPO_ROOT, '../shared/corpus');
  return existsSync(root) ? root : undefined;
}

export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  /** `shared` or the Cassandra version folder of test-data/cassandra (`4.1`, `5.0`). */
  readonly origin: string;
  /** The SSTable format kind of the case's files (`big`, `bti`). */
  readonly formatKind: string;
  readonly spec: {
    readonly format: string;
    readonly now?: string;
    readonly keyspace?: string;
    readonly table?: string;
    readonly expected: {
      readonly rows?: Record<string, unknown>[] | null;
      readonly row_count?: number;
      readonly partitions?: Record<string, unknown>[];
      readonly partition_count?: number;
      readonly error?: string;
    };
    readonly expected_later?: { readonly now: string; readonly rows: Record<string, unknown>[] };
  };
}

function casesIn(root: string, origin: string): CorpusCase[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'case.json')))
    .map((d) => {
      const dir = join(root, d.name);
      const data = readdirSync(dir).find((f) => f.endsWith('-Data.db'));
      return {
        name: d.name,
        dir,
        origin,
        formatKind: data?.split('-')[2] ?? 'big',
        spec: JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CorpusCase['spec'],
      };
    });
}

/** The Cassandra version folders of test-data/cassandra (`4.1`, `5.0`, …). */
export function cassandraCorpusVersions(): string[] {
  return readdirSync(CASSANDRA_CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Every case of the repository corpus, whatever its format (clusters/ excluded), found by listing
 * folders — no list in code, so new cases are picked up.
 */
export function cassandraCorpusCases(): CorpusCase[] {
  return cassandraCorpusVersions()
    .flatMap((v) => casesIn(join(CASSANDRA_CORPUS, v), v))
    .sort((a, b) => a.origin.localeCompare(b.origin) || a.name.localeCompare(b.name));
}

/** The real 3-node snapshot trees of the repository corpus (`<version>/clusters/<name>/`). */
export function cassandraClusterCases(): { version: string; name: string; dir: string }[] {
  return cassandraCorpusVersions().flatMap((version) => {
    const root = join(CASSANDRA_CORPUS, version, 'clusters');
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'expected.json')))
      .map((d) => ({ version, name: d.name, dir: join(root, d.name) }));
  });
}

/** Whether the reader supports the SSTable format of a case (the BTI `da` cases wait for the BTI reader). */
export function corpusCaseReadable(c: CorpusCase): boolean {
  return sstableFormatSupported(c.spec.format, c.formatKind);
}

/**
 * Whether the SSTable writer's component models (Statistics.db, Index.db, …) cover a case's version:
 * 3.x `m*` and 4.x `n*` (the writer writes nb/mc); 5.0 `oa` and BTI `da` metadata are not modelled.
 */
export function corpusCaseWriterModelled(c: Pick<CorpusCase, 'spec'>): boolean {
  return /^[mn][a-z]$/.test(c.spec.format);
}

/**
 * Every case the reader can read: the repository corpus's cases of supported formats, then the shared
 * corpus's when it is there.
 */
export function corpusCases(): CorpusCase[] {
  const shared = sharedCorpusRoot();
  return [
    ...cassandraCorpusCases().filter(corpusCaseReadable),
    ...(shared === undefined ? [] : casesIn(shared, 'shared').sort((a, b) => a.name.localeCompare(b.name))),
  ];
}

/** One case by folder name, from the repository corpus or (when present) the shared corpus. */
export function corpusCase(name: string): CorpusCase {
  const found = [...cassandraCorpusCases(), ...corpusCases()].find((c) => c.name === name);
  if (!found) throw new Error(`corpus: no case '${name}' in ${CASSANDRA_CORPUS} or the shared corpus`);
  return found;
}

/**
 * A single-node `nodetool snapshot` tree of one case under `root`, laid out as Cassandra writes it
 * (`dc1/node1/<ks>/<table>-<id>/snapshots/corpus/` with the SSTables, schema.cql and a manifest.json
 * listing the Data.db files), so a case can be read as a backup by `run` and `restore`.
 */
export function corpusCaseSnapshotTree(c: CorpusCase, root: string): string {
  const id = '0123456789abcdef0123456789abcdef';
  const folder = join(root, 'dc1', 'node1', c.spec.keyspace!, `${c.spec.table}-${id}`, 'snapshots', 'corpus');
  mkdirSync(folder, { recursive: true });
  cpSync(c.dir, folder, { recursive: true });
  rmSync(join(folder, 'case.json'));
  const files = readdirSync(folder).map((name) => ({ name }));
  writeFileSync(join(folder, 'manifest.json'), snapshotManifestText(files, '2026-01-01T00:00:00.000Z'));
  return root;
}

/** A row as a canonical string: keys sorted, so rows compare as a multiset. */
export function canonicalRow(row: Record<string, unknown>): string {
  return JSON.stringify(sortKeys(row));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
