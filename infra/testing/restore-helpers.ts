/**
 * Shared by the restore tests: a generated backup history (infra/generator/history.ts), its job, rows in a
 * canonical form (the table's own columns; metadata columns left out) and a listing of a folder's files
 * with sizes and modification times (to assert that a failed restore wrote nothing).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Job, jobParse } from '../../decider/index.js';

/** 2026-03-01T00:00:00Z: the history's first write; backup k is taken k days later. */
export const HISTORY_START = Date.parse('2026-03-01T00:00:00Z') / 1000;

export function historyJob(backups: string, work: string, extra: Record<string, unknown> = {}): Job {
  return jobParse(
    {
      name: 'hist-events',
      source: { uri: backups, keyspace: 'hist', table: 'events' },
      connector: { name: 'raw', options: { metadataColumns: true } },
      // ONE: a replica read for a range it no longer owns would miss every write after the node joined
      consistency: 'one',
      target: {
        namespace: 'lake',
        table: 'events',
        catalog: join(work, 'catalog.db'),
        warehouse: join(work, 'warehouse'),
      },
      ...extra,
    },
    join(work, 'job.yaml'),
  );
}

const norm = (v: unknown): unknown =>
  typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v === undefined ? null : v;

/** Rows as sorted JSON strings of their non-metadata columns (keys sorted). */
export function canon(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .map((r) =>
      JSON.stringify(
        Object.fromEntries(
          Object.keys(r)
            .filter((k) => !k.includes('__'))
            .sort()
            .map((k) => [k, norm(r[k])]),
        ),
      ),
    )
    .sort();
}

/** Every file under `dir` with its size and mtime (empty when the folder does not exist). */
export function folderState(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.push(`${p} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}
