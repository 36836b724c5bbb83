/**
 * `datamove backups list|select`: which backups a source holds and whether each is complete, and the
 * backup set selected as of a time. Parses options and prints; the work is in reader/backup/.
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import type { BackupSet, BackupSource, TableFilter } from '../../reader/index.js';
import {
  backupCatalog,
  backupLayoutResolve,
  backupSelect,
  backupSourceOpen,
  DEFAULT_SKEW_MS,
} from '../../reader/index.js';
import { type S3Options, s3OptionsFromEnv } from '../../storage/index.js';
import type { CliIO } from '../main.js';

// the SDK's Node-version notice would break the one-line error contract of the CLI
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface SourceFlags {
  readonly source: string;
  readonly layout?: string;
  readonly keyspace?: string;
  readonly table?: string;
  readonly json?: boolean;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyle?: boolean;
}

interface SelectFlags extends SourceFlags {
  readonly asOf?: string;
  readonly skew?: string;
  readonly cluster?: string;
}

/** S3 options: environment first, flags over it. */
export function cliS3Options(flags: SourceFlags): S3Options {
  return {
    ...s3OptionsFromEnv(process.env),
    ...(flags.s3Endpoint === undefined ? {} : { endpoint: flags.s3Endpoint }),
    ...(flags.s3Region === undefined ? {} : { region: flags.s3Region }),
    ...(flags.s3PathStyle === undefined ? {} : { forcePathStyle: flags.s3PathStyle }),
  };
}

function filterOf(flags: SourceFlags): TableFilter {
  if (flags.table !== undefined && flags.keyspace === undefined) {
    throw new DatamoveError('InvalidArgument', '--table needs --keyspace', { context: { field: 'table' } });
  }
  return {
    ...(flags.keyspace === undefined ? {} : { keyspace: flags.keyspace }),
    ...(flags.table === undefined ? {} : { table: flags.table }),
  };
}

/** `24h`, `90m`, `3600s`, `2d` → ms. */
export function parseDuration(text: string, field: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) {
    throw new DatamoveError(
      'InvalidArgument',
      `--${field}: '${text}' is not a duration (e.g. 24h, 90m, 2d)`,
      {
        context: { field },
      },
    );
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Math.round(Number(m[1]) * unit);
}

function parseTime(text: string | undefined, field: string): number {
  if (text === undefined) return Date.now();
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new DatamoveError(
      'InvalidArgument',
      `--${field}: '${text}' is not an ISO-8601 time (e.g. 2024-05-01T12:00:00Z)`,
      {
        context: { field },
      },
    );
  }
  return ms;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

async function withSource<T>(flags: SourceFlags, f: (source: BackupSource) => Promise<T>): Promise<T> {
  const source = backupSourceOpen(flags.source, { s3: cliS3Options(flags) });
  try {
    return await f(source);
  } finally {
    await source.close();
  }
}

export async function backupsList(flags: SourceFlags, io: CliIO): Promise<void> {
  const filter = filterOf(flags);
  await withSource(flags, async (source) => {
    const layout = await backupLayoutResolve(source, flags.layout ?? 'auto');
    const cat = await backupCatalog(source, layout, filter);
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify({ layout: cat.layout, source: cat.source, sets: cat.sets }, null, 2)}\n`,
      );
      return;
    }
    if (cat.sets.length === 0) {
      io.stdout.write(`no ${layout.name} backup in ${source.name}\n`);
      return;
    }
    for (const s of cat.sets) {
      io.stdout.write(
        `${s.id}  ${s.time}  ${s.status}  ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}  dc ${s.dcs.join(',') || '-'}  ${bytes(s.sizeBytes)}  schema ${s.schemaVersions.join(',') || '-'}${s.cluster ? `  cluster ${s.cluster}` : ''}\n`,
      );
      for (const p of s.problems) io.stdout.write(`  ${p.kind}: ${p.message}\n`);
      for (const w of s.warnings) io.stdout.write(`  warning: ${w}\n`);
    }
  });
}

export async function backupsSelect(flags: SelectFlags, io: CliIO): Promise<BackupSet> {
  const filter = filterOf(flags);
  return withSource(flags, async (source) => {
    const layout = await backupLayoutResolve(source, flags.layout ?? 'auto');
    const set = await backupSelect(source, layout, {
      asOf: parseTime(flags.asOf, 'as-of'),
      skewMs: flags.skew === undefined ? DEFAULT_SKEW_MS : parseDuration(flags.skew, 'skew'),
      filter,
      ...(flags.cluster === undefined ? {} : { cluster: flags.cluster }),
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(set, null, 2)}\n`);
    else {
      io.stdout.write(
        `as of ${set.asOf}: ${set.backupIds.join(', ')} (${set.earliest} … ${set.latest})  ${set.nodes.length} nodes  ${bytes(set.sizeBytes)}  schema ${set.schema?.version ?? '-'}\n`,
      );
      for (const n of set.nodes) {
        const files = n.tables.reduce((k, t) => k + t.files.length, 0);
        io.stdout.write(
          `  ${n.node}  ${n.dc ?? '-'}/${n.rack ?? '-'}  ${n.backupId}  ${n.time}  ${n.tokens.length} tokens  ${files} files\n`,
        );
      }
      for (const w of set.warnings) io.stdout.write(`  warning: ${w}\n`);
    }
    return set;
  });
}

function sourceOptions(c: Command): Command {
  return c
    .requiredOption('--source <uri>', 's3://bucket/prefix, file:///path or a folder')
    .option('--layout <name>', 'auto, snapshot, medusa or scylla-manager', 'auto')
    .option('--keyspace <ks>', 'only this keyspace')
    .option('--table <t>', 'only this table (with --keyspace)')
    .option('--json', 'print JSON')
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint (LocalStack, MinIO); default $DATAMOVE_S3_ENDPOINT or AWS',
    )
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)');
}

export function registerBackups(program: Command, io: CliIO): void {
  const backups = program
    .command('backups')
    .description('Find backups in S3 or a folder and check they are complete');
  sourceOptions(
    backups
      .command('list')
      .description(
        'Every backup set with time, nodes, DCs, size, schema version and COMPLETE/INCOMPLETE with the reasons',
      ),
  ).action(async (opts: SourceFlags) => backupsList(opts, io));
  sourceOptions(
    backups
      .command('select')
      .description(
        'The backup set as of a time: per node the latest complete backup at or before it, with schema and tokens',
      ),
  )
    .option('--as-of <time>', 'ISO-8601 time (default: now)')
    .option('--skew <duration>', 'largest distance between the node backups of a set (default 24h)')
    .option('--cluster <id>', 'the cluster, when the source holds several')
    .action(async (opts: SelectFlags) => void (await backupsSelect(opts, io)));
}
