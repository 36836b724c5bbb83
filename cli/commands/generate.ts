/**
 * `datamove generate`: writes a synthetic multi-node cluster backup with a ground-truth oracle
 * (infra/generator).
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { generate, LAYOUT_NAMES, type LayoutName, PRESETS, type PresetName } from '../../infra/index.js';
import type { WriterCompression } from '../../sstable-writer/index.js';
import { s3OptionsResolve } from '../../storage/index.js';
import type { CliIO } from '../main.js';
import { cliS3Options } from './backups.js';
import { generateHistoryCommand } from './generate-history.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `2GiB`, `512MiB`, `10mb`, `12345` → bytes. */
export function parseSize(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new DatamoveError(
      'InvalidArgument',
      `${field}: '${text}' is not a size (e.g. 2GiB, 512MiB, 100000)`,
      { context: { field } },
    );
  }
  return Math.round(Number(m[1]) * unit);
}

function int(text: string, field: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    throw new DatamoveError('InvalidArgument', `${field}: '${text}' must be an integer >= ${min}`, {
      context: { field },
    });
  }
  return v;
}

export function registerGenerate(program: Command, io: CliIO): void {
  program
    .command('generate')
    .description(
      'Write a synthetic multi-node Cassandra cluster backup whose true contents are known (the oracle)',
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--preset <name>', `table preset: ${PRESETS.join(', ')}`, 'narrow')
    .option(
      '--size <size>',
      'approximate uncompressed Data.db of the whole backup, all nodes (e.g. 2GiB)',
      '64MiB',
    )
    .option('--partitions <n>', 'exact partition count (overrides --size)')
    .option('--wide-partition <size>', "size of the wide preset's big partition", '64MiB')
    .option('--hot-partition <size>', "size of the timeseries preset's one huge partition (default none)")
    .option('--nodes <n>', 'nodes in the cluster', '6')
    .option('--dcs <n>', 'data centres', '1')
    .option('--rf <n>', 'replication factor (per data centre)', '3')
    .option('--num-tokens <n>', 'vnode tokens per node', '16')
    .option('--flushes <n>', 'SSTables per node (overlapping write windows)', '4')
    .option('--seed <n>', 'random seed (same seed, same backup)', '1')
    .option('--format <version>', 'SSTable format: nb (Cassandra 4.x/5.0) or mc (3.11)', 'nb')
    .option('--compression <codec>', 'lz4, zstd, snappy, deflate or none', 'lz4')
    .option('--now <time>', 'reference time (ISO-8601): TTLs are judged against it', '2026-01-01T00:00:00Z')
    .option('--keyspace <name>', 'keyspace name', 'datamove')
    .option('--tag <tag>', 'snapshot tag', 'datamove-snapshot')
    .option('--miss-rate <fraction>', 'fraction of writes one node missed', '0.05')
    .option('--node-expectations', "also write each node's own expected rows")
    .option('--layout <name>', `backup layout: ${LAYOUT_NAMES.join(', ')}`, 'snapshot')
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint when --out is s3:// (default $DATAMOVE_S3_ENDPOINT or AWS)',
    )
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)')
    .option(
      '--history <days>',
      'instead: a backup history to try restore on — <days> daily backups (at least 4) of one table while a column is added, a node joins and a column is dropped, an oracle per backup',
    )
    .option(
      '--start <time>',
      'with --history: the first write (ISO-8601, default 2026-03-01T00:00:00Z); backup k is k days later',
    )
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      if (o.history !== undefined) return generateHistoryCommand(o, cmd, io);
      if (o.start !== undefined)
        throw new DatamoveError(
          'InvalidArgument',
          '--start: only with --history (the first write of a backup history)',
          {
            context: { field: 'start' },
          },
        );
      const preset = String(o.preset) as PresetName;
      if (!PRESETS.includes(preset)) {
        throw new DatamoveError(
          'InvalidArgument',
          `--preset: '${preset}' is not one of ${PRESETS.join(', ')}`,
          { context: { field: 'preset' } },
        );
      }
      const format = String(o.format);
      if (format !== 'nb' && format !== 'mc') {
        throw new DatamoveError('InvalidArgument', `--format: '${format}' must be nb or mc`, {
          context: { field: 'format' },
        });
      }
      const compression = String(o.compression) as WriterCompression;
      if (!['lz4', 'zstd', 'snappy', 'deflate', 'none'].includes(compression)) {
        throw new DatamoveError(
          'InvalidArgument',
          `--compression: '${compression}' must be lz4, zstd, snappy, deflate or none`,
          {
            context: { field: 'compression' },
          },
        );
      }
      const nowMs = Date.parse(String(o.now));
      if (!Number.isFinite(nowMs)) {
        throw new DatamoveError('InvalidArgument', `--now: '${o.now}' is not an ISO-8601 time`, {
          context: { field: 'now' },
        });
      }
      const missRate = Number(o.missRate);
      if (!(missRate >= 0 && missRate < 1)) {
        throw new DatamoveError('InvalidArgument', `--miss-rate: '${o.missRate}' must be in [0, 1)`, {
          context: { field: 'miss-rate' },
        });
      }
      const layout = String(o.layout) as LayoutName;
      if (!LAYOUT_NAMES.includes(layout)) {
        throw new DatamoveError(
          'InvalidArgument',
          `--layout: '${layout}' is not one of ${LAYOUT_NAMES.join(', ')}`,
          {
            context: { field: 'layout' },
          },
        );
      }
      const started = Date.now();
      let lastReport = 0;
      const result = await generate({
        out: String(o.out),
        preset,
        nodes: int(String(o.nodes), '--nodes', 1),
        dcs: int(String(o.dcs), '--dcs', 1),
        replicationFactor: int(String(o.rf), '--rf', 1),
        numTokens: int(String(o.numTokens), '--num-tokens', 1),
        seed: int(String(o.seed), '--seed', 0),
        bytes: parseSize(String(o.size), '--size'),
        wideBytes: parseSize(String(o.widePartition), '--wide-partition'),
        ...(o.hotPartition === undefined
          ? {}
          : { hotPartitionBytes: parseSize(String(o.hotPartition), '--hot-partition') }),
        ...(o.partitions === undefined ? {} : { partitions: int(String(o.partitions), '--partitions', 1) }),
        flushes: int(String(o.flushes), '--flushes', 1),
        version: format,
        compression,
        now: Math.floor(nowMs / 1000),
        keyspace: String(o.keyspace),
        tag: String(o.tag),
        nodeExpectations: o.nodeExpectations === true,
        missRate,
        layout,
        s3: s3OptionsResolve(
          cliS3Options({
            ...(o.s3Endpoint === undefined ? {} : { s3Endpoint: String(o.s3Endpoint) }),
            ...(o.s3Region === undefined ? {} : { s3Region: String(o.s3Region) }),
            ...(o.s3PathStyle === undefined ? {} : { s3PathStyle: o.s3PathStyle === true }),
          } as Parameters<typeof cliS3Options>[0]),
        ),
        onProgress: (done, total, table) => {
          const t = Date.now();
          if (t - lastReport < 2000 && done < total) return;
          lastReport = t;
          io.stderr.write(`generate: ${table}: ${done}/${total} partitions\n`);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      for (const t of result.tables) {
        io.stdout.write(
          `${t.keyspace}.${t.table}: ${t.partitions} partitions, ${t.oracleRows} rows in the oracle (${t.oracleFile})\n`,
        );
      }
      io.stdout.write(
        `${result.cluster.nodes.length} nodes, ${(result.dataBytes / 2 ** 20).toFixed(1)} MiB of uncompressed Data.db in ${seconds.toFixed(1)} s ` +
          `(${(result.dataBytes / 2 ** 20 / Math.max(seconds, 0.001)).toFixed(1)} MiB/s); ${result.missNode} missed writes, ` +
          `${result.staleNode} holds stale ranges\n`,
      );
    });
}
