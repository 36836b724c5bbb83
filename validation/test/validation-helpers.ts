/** Shared pieces of the validation tests: a job over a generated backup, and a table's data files. */
import { fileURLToPath } from 'node:url';
import type { Job } from '../../decider/index.js';
import { jobParse } from '../../decider/index.js';
import type { Catalog, TableIdentifier } from '../../iceberg-writer/index.js';
import { tableFilesAt } from '../../iceberg-writer/index.js';

export const NOW_ISO = '2026-01-01T00:00:00Z';

export interface TestJob {
  readonly name: string;
  readonly source: string;
  readonly table?: string;
  readonly targetTable: string;
  readonly now?: string;
  readonly backupAsOf?: string;
  readonly consistency?: 'one' | 'quorum' | 'all';
  readonly metadataColumns?: boolean;
  readonly catalog: string;
  readonly warehouse: string;
  readonly s3?: { endpoint: string; pathStyle: boolean };
  readonly webhook?: string;
}

export function testJob(j: TestJob): Job {
  return jobParse(
    {
      name: j.name,
      source: {
        uri: j.source,
        keyspace: 'gen',
        table: j.table ?? 'narrow',
        ...(j.backupAsOf === undefined ? {} : { backupAsOf: j.backupAsOf }),
        ...(j.s3 === undefined ? {} : { s3: j.s3 }),
      },
      connector: { name: 'raw', ...(j.metadataColumns ? { options: { metadataColumns: true } } : {}) },
      consistency: j.consistency ?? 'all',
      now: j.now ?? NOW_ISO,
      target: { catalog: j.catalog, warehouse: j.warehouse, namespace: 'lake', table: j.targetTable },
      ...(j.webhook === undefined ? {} : { alerts: { webhook: j.webhook } }),
    },
    `${j.name}.yaml`,
  );
}

/** Local paths of a table's data files at its current snapshot, and that snapshot's summary. */
export async function tableLocalFiles(
  catalog: Catalog,
  id: TableIdentifier,
): Promise<{ files: string[]; summary: Readonly<Record<string, string>> }> {
  const { snapshot, files } = await tableFilesAt(catalog, id);
  return {
    files: files.map((f) => (f.filePath.startsWith('file:') ? fileURLToPath(f.filePath) : f.filePath)),
    summary: snapshot.summary,
  };
}
