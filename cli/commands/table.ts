/**
 * `datamove table history|snapshots|files|rollback|expire-snapshots|clean`: the operations of an Iceberg
 * table in a catalog. Parses options, opens the catalog with `catalogOpen` (default: the embedded
 * `./.datamove/catalog.db` with the warehouse `./.datamove/warehouse`) and prints; the work is in
 * iceberg-writer/table/table-ops.ts. Text by default, one JSON document with `--json`.
 */
import type { Command } from 'commander';
import { DatamoveError, isDatamoveError } from '../../core/index.js';
import type {
  CatalogOpenOptions,
  OpenedCatalog,
  SnapshotSelector,
  TableIdentifier,
} from '../../iceberg-writer/index.js';
import { tableIdentifierParse, tableIdentifierString } from '../../iceberg-writer/index.js';
import { s3OptionsFromEnv } from '../../storage/index.js';
import type { CliIO } from '../main.js';
import { parseDuration } from './backups.js';

interface CatalogFlags {
  readonly catalog?: string;
  readonly catalogName?: string;
  readonly warehouse?: string;
  readonly json?: boolean;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyle?: boolean;
}

interface FilesFlags extends CatalogFlags {
  readonly snapshot?: string;
  readonly asOf?: string;
}

interface RollbackFlags extends CatalogFlags {
  readonly toSnapshot?: string;
  readonly toTimestamp?: string;
}

interface ExpireFlags extends CatalogFlags {
  readonly olderThan: string;
  readonly retainLast: string;
}

interface CleanFlags extends CatalogFlags {
  readonly olderThan: string;
  readonly dryRun?: boolean;
}

/**
 * Catalog options from flags and the environment: S3 settings as for backups (`DATAMOVE_S3_ENDPOINT`,
 * `AWS_REGION`, the AWS credential chain), REST credentials from `DATAMOVE_CATALOG_TOKEN` or
 * `DATAMOVE_CATALOG_CREDENTIAL` (never flags: they would show in `ps`).
 */
export function cliCatalogOptions(flags: CatalogFlags, create: boolean): CatalogOpenOptions {
  const env = process.env;
  return {
    ...(flags.catalog === undefined ? {} : { catalog: flags.catalog }),
    ...(flags.catalogName === undefined ? {} : { name: flags.catalogName }),
    ...(flags.warehouse === undefined ? {} : { warehouse: flags.warehouse }),
    ...(env.DATAMOVE_CATALOG_TOKEN ? { token: env.DATAMOVE_CATALOG_TOKEN } : {}),
    ...(env.DATAMOVE_CATALOG_CREDENTIAL ? { credential: env.DATAMOVE_CATALOG_CREDENTIAL } : {}),
    s3: {
      ...s3OptionsFromEnv(env),
      ...(flags.s3Endpoint === undefined ? {} : { endpoint: flags.s3Endpoint }),
      ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
      ...(flags.s3PathStyle === undefined ? {} : { forcePathStyle: flags.s3PathStyle }),
    },
    create,
  };
}

/**
 * The table operations, loaded when a `table` command runs: Arrow, Parquet and Avro would otherwise add
 * a third of a second to every `datamove` start, `sstable dump` included.
 */
const tableOps = () => import('../../iceberg-writer/index.js');

async function withCatalog<T>(
  flags: CatalogFlags,
  f: (opened: OpenedCatalog) => Promise<T>,
  create = false,
): Promise<T> {
  const { catalogOpen } = await import('../../iceberg-writer/index.js');
  const opened = await catalogOpen(cliCatalogOptions(flags, create));
  try {
    return await f(opened);
  } finally {
    await opened.close();
  }
}

/** Left-aligned columns separated by two spaces, with a header row. */
function columns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const json = (io: CliIO, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
};

function snapshotIdParse(text: string, field: string): string {
  if (!/^-?\d{1,19}$/.test(text)) {
    throw new DatamoveError('InvalidArgument', `--${field}: '${text}' is not a snapshot id`, {
      context: { field },
    });
  }
  return text;
}

function timeParse(text: string, field: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new DatamoveError(
      'InvalidArgument',
      `--${field}: '${text}' is not an ISO-8601 time (e.g. 2024-05-01T12:00:00Z)`,
      { context: { field } },
    );
  }
  return ms;
}

/** Exactly one of a snapshot id and a time, as a selector (undefined when neither and both are optional). */
function selectorOf(
  id: string | undefined,
  time: string | undefined,
  names: readonly [string, string],
  required: boolean,
): SnapshotSelector | undefined {
  if (id !== undefined && time !== undefined) {
    throw new DatamoveError('InvalidArgument', `give --${names[0]} or --${names[1]}, not both`, {
      context: { field: names[0] },
    });
  }
  if (id !== undefined) return { snapshotId: snapshotIdParse(id, names[0]) };
  if (time !== undefined) return { asOf: timeParse(time, names[1]) };
  if (required) {
    throw new DatamoveError('InvalidArgument', `give --${names[0]} <id> or --${names[1]} <time>`, {
      context: { field: names[0] },
    });
  }
  return undefined;
}

export async function tableSnapshotsCommand(table: string, flags: CatalogFlags, io: CliIO): Promise<void> {
  const id = tableIdentifierParse(table);
  const { tableSnapshots } = await tableOps();
  const snaps = await withCatalog(flags, ({ catalog }) => tableSnapshots(catalog, id));
  if (flags.json) return json(io, snaps);
  if (snaps.length === 0) {
    io.stdout.write(`${tableIdentifierString(id)} has no snapshot\n`);
    return;
  }
  io.stdout.write(
    columns(
      ['committed-at', 'snapshot-id', 'parent-id', 'seq', 'operation', 'records', 'run-id', 'current'],
      snaps.map((s) => [
        s.timestamp,
        s.snapshotId,
        s.parentId ?? '-',
        String(s.sequenceNumber),
        s.operation,
        s.totalRecords === null ? '-' : String(s.totalRecords),
        s.runId ?? '-',
        s.current ? '*' : '',
      ]),
    ),
  );
}

export async function tableHistoryCommand(table: string, flags: CatalogFlags, io: CliIO): Promise<void> {
  const id = tableIdentifierParse(table);
  const { tableHistory } = await tableOps();
  const hist = await withCatalog(flags, ({ catalog }) => tableHistory(catalog, id));
  if (flags.json) return json(io, hist);
  if (hist.length === 0) {
    io.stdout.write(`${tableIdentifierString(id)} has no history\n`);
    return;
  }
  io.stdout.write(
    columns(
      ['made-current-at', 'snapshot-id', 'parent-id', 'is-current-ancestor'],
      hist.map((h) => [h.madeCurrentAt, h.snapshotId, h.parentId ?? '-', String(h.isCurrentAncestor)]),
    ),
  );
}

export async function tableFilesCommand(table: string, flags: FilesFlags, io: CliIO): Promise<void> {
  const id = tableIdentifierParse(table);
  const sel = selectorOf(flags.snapshot, flags.asOf, ['snapshot', 'as-of'], false);
  const { tableFilesAt } = await tableOps();
  const plan = await withCatalog(flags, ({ catalog }) => tableFilesAt(catalog, id, sel));
  if (flags.json) {
    return json(io, {
      snapshot: plan.snapshot,
      files: plan.files.map((f) => ({
        path: f.filePath,
        format: f.fileFormat,
        records: f.recordCount,
        bytes: f.fileSizeInBytes,
        partition: f.partition,
      })),
    });
  }
  const records = plan.files.reduce((a, f) => a + f.recordCount, 0);
  io.stdout.write(
    `${tableIdentifierString(id)} at snapshot ${plan.snapshot.snapshotId} (${plan.snapshot.timestamp}): ${plan.files.length} data files, ${records} records\n`,
  );
  for (const f of plan.files)
    io.stdout.write(`  ${f.filePath}  ${f.recordCount} records  ${f.fileSizeInBytes} B\n`);
}

export async function tableRollbackCommand(table: string, flags: RollbackFlags, io: CliIO): Promise<void> {
  const id = tableIdentifierParse(table);
  const sel = selectorOf(flags.toSnapshot, flags.toTimestamp, ['to-snapshot', 'to-timestamp'], true)!;
  const { tableRollback } = await tableOps();
  const r = await withCatalog(flags, ({ catalog }) => tableRollback(catalog, id, sel));
  if (flags.json) return json(io, { table: tableIdentifierString(id), ...r });
  io.stdout.write(`${tableIdentifierString(id)}: main moved from ${r.from ?? '(none)'} to ${r.to}\n`);
}

export async function tableExpireCommand(table: string, flags: ExpireFlags, io: CliIO): Promise<void> {
  const id = tableIdentifierParse(table);
  const olderThanMs = parseDuration(flags.olderThan, 'older-than');
  const retainLast = Number(flags.retainLast);
  if (!Number.isInteger(retainLast) || retainLast < 1) {
    throw new DatamoveError(
      'InvalidArgument',
      `--retain-last: '${flags.retainLast}' must be a positive integer`,
      {
        context: { field: 'retain-last' },
      },
    );
  }
  const { tableExpireSnapshots } = await tableOps();
  const r = await withCatalog(flags, ({ catalog }) =>
    tableExpireSnapshots(catalog, id, { olderThanMs, retainLast }),
  );
  if (flags.json) return json(io, { table: tableIdentifierString(id), ...r });
  io.stdout.write(
    r.expired.length === 0
      ? `${tableIdentifierString(id)}: no snapshot to expire (older than ${flags.olderThan}, not current, not among the last ${retainLast})\n`
      : `${tableIdentifierString(id)}: expired ${r.expired.length} snapshot${r.expired.length === 1 ? '' : 's'}: ${r.expired.join(', ')}\n`,
  );
}

interface CleanOutcome {
  readonly table: string;
  readonly deleted?: string[];
  readonly kept?: number;
  readonly error?: { kind: string; message: string };
}

/** Every table of every namespace (for `table clean` without a table). */
async function allTables(opened: OpenedCatalog): Promise<TableIdentifier[]> {
  const out: TableIdentifier[] = [];
  for (const ns of await opened.catalog.listNamespaces()) out.push(...(await opened.catalog.listTables(ns)));
  return out;
}

/**
 * Cleans one table or all of them. Each table's outcome is reported; a table that is refused (a commit
 * whose state is unknown) or fails does not stop the others, and makes the command exit 2.
 */
export async function tableCleanCommand(
  table: string | undefined,
  flags: CleanFlags,
  io: CliIO,
): Promise<void> {
  const olderThanMs = parseDuration(flags.olderThan, 'older-than');
  const only = table === undefined ? undefined : tableIdentifierParse(table);
  const { tableClean } = await tableOps();
  const outcomes = await withCatalog(flags, async (opened) => {
    const ids = only === undefined ? await allTables(opened) : [only];
    const out: CleanOutcome[] = [];
    for (const id of ids) {
      const name = tableIdentifierString(id);
      try {
        const r = await tableClean(opened.catalog, id, { olderThanMs, dryRun: flags.dryRun ?? false });
        out.push({ table: name, deleted: r.deleted, kept: r.kept });
      } catch (e) {
        if (!isDatamoveError(e) || only !== undefined) throw e;
        out.push({ table: name, error: { kind: e.kind, message: e.message } });
      }
    }
    return out;
  });
  if (flags.json) json(io, { dryRun: flags.dryRun ?? false, olderThan: flags.olderThan, tables: outcomes });
  else {
    if (outcomes.length === 0) io.stdout.write('no table in the catalog\n');
    const verb = flags.dryRun ? 'would delete' : 'deleted';
    for (const o of outcomes) {
      if (o.error !== undefined) {
        io.stdout.write(`${o.table}: not cleaned: ${o.error.message}\n`);
        continue;
      }
      io.stdout.write(
        `${o.table}: ${verb} ${o.deleted!.length} unreferenced file${o.deleted!.length === 1 ? '' : 's'} older than ${flags.olderThan}, kept ${o.kept}\n`,
      );
      if (flags.dryRun) for (const f of o.deleted!) io.stdout.write(`  ${f}\n`);
    }
  }
  const failed = outcomes.filter((o) => o.error !== undefined);
  if (failed.length > 0) {
    throw new DatamoveError(
      failed[0]!.error!.kind as DatamoveError['kind'],
      `table clean: ${failed.length} of ${outcomes.length} tables not cleaned (${failed.map((o) => o.table).join(', ')})`,
      { context: { tables: failed.length } },
    );
  }
}

function catalogOptions(c: Command): Command {
  return c
    .option(
      '--catalog <catalog>',
      'a SQLite file, postgresql://user:pass@host/db or an http(s):// REST catalog (default ./.datamove/catalog.db)',
    )
    .option('--catalog-name <name>', 'catalog name (SQL: catalog_name; default datamove)')
    .option(
      '--warehouse <location>',
      'folder, file:// or s3://bucket/prefix of new tables (default ./.datamove/warehouse)',
    )
    .option('--json', 'print JSON')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint; default $DATAMOVE_S3_ENDPOINT or AWS')
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)');
}

export function registerTable(program: Command, io: CliIO): void {
  const table = program
    .command('table')
    .description(
      'Iceberg table operations: history, snapshots, files at a snapshot, rollback, expiry, cleanup',
    );
  catalogOptions(
    table.command('snapshots <table>').description('Every snapshot of <namespace>.<table>, oldest first'),
  ).action(async (t: string, opts: CatalogFlags) => tableSnapshotsCommand(t, opts, io));
  catalogOptions(
    table
      .command('history <table>')
      .description('When each snapshot became current, and whether it is an ancestor of the current one'),
  ).action(async (t: string, opts: CatalogFlags) => tableHistoryCommand(t, opts, io));
  catalogOptions(
    table
      .command('files <table>')
      .description('The data files of a read at a snapshot (default: the current one)')
      .option('--snapshot <id>', 'read at this snapshot id')
      .option('--as-of <time>', 'read at the snapshot current at this ISO-8601 time'),
  ).action(async (t: string, opts: FilesFlags) => tableFilesCommand(t, opts, io));
  catalogOptions(
    table
      .command('rollback <table>')
      .description('Point the main branch back at an earlier snapshot')
      .option('--to-snapshot <id>', 'that snapshot id')
      .option('--to-timestamp <time>', 'the snapshot that was current at this ISO-8601 time'),
  ).action(async (t: string, opts: RollbackFlags) => tableRollbackCommand(t, opts, io));
  catalogOptions(
    table
      .command('expire-snapshots <table>')
      .description('Remove snapshots older than a duration (never the current one)')
      .requiredOption('--older-than <duration>', 'e.g. 7d, 24h, 90m')
      .option('--retain-last <n>', 'keep at least the n most recent snapshots', '1'),
  ).action(async (t: string, opts: ExpireFlags) => tableExpireCommand(t, opts, io));
  catalogOptions(
    table
      .command('clean [table]')
      .description(
        'Delete files under the table location that no snapshot references (every table when none is given); refused while a commit state is unknown',
      )
      .requiredOption(
        '--older-than <duration>',
        'only files older than this, so in-flight commits are safe (e.g. 1d)',
      )
      .option('--dry-run', 'list the files, delete nothing'),
  ).action(async (t: string | undefined, opts: CleanFlags) => tableCleanCommand(t, opts, io));
}
