/**
 * `datamove compact`: plan a table's compaction from a backup (or a folder of SSTables), print the plan
 * with `--dry-run`, or run it in a worker pool and write the live rows as JSON lines (`--out`) or just
 * count them. A development command until the `run` job command lands; the work is in compactor/.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import {
  type CompactionEvent,
  compactionPlan,
  compactionPlanFormat,
  compactionRun,
  compactOptionsResolve,
} from '../../compactor/index.js';
import { DatamoveError } from '../../core/index.js';
import { backupSourceOpen } from '../../reader/index.js';
import type { CliIO } from '../main.js';
import { cliS3Options } from './backups.js';

interface CompactFlags {
  readonly source: string;
  readonly keyspace: string;
  readonly table: string;
  readonly layout: string;
  readonly asOf?: string;
  readonly now?: string;
  readonly backupAsOf?: string;
  readonly consistency: string;
  readonly replicationFactor?: string;
  readonly tasks?: string;
  readonly workers?: string;
  readonly retries?: string;
  readonly memory?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly out?: string;
  readonly progress?: boolean;
  readonly s3Endpoint?: string;
  readonly s3Region?: string;
  readonly s3PathStyle?: boolean;
}

function int(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) {
    throw new DatamoveError('InvalidArgument', `--${field}: '${text}' is not a positive integer`, {
      context: { field },
    });
  }
  return Number(text);
}

function size(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export async function compactCommand(flags: CompactFlags, io: CliIO): Promise<void> {
  const s3 = cliS3Options(flags);
  const memory = int(flags.memory, 'memory');
  const options = compactOptionsResolve(
    {
      keyspace: flags.keyspace,
      table: flags.table,
      layout: flags.layout,
      consistency: flags.consistency,
      ...(flags.asOf === undefined ? {} : { asOf: flags.asOf }),
      ...(flags.now === undefined ? {} : { now: flags.now }),
      ...(flags.backupAsOf === undefined ? {} : { backupAsOf: flags.backupAsOf }),
      ...(flags.replicationFactor === undefined
        ? {}
        : { replicationFactor: int(flags.replicationFactor, 'replication-factor') }),
      ...(flags.tasks === undefined ? {} : { tasks: int(flags.tasks, 'tasks') }),
      ...(flags.workers === undefined ? {} : { workers: int(flags.workers, 'workers') }),
      ...(flags.retries === undefined ? {} : { retries: int(flags.retries, 'retries') }),
      ...(memory === undefined ? {} : { memoryBudgetBytes: memory * 1024 * 1024 }),
    },
    { cores: availableParallelism(), memoryBytes: totalmem() },
  );
  const source = backupSourceOpen(flags.source, { s3 });
  let plan: Awaited<ReturnType<typeof compactionPlan>>;
  try {
    // a folder holding SSTables itself is read as one replica
    let resolved = options;
    if (options.layout === 'auto') {
      const top = await source.list('');
      if (top.some((o) => !o.key.includes('/') && o.key.endsWith('-Data.db')))
        resolved = { ...options, layout: 'folder' };
    }
    plan = await compactionPlan(source, resolved);
  } finally {
    await source.close();
  }
  if (flags.dryRun) {
    io.stdout.write(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : compactionPlanFormat(plan));
    return;
  }
  const parts = flags.out === undefined ? undefined : `${flags.out}.parts`;
  if (parts !== undefined) mkdirSync(parts, { recursive: true });
  const showProgress = flags.progress ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
  let lastDraw = 0;
  const onEvent = (e: CompactionEvent): void => {
    if (e.type === 'task-retry')
      io.stderr.write(
        `datamove: task ${e.taskId} (${e.range.start}, ${e.range.end}] attempt ${e.attempt + 1} failed, retrying: ${e.error.message}\n`,
      );
    if (!showProgress || e.type !== 'progress') return;
    const now = Date.now();
    if (now - lastDraw < 200 && e.tasksDone + e.tasksFailed < e.tasksTotal) return;
    lastDraw = now;
    const pct = e.totalBytes === 0 ? 100 : Math.min(100, (100 * e.bytesRead) / e.totalBytes);
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    const running = e.states.filter((s) => s === 'running' || s === 'retrying').length;
    io.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0)}%  ${size(e.bytesRead)}/${size(e.totalBytes)}  ${e.rows} rows  tasks ${e.tasksDone}/${e.tasksTotal} done, ${running} running${e.tasksFailed ? `, ${e.tasksFailed} failed` : ''}   `,
    );
  };
  try {
    const result = await compactionRun(plan, {
      sink: parts === undefined ? { kind: 'count' } : { kind: 'jsonl', dir: parts },
      retries: options.retries,
      sourceOptions: { s3 },
      onEvent,
    });
    if (showProgress) io.stderr.write('\n');
    if (result.failed.length > 0) {
      throw new DatamoveError(
        'DataInvalid',
        `compactor: ${result.failed.length} of ${result.tasks.length} tasks failed: ${result.failed
          .slice(0, 5)
          .map(
            (f) =>
              `task ${f.taskId} (${f.range.start}, ${f.range.end}] after ${f.attempts} attempts: ${f.error?.message}`,
          )
          .join('; ')}`,
        { context: { failed: result.failed.length } },
      );
    }
    if (flags.out !== undefined) {
      const out = createWriteStream(flags.out);
      for (const t of result.tasks) {
        if (t.result?.file) await pipeline(createReadStream(t.result.file), out, { end: false });
      }
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    }
    io.stderr.write(
      `${JSON.stringify({
        table: `${plan.keyspace}.${plan.table}`,
        rows: result.rows,
        bytesRead: result.bytesRead,
        tasks: result.tasks.length,
        workers: plan.workers,
        now: new Date(result.now * 1000).toISOString(),
        asOfMicros: result.asOfMicros ?? null,
        elapsedMs: result.elapsedMs,
        ...(flags.out === undefined ? {} : { out: flags.out }),
      })}\n`,
    );
  } finally {
    if (parts !== undefined) rmSync(parts, { recursive: true, force: true });
  }
}

export function registerCompact(program: Command, io: CliIO): void {
  program
    .command('compact')
    .description(
      'Compact a table from a backup (all replicas merged by token range in a worker pool) and write its live rows as JSON lines, or count them; --dry-run prints the plan',
    )
    .requiredOption(
      '--source <uri>',
      's3://bucket/prefix, file:///path or a folder (a backup, or one folder of SSTables)',
    )
    .requiredOption('--keyspace <ks>', 'keyspace')
    .requiredOption('--table <t>', 'table')
    .option('--layout <name>', 'auto, snapshot, medusa, scylla-manager or folder', 'auto')
    .option('--as-of <time>', 'drop everything written after this time: ISO-8601 or epoch microseconds')
    .option('--now <time>', 'reference time for TTL expiry, ISO-8601 or epoch seconds (default: now)')
    .option(
      '--backup-as-of <time>',
      'read the latest complete backup set at or before this time (default: now)',
    )
    .option('--consistency <level>', 'one, quorum or all', 'quorum')
    .option(
      '--replication-factor <n>',
      "replication factor per DC (default: the schema's, else min(3, nodes))",
    )
    .option('--tasks <n>', 'number of token-range tasks (default: from the backup size)')
    .option('--workers <n>', 'worker threads (default: from cores and memory)')
    .option('--retries <n>', 'extra attempts per failed task (default 2)')
    .option('--memory <MiB>', 'memory budget for sizing (default min(1 GiB, half the machine))')
    .option('--dry-run', 'print the plan and stop')
    .option('--json', 'with --dry-run: the plan as JSON')
    .option('--out <file>', 'write the live rows as JSON lines (default: only count them)')
    .option('--progress', 'draw a progress line on stderr (default when stderr is a terminal)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint; default $DATAMOVE_S3_ENDPOINT or AWS')
    .option('--s3-region <region>', 'S3 region (default $AWS_REGION or us-east-1)')
    .option('--s3-path-style', 'path-style S3 addressing (default when an endpoint is set)')
    .action(async (opts: CompactFlags) => compactCommand(opts, io));
}
