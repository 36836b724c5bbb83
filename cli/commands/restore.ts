/**
 * `datamove restore <job-file> --as-of T`: the job's table as it was at T, into a new Iceberg table
 * (`<table>__asof_<yyyymmddThhmmss>`, or `--into`; over the job's own table with `--force`), or with
 * `--to sstables --out <dir|s3://…>` as `nb` SSTables (one set per range of `--topology tokenmap.json`).
 * The work is in decider/restore/.
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { jobFileLoad, restoreToIceberg, restoreToSSTables } from '../../decider/index.js';
import type { CliIO } from '../main.js';
import { cliCatalogOptions } from './table.js';

interface RestoreFlags {
  readonly asOf?: string;
  readonly into?: string;
  readonly force?: boolean;
  readonly json?: boolean;
  readonly to?: string;
  readonly out?: string;
  readonly topology?: string;
  readonly workers?: string;
  readonly fromIceberg?: string;
  readonly schema?: string;
  readonly catalog?: string;
  readonly warehouse?: string;
}

function usage(message: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `restore: ${message}`, {});
}

function workersFlag(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw usage(`--workers must be an integer from 1 to 256, got '${text}'`);
  return n;
}

async function fromIcebergCommand(file: string | undefined, flags: RestoreFlags, io: CliIO): Promise<void> {
  if (file !== undefined) throw usage('--from-iceberg restores an Iceberg table: give no job file');
  if (flags.to !== 'sstables') throw usage('--from-iceberg writes SSTables: add --to sstables');
  if (flags.out === undefined) throw usage('--to sstables needs --out <dir>');
  if (flags.schema === undefined)
    throw usage("--from-iceberg needs --schema <schema.cql>: the table's CQL definition (from its backup)");
  if (flags.asOf !== undefined || flags.into !== undefined)
    throw usage(
      '--from-iceberg reads a snapshot: select it with <ns.table>@<snapshot id or time>, not --as-of',
    );
  const { catalogOpen } = await import('../../iceberg-writer/index.js');
  const { restoreFromIceberg } = await import('../../decider/index.js');
  const opened = await catalogOpen(cliCatalogOptions(flags, false));
  try {
    const s = await restoreFromIceberg({
      table: flags.fromIceberg!,
      schema: flags.schema,
      out: flags.out,
      ...(flags.topology === undefined ? {} : { topology: flags.topology }),
      catalog: opened,
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else
      io.stdout.write(
        `restored ${s.table} snapshot ${s.snapshotId}: ${s.partitions} partitions, ${s.rows} rows in ${s.sets.length} SSTable set${s.sets.length === 1 ? '' : 's'} under ${s.out}\n`,
      );
  } finally {
    await opened.close();
  }
}

async function restoreCommand(file: string | undefined, flags: RestoreFlags, io: CliIO): Promise<void> {
  if (flags.fromIceberg !== undefined) return fromIcebergCommand(file, flags, io);
  if (file === undefined) throw usage('give a job file (or --from-iceberg <ns.table>)');
  if (flags.asOf === undefined) throw usage('--as-of <ISO time> is required');
  const to = flags.to ?? 'iceberg';
  if (to !== 'iceberg' && to !== 'sstables') throw usage(`--to must be iceberg or sstables, got '${to}'`);
  const job = jobFileLoad(file);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  if (to === 'sstables') {
    if (flags.out === undefined) throw usage('--to sstables needs --out <dir|s3://bucket/prefix>');
    if (flags.into !== undefined) throw usage('--into names an Iceberg table; with --to sstables use --out');
    const s = await restoreToSSTables(job, {
      asOf: flags.asOf,
      out: flags.out,
      ...(flags.topology === undefined ? {} : { topology: flags.topology }),
      ...(flags.workers === undefined ? {} : { workers: workersFlag(flags.workers) }),
      log,
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else
      io.stdout.write(
        `restored ${s.keyspace}.${s.table} as of ${s.asOf} from ${s.backupIds.join(', ')}: ${s.partitions} partitions, ${s.rows} rows in ${s.sets.length} SSTable set${s.sets.length === 1 ? '' : 's'} under ${s.out} (${(s.bytes / 2 ** 20).toFixed(1)} MiB, ${s.durationMs} ms)\n`,
      );
    return;
  }
  if (flags.topology !== undefined || flags.out !== undefined)
    throw usage('--out and --topology go with --to sstables');
  const s = await restoreToIceberg(job, {
    asOf: flags.asOf,
    ...(flags.into === undefined ? {} : { into: flags.into }),
    force: flags.force === true,
    ...(flags.workers === undefined ? {} : { workers: workersFlag(flags.workers) }),
    log,
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else
    io.stdout.write(
      `restored ${s.table} as of ${s.asOf} (${s.mode}) from backups ${s.backupIds.join(', ')} of ${s.nodes.length} nodes: ${s.run.rows} rows, ${s.run.files} files, snapshot ${s.run.snapshotId}\n`,
    );
}

export function registerRestore(program: Command, io: CliIO): void {
  program
    .command('restore')
    .description(
      "Restore a job's table as it was at a past time (backups, schema and topology as of T; cells written after T dropped; TTLs judged at T) into a new Iceberg table or as SSTables",
    )
    .argument('[job-file]', 'job file (YAML or JSON)')
    .option('--as-of <time>', 'the time to restore (ISO-8601, UTC when no zone is given)')
    .option(
      '--into <ns.table>',
      'target Iceberg table (default <table>__asof_<yyyymmddThhmmss> in the job namespace)',
    )
    .option('--force', "overwrite an existing target table (the job's own table included)")
    .option('--to <what>', 'iceberg (default) or sstables')
    .option('--out <dir|s3://…>', 'with --to sstables: where to write (an empty folder or an S3 prefix)')
    .option(
      '--topology <tokenmap.json>',
      "with --to sstables: the target cluster's tokens; one SSTable set per token range",
    )
    .option('--workers <n>', "worker threads (default: the job's workers, else sized from cores and memory)")
    .option(
      '--from-iceberg <ns.table[@snapshot]>',
      'with --to sstables: rebuild SSTables from an Iceberg snapshot of the raw connector with metadata columns',
    )
    .option('--schema <schema.cql>', "with --from-iceberg: the table's CQL schema")
    .option('--catalog <catalog>', 'with --from-iceberg: the catalog (default ./.datamove/catalog.db)')
    .option('--warehouse <location>', 'with --from-iceberg: the warehouse (default ./.datamove/warehouse)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string | undefined, flags: RestoreFlags) => restoreCommand(file, flags, io));
}
