/**
 * `datamove diff <table-a>[@snapshot-id|@time] <table-b>[@…]`: the multiset diff of two Iceberg tables or
 * snapshots (validation/diff.ts) — |C|, |M|, |C−M|, |M−C|, with `--key` the missing, phantom and changed
 * rows. Exit 0 when equal, 3 when they differ, 2 on error.
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { diffReportFormat, tableDiff, tableRefParse } from '../../validation/index.js';
import { CliExit, EXIT_DIFFERENT } from '../exit-code.js';
import type { CliIO } from '../main.js';
import { cliCatalogOptions } from './table.js';

interface DiffFlags {
  readonly key?: string;
  readonly samples?: string;
  readonly json?: boolean;
  readonly catalog?: string;
  readonly catalogName?: string;
  readonly warehouse?: string;
  readonly memoryLimit?: string;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyle?: boolean;
}

/** `--key a,b` → columns. */
export function keyColumnsParse(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const cols = text.split(',').map((c) => c.trim());
  if (cols.some((c) => c === ''))
    throw new DatamoveError('InvalidArgument', `--key: '${text}' must be column names separated by commas`, {
      context: { field: 'key' },
    });
  return cols;
}

/** `--samples N` → a count. */
export function samplesParse(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new DatamoveError('InvalidArgument', `--samples: '${text}' must be a whole number`, {
      context: { field: 'samples' },
    });
  return Number(text);
}

async function diffCommand(a: string, b: string, flags: DiffFlags, io: CliIO): Promise<void> {
  const c = tableRefParse(a);
  const m = tableRefParse(b);
  const key = keyColumnsParse(flags.key);
  const samples = samplesParse(flags.samples);
  const { catalogOpen } = await import('../../iceberg-writer/index.js');
  const opened = await catalogOpen(cliCatalogOptions(flags, false));
  let equal: boolean;
  try {
    const report = await tableDiff(opened.catalog, c, m, {
      ...(key === undefined ? {} : { key }),
      ...(samples === undefined ? {} : { samples }),
      ...(flags.memoryLimit === undefined ? {} : { memoryLimit: flags.memoryLimit }),
    });
    io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : diffReportFormat(report));
    equal = report.equal;
  } finally {
    await opened.close();
  }
  if (!equal) throw new CliExit(EXIT_DIFFERENT);
}

export function registerDiff(program: Command, io: CliIO): void {
  program
    .command('diff <table-a> <table-b>')
    .description(
      'Multiset diff of two Iceberg tables or snapshots (<namespace>.<table>[@snapshot-id|@ISO-time]): ' +
        'exit 0 equal, 3 different, 2 error',
    )
    .option('--key <columns>', 'key columns (comma-separated): split into missing, phantom and changed rows')
    .option('--samples <n>', 'sample rows per kind (default 10)')
    .option('--json', 'print the report as JSON')
    .option(
      '--memory-limit <size>',
      "DuckDB's memory limit (default 1536MB: the process stays within 2 GiB); the rest spills to a temp folder",
    )
    .option(
      '--catalog <catalog>',
      'a SQLite file, postgresql://user:pass@host/db or an http(s):// REST catalog (default ./.datamove/catalog.db)',
    )
    .option('--catalog-name <name>', 'catalog name (SQL: catalog_name; default datamove)')
    .option('--warehouse <location>', 'warehouse folder, file:// or s3://bucket/prefix')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint; default $DATAMOVE_S3_ENDPOINT or AWS')
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)')
    .action(async (a: string, b: string, flags: DiffFlags) => diffCommand(a, b, flags, io));
}
