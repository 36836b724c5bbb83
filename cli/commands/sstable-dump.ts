/**
 * `datamove sstable dump <folder-or-Data.db>`: the live rows of a table folder (all SSTables merged), one
 * JSON object per line; or with `--raw`, every SSTable's unmerged contents.
 */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { rowJsonFormatter, tableLiveRows } from '../../compactor/index.js';
import { DatamoveError } from '../../core/index.js';
import { rawJsonFormatter, tableFolderOpen, tableFolderResolve } from '../../reader/index.js';
import type { ByteSourceDirectory } from '../../storage/index.js';
import { s3OptionsFromEnv } from '../../storage/index.js';
import type { CliIO } from '../main.js';

export interface SSTableDumpOptions {
  readonly schema?: string;
  readonly now?: string;
  readonly raw?: boolean;
  readonly verify?: boolean;
  readonly table?: string;
}

export async function sstableDump(target: string, options: SSTableDumpOptions, out: Writable): Promise<void> {
  const now = parseNow(options.now);
  // a local folder or file, or s3://bucket/prefix[/file] (S3 settings from DATAMOVE_S3_* and the AWS chain)
  const { dir, file, close } = await tableFolderResolve(target, { s3: s3OptionsFromEnv(process.env) });
  try {
    await dumpFolder(dir, file, options, now, out);
  } finally {
    await close();
  }
}

async function dumpFolder(
  dir: ByteSourceDirectory,
  file: string | undefined,
  options: SSTableDumpOptions,
  now: number,
  out: Writable,
): Promise<void> {
  let schemaText: string | undefined;
  if (options.schema !== undefined) {
    try {
      schemaText = await readFile(options.schema, 'utf8');
    } catch (e) {
      throw new DatamoveError(
        'NotFound',
        `schema: ${options.schema}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`,
        {
          context: { file: options.schema },
        },
      );
    }
  }
  const table = await tableFolderOpen(dir, {
    ...(schemaText === undefined ? {} : { schemaText, schemaName: options.schema! }),
    ...(file === undefined ? {} : { onlyFile: file }),
    ...(options.table === undefined ? {} : { table: options.table }),
    verifyChecksums: options.verify ?? true,
  });
  const lines = new LineWriter(out);
  try {
    if (options.raw) {
      for (const t of table.sstables) {
        const fmt = rawJsonFormatter(table.model, t.layout.clusteringTypes);
        const s = t.scan();
        for (let p = await s.nextPartition(); p !== undefined; p = await s.nextPartition()) {
          await lines.write(
            fmt.partition(t.descriptor.prefix, p, t.partitioner.tokenToString(t.partitioner.tokenOf(p.key))),
          );
          for (let u = await s.nextUnfiltered(); u !== null; u = await s.nextUnfiltered())
            await lines.write(fmt.unfiltered(u));
        }
      }
    } else {
      const fmt = rowJsonFormatter(table.model);
      for await (const r of tableLiveRows(table, { now })) await lines.write(fmt.format(r));
    }
  } finally {
    await table.close();
  }
}

/** `--now` as seconds since the epoch (Cassandra's `nowInSec`); default: the current time. */
export function parseNow(now: string | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  const ms = Date.parse(now);
  if (!Number.isFinite(ms)) {
    throw new DatamoveError(
      'InvalidArgument',
      `--now: '${now}' is not an ISO-8601 time (e.g. 2024-05-01T12:00:00Z)`,
      {
        context: { field: 'now' },
      },
    );
  }
  return Math.floor(ms / 1000);
}

/** Writes JSON lines, waiting for the stream to drain so output never piles up in memory. */
class LineWriter {
  constructor(private readonly out: Writable) {}
  async write(v: unknown): Promise<void> {
    const line = `${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}\n`;
    if (!this.out.write(line)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}

export function registerSSTable(program: Command, io: CliIO): void {
  const sstable = program.command('sstable').description('Read SSTables directly');
  sstable
    .command('dump')
    .description(
      'Print the live rows (SELECT * over all SSTables of the folder, merged) as JSON lines, or with --raw every SSTable unmerged',
    )
    .argument(
      '<path>',
      'a folder of SSTables (with its schema.cql) or one *-Data.db file; a path or s3://bucket/prefix',
    )
    .option(
      '--schema <file>',
      'schema.cql to name the columns (default: schema.cql in the folder, else names from the SSTable header)',
    )
    .option('--table <name>', 'the table to use when schema.cql defines several')
    .option('--now <time>', 'reference time for TTL expiry, ISO-8601 (default: now)')
    .option('--raw', 'print the unmerged contents with timestamps, TTLs and every tombstone')
    .option('--no-verify', 'skip chunk checksum and digest verification')
    .action(async (path: string, opts: SSTableDumpOptions) => {
      await sstableDump(path, opts, io.stdout);
    });
}
