/** Locates the shared SSTable corpus (`../shared/corpus` beside the repository, or $DATAMOVE_CORPUS). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root, from the source tree (infra/) or from the build (dist/infra/). */
export const REPO_ROOT = existsSync(resolve(HERE, '../package.json'))
  ? resolve(HERE, '..')
  : resolve(HERE, '../..');

export function corpusRoot(): string {
  const root = process.env.DATAMOVE_CORPUS ?? resolve(REPO_ROOT, '../shared/corpus');
  if (!existsSync(root)) throw new Error(`corpus not found at ${root} (set DATAMOVE_CORPUS)`);
  return root;
}

export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  readonly spec: {
    readonly format: string;
    readonly now?: string;
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

/** Every case folder (one with a case.json) — no list in code, so new cases are picked up. */
export function corpusCases(): CorpusCase[] {
  const root = corpusRoot();
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'case.json')))
    .map((d) => ({
      name: d.name,
      dir: join(root, d.name),
      spec: JSON.parse(readFileSync(join(root, d.name, 'case.json'), 'utf8')) as CorpusCase['spec'],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
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
